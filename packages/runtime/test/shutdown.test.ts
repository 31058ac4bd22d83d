import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/shutdown-child.ts', import.meta.url));
const WAIT_MS = 30_000;

interface LogLine {
  readonly msg?: string;
  readonly bigLines?: number;
}

/**
 * A real pipe (a FIFO), as a shell pipeline or a container runtime gives a service, not the socket pair
 * `spawn` makes: a full pipe leaves the destination's writes pending, the case where an exit that does not
 * wait for the log destination loses lines.
 */
function realPipe(): { readonly reader: Socket; readonly writeFd: number } {
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-test-'));
  const path = join(dir, 'stdout');
  execFileSync('mkfifo', [path]);
  // The reader first, non-blocking, so that opening the writer does not wait for one.
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, constants.O_WRONLY);
  rmSync(dir, { recursive: true, force: true });
  return { reader: new Socket({ fd: readFd, readable: true, writable: false }), writeFd };
}

/** The fixture as a real process; its stdout parsed as JSON lines (a line that does not parse is kept raw). */
class Child {
  readonly process: ChildProcess;
  readonly lines: (LogLine | string)[] = [];
  readonly exited: Promise<number | null>;
  readonly #waiters = new Set<() => void>();

  constructor() {
    const stdout = realPipe();
    this.process = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', FIXTURE], {
      stdio: ['pipe', stdout.writeFd, 'inherit'],
    });
    closeSync(stdout.writeFd);
    let partial = '';
    stdout.reader.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.lines.push(parse(line));
      for (const wake of this.#waiters) wake();
    });
    // The code once the process is gone and everything it wrote is read.
    const ended = once(stdout.reader, 'end');
    this.exited = once(this.process, 'exit').then(async ([code]) => {
      await ended;
      return code as number | null;
    });
  }

  messages(): string[] {
    return this.lines.map((l) => (typeof l === 'string' ? `<unparsable ${l.length} chars>` : (l.msg ?? '')));
  }

  /** Resolves once a line whose msg starts with `prefix` was written; rejects after WAIT_MS. */
  waitFor(prefix: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!this.messages().some((m) => m.startsWith(prefix))) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no line starting with "${prefix}"; saw ${this.messages().join(' | ')}`));
      }, WAIT_MS);
      this.#waiters.add(check);
      check();
    });
  }

  /** SIGKILL, unless it is gone already: a failed test must not leave it waiting on its stdin for ever. */
  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }

  /** Lets the held shutdown step finish. */
  release(): void {
    this.process.stdin?.end('go\n');
  }
}

function parse(line: string): LogLine | string {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return line;
  }
}

/** Resolves with whichever comes first: the line, or the exit (a process killed by the signal). */
async function ignoredOrGone(child: Child): Promise<void> {
  await Promise.race([child.waitFor('already shutting down').catch(() => undefined), child.exited]);
}

void describe('handleShutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    void it(`ignores a second ${signal} during the shutdown, says so once, and still exits 0`, async (t) => {
      const child = new Child();
      t.after(() => {
        child.kill();
      });
      await child.waitFor('ready');
      child.process.kill(signal);
      await child.waitFor('shutting down');

      child.process.kill(signal);
      await ignoredOrGone(child);
      child.release();

      assert.equal(await child.exited, 0, child.messages().join(' | '));
      assert.equal(child.messages().filter((m) => m.startsWith('already shutting down')).length, 1);
      assert.equal(child.messages().at(-1), 'stopped');
    });
  }

  void it('exits only once every line logged before the exit is written, whole', async (t) => {
    const child = new Child();
    t.after(() => {
      child.kill();
    });
    await child.waitFor('ready');
    child.process.kill('SIGTERM');
    await child.waitFor('shutting down');
    child.release();

    assert.equal(await child.exited, 0);
    const ready = child.lines.find((l): l is LogLine => typeof l !== 'string' && l.msg === 'ready');
    const lastWords = child.messages().filter((m) => m.startsWith('last words'));
    assert.equal(lastWords.length, ready?.bigLines, child.messages().join(' | '));
    assert.deepEqual(
      child.lines.filter((l) => typeof l === 'string'),
      [],
    );
    assert.equal(child.messages().at(-1), 'stopped');
  });
});
