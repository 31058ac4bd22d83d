import type { VipNotificationBody } from '@goblog/contracts';

export type { VipNotificationBody };

/**
 * A VIP notification as the outbox keeps it. The message id is assigned when the notification is recorded,
 * so every (re)send of it carries the same `message_id` and a receiver can recognise a resend.
 */
export interface PendingNotification {
  readonly messageId: string;
  readonly body: VipNotificationBody;
  /** When it was recorded, ms since epoch: the AMQP `timestamp` and the outbox age. */
  readonly recordedAt: number;
  /** W3C trace context of the read that caused it, carried to the consumer in the message headers. */
  readonly traceparent?: string;
}

/** Where VIP notifications are recorded before the response is sent. */
export interface NotificationOutbox {
  /** Resolves once the notification is durably recorded (survives kill -9 of the process). */
  record(notification: PendingNotification): Promise<void>;
}
