// Scenario 5: the configserver is down for 10 s under a steady stream. The running services keep running
// on their last good configuration, even when a refresh is asked of them meanwhile; a service started
// meanwhile fails clearly (the documented behaviour: exit non-zero, one line naming the configuration server,
// within a few seconds); once the configserver is back, refreshes work again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BROKER_URL, freePort, plainChannel, startLoad, startService, withTimeout } from '@goblog/testkit';
import type { LoadStats } from '@goblog/testkit';
import { tempConfigRepo, type TempRepo } from '@goblog/testkit';
import {
  assertExactlyOnce,
  assertNoUnexpectedExit,
  duplicatesAbsorbed,
  health,
  notificationsOf,
  settle,
  waitAllUp,
} from './support/checks.ts';
import { reportFigures } from './support/figures.ts';
import { HANG_GUARD_MS, SCENARIO_TIMEOUT_MS } from './support/limits.ts';
import { startLandscape, type Landscape } from './support/landscape.ts';
import { moreVipReads } from './support/traffic.ts';

const OUTAGE_MS = 10_000;
/** VIP only through the configuration server's answer (the built-in default is 10000 alone). */
const CONFIGURED_VIP = '10042';
const CONFIGURED_VIP_READS = 20;

void describe('scenario 5: configserver down for 10 s', () => {
  let repo: TempRepo | undefined;
  let landscape: Landscape | undefined;
  let spareDir: string | undefined;

  before(async () => {
    repo = tempConfigRepo({
      files: {
        'accountservice.yml': `server_name: Accountservice\nvip_account_ids: ["10000", "${CONFIGURED_VIP}"]\n`,
      },
    });
    landscape = await startLandscape({ label: 'configserver-down', configserver: { repoDir: repo.dir } });
    spareDir = await mkdtemp(join(tmpdir(), 'goblog-configserver-down-late-'));
  });
  after(async () => {
    await landscape?.close();
    repo?.[Symbol.dispose]();
    if (spareDir) await rm(spareDir, { recursive: true, force: true });
  });

  void it(
    'running services keep their last good configuration; a service started meanwhile fails clearly',
    { timeout: SCENARIO_TIMEOUT_MS },
    async (t) => {
      const l = landscape as Landscape;
      const configserver = l.configserver;
      assert.ok(configserver);
      const [accountservice, vipservice] = [l.accountservice, l.vipservices[0]];
      assert.ok(vipservice);
      const nonVipIds = Array.from({ length: 99 }, (_, i) => String(10001 + i)).filter(
        (id) => id !== CONFIGURED_VIP,
      );
      const load = startLoad({ accountUrl: () => l.accountservice.baseUrl, nonVipIds });
      let stats: LoadStats;
      let lateStart: { code: number | null; line: string; ms: number };
      let recoveryMs: number;
      let outageMs: number;
      const notUp: string[] = [];
      try {
        await moreVipReads(load, 300);
        await l.kill(configserver);
        const down = Date.now();
        // A service started now cannot load its configuration. It runs alongside the checks below; the
        // outage lasts at least OUTAGE_MS and until that service has given up, so the outcome is certain.
        const late = startWithoutConfigserver(configserver.baseUrl, spareDir ?? '', l.queue);

        // While it is down: a refresh is asked of everyone (as busrefresh would); it cannot be fetched.
        await publishRefresh(l.bus);
        for (const s of [accountservice, vipservice]) {
          // A hang guard: how long the rejection took is not this scenario's claim.
          await s.waitForLine('bus refresh rejected, keeping the current configuration', HANG_GUARD_MS);
        }
        // The last good configuration still holds: 10042 is VIP only because the configserver said so.
        for (let i = 0; i < CONFIGURED_VIP_READS; i++) {
          const res = await fetch(`${accountservice.baseUrl}/accounts/${CONFIGURED_VIP}`);
          await res.arrayBuffer();
          assert.equal(res.status, 200);
        }
        for (const s of [accountservice, vipservice]) {
          const h = await health(s);
          if (h.status !== 200) notUp.push(`${s.name} ${h.status}`);
        }
        lateStart = await late;
        const remaining = OUTAGE_MS - (Date.now() - down);
        if (remaining > 0) await delay(remaining);
        outageMs = Date.now() - down;

        const back = Date.now();
        const restarted = await l.restart(configserver);
        await waitAllUp(l.all());
        recoveryMs = Date.now() - back;
        // Refreshes work again: the services fetch from the configserver that came back.
        const refresh = await fetch(`${restarted.baseUrl}/actuator/busrefresh`, { method: 'POST' });
        assert.ok(refresh.status < 300, `busrefresh answered ${refresh.status}`);
        for (const s of [accountservice, vipservice])
          await s.waitForLine('bus refresh applied', HANG_GUARD_MS);
        await moreVipReads(load, 300);
      } finally {
        stats = await load.stop();
      }

      assert.deepEqual(notUp, [], 'running services stay UP while the configserver is down');
      assert.notEqual(lateStart.code, 0, 'a service started without its configserver exits non-zero');
      assert.match(lateStart.line, /configuration server/);
      assert.equal(lateStart.line.includes('\n'), false);

      const { notifications, drainMs } = await settle(l, '10000', stats.vip200);
      assertExactlyOnce(stats, notifications);
      assert.equal(notifications, stats.vip200);
      assert.deepEqual(stats.otherStatuses, {});
      assert.deepEqual(stats.noAnswer, {});
      assert.equal(await notificationsOf(vipservice, CONFIGURED_VIP), CONFIGURED_VIP_READS);
      assertNoUnexpectedExit(l);
      await reportFigures(t, 'configserver down 10 s', {
        sent: stats.sent,
        vip200: stats.vip200,
        counted: notifications,
        duplicatesAbsorbed: await duplicatesAbsorbed(l.vipservices),
        lateStartExitCode: lateStart.code,
        lateStartExitMs: lateStart.ms,
        lateStartLine: lateStart.line,
        outageMs,
        configserverBackToAllUpMs: recoveryMs,
        restartMs: l.restartTimes().map((r) => r.ms),
        slowestAnswerMs: stats.slowestMs,
        drainMs,
      });
    },
  );
});

