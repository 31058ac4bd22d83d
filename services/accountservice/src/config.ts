import { Type } from '@goblog/schema';
import type { Static } from 'typebox';
import { BaseConfigSchema, DatabaseConfigSchema } from '@goblog/config';
import { ACCOUNT_ID_PATTERN } from '@goblog/contracts';

export const SERVICE_NAME = 'accountservice';

/** The accountservice's configuration: the shared keys, the optional shared database, the VIP accounts. */
export const AccountserviceConfigSchema = Type.Evaluate(
  Type.Intersect([
    BaseConfigSchema,
    DatabaseConfigSchema,
    Type.Object({
      vip_account_ids: Type.Array(Type.String({ pattern: ACCOUNT_ID_PATTERN }), {
        default: ['10000'],
        errorMessage: 'must be a list of account ids (digits), e.g. 10000,10042',
      }),
    }),
  ]),
);

export type AccountserviceConfig = Static<typeof AccountserviceConfigSchema>;

/** Built-in defaults: the lowest precedence, below the configuration server (or config-repo/) and the env. */
export const DEFAULTS: Readonly<Record<string, unknown>> = {
  server_port: 6767,
  server_name: 'Accountservice',
  amqp_server_url: 'amqp://guest:guest@127.0.0.1:5672/',
  config_event_bus: 'springCloudBus',
  log_level: 'info',
  vip_account_ids: ['10000'],
};

/** Keys a refresh cannot change in a running process (they are bound at startup). */
export const RESTART_KEYS = [
  'server_port',
  'amqp_server_url',
  'data_dir',
  'config_event_bus',
  'work_queue_type',
  'work_queue_delivery_limit',
  'database_url',
] as const;
