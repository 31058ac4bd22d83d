import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { databaseUrl } from './postgres.js';
import { freePort } from './wait.js';

const run = promisify(execFile);

/** A PostgreSQL server of a test's own, to stop and start under the services (never the machine's). */
export interface PostgresInstance extends AsyncDisposable {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> (trust auth). */
  url(database?: string): string;
  /** Fast shutdown (connections are terminated, as on a server restart); resolves once it is down. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes its data folder; safe to call twice. */
  destroy(): Promise<void>;
}

/** The newest PostgreSQL server binaries of the machine (Debian's /usr/lib/postgresql/<version>/bin). */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined)
    throw new Error(`no PostgreSQL server binaries under ${root}/*/bin (initdb, pg_ctl)`);
  return join(root, newest, 'bin');
}

/** initdb refuses to run as root: as root, the server's commands run as user postgres. */
function asServerUser(command: string, args: readonly string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
    : [command, [...args]];
}

async function exec(command: string, args: readonly string[]): Promise<void> {
  const [file, argv] = asServerUser(command, args);
  await run(file, argv, { timeout: 60_000 });
}

/**
 * Creates and starts a throwaway server: a fresh cluster (initdb, trust auth, fsync off: its data is thrown
 * away) in a temp folder, on a free port of 127.0.0.1, its socket in that folder. Destroy it in `after`.
 */
export async function startPostgresInstance(): Promise<PostgresInstance> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'goblog-pg-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, 'data');
  const port = await freePort();
  await exec(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const start = (): Promise<void> =>
    exec(join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-o',
      options,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      'start',
    ]);
  const stop = (): Promise<void> =>
    exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
  await start();
  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    port,
    url: (database = 'postgres') => databaseUrl(database, `postgres://postgres@127.0.0.1:${port}/postgres`),
    stop,
    start,
    destroy,
    [Symbol.asyncDispose]: destroy,
  };
}