/** A refresh event for every application on the bus, as the configserver's busrefresh would publish it. */
async function publishRefresh(bus: string): Promise<void> {
  const { connection } = await plainChannel();
  try {
    const channel = await connection.createConfirmChannel();
    const event = {
      type: 'RefreshRemoteApplicationEvent',
      timestamp: Date.now(),
      originService: 'reliability-test',
      destinationService: '**',
      id: `reliability-${Date.now()}`,
    };
    channel.publish(bus, bus, Buffer.from(JSON.stringify(event)), { contentType: 'application/json' });
    await channel.waitForConfirms();
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** An accountservice started while its configserver is away: resolves with its exit code and last line. */
async function startWithoutConfigserver(
  configServerUrl: string,
  dataDir: string,
  queue: string,
): Promise<{ code: number | null; line: string; ms: number }> {
  const started = Date.now();
  const service = await startService('accountservice', {
    port: await freePort(),
    waitHealthy: false,
    env: {
      CONFIG_SERVER_URL: configServerUrl,
      DATA_DIR: dataDir,
      VIP_QUEUE: queue,
      AMQP_SERVER_URL: BROKER_URL,
      LOG_FORMAT: 'json',
    },
  });
  try {
    // A hang guard (it gives up after its own bounded retry, ~10 s measured): the time is a figure.
    const code = await withTimeout(
      service.exited,
      HANG_GUARD_MS,
      'a service without its configserver kept running',
    );
    return { code, line: service.lines.at(-1) ?? '', ms: Date.now() - started };
  } finally {
    await service.kill();
  }
}
