// Scenario 9, the soak: the whole landscape (configserver, accountservice, two vipservices) under mixed
// traffic for N minutes (default 10), outside CI. Prints, per sample, the resident size of every service,
// the outbox depth and the VIP queue's depth; at the end, whether RSS stayed flat after the warm-up, whether
// the outbox and the queue stayed drained, and whether every VIP 200 was counted exactly once.
//
//   node --import tsx --conditions=source test/reliability/soak.ts [--minutes 10] [--rate 300]
//        [--warmup-minutes 1] [--sample-seconds 60]
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { queueDepth, startLoad } from '@goblog/testkit';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { duplicatesAbsorbed, health, memory, metric, settle } from './support/checks.ts';
import { startLandscape, type Landscape } from './support/landscape.ts';

interface Sample {
  readonly atSeconds: number;
  /** Per service: all resident memory, its anonymous part (heap and the like), the JS heap in use. */
  readonly rssMB: Record<string, number>;
  readonly anonMB: Record<string, number>;
  readonly heapMB: Record<string, number>;
  /** Disk used by the data_dir (the LMDB stores, memory-mapped: their pages count in RSS as file pages). */
  readonly storeMB: number;
  readonly outbox: number | undefined;
  readonly queue: number | undefined;
  readonly sent: number;
  readonly vip200: number;
}

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '300' },
    'warmup-minutes': { type: 'string', default: '1' },
    'sample-seconds': { type: 'string', default: '60' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const warmupSeconds = Number(values['warmup-minutes']) * 60;
const sampleSeconds = Number(values['sample-seconds']);
/** RSS may drift this much after the warm-up and still count as flat (GC and allocator noise). */
const RSS_TOLERANCE = 0.2;

async function main(): Promise<number> {
  const landscape = await startLandscape({ label: 'soak', vipservices: 2, configserver: {} });
  const stop = (): void => {
    void landscape.close().then(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await soak(landscape);
  } finally {
    await landscape.close();
  }
}

async function soak(l: Landscape): Promise<number> {
  const names = l.all().map((s) => `${s.name}:${s.port}`);
  console.log(`soak: ${minutes} min at ${rate} req/s, services ${names.join(', ')}`);
  const load = startLoad({ accountUrl: () => l.accountservice.baseUrl, ratePerSecond: rate });
  // The rest of the mix: offers, health, metrics and configuration reads at a slow pace beside the stream.
  const side = { running: true };
  const sideTraffic = (async () => {
    for (let n = 0; side.running; n++) {
      const targets = [
        `${(l.vipservices[n % l.vipservices.length] ?? l.accountservice).baseUrl}/offers/10000`,
        `${l.accountservice.baseUrl}/health`,
        `${l.vipservices[0]?.baseUrl ?? ''}/metrics`,
        `${l.configserver?.baseUrl ?? ''}/accountservice/dev`,
      ];
      const url = targets[n % targets.length] ?? '';
      await fetch(url, { signal: AbortSignal.timeout(5000) })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      await delay(50); // pacing of the side traffic (about 20 req/s)
    }
  })();

  const started = Date.now();
  const samples: Sample[] = [];
  const sample = async (): Promise<Sample> => {
    const rssMB: Record<string, number> = {};
    const anonMB: Record<string, number> = {};
    const heapMB: Record<string, number> = {};
    for (const service of l.all()) {
      const name = `${service.name}:${service.port}`;
      const m = await memory(service.child.pid ?? 0);
      rssMB[name] = mb(m.rss);
      anonMB[name] = mb(m.anon);
      heapMB[name] = mb(await metric(service, 'nodejs_heap_size_used_bytes').catch(() => 0));
    }
    const s: Sample = {
      atSeconds: Math.round((Date.now() - started) / 1000),
      rssMB,
      anonMB,
      heapMB,
      storeMB: mb(await diskUsage(l.dataDir)),
      outbox: (await health(l.accountservice)).body?.outbox?.depth,
      queue: await queueDepth(l.queue),
      sent: load.stats().sent,
      vip200: load.stats().vip200,
    };
    samples.push(s);
    const perService = Object.keys(s.rssMB)
      .map((n) => `${n}=${s.rssMB[n] ?? 0}/${s.anonMB[n] ?? 0}/${s.heapMB[n] ?? 0}`)
      .join(' ');
    console.log(
      `t=${String(s.atSeconds).padStart(4)}s  MB rss/anon/heap ${perService}  store=${s.storeMB}MB` +
        `  outbox=${String(s.outbox)}  queue=${String(s.queue)}  sent=${s.sent}  vip200=${s.vip200}`,
    );
    return s;
  };

  await sample();
  for (let t = sampleSeconds; t <= minutes * 60; t += sampleSeconds) {
    await delay(started + t * 1000 - Date.now()); // the soak's duration, not a wait for work
    await sample();
  }
  side.running = false;
  await sideTraffic;
  const stats = await load.stop();
  const { notifications, drainMs } = await settle(l, '10000', stats.vip200, 120_000);

  const problems: string[] = [];
  const afterWarmup = samples.find((s) => s.atSeconds >= warmupSeconds) ?? samples[0];
  const last = samples.at(-1);
  if (afterWarmup && last) {
    console.log(`store: ${afterWarmup.storeMB} MB after warm-up -> ${last.storeMB} MB at the end`);
    for (const name of Object.keys(afterWarmup.rssMB)) {
      const line = (kind: string, from: number, to: number): number => {
        const growth = (to - from) / from;
        console.log(`${kind} ${name}: ${from} MB after warm-up -> ${to} MB at the end (${pct(growth)})`);
        return growth;
      };
      line('rss ', afterWarmup.rssMB[name] ?? 0, last.rssMB[name] ?? 0);
      line('heap', afterWarmup.heapMB[name] ?? 0, last.heapMB[name] ?? 0);
      // The verdict is on anonymous memory: a leak lives there; file pages of the growing store do not.
      const growth = line('anon', afterWarmup.anonMB[name] ?? 0, last.anonMB[name] ?? 0);
      if (growth > RSS_TOLERANCE)
        problems.push(`${name} anonymous RSS grew ${pct(growth)} after the warm-up`);
    }
    // Drained means: never more than about a second of notifications waiting, and no upward trend.
    const bound = rate;
    const steady = samples.filter((s) => s.atSeconds >= warmupSeconds);
    for (const key of ['outbox', 'queue'] as const) {
      const values = steady.map((s) => s[key] ?? 0);
      console.log(`${key} depth after warm-up: ${values.join(', ')}`);
      if (values.some((v) => v > bound)) problems.push(`${key} depth above ${bound}: ${values.join(', ')}`);
    }
  }
  if (l.unexpectedExits().length > 0) problems.push(`crashed: ${l.unexpectedExits().join(', ')}`);
  if (notifications !== stats.vip200) {
    problems.push(`offer counts ${notifications} notifications for ${stats.vip200} VIP reads answered 200`);
  }
  const other = { ...stats.otherStatuses, ...stats.noAnswer };
  if (Object.keys(other).length > 0) problems.push(`requests not answered 200: ${JSON.stringify(other)}`);
  console.log(
    JSON.stringify({
      scenario: 'soak',
      minutes,
      sent: stats.sent,
      vip200: stats.vip200,
      counted: notifications,
      duplicatesAbsorbed: await duplicatesAbsorbed(l.vipservices),
      drainMs,
      ratePerSecond: Math.round((stats.sent * 1000) / stats.durationMs),
    }),
  );
  console.log(problems.length === 0 ? 'soak: OK' : `soak: FAILED\n- ${problems.join('\n- ')}`);
  return problems.length === 0 ? 0 : 1;
}

/** Bytes of disk used by the files under `dir`. */
async function diskUsage(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).blocks * 512;
  }
  return total;
}

function mb(bytes: number): number {
  return Math.round(bytes / 1024 / 102.4) / 10;
}

function pct(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`soak: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
