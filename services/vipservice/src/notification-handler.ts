import { traceIdOf } from '@goblog/runtime';
import { inSpan, scopeTracer } from '@goblog/telemetry';
import { randomUUID } from 'node:crypto';
import type { Handler, Logger } from '@goblog/messaging';
import { dedupKey } from './domain/dedup-key.js';
import type { OfferContext, OfferRepository } from './domain/offer.js';
import { recordNotification } from './domain/record-notification.js';
import { loggedBody } from './logged-body.js';
import { readAtOf, type VipNotificationBody } from './messages.js';
import type { VipMetrics } from './metrics.js';

export interface NotificationHandlerDeps {
  readonly offers: OfferRepository;
  readonly logger: Logger;
  readonly metrics?: VipMetrics;
  /** Clock and id source of new offers; tests pin them. */
  readonly context?: OfferContext;
}

const tracer = scopeTracer('@goblog/vipservice');

const defaultContext: OfferContext = { now: () => new Date(), newOfferId: randomUUID };

/**
 * The vip_queue handler (the article's onMessage): logs `Got a message: <body>` once per delivery (the body
 * bounded: see loggedBody), then records the notification on the account's offer exactly once in effect.
 * It resolves only after the offer change is committed, so the message is acknowledged after it (a crash
 * before leaves it unacknowledged: the broker redelivers it, and the dedup record makes the redelivery a
 * no-op if the commit had happened).
 * A store failure rejects: the consumer retries, then parks the message in `<queue>.dlq`.
 */
export function createNotificationHandler(deps: NotificationHandlerDeps): Handler<VipNotificationBody> {
  const context = deps.context ?? defaultContext;
  return async (message, meta) => {
    // The reading request's W3C trace, carried by the accountservice in the message headers; a header that
    // is not a valid traceparent is outside input of any size and stays out of the line.
    const traceId = traceIdOf(meta.traceparent);
    // The body appears once, in the article's text (bounded by loggedBody): a second copy as an object cost
    // its serialisation and its redaction on every notification.
    deps.logger.info(
      {
        messageId: meta.messageId,
        traceId,
        traceparent: traceId === undefined ? undefined : meta.traceparent,
        redelivered: meta.redelivered || undefined,
      },
      `Got a message: ${loggedBody(meta.body)}`,
    );
    const readAt = readAtOf(message);
    // Decoding refuses what cannot be read, so this is a programming error if reached.
    if (readAt === undefined) throw new TypeError(`unreadable readAt ${message.readAt}`);
    // With tracing on, the commit is a span of its own inside the message's process span.
    const outcome = await inSpan(tracer(), 'commit offer', () =>
      recordNotification(
        deps.offers,
        { accountId: message.accountId, readAt },
        dedupKey(meta.messageId, meta.body),
        context,
      ),
    );
    deps.metrics?.handled(outcome);
    if (outcome === 'duplicate') {
      deps.logger.info(
        { accountId: message.accountId, messageId: meta.messageId, traceId },
        'duplicate notification: already counted',
      );
    }
  };
}
