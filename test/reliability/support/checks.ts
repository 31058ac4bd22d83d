// What every scenario checks at the end, observed from the outside: each service UP again (and how long
// that took), the outbox and the queues drained, and every VIP 200 counted exactly once on the offer.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { BROKER_VHOST, metricValue, queueDepth, rabbitmqctl, waitUntil } from '@goblog/testkit';
import type { LoadStats, RunningService } from '@goblog/testkit';
import type { Landscape } from './landscape.ts';
import { HANG_GUARD_MS } from './limits.ts';

export interface HealthAnswer {
  readonly status: number;
  readonly body: { readonly status?: string; readonly outbox?: { readonly depth: number } } | undefined;
}

export async function health(service: RunningService): Promise<HealthAnswer> {
  try {
    const res = await fetch(`${service.baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: (await res.json()) as HealthAnswer['body'] };
  } catch {
    return { status: 0, body: undefined };
  }
}

/**
 * Polls every service's /health until all answer 200 UP; resolves with the milliseconds it took, which the
 * scenarios report as figures. `timeoutMs` is a hang guard ("did not recover at all"), not the recovery SLA.
 */
export async function waitAllUp(
  services: readonly RunningService[],
  timeoutMs = HANG_GUARD_MS,
): Promise<number> {
  const since = Date.now();
  const down = new Set(services);
  await waitUntil(
    async () => {
      for (const s of [...down]) if ((await health(s)).status === 200) down.delete(s);
      return down.size === 0;
    },
    timeoutMs,
    () => `UP on /health: ${[...down].map((s) => `${s.name}:${s.port}`).join(', ')}`,
  );
  return Date.now() - since;
}

/** Polls until at least one service answers 503 on /health (the fault is seen); resolves with the ms taken. */
export async function waitAnyDown(
  services: readonly RunningService[],
  timeoutMs = HANG_GUARD_MS,
): Promise<number> {
  const since = Date.now();
  await waitUntil(
    async () => (await Promise.all(services.map(health))).some((h) => h.status === 503),
    timeoutMs,
    () => 'a service reporting DOWN',
  );
  return Date.now() - since;
}

/** `notifications` of the account's offer on `vipservice` (0 while it has none). */
export async function notificationsOf(vipservice: RunningService, accountId: string): Promise<number> {
  const res = await fetch(`${vipservice.baseUrl}/offers/${accountId}`, { signal: AbortSignal.timeout(5000) });
  if (res.status === 404) {
    await res.arrayBuffer();
    return 0;
  }
  assert.equal(res.status, 200, `GET /offers/${accountId}`);
  return ((await res.json()) as { notifications: number }).notifications;
}

/** Messages in each queue, ready and unacknowledged together (rabbitmqctl; the AMQP count omits unacked). */
export async function messagesIn(queues: readonly string[]): Promise<Record<string, number>> {
  const out = await rabbitmqctl(
    'list_queues',
    '-p',
    BROKER_VHOST,
    'name',
    'messages',
    '--quiet',
    '--no-table-headers',
  );
  const wanted = new Set(queues);
  const result: Record<string, number> = {};
  for (const line of out.split('\n')) {
    const [name, count] = line.trim().split(/\s+/);
    if (name !== undefined && wanted.has(name)) result[name] = Number(count);
  }
  return result;
}

/**
 * Waits until the landscape has handed over everything: the accountservice's outbox is empty, the VIP
 * queue and its delay queue hold nothing (not even unacknowledged messages) and the offer counts at least
 * `atLeast`. Resolves with the offer's final count and the time it took.
 */
export async function settle(
  landscape: Landscape,
  accountId: string,
  atLeast: number,
  timeoutMs = 60_000,
): Promise<{ notifications: number; drainMs: number }> {
  const since = Date.now();
  const vip = (): RunningService => landscape.vipservices[0] as RunningService;
  let last = '';
  await waitUntil(
    async () => {
      const h = await health(landscape.accountservice);
      const outbox = h.body?.outbox?.depth;
      const ready = (await queueDepth(landscape.queue)) ?? 0;
      const retry = (await queueDepth(`${landscape.queue}.retry`)) ?? 0;
      const counted = await notificationsOf(vip(), accountId);
      last = `outbox ${String(outbox)}, ready ${ready}, retry ${retry}, counted ${counted}/${atLeast}`;
      if (outbox !== 0 || ready !== 0 || retry !== 0 || counted < atLeast) return false;
      // The expensive check last: nothing unacknowledged either.
      const all = await messagesIn([landscape.queue, `${landscape.queue}.retry`]);
      last += `, with unacked ${JSON.stringify(all)}`;
      return Object.values(all).every((n) => n === 0);
    },
    timeoutMs,
    () => `the landscape to settle (${last})`,
  );
  return { notifications: await notificationsOf(vip(), accountId), drainMs: Date.now() - since };
}

/**
 * The issue's final check: every VIP 200 counted exactly once. Reads that got no answer at all (the
 * accountservice killed under them) may have been recorded before the kill, so they bound the excess.
 */
export function assertExactlyOnce(stats: LoadStats, notifications: number): void {
  assert.ok(
    notifications >= stats.vip200 && notifications <= stats.vip200 + stats.vipNoAnswer,
    `offer counts ${notifications} notifications for ${stats.vip200} VIP reads answered 200` +
      ` (and ${stats.vipNoAnswer} without an answer)`,
  );
}

export function assertNoUnexpectedExit(landscape: Landscape): void {
  assert.deepEqual(landscape.unexpectedExits(), [], 'no service crashed');
}

/** Sum of a Prometheus sample of `service` over every label set matching `labels` (e.g. `outcome="duplicate"`). */
export function metric(service: RunningService, name: string, labels = ''): Promise<number> {
  return metricValue(service.baseUrl, name, labels);
}

/** Duplicates the vipservices recognised and did not count again, summed over `services`. */
export async function duplicatesAbsorbed(services: readonly RunningService[]): Promise<number> {
  let sum = 0;
  for (const s of services) sum += await metric(s, 'vipservice_notifications_total', 'outcome="duplicate"');
  return sum;
}

/** CPU seconds (user + system) the process has used, from /proc/<pid>/stat. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") "; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** Resident set size in bytes, from /proc/<pid>/status. */
export async function rssBytes(pid: number): Promise<number> {
  return (await memory(pid)).rss;
}

/**
 * Resident memory in bytes, from /proc/<pid>/status: all of it (`rss`), the process's own (`anon`: heap,
 * stacks, buffers; where a leak shows) and file-backed pages (`file`: code, and the memory-mapped LMDB
 * store, which grows with the data and is given back to the kernel under pressure).
 */
export async function memory(pid: number): Promise<{ rss: number; anon: number; file: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number =>
    Number(new RegExp(`${name}:\\s+(\\d+)\\s+kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') + field('RssShmem') };
}

/** How often the service logged that it reconnected to the broker (proof that a fault really hit it). */
export function reconnects(service: RunningService): number {
  return service.lines.filter((line) => line.includes('broker reconnected')).length;
}
