import { join } from 'node:path';
import { Type } from '@goblog/schema';
import type { Static } from '@goblog/schema';
import { repoRoot } from './repo-root.js';

/** The values `log_level` takes: pino's levels, most severe first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `log_level` as every service's schema spells it (options: its `default`, if any). */
export function logLevelSchema(options: { readonly default?: LogLevel } = {}) {
  return Type.Union(
    LOG_LEVELS.map((level) => Type.Literal(level)),
    { ...options, errorMessage: `must be one of ${LOG_LEVELS.join(', ')}` },
  );
}

/**
 * The keys every service shares (the landscape's configuration keys). A service composes it with its own keys:
 * `Type.Evaluate(Type.Intersect([BaseConfigSchema, Type.Object({ vip_account_ids: ... })]))`.
 * `errorMessage` replaces the validator's wording in ConfigError problems.
 */
export const BaseConfigSchema = Type.Object({
  server_port: Type.Integer({ minimum: 1, maximum: 65535, errorMessage: 'must be an integer port 1..65535' }),
  server_name: Type.String({ minLength: 1, errorMessage: 'must be a non-empty string' }),
  // One URL, or several comma-separated: the nodes of a cluster (the service uses one, and fails over).
  amqp_server_url: Type.String({
    // Unambiguous (authority, then an optional path from its first / ? #): linear time on any input.
    pattern:
      '^\\s*amqps?://[^\\s/?#,]+(?:[/?#][^\\s,]*)?(?:\\s*,\\s*amqps?://[^\\s/?#,]+(?:[/?#][^\\s,]*)?)*\\s*$',
    errorMessage:
      'must be an amqp:// or amqps:// URL like amqp://user:password@host:5672/, ' +
      'or several comma-separated (the nodes of a cluster)',
  }),
  config_event_bus: Type.String({ minLength: 1, default: 'springCloudBus' }),
  data_dir: Type.String({ minLength: 1, default: join(repoRoot(), '.data') }),
  log_level: logLevelSchema({ default: 'info' }),
  // How work queues (vip_queue, with its .retry and .dlq) are declared: quorum (replicated on every node of
  // a cluster) unless an operator chooses classic; every service declaring them must agree.
  work_queue_type: Type.Union([Type.Literal('quorum'), Type.Literal('classic')], {
    default: 'quorum',
    errorMessage: 'must be quorum or classic',
  }),
  work_queue_delivery_limit: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 20,
    errorMessage:
      'must be an integer 1..1000 (deliveries of one message to consumers before a quorum work queue parks it in <queue>.dlq)',
  }),
});

export type BaseConfig = Static<typeof BaseConfigSchema>;

/**
 * `database_url`, for a service that can keep its data in a shared PostgreSQL database instead of its embedded
 * store: absent or empty, the embedded store. Compose it like BaseConfigSchema; it needs a restart to change.
 */
export const DatabaseConfigSchema = Type.Object({
  database_url: Type.Optional(
    Type.String({
      pattern: '^$|^postgres(ql)?://[^\\s/?#]+',
      errorMessage: 'must be a postgres:// URL like postgres://user:password@host:5432/goblog (or empty)',
    }),
  ),
});
