import { MessagingError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { maskUrl } from '../mask.js';
import { OptionChecks } from '../options.js';
import { DEFAULT_DELIVERY_LIMIT, DEFAULT_QUEUE_TYPE } from '../topology.js';
import type { AmqpTransportOptions } from './connect.js';
import type { BrokerEndpoint } from './failover.js';
import type { AmqpSettings } from './transport.js';

/** The defaults of connectAmqp's options, in one place. */
export const AMQP_DEFAULTS = {
  publishWaitMs: 10_000,
  confirmTimeoutMs: 15_000,
  confirmWindow: 1000,
  maxWaitingPublishes: 10_000,
  initialConnectTimeoutMs: 5000,
  heartbeatSeconds: 10,
  reconnectInitialMs: 200,
  reconnectMaxMs: 5000,
  closeTimeoutMs: 10_000,
  deliveryLimit: DEFAULT_DELIVERY_LIMIT,
  queueType: DEFAULT_QUEUE_TYPE,
  coalesceWrites: true,
} as const;

/** The options of connectAmqp that are integers, each with its default in AMQP_DEFAULTS. */
type IntegerOption =
  | 'publishWaitMs'
  | 'confirmTimeoutMs'
  | 'confirmWindow'
  | 'maxWaitingPublishes'
  | 'initialConnectTimeoutMs'
  | 'heartbeatSeconds'
  | 'closeTimeoutMs'
  | 'deliveryLimit';

/** connectAmqp's options with the defaults applied and every value checked. */
export interface NormalizedAmqpOptions {
  /** The nodes to dial, in the order given, each URL with the heartbeat set. */
  readonly endpoints: readonly BrokerEndpoint[];
  readonly initialConnectTimeoutMs: number;
  readonly reconnect: { readonly initialMs: number; readonly maxMs: number };
  readonly settings: AmqpSettings;
}

/**
 * Applies the defaults and checks every option: INVALID_URL for a URL that is not amqp:// or amqps:// with a
 * host (`url` may list several, comma-separated: the nodes of one cluster), then one INVALID_OPTIONS naming
 * every other option out of range. Passwords are kept out of every message (masked) and listed in
 * `settings.secrets` for redaction.
 */
export function normalizeAmqpOptions(options: AmqpTransportOptions): NormalizedAmqpOptions {
  const parts = options.url.split(',').map((u) => u.trim());
  if (parts.some((u) => u === '')) {
    throw new MessagingError('INVALID_URL', `invalid AMQP URL list ${maskUrl(options.url)}: an empty entry`);
  }
  const parsed = parts.map(parseUrl);
  const d = AMQP_DEFAULTS;
  const check = new OptionChecks('connectAmqp');
  const int = (name: IntegerOption, min: number): number => check.integer(name, options[name], d[name], min);
  const heartbeat = int('heartbeatSeconds', 0);
  for (const u of parsed)
    if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', String(heartbeat));
  const delays = options.reconnectDelayMs;
  const initialMs = check.integer('reconnectDelayMs.initial', delays?.initial, d.reconnectInitialMs, 1);
  const maxMs = check.integer(
    'reconnectDelayMs.max',
    delays?.max,
    Math.max(initialMs, d.reconnectMaxMs),
    initialMs,
  );
  const normalized: NormalizedAmqpOptions = {
    endpoints: parsed.map((u) => ({ url: u.toString(), node: nodeOf(u) })),
    initialConnectTimeoutMs: int('initialConnectTimeoutMs', 1),
    reconnect: { initialMs, maxMs },
    settings: {
      connectionName: options.connectionName,
      maskedUrl: parts.map(maskUrl).join(','),
      secrets: parsed.flatMap((u) => (u.password ? [u.password, decodeURIComponent(u.password)] : [])),
      logger: options.logger ?? silentLogger,
      metrics: options.metrics,
      appId: options.appId,
      publishWaitMs: int('publishWaitMs', 1),
      confirmTimeoutMs: int('confirmTimeoutMs', 1),
      confirmWindow: int('confirmWindow', 1),
      maxWaitingPublishes: int('maxWaitingPublishes', 0),
      closeTimeoutMs: int('closeTimeoutMs', 0),
      deliveryLimit: int('deliveryLimit', 1),
      queueType: check.oneOf('queueType', options.queueType, d.queueType, ['classic', 'quorum']),
      coalesceWrites: options.coalesceWrites ?? d.coalesceWrites,
    },
  };
  check.done();
  return normalized;
}

function parseUrl(url: string): URL {
  const masked = maskUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MessagingError('INVALID_URL', `invalid AMQP URL ${masked}`);
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
    throw new MessagingError('INVALID_URL', `invalid AMQP URL ${masked}: expected amqp:// or amqps://`);
  }
  if (!parsed.hostname) throw new MessagingError('INVALID_URL', `invalid AMQP URL ${masked}: no host`);
  return parsed;
}

/** host:port of a broker URL (the protocol's default port when it names none). */
function nodeOf(url: URL): string {
  return `${url.hostname}:${url.port === '' ? (url.protocol === 'amqps:' ? '5671' : '5672') : url.port}`;
}
