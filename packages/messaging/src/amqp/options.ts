import { MessagingError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { maskUrl } from '../mask.js';
import { integerOption, oneOfOption } from '../options.js';
import { DEFAULT_DELIVERY_LIMIT, DEFAULT_QUEUE_TYPE } from '../topology.js';
import type { AmqpTransportOptions } from './connect.js';
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

/** connectAmqp's options with the defaults applied and every value checked. */
export interface NormalizedAmqpOptions {
  /** The URL to dial, with the heartbeat set. */
  readonly url: string;
  readonly initialConnectTimeoutMs: number;
  readonly reconnect: { readonly initialMs: number; readonly maxMs: number };
  readonly settings: AmqpSettings;
}

/**
 * Applies the defaults and checks every option: INVALID_URL for a URL that is not amqp:// or amqps:// with a
 * host, INVALID_OPTIONS naming the first other option out of range. The URL's password is kept out of every
 * message (masked) and listed in `settings.secrets` for redaction.
 */
export function normalizeAmqpOptions(options: AmqpTransportOptions): NormalizedAmqpOptions {
  const masked = maskUrl(options.url);
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new MessagingError('INVALID_URL', `invalid AMQP URL ${masked}`);
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
    throw new MessagingError('INVALID_URL', `invalid AMQP URL ${masked}: expected amqp:// or amqps://`);
  }
  if (!parsed.hostname) throw new MessagingError('INVALID_URL', `invalid AMQP URL ${masked}: no host`);
  const d = AMQP_DEFAULTS;
  const int = (name: keyof AmqpTransportOptions, value: number | undefined, fallback: number, min: number) =>
    integerOption('connectAmqp', name, value, fallback, min);
  const heartbeat = int('heartbeatSeconds', options.heartbeatSeconds, d.heartbeatSeconds, 0);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(heartbeat));
  const initialMs = integerOption(
    'connectAmqp',
    'reconnectDelayMs.initial',
    options.reconnectDelayMs?.initial,
    d.reconnectInitialMs,
    1,
  );
  const maxMs = integerOption(
    'connectAmqp',
    'reconnectDelayMs.max',
    options.reconnectDelayMs?.max,
    Math.max(initialMs, d.reconnectMaxMs),
    initialMs,
  );
  return {
    url: parsed.toString(),
    initialConnectTimeoutMs: int(
      'initialConnectTimeoutMs',
      options.initialConnectTimeoutMs,
      d.initialConnectTimeoutMs,
      1,
    ),
    reconnect: { initialMs, maxMs },
    settings: {
      connectionName: options.connectionName,
      maskedUrl: masked,
      secrets: parsed.password ? [parsed.password, decodeURIComponent(parsed.password)] : [],
      logger: options.logger ?? silentLogger,
      metrics: options.metrics,
      appId: options.appId,
      publishWaitMs: int('publishWaitMs', options.publishWaitMs, d.publishWaitMs, 1),
      confirmTimeoutMs: int('confirmTimeoutMs', options.confirmTimeoutMs, d.confirmTimeoutMs, 1),
      confirmWindow: int('confirmWindow', options.confirmWindow, d.confirmWindow, 1),
      maxWaitingPublishes: int('maxWaitingPublishes', options.maxWaitingPublishes, d.maxWaitingPublishes, 0),
      closeTimeoutMs: int('closeTimeoutMs', options.closeTimeoutMs, d.closeTimeoutMs, 0),
      deliveryLimit: int('deliveryLimit', options.deliveryLimit, d.deliveryLimit, 1),
      queueType: oneOfOption('connectAmqp', 'queueType', options.queueType, d.queueType, [
        'classic',
        'quorum',
      ]),
      coalesceWrites: options.coalesceWrites ?? d.coalesceWrites,
    },
  };
}
