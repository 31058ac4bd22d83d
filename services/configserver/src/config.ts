import { join } from 'node:path';
import { ConfigError, logLevelSchema, repoRoot, resolveConfig } from '@goblog/config';
import { Type, type Static } from '@goblog/schema';

export const SERVICE_NAME = 'configserver';

/**
 * The configserver's own configuration: built-in defaults + environment only (it cannot ask itself).
 * Each key is read from the environment variable of its name in upper case.
 */
export const ConfigServerConfigSchema = Type.Object({
  // 0 = any free port (tests); the contract's port is 8888.
  server_port: Type.Integer({ minimum: 0, maximum: 65535, errorMessage: 'must be an integer port 0..65535' }),
  amqp_server_url: Type.String({
    pattern: '^amqps?://[^\\s/?#]+',
    errorMessage: 'must be an amqp:// or amqps:// URL like amqp://user:password@host:5672/',
  }),
  config_repo: Type.String({ minLength: 1 }),
  config_event_bus: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.:-]+$' }),
  encrypt_key: Type.Optional(Type.String({ minLength: 1 })),
  config_server_user: Type.Optional(Type.String({ minLength: 1 })),
  config_server_password: Type.Optional(Type.String({ minLength: 1 })),
  log_level: logLevelSchema(),
});

export type ConfigServerConfig = Static<typeof ConfigServerConfigSchema>;

export const DEFAULTS: Readonly<Record<string, unknown>> = {
  server_port: 8888,
  amqp_server_url: 'amqp://guest:guest@127.0.0.1:5672/',
  config_repo: join(repoRoot(), 'config-repo'),
  config_event_bus: 'springCloudBus',
  log_level: 'info',
};

/**
 * Validates the environment at startup. Throws one ConfigError naming every bad variable; empty variables
 * count as unset. Basic auth needs both CONFIG_SERVER_USER and CONFIG_SERVER_PASSWORD.
 */
export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ConfigServerConfig> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const config = resolveConfig({ schema: ConfigServerConfigSchema, defaults: DEFAULTS, env: present });
  if ((config.config_server_user === undefined) !== (config.config_server_password === undefined)) {
    const [missing, other] =
      config.config_server_user === undefined
        ? ['config_server_user', 'config_server_password']
        : ['config_server_password', 'config_server_user'];
    const problem = `${missing}: is required when ${other} is set (HTTP basic auth needs both)`;
    throw new ConfigError('INVALID_CONFIG', `invalid configuration: ${problem}`, [problem]);
  }
  return config;
}
