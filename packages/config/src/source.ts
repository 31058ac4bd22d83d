import { join } from 'node:path';
import { repoRoot } from './repo-root.js';

/** Where a service's configuration comes from. */
export interface ConfigSource {
  readonly application: string;
  /** Comma-separated Spring profiles; the last one wins. */
  readonly profile: string;
  /** A branch, tag or commit of the config repository (Spring's label). */
  readonly label?: string;
  /** The configuration server; when unset the repository folder is read directly. */
  readonly configServerUrl?: string;
  /** The config repository folder, read when configServerUrl is unset. */
  readonly repoDir: string;
  /** HTTP basic auth for the configuration server. */
  readonly username?: string;
  readonly password?: string;
  /** ENCRYPT_KEY, to decrypt `{cipher}` values when reading the repository directly. */
  readonly encryptKey?: string;
}

/**
 * Reads CONFIG_SERVER_URL, PROFILE (default dev), CONFIG_LABEL, CONFIG_REPO (default <repo root>/config-repo),
 * CONFIG_SERVER_USER / CONFIG_SERVER_PASSWORD and ENCRYPT_KEY. Empty variables count as unset.
 */
export function configSourceFromEnv(application: string, env: NodeJS.ProcessEnv = process.env): ConfigSource {
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  return {
    application,
    profile: get('PROFILE') ?? 'dev',
    label: get('CONFIG_LABEL'),
    configServerUrl: get('CONFIG_SERVER_URL'),
    repoDir: get('CONFIG_REPO') ?? join(repoRoot(), 'config-repo'),
    username: get('CONFIG_SERVER_USER'),
    password: env.CONFIG_SERVER_PASSWORD || undefined,
    encryptKey: env.ENCRYPT_KEY || undefined,
  };
}
