// Scenario 8: secrets. With a broker password (a broker user of this test's own), an ENCRYPT_KEY and the
// configserver's basic-auth password set, every log line of a full run (startup, steady stream, refresh over
// the bus, encrypt/decrypt, connections dropped and recovered, startup failures such as a wrong password,
// shutdown) is captured: none contains a secret. The configserver refuses its admin endpoints without
// credentials.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTextEncryptor } from '@goblog/config';
import {
  closeConnectionsOf,
  createBrokerUser,
  deleteBrokerUser,
  freePort,
  startLoad,
  startService,
  withTimeout,
} from '@goblog/testkit';
import type { BrokerUser, LoadStats, RunningService, ServiceName } from '@goblog/testkit';
import { tempConfigRepo, type TempRepo } from '@goblog/testkit';
import { assertExactlyOnce, assertNoUnexpectedExit, settle, waitAllUp } from './support/checks.ts';
import { reportFigures } from './support/figures.ts';
import { SCENARIO_TIMEOUT_MS } from './support/limits.ts';
import { startLandscape, type Landscape } from './support/landscape.ts';
import { moreVipReads } from './support/traffic.ts';

const ENCRYPT_KEY = `encryptkey-${randomBytes(12).toString('hex')}`;
const ADMIN = { user: 'configadmin', password: `adminpw-${randomBytes(12).toString('hex')}` };
const WRONG_PASSWORD = `wrongpw-${randomBytes(12).toString('hex')}`;
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

