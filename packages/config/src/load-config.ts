import type { Logger } from '@goblog/messaging';
import type { Static, TSchema } from 'typebox';
import { createTextEncryptor } from './cipher.js';
import { mergePropertySources, type Environment } from './environment.js';
import { ConfigError } from './errors.js';
import { unflatten } from './flatten.js';
import { createLiveConfig, type LiveConfig } from './live-config.js';
import { warnIgnoredKeys } from './prototype-keys.js';
import { createConfigRepository } from './repo/repository.js';
import { resolveConfig } from './resolve.js';
import { fetchEnvironment } from './server-client.js';
import type { ConfigSource } from './source.js';

export interface LoadConfigOptions<S extends TSchema> {
  /** The service's schema, usually BaseConfigSchema intersected with its own keys. */
  readonly schema: S;
  /** Built-in defaults: the lowest precedence. */
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly source: ConfigSource;
  /** Overrides by UPPER_CASE key name; defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
  /** Keys a running service cannot apply (port, broker URL, data folder): a refresh keeps them. */
  readonly restartKeys?: readonly string[];
  /** How long startup keeps retrying an unreachable configuration server. Default 5000 ms. */
  readonly startupRetryMs?: number;
  /** How long a refresh keeps retrying. Default 2000 ms. */
  readonly refreshRetryMs?: number;
}

/**
 * Loads, validates and freezes a service's configuration: environment > configuration server > defaults,
 * or the config-repo files directly when `source.configServerUrl` is unset (same files, order and merging
 * as the server). Rejects with one ConfigError naming every problem, e.g. "cannot reach configuration
 * server at <url>" after retrying for a few seconds, or "invalid configuration: server_port: ...".
 */
export async function loadConfig<S extends TSchema>(
  options: LoadConfigOptions<S>,
): Promise<LiveConfig<Static<S>>> {
  const env = options.env ?? process.env;
  const fetchSources = environmentFetcher(options.source, options.logger);
  const load = async (retryForMs: number): Promise<Readonly<Static<S>>> => {
    const environment = await fetchSources(retryForMs);
    // Keys naming prototype properties are dropped here too: the server may not be this one.
    const ignored: string[] = [];
    const repository = unflatten(mergePropertySources(environment.propertySources, ignored));
    warnIgnoredKeys(options.logger, ignored);
    return resolveConfig({ schema: options.schema, defaults: options.defaults, repository, env });
  };
  const initial = await load(options.startupRetryMs ?? 5000);
  options.logger?.info(
    {
      application: options.source.application,
      profile: options.source.profile,
      from: describeSource(options.source),
    },
    'configuration loaded',
  );
  return createLiveConfig<Static<S>>(initial, () => load(options.refreshRetryMs ?? 2000), {
    restartKeys: options.restartKeys ?? [],
    logger: options.logger,
  });
}

function environmentFetcher(
  source: ConfigSource,
  logger?: Logger,
): (retryForMs: number) => Promise<Environment> {
  if (source.configServerUrl !== undefined) {
    if (!/^https?:\/\/[^\s/?#]+/i.test(source.configServerUrl)) {
      const problem = 'CONFIG_SERVER_URL: must be an http:// or https:// URL such as http://127.0.0.1:8888';
      throw new ConfigError('INVALID_CONFIG', problem);
    }
    return (retryForMs) => fetchEnvironment(source, { retryForMs, logger });
  }
  const repository = createConfigRepository({
    dir: source.repoDir,
    encryptor: source.encryptKey ? createTextEncryptor(source.encryptKey) : undefined,
    logger,
  });
  return () => repository.findOne(source.application, source.profile, source.label ?? null);
}

function describeSource(source: ConfigSource): string {
  if (source.configServerUrl === undefined) return `folder ${source.repoDir}`;
  try {
    const url = new URL(source.configServerUrl);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return 'configuration server';
  }
}
