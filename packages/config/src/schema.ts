import { join } from 'node:path';
import { Type } from 'typebox';
import type { Static } from 'typebox';
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
  amqp_server_url: Type.String({
    pattern: '^amqps?://[^\\s/?#]+',
    errorMessage: 'must be an amqp:// or amqps:// URL like amqp://user:password@host:5672/',
  }),
  config_event_bus: Type.String({ minLength: 1, default: 'springCloudBus' }),
  data_dir: Type.String({ minLength: 1, default: join(repoRoot(), '.data') }),
  log_level: logLevelSchema({ default: 'info' }),
});

export type BaseConfig = Static<typeof BaseConfigSchema>;
