import { Type } from '@goblog/schema';
import type { Static } from 'typebox';
import { BaseConfigSchema } from '@goblog/config';

export const SERVICE_NAME = 'landscape';

/** The landscape's configuration: the shared keys plus what it watches, how often, and who may act. */
export const LandscapeConfigSchema = Type.Evaluate(
  Type.Intersect([
    BaseConfigSchema,
    Type.Object({
      watch_queues: Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,200}$' }), {
        minItems: 1,
        maxItems: 20,
        default: ['vip_queue'],
        errorMessage: 'must be a list of 1..20 work queue names, e.g. vip_queue',
      }),
      poll_interval_ms: Type.Integer({
        minimum: 250,
        maximum: 5000,
        default: 2000,
        errorMessage: 'must be an integer 250..5000 (ms between two looks at the landscape)',
      }),
      management_url: Type.Optional(
        Type.String({
          pattern: '^https?://[^\\s/?#,]+[^\\s,]*(,\\s*https?://[^\\s/?#,]+[^\\s,]*)*$',
          errorMessage:
            'must be an http:// or https:// URL like http://127.0.0.1:15672, or several comma-separated (one per node)',
        }),
      ),
      landscape_user: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      landscape_password: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    }),
  ]),
);

export type LandscapeConfig = Static<typeof LandscapeConfigSchema>;

/** Built-in defaults: the lowest precedence, below the configuration server (or config-repo/) and the env. */
export const DEFAULTS: Readonly<Record<string, unknown>> = {
  server_port: 8080,
  server_name: 'Landscape',
  amqp_server_url: 'amqp://guest:guest@127.0.0.1:5672/',
  config_event_bus: 'springCloudBus',
  log_level: 'info',
  watch_queues: ['vip_queue'],
  poll_interval_ms: 2000,
};

/** Keys a refresh cannot change in a running process (they are bound at startup). */
export const RESTART_KEYS = [
  'server_port',
  'amqp_server_url',
  'config_event_bus',
  'watch_queues',
  'poll_interval_ms',
  'management_url',
  'landscape_user',
  'landscape_password',
] as const;
