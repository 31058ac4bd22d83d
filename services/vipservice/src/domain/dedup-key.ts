import { createHash } from 'node:crypto';

/**
 * What makes two deliveries "the same notification": the AMQP message_id the publisher keeps across its
 * retries. Messages without one (the article's Go accountservice sets none) are keyed by a digest of their
 * body, whose `readAt` has nanosecond precision: two distinct Go notifications never share a body.
 */
export function dedupKey(messageId: string | undefined, body: Buffer): string {
  if (messageId !== undefined && messageId.length > 0) return `id:${messageId}`;
  return `sha256:${createHash('sha256').update(body).digest('base64url')}`;
}
