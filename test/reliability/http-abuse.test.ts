// Scenario 7: HTTP abuse. A few thousand malformed requests (bad ids, huge paths, bad methods, bad headers,
// truncated and malformed bodies, broken request lines) at every service, under the steady stream: no 5xx,
// no crash, memory stable (resident size after the abuse compared with after a first, warm-up round).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startLoad } from '@goblog/testkit';
import type { LoadStats, RunningService } from '@goblog/testkit';
import { abuseCases, type Surface } from './support/abuse-cases.ts';
import {
  assertExactlyOnce,
  assertNoUnexpectedExit,
  reconnects,
  rssBytes,
  settle,
  waitAllUp,
} from './support/checks.ts';
import { reportFigures } from './support/figures.ts';
import { SCENARIO_TIMEOUT_MS } from './support/limits.ts';
import { startLandscape, type Landscape } from './support/landscape.ts';
import { sendAll, type RawOutcome } from './support/raw-http.ts';

const ROUNDS = 4;
/** Resident size after the abuse over after the warm-up round beyond which memory ran away. */
const RUNAWAY_RSS_FACTOR = 3;

const SURFACES: Record<RunningService['name'], Surface> = {
  accountservice: {
    idPaths: ['/accounts/{id}'],
    posts: [],
    gets: ['/accounts/10001', '/health', '/metrics'],
  },
  vipservice: { idPaths: ['/offers/{id}'], posts: [], gets: ['/offers/10000', '/health', '/metrics'] },
  configserver: {
    idPaths: ['/accountservice/{id}', '/{id}/dev', '/{id}-dev.yml', '/main/{id}-dev.yml'],
    posts: ['/encrypt', '/decrypt', '/actuator/busrefresh', '/actuator/busrefresh/vipservice:**', '/monitor'],
    gets: ['/accountservice/dev', '/health', '/metrics'],
  },
};

void describe('scenario 7: HTTP abuse at every service', () => {
  let landscape: Landscape | undefined;

  before(async () => {
    landscape = await startLandscape({
      label: 'http-abuse',
      configserver: { env: { ENCRYPT_KEY: 'reliability-abuse-key' } },
    });
  });
  after(async () => {
    await landscape?.close();
  });

  void it(
    'answers every malformed request without a 5xx, keeps running, and keeps its memory',
    { timeout: SCENARIO_TIMEOUT_MS },
    async (t) => {
      const l = landscape as Landscape;
      const services = l.all();
      const load = startLoad({ accountUrl: () => l.accountservice.baseUrl, ratePerSecond: 200 });
      const outcomes: RawOutcome[] = [];
      const rssAfterWarmUp = new Map<RunningService, number>();
      let stats: LoadStats;
      try {
        for (let round = 0; round < ROUNDS; round++) {
          // The services in parallel, each with its own cases: they are separate processes.
          const results = await Promise.all(
            services.map(async (s) =>
              (await sendAll(s.port, abuseCases(SURFACES[s.name]))).map((o) => ({
                ...o,
                name: `${s.name}: ${o.name}`,
              })),
            ),
          );
          outcomes.push(...results.flat());
          if (round === 0) for (const s of services) rssAfterWarmUp.set(s, await rssBytes(s.child.pid ?? 0));
        }
      } finally {
        stats = await load.stop();
      }

      // /health answers 503 whenever a service is DOWN (its broker connection away): that reports its state,
      // it is not an answer to the malformed request, which is all this check is about.
      const isHealth = (o: RawOutcome): boolean => / \/health$/.test(o.name);
      const fivexx = outcomes.filter((o) => o.statuses.some((s) => s >= 500 && !(s === 503 && isHealth(o))));
      // A request dropped without a word is a failure unless the case allows it; one that hangs always is.
      const unanswered = outcomes.filter((o) => o.noResponse && (!o.mayGoUnanswered || o.timedOut));
      await waitAllUp(services);
      assertNoUnexpectedExit(l);
      const rss: Record<string, { afterWarmUpMB: number; afterMB: number }> = {};
      for (const s of services) {
        const warm = rssAfterWarmUp.get(s) ?? 0;
        const now = await rssBytes(s.child.pid ?? 0);
        rss[s.name] = { afterWarmUpMB: mb(warm), afterMB: mb(now) };
      }

      const { notifications, drainMs } = await settle(l, '10000', stats.vip200);
      assertExactlyOnce(stats, notifications);
      assert.equal(notifications, stats.vip200);
      const statuses: Record<string, number> = {};
      for (const o of outcomes) for (const s of o.statuses) statuses[s] = (statuses[s] ?? 0) + 1;
      await reportFigures(t, 'http abuse', {
        malformedRequests: outcomes.length,
        noResponse: outcomes.filter((o) => o.noResponse).length,
        unanswered: [...new Set(unanswered.map((o) => o.name))],
        statuses,
        rss,
        healthDownAnswers: outcomes.filter((o) => isHealth(o) && o.statuses.includes(503)).length,
        reconnects: services.map((s) => `${s.name} ${reconnects(s)}`),
        sent: stats.sent,
        vip200: stats.vip200,
        counted: notifications,
        drainMs,
      });
      assert.deepEqual(
        fivexx.map((o) => `${o.name.slice(0, 80)} -> ${o.statuses.join(',')}`),
        [],
        'no request got a 5xx',
      );
      assert.deepEqual(
        [...new Set(unanswered.map((o) => o.name.slice(0, 80)))],
        [],
        'every request that is a request got an answer',
      );
      for (const [name, { afterWarmUpMB, afterMB }] of Object.entries(rss)) {
        // A runaway guard, not a budget (the sizes are figures above): only a leak that multiplies the
        // resident size over a few thousand requests fails, never GC timing or a loaded machine.
        assert.ok(
          afterMB < afterWarmUpMB * RUNAWAY_RSS_FACTOR,
          `${name} resident size grew from ${afterWarmUpMB} MB to ${afterMB} MB`,
        );
      }
    },
  );
});

function mb(bytes: number): number {
  return Math.round(bytes / 1024 / 102.4) / 10;
}
