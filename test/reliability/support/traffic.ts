// Waiting on the steady stream itself: "enough VIP reads have been answered" is the event a scenario waits
// for before and after a fault, so every fault hits a landscape under load.
import { waitUntil } from '@goblog/testkit';
import type { Load } from '@goblog/testkit';

/** Resolves once `count` more VIP reads have been answered 200 than when called. */
export async function moreVipReads(load: Load, count: number, timeoutMs = 20_000): Promise<void> {
  const target = load.stats().vip200 + count;
  await waitUntil(
    () => load.stats().vip200 >= target,
    timeoutMs,
    () => `${count} more VIP reads answered 200 (${JSON.stringify(load.stats())})`,
  );
}
