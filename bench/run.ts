// `npm run bench [-- --quick] [-- --check] [-- --only a,b]`: every scenario side by side with its baseline
// in the same run, alternating A B A B, medians of the rounds, ratios against the baseline.
import { parseArgs } from 'node:util';
import { benchHttp } from './scenarios/http.ts';
import { benchFootprint } from './scenarios/footprint.ts';
import { benchMessaging } from './scenarios/messaging.ts';
import { benchCluster } from './scenarios/cluster.ts';
import { benchPostgresHttp } from './scenarios/postgres.ts';
import { benchPostgresConsume } from './scenarios/vip-consume-pg.ts';
import { benchTracing } from './scenarios/tracing.ts';
import { benchVipservice } from './vipservice.ts';
import { printTable, writeResults } from './lib/report.ts';
import type { Row } from './lib/report.ts';

interface Settings {
  readonly quick: boolean;
  readonly rounds: number;
  readonly durationSec: number;
  readonly connections: number;
  readonly messages: number;
}

const SCENARIOS: Record<string, { produces: readonly string[]; run: (s: Settings) => Promise<Row[]> }> = {
  http: {
    produces: ['http-account', 'http-vip', 'http-vip-lmdb-floor', 'http-vip-flush-floor'],
    run: (s) =>
      benchHttp({ rounds: s.quick ? 1 : 5, durationSec: s.durationSec, connections: s.connections }),
  },
  postgres: {
    produces: ['http-vip-pg', 'http-account-pg', 'vip-consume-pg'],
    run: async (s) => [
      ...(await benchPostgresHttp({
        rounds: s.rounds,
        durationSec: s.durationSec,
        connections: s.connections,
      })),
      ...(await benchPostgresConsume({ rounds: s.rounds, messages: s.quick ? 500 : 5_000 })),
    ],
  },
  messaging: {
    produces: ['publish', 'consume', 'publish-to-handler'],
    // Five rounds: a round's rate on this broker swings between two levels (either side's, in either order),
    // and the median of three followed a single swing across the 0.95 line.
    run: (s) => benchMessaging({ rounds: s.quick ? 1 : 5, messages: s.messages }),
  },
  cluster: {
    produces: ['cluster-publish', 'cluster-consume', 'quorum-publish-cost', 'cluster-kill-to-confirm'],
    run: (s) => benchCluster({ rounds: s.rounds, messages: s.messages }),
  },
  vipservice: {
    produces: ['vip-consume', 'vip-consume-lmdb-floor', 'vip-e2e', 'vip-e2e-500'],
    run: async (s) =>
      // Five rounds of vip-consume: this machine runs it (ours and its floor alike) now at about two thirds of
      // its usual rate, for minutes at a time; the median of five per-round ratios holds through one such round.
      (
        await benchVipservice({ rounds: s.quick ? 1 : 5, messages: s.quick ? 1_000 : 50_000, quick: s.quick })
      ).map((row) => (row.scenario === 'vip-e2e-latency' ? { ...row, scenario: 'vip-e2e' } : row)),
  },
  tracing: {
    produces: ['tracing-account', 'tracing-vip-read', 'tracing-notification'],
    run: (s) =>
      benchTracing({
        rounds: s.rounds,
        durationSec: s.durationSec,
        connections: s.connections,
        messages: s.quick ? 1_000 : 10_000,
      }),
  },
  footprint: {
    produces: [
      'footprint-configserver',
      'footprint-accountservice',
      'footprint-vipservice',
      'footprint-landscape',
    ],
    run: (s) => benchFootprint({ rounds: s.rounds }),
  },
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const quick = values.quick;
  const settings: Settings = {
    quick,
    // Quick mode is CI's smoke check (did every scenario run?), so one short round; real runs alternate 3.
    rounds: quick ? 1 : 3,
    durationSec: quick ? 1 : 5,
    connections: 50,
    messages: quick ? 2_000 : 50_000,
  };
  const only = values.only?.split(',');
  const rows: Row[] = [];
  const failures: string[] = [];
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    if (only && !only.includes(name)) continue;
    process.stdout.write(`bench: ${name} ...\n`);
    const started = performance.now();
    try {
      rows.push(...(await scenario.run(settings)));
    } catch (err) {
      failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    process.stdout.write(`bench: ${name} took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    for (const expected of scenario.produces) {
      if (!rows.some((r) => r.scenario === expected)) failures.push(`${expected}: produced no result`);
    }
  }
  printTable(rows);
  const file = await writeResults(rows, { quick, rounds: settings.rounds });
  process.stdout.write(`\nwritten to ${file}\n`);
  if (failures.length > 0) {
    process.stderr.write(`\nbench: ${failures.length} scenario(s) failed:\n${failures.join('\n')}\n`);
    if (values.check) process.exitCode = 1;
  }
}

await main();
