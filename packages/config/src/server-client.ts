import { setTimeout as delay } from 'node:timers/promises';
import { silentLogger, type Logger } from '@goblog/messaging';
import { activeSpan, traceparentOfSpan } from '@goblog/telemetry';
import { ConfigError } from './errors.js';
import type { Environment, PropertySource } from './environment.js';
import { isPlainObject } from './flatten.js';
import { httpRequest, requestErrorCode, ResponseTooLargeError } from './http-client.js';
import type { ConfigSource } from './source.js';

export interface FetchOptions {
  /** Keep retrying unreachable/5xx answers until this many ms have passed since the first attempt. */
  readonly retryForMs: number;
  /** Give up on one attempt after this many ms. */
  readonly attemptTimeoutMs?: number;
  readonly logger?: Logger;
}

/** A Spring Environment larger than this is not a service's configuration: rejected, not retried. */
const MAX_ENVIRONMENT_BYTES = 8 * 1024 * 1024;

/**
 * GET {server}/{application}/{profile}[/{label}] from a Spring Cloud Config compatible server.
 * Retries with exponential backoff (200 ms doubling, capped at 1 s) while the server is unreachable or
 * answers 5xx, for at most `retryForMs`; then throws ConfigError('SERVER_UNREACHABLE',
 * 'cannot reach configuration server at <url>'). A 4xx is not retried: ConfigError('SERVER_REJECTED').
 */
export async function fetchEnvironment(source: ConfigSource, options: FetchOptions): Promise<Environment> {
  const { url, display, authorization } = serverRequest(source);
  const logger = options.logger ?? silentLogger;
  const started = Date.now();
  let backoff = 200;
  let lastProblem = '';
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await httpRequest(url, {
        headers: {
          accept: 'application/json',
          ...(authorization ? { authorization } : {}),
          // With tracing on, a refresh's fetch is in the refresh's trace (the configserver continues it).
          ...traceHeader(),
        },
        signal: AbortSignal.timeout(options.attemptTimeoutMs ?? 2000),
        maxBytes: MAX_ENVIRONMENT_BYTES,
        readBody: (status) => status >= 200 && status < 300,
      });
      if (response.ok) return parseEnvironment(response.json(), display);
      if (response.status < 500) throw rejected(display, response.status);
      lastProblem = `HTTP ${response.status}`;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      if (err instanceof ResponseTooLargeError) {
        const message = `configuration server at ${display} answered with more than ${err.maxBytes} bytes`;
        throw new ConfigError('SERVER_REJECTED', message);
      }
      lastProblem = describeFetchError(err);
    }
    const remaining = options.retryForMs - (Date.now() - started);
    if (remaining <= 0) {
      const message = `cannot reach configuration server at ${display} (${lastProblem}, ${attempt} attempts)`;
      throw new ConfigError('SERVER_UNREACHABLE', message);
    }
    logger.warn(
      { configServer: display, attempt, problem: lastProblem },
      'configuration server not reachable yet; retrying',
    );
    await delay(Math.min(backoff, remaining));
    backoff = Math.min(backoff * 2, 1000);
  }
}

function serverRequest(source: ConfigSource): { url: string; display: string; authorization?: string } {
  const base = new URL(source.configServerUrl ?? '');
  let user = source.username;
  let password = source.password;
  if (base.username || base.password) {
    user ??= decodeURIComponent(base.username);
    password ??= decodeURIComponent(base.password);
    base.username = '';
    base.password = '';
  }
  const display = base.toString().replace(/\/+$/, '');
  const segment = (s: string): string => encodeURIComponent(s).replaceAll('%2C', ',');
  let path = `${segment(source.application)}/${segment(source.profile)}`;
  if (source.label) path += `/${segment(source.label.replaceAll('/', '(_)'))}`;
  const url = `${display}/${path}`;
  if (user === undefined && password === undefined) return { url, display };
  const credentials = Buffer.from(`${user ?? ''}:${password ?? ''}`).toString('base64');
  return { url, display, authorization: `Basic ${credentials}` };
}

function rejected(display: string, status: number): ConfigError {
  const reason =
    status === 401 || status === 403
      ? 'rejected the credentials (set CONFIG_SERVER_USER and CONFIG_SERVER_PASSWORD)'
      : status === 404
        ? 'does not know the requested label'
        : `refused the request`;
  const message = `configuration server at ${display} ${reason} (HTTP ${status})`;
  return new ConfigError('SERVER_REJECTED', message);
}

function parseEnvironment(body: unknown, display: string): Environment {
  const sources = isPlainObject(body) ? body.propertySources : undefined;
  const valid =
    Array.isArray(sources) &&
    sources.every((s) => isPlainObject(s) && typeof s.name === 'string' && isPlainObject(s.source));
  if (!isPlainObject(body) || !valid) {
    const message = `configuration server at ${display} answered with something that is not a Spring Environment`;
    throw new ConfigError('SERVER_REJECTED', message);
  }
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    name: text(body.name) ?? '',
    profiles: Array.isArray(body.profiles) ? body.profiles.filter((p) => typeof p === 'string') : [],
    label: text(body.label),
    version: text(body.version),
    state: text(body.state),
    propertySources: sources as PropertySource[],
  };
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    return requestErrorCode(err) ?? err.message;
  }
  return String(err);
}

function traceHeader(): { traceparent?: string } {
  const span = activeSpan();
  return span === undefined ? {} : { traceparent: traceparentOfSpan(span) };
}