void describe('scenario 8: secrets stay out of every log line; admin endpoints need credentials', () => {
  let user: BrokerUser | undefined;
  let repo: TempRepo | undefined;
  let landscape: Landscape | undefined;
  let scratch: string | undefined;
  /** Processes started to fail (wrong password and the like), with their captured lines. */
  const failures: { name: string; code: number | null; lines: readonly string[] }[] = [];

  before(async () => {
    user = await createBrokerUser();
    scratch = await mkdtemp(join(tmpdir(), 'goblog-secrets-'));
    // The services get their broker URL, password included, from the configserver, encrypted at rest.
    const cipher = `'{cipher}${createTextEncryptor(ENCRYPT_KEY).encrypt(user.url)}'`;
    repo = tempConfigRepo({
      files: {
        'accountservice-dev.yml': `amqp_server_url: ${cipher}\n`,
        'vipservice-dev.yml': `amqp_server_url: ${cipher}\n`,
      },
    });
    landscape = await startLandscape({
      label: 'secrets',
      configserver: {
        repoDir: repo.dir,
        env: {
          AMQP_SERVER_URL: user.url,
          ENCRYPT_KEY,
          CONFIG_SERVER_USER: ADMIN.user,
          CONFIG_SERVER_PASSWORD: ADMIN.password,
          LOG_LEVEL: 'debug',
        },
      },
      env: {
        AMQP_SERVER_URL: '', // from the configserver
        CONFIG_SERVER_USER: ADMIN.user,
        CONFIG_SERVER_PASSWORD: ADMIN.password,
        LOG_LEVEL: 'debug',
      },
    });
  });
  after(async () => {
    await landscape?.close();
    repo?.[Symbol.dispose]();
    if (scratch) await rm(scratch, { recursive: true, force: true });
    if (user) await deleteBrokerUser(user.name);
  });

  void it(
    'refuses admin endpoints without valid credentials, and keeps /health open',
    { timeout: SCENARIO_TIMEOUT_MS },
    async () => {
      const configserver = (landscape as Landscape).configserver;
      assert.ok(configserver);
      const admin: [string, string][] = [
        ['POST', '/actuator/busrefresh'],
        ['POST', '/actuator/busrefresh/accountservice:**'],
        ['POST', '/encrypt'],
        ['POST', '/decrypt'],
        ['POST', '/monitor'],
        ['GET', '/accountservice/dev'],
        ['GET', '/vipservice/dev/main'],
        ['GET', '/accountservice-dev.yml'],
        ['GET', '/metrics'],
      ];
      const wrong = [
        undefined,
        basic(ADMIN.user, WRONG_PASSWORD),
        basic('someone', ADMIN.password),
        'Bearer x',
      ];
      for (const [method, path] of admin) {
        for (const authorization of wrong) {
          const res = await fetch(`${configserver.baseUrl}${path}`, {
            method,
            headers: { 'content-type': 'text/plain', ...(authorization ? { authorization } : {}) },
            ...(method === 'POST' ? { body: 'secret text' } : {}),
          });
          await res.arrayBuffer();
          assert.equal(res.status, 401, `${method} ${path} with ${authorization ?? 'no credentials'}`);
        }
      }
      const healthRes = await fetch(`${configserver.baseUrl}/health`);
      assert.equal(healthRes.status, 200);
      const ok = await fetch(`${configserver.baseUrl}/accountservice/dev`, {
        headers: { authorization: basic(ADMIN.user, ADMIN.password) },
      });
      assert.equal(ok.status, 200);
      // Served decrypted to an authorised client: that is the point of the configserver.
      assert.ok(JSON.stringify(await ok.json()).includes((user as BrokerUser).url));
    },
  );

  void it(
    'writes no secret in any log line of a full run, startup failures included',
    { timeout: SCENARIO_TIMEOUT_MS },
    async (t) => {
      const l = landscape as Landscape;
      const u = user as BrokerUser;
      const configserver = l.configserver;
      assert.ok(configserver);
      const auth = { authorization: basic(ADMIN.user, ADMIN.password) };
      const load = startLoad({ accountUrl: () => l.accountservice.baseUrl });
      let stats: LoadStats;
      let closed: number;
      let recoveryMs: number;
      try {
        await moreVipReads(load, 300);
        // Secrets through the configserver's endpoints.
        const encrypted = await (
          await fetch(`${configserver.baseUrl}/encrypt`, { method: 'POST', headers: auth, body: u.password })
        ).text();
        const decrypted = await fetch(`${configserver.baseUrl}/decrypt`, {
          method: 'POST',
          headers: auth,
          body: encrypted,
        });
        assert.equal(await decrypted.text(), u.password);
        // A refresh over the bus: every service fetches its (encrypted) configuration again.
        const refresh = await fetch(`${configserver.baseUrl}/actuator/busrefresh`, {
          method: 'POST',
          headers: auth,
        });
        assert.ok(refresh.status < 300);
        for (const s of [l.accountservice, ...l.vipservices])
          await s.waitForLine('bus refresh applied', 10_000);
        // Connections lost and recovered: reconnect lines name the broker.
        closed = await closeConnectionsOf(u.name);
        const since = Date.now();
        await waitAllUp(l.all());
        recoveryMs = Date.now() - since;
        await moreVipReads(load, 300);
      } finally {
        stats = await load.stop();
      }
      const { notifications } = await settle(l, '10000', stats.vip200);
      assertExactlyOnce(stats, notifications);
      assert.equal(notifications, stats.vip200);
      assertNoUnexpectedExit(l);

      // Startup failures, each must exit non-zero with one line and no secret.
      const dataDir = scratch ?? '';
      const wrongBrokerUrl = `amqp://${u.name}:${WRONG_PASSWORD}@127.0.0.1:5672/`;
      for (const name of ['configserver', 'accountservice', 'vipservice'] as const) {
        await failingStart(name, 'wrong broker password', {
          AMQP_SERVER_URL: wrongBrokerUrl,
          DATA_DIR: dataDir,
          CONFIG_REPO: repo?.dir ?? '',
          ENCRYPT_KEY,
        });
        await failingStart(name, 'malformed broker URL', {
          AMQP_SERVER_URL: `amqp//${u.name}:${u.password}@127.0.0.1:5672/`,
          DATA_DIR: dataDir,
        });
      }
      await failingStart('accountservice', 'wrong configserver password', {
        CONFIG_SERVER_URL: configserver.baseUrl,
        CONFIG_SERVER_USER: ADMIN.user,
        CONFIG_SERVER_PASSWORD: WRONG_PASSWORD,
        DATA_DIR: dataDir,
      });
      await failingStart('vipservice', 'configserver password in its URL', {
        CONFIG_SERVER_URL: `http://${ADMIN.user}:${WRONG_PASSWORD}@127.0.0.1:${configserver.port}`,
        DATA_DIR: dataDir,
      });
      await failingStart('configserver', 'broker unreachable, with an ENCRYPT_KEY', {
        AMQP_SERVER_URL: `amqp://${u.name}:${WRONG_PASSWORD}@127.0.0.1:1/`,
        ENCRYPT_KEY: WRONG_PASSWORD,
        CONFIG_REPO: repo?.dir ?? '',
      });

      // Shutdown lines too: everything stops now, then every captured line is searched.
      const started = l.everStarted();
      for (const s of started) await l.stop(s);
      const secrets = secretForms([u.password, ENCRYPT_KEY, ADMIN.password, WRONG_PASSWORD]);
      secrets.push(basic(ADMIN.user, ADMIN.password).slice('Basic '.length));
      const captured = [
        ...started.map((s) => ({ name: `${s.name}:${s.port}`, lines: s.lines })),
        ...failures.map((f) => ({ name: f.name, lines: f.lines })),
      ];
      const leaks: string[] = [];
      let lineCount = 0;
      for (const { name, lines } of captured) {
        for (const line of lines) {
          lineCount++;
          if (secrets.some((secret) => line.includes(secret))) leaks.push(`${name}: ${line.slice(0, 300)}`);
        }
      }
      for (const f of failures) {
        assert.notEqual(f.code, 0, `${f.name} exits non-zero`);
        assert.ok(f.lines.length > 0, `${f.name} says why`);
      }
      await reportFigures(t, 'secrets', {
        linesCaptured: lineCount,
        processes: captured.length,
        startupFailures: failures.map((f) => `${f.name}: ${f.lines.at(-1)?.slice(0, 160) ?? ''}`),
        connectionsClosed: closed,
        recoveryMs,
        sent: stats.sent,
        vip200: stats.vip200,
        counted: notifications,
      });
      assert.deepEqual(leaks, [], 'no log line contains a secret');
    },
  );

  async function failingStart(name: ServiceName, why: string, env: Record<string, string>): Promise<void> {
    const service: RunningService = await startService(name, {
      port: await freePort(),
      waitHealthy: false,
      env: Object.fromEntries(
        Object.entries({ LOG_FORMAT: 'json', LOG_LEVEL: 'debug', ...env }).filter(([, v]) => v !== ''),
      ),
    });
    try {
      const code = await withTimeout(service.exited, 30_000, `${name} (${why}) kept running`);
      failures.push({ name: `${name} (${why})`, code, lines: service.lines });
    } finally {
      await service.kill();
    }
  }
});

/** A secret as it may appear in a line: as is, URL-encoded, JSON-escaped, base64. */
function secretForms(values: readonly string[]): string[] {
  return values.flatMap((v) => [
    v,
    encodeURIComponent(v),
    JSON.stringify(v).slice(1, -1),
    Buffer.from(v).toString('base64'),
  ]);
}
