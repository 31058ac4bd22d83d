// Replay's guarantees with the broker connection cut at the two moments that matter (a frame proxy makes
// each happen every time): before the copy is confirmed, and after the copy is confirmed but before the
// parked message is acked. Either way nothing is lost, and a real vipservice counts the notification once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { queueDepth, waitUntil } from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import { FrameProxy, isMethod } from '../../../packages/messaging/test/support/frame-proxy.ts';
import type { Frame } from '../../../packages/messaging/test/support/frame-proxy.ts';
import { landscapeFixture } from './support/fixture.ts';
import type { RunningLandscape } from './support/landscape.ts';
import { parkNotification } from './support/park.ts';

const BASIC_PUBLISH = [60, 40] as const;
const BASIC_ACK = [60, 80] as const;

/** The routing key of a client's Basic.Publish (reserved short, exchange shortstr, routing-key shortstr). */
function routingKeyOf(frame: Frame): string {
  const exchangeLength = frame.payload.readUInt8(6);
  const at = 7 + exchangeLength;
  return frame.payload.toString('utf8', at + 1, at + 1 + frame.payload.readUInt8(at));
}

describe('replaying a dead letter while the broker connection is cut', () => {
  const fixture = landscapeFixture('landscape.replay');
  const { queue } = fixture;
  let vipservice: RunningService;
  let page: RunningLandscape;
  let proxy: FrameProxy | undefined;
  /** What the proxy does to the landscape's next replay: nothing, or cut at one of the two moments. */
  let cut: 'none' | 'before-confirm' | 'before-ack' = 'none';
  let cuts = 0;

  before(async () => {
    vipservice = await fixture.service('vipservice');
    let replaying = false;
    proxy = await FrameProxy.start((frame, from, link) => {
      if (from !== 'client' || cut === 'none') return true;
      if (isMethod(frame, BASIC_PUBLISH) && routingKeyOf(frame) === queue) {
        if (cut === 'before-confirm') {
          cut = 'none';
          cuts++;
          link.kill();
          return false;
        }
        replaying = true;
      } else if (replaying && isMethod(frame, BASIC_ACK)) {
        replaying = false;
        cut = 'none';
        cuts++;
        link.kill();
        return false;
      }
      return true;
    });
    page = await fixture.landscape({ amqpUrl: proxy.url });
  });

  after(async () => {
    await fixture.cleanup();
    await proxy?.close();
  });

  const replay = async (): Promise<{ status: number; body: { replayed?: number; error?: string } }> => {
    const response = await fetch(`${page.baseUrl}/api/queues/${queue}.dlq/replay`, { method: 'POST' });
    return {
      status: response.status,
      body: (await response.json()) as { replayed?: number; error?: string },
    };
  };
  /** Replays until the landscape's link is back (a 503 BROKER_UNAVAILABLE meanwhile); the answer that came. */
  const replayOnceConnected = async (): Promise<{ replayed?: number }> => {
    let last: { status: number; body: { replayed?: number; error?: string } } | undefined;
    await waitUntil(
      async () => {
        last = await replay();
        return last.status === 200;
      },
      15_000,
      () => `a replay answered 200 (last: ${JSON.stringify(last)})`,
    );
    return last?.body ?? {};
  };
  const counted = async (accountId: string): Promise<number> => {
    const response = await fetch(`${vipservice.baseUrl}/offers/${accountId}`);
    if (response.status === 404) return 0;
    return ((await response.json()) as { notifications: number }).notifications;
  };
  const duplicates = async (): Promise<number> => {
    const text = await (await fetch(`${vipservice.baseUrl}/metrics`)).text();
    return Number(
      /vipservice_notifications_total\{[^}]*outcome="duplicate"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0,
    );
  };

  it('cut before the copy is confirmed: the parked message stays, a later replay delivers it once', async () => {
    const parked = await parkNotification(queue, '10051');
    const cutsBefore = cuts;
    cut = 'before-confirm';
    const interrupted = await replay();
    assert.equal(interrupted.status, 503, JSON.stringify(interrupted.body));
    assert.equal(interrupted.body.replayed, 0);
    assert.equal(cuts, cutsBefore + 1, 'the proxy cut the connection');
    await waitUntil(
      async () => (await queueDepth(`${queue}.dlq`)) === 1,
      10_000,
      () => 'the parked message back in the dlq',
    );

    assert.deepEqual(await replayOnceConnected(), { replayed: 1, skipped: 0 });
    await waitUntil(
      async () => (await counted(parked.accountId)) === 1,
      15_000,
      () => 'counted once',
    );
    assert.equal(await queueDepth(`${queue}.dlq`), 0);
    assert.equal(await queueDepth(queue), 0);
  });

  it('cut after the copy is confirmed, before the parked one is acked: both exist, counted once', async () => {
    const parked = await parkNotification(queue, '10052');
    const duplicatesBefore = await duplicates();
    const cutsBefore = cuts;
    cut = 'before-ack';
    // The copy was confirmed: the landscape may count it replayed (the lost ack shows only later) or see
    // the connection go first. Either way, what follows must hold.
    const interrupted = await replay();
    assert.ok([200, 503].includes(interrupted.status), JSON.stringify(interrupted.body));
    assert.equal(cuts, cutsBefore + 1, 'the proxy cut the connection');
    // The confirmed copy reached the work queue and is counted; the parked one went back to the dlq.
    await waitUntil(
      async () => (await counted(parked.accountId)) === 1,
      15_000,
      () => 'the copy counted',
    );
    await waitUntil(
      async () => (await queueDepth(`${queue}.dlq`)) === 1,
      10_000,
      () => 'the parked one kept',
    );

    assert.deepEqual(await replayOnceConnected(), { replayed: 1, skipped: 0 });
    await waitUntil(
      async () => (await duplicates()) > duplicatesBefore,
      15_000,
      () => 'the second copy absorbed',
    );
    assert.equal(await counted(parked.accountId), 1, 'its message_id was kept: counted once, not twice');
    assert.equal(await queueDepth(`${queue}.dlq`), 0);
  });
});
