import type { Failure } from '../consume/process.js';
import type { ConsumerSource } from '../consume/source.js';
import { HeaderNames } from '../headers.js';
import type { Logger } from '../logger.js';
import type { ConsumeStats } from '../metrics.js';
import { deadLetterQueueName, retryQueueName } from '../topology.js';
import type { Delivery, DeliveryWire } from './delivery.js';
import { moveDelivery, type MoveResult } from './move.js';
import { bareRepublishProps, republishProps } from './republish.js';

export interface FailureRouteSettings<D extends Delivery> {
  readonly consumerName: string;
  readonly source: ConsumerSource;
  readonly stats: ConsumeStats;
  readonly logger: Logger;
  readonly wire: DeliveryWire<D>;
  /** Aborted on close: moves waiting to try again give up (the broker requeues their deliveries). */
  readonly signal: AbortSignal;
}

/**
 * Where a delivery goes once its handler has failed for good in-process, or its body cannot be decoded: a
 * delayed retry through `<queue>.retry`, a park in `<queue>.dlq`, or a drop (pub/sub has no queues of its
 * own to move to). Every copy is confirmed before the original is acked; a copy the broker refuses for good
 * is parked instead of retried (delay queue) or dropped (dead-letter queue), never moved in a loop; a broker
 * that stays away means the original is requeued.
 */
export class FailureRoute<D extends Delivery> {
  constructor(private readonly settings: FailureRouteSettings<D>) {}

  /** Retry through the delay queue, park in the DLQ (work queue) or drop (pub/sub); then ack. */
  async route(outcome: Failure, d: D, retryCount: number): Promise<void> {
    const { logger: log, stats, source: src } = this.settings;
    const consumer = this.settings.consumerName;
    const messageId = d.properties.messageId;
    if (src.kind === 'fanout') {
      const reason = outcome.kind === 'retry' ? 'handler-failed' : outcome.reason;
      log.warn({ consumer, messageId, reason, err: outcome.error }, 'message dropped');
      stats.dropped(reason);
      d.ack();
      return;
    }
    const queue = src.queue;
    if (outcome.kind === 'retry') {
      const ours = {
        [HeaderNames.retryCount]: retryCount + 1,
        [HeaderNames.error]: outcome.error,
        [HeaderNames.originalQueue]: queue,
      };
      const target = retryQueueName(queue);
      const result = await this.move(d, target, ours, String(outcome.delayMs));
      if (result === 'gone') return;
      if (result === 'moved') {
        stats.retried('delayed');
        log.warn(
          { consumer, messageId, retry: retryCount + 1, delayMs: outcome.delayMs, err: outcome.error },
          'message scheduled for retry',
        );
        d.ack();
        return;
      }
      if (result === 'unavailable') {
        this.requeue(d, target);
        return;
      }
      // The delay queue refuses it for good: park it rather than retry it in a loop.
    }
    const reason = outcome.kind === 'retry' ? 'handler-failed' : outcome.reason;
    const target = deadLetterQueueName(queue);
    const ours = {
      [HeaderNames.deathReason]: reason,
      [HeaderNames.error]: outcome.error,
      [HeaderNames.originalQueue]: queue,
      [HeaderNames.retryCount]: retryCount,
      [HeaderNames.deadLetteredAt]: new Date().toISOString(),
    };
    const result = await this.move(d, target, ours, undefined);
    if (result === 'gone') return;
    if (result === 'moved') {
      stats.deadLettered(reason);
      log.error({ consumer, messageId, queue: target, reason, err: outcome.error }, 'message dead-lettered');
      d.ack();
    } else if (result === 'unavailable') {
      this.requeue(d, target);
    } else {
      // The broker refuses the parked copy for good (e.g. a capped dead-letter queue that rejects
      // publishes): the operator's cap wins over keeping the message.
      stats.dropped('dead-letter-refused');
      log.error(
        { consumer, messageId, queue: target, reason, err: outcome.error },
        'message dropped: the dead-letter queue refused it',
      );
      d.ack();
    }
  }

  /** Publishes a copy of `d` to `target` with bounded attempts (see moveDelivery). Confirmed before the ack. */
  private async move(
    d: D,
    target: string,
    ours: Record<string, unknown>,
    expiration: string | undefined,
  ): Promise<MoveResult> {
    const props = republishProps(d.properties, ours);
    const bareProps = bareRepublishProps(props, ours);
    if (expiration !== undefined) {
      props.expiration = expiration;
      bareProps.expiration = expiration;
    }
    const log = this.settings.logger;
    const consumer = this.settings.consumerName;
    const messageId = d.properties.messageId;
    return moveDelivery({
      publish: (p) => this.settings.wire.republish(target, d.body, p),
      props,
      bareProps,
      redeclare: () => this.settings.wire.redeclare(d),
      owned: () => d.owned,
      signal: this.settings.signal,
      failed: (attempt, code, err) => {
        const fields = { consumer, messageId, target, attempt, code, err: errorMessage(err) };
        if (attempt === 1) log.warn(fields, 'could not move message; trying again');
        else log.debug(fields, 'could not move message; trying again');
      },
    });
  }

  /** Every attempt to move `d` failed for want of a broker: back to its queue, to be handled again later. */
  private requeue(d: D, target: string): void {
    this.settings.logger.error(
      { consumer: this.settings.consumerName, messageId: d.properties.messageId, target },
      'could not move message; requeued',
    );
    d.requeue();
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
