import { Type } from '@goblog/schema';
import type { Static } from 'typebox';
import { BaseConfigSchema, DatabaseConfigSchema } from '@goblog/config';

export const SERVICE_NAME = 'vipservice';

/**
 * The shortest dedup window the configuration accepts, above any redelivery horizon (a broker redelivery, a
 * delayed retry, an outbox resend after the accountservice restarts). Below it a redelivered notification
 * would be counted again. It applies to startup (an error naming the key) and to every refresh (the
 * refresh is refused and the running value stays), as any invalid value does; the pruner enforces it too.
 */
export const DEDUP_RETENTION_FLOOR_HOURS = 1;

/** The vipservice's configuration: the shared keys plus how it consumes and how long it remembers. */
export const VipserviceConfigSchema = Type.Evaluate(
  Type.Intersect([
    BaseConfigSchema,
    DatabaseConfigSchema,
    Type.Object({
      consumer_prefetch: Type.Integer({
        minimum: 1,
        maximum: 10_000,
        default: 500,
        errorMessage: 'must be an integer 1..10000 (unacknowledged notifications per instance)',
      }),
      dedup_retention_hours: Type.Number({
        minimum: DEDUP_RETENTION_FLOOR_HOURS,
        default: 168,
        errorMessage:
          `must be a number of hours of at least ${DEDUP_RETENTION_FLOOR_HOURS} ` +
          '(how long message ids are remembered; shorter would count redeliveries again)',
      }),
    }),
  ]),
);

export type VipserviceConfig = Static<typeof VipserviceConfigSchema>;

/** Built-in defaults: the lowest precedence, below the configuration server (or config-repo/) and the env. */
export const DEFAULTS: Readonly<Record<string, unknown>> = {
  server_port: 6868,
  server_name: 'Vipservice',
  amqp_server_url: 'amqp://guest:guest@127.0.0.1:5672/',
  config_event_bus: 'springCloudBus',
  log_level: 'info',
  consumer_prefetch: 500,
  dedup_retention_hours: 168,
};

/** Keys a refresh cannot change in a running process (they are bound at startup). */
export const RESTART_KEYS = [
  'server_port',
  'amqp_server_url',
  'data_dir',
  'config_event_bus',
  'database_url',
  'work_queue_type',
  'work_queue_delivery_limit',
  'consumer_prefetch',
] as const;
