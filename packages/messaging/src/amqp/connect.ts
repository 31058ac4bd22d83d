// First: amqplib must find the bounded table decoder in place when it loads (see decode-guard.ts).
import { decoderGuarded } from './decode-guard.js';
import { ConnectionError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { redact } from '../mask.js';
import type { MessagingMetrics } from '../metrics.js';
import type { QueueType } from '../topology.js';
import { FailoverConnection, type BrokerEndpoint } from './failover.js';
import { normalizeAmqpOptions } from './options.js';
import { AmqpTransport } from './transport.js';

export interface AmqpTransportOptions {
  /**
   * amqp:// or amqps:// URL, or several comma-separated (the nodes of a cluster): the transport connects to
   * one of them and, when that connection is lost, to the next, round-robin. Passwords never appear in a log
   * line or an error.
   */
  readonly url: string;
  /** Shown by the broker (connection_name client property): how operators find this process's connection. */
  readonly connectionName: string;
  readonly logger?: Logger;
  readonly metrics?: MessagingMetrics;
  /** AMQP app_id on every publish (overridable per publish). */
  readonly appId?: string;
  /** How long a publish may wait for the broker (outage, full window, blocked) before NOT_CONNECTED/BACKPRESSURE. Default 10 000. */
  readonly publishWaitMs?: number;
  /** A confirm that does not come within this time fails the publish with CONFIRM_TIMEOUT. Default 15 000. */
  readonly confirmTimeoutMs?: number;
  /** Unconfirmed messages in flight per publisher. Default 1000. */
  readonly confirmWindow?: number;
  /** Publishes allowed to wait per publisher; beyond, BACKPRESSURE at once. Default 10 000. */
  readonly maxWaitingPublishes?: number;
  /** connectAmqp fails with CONNECT_FAILED when the first connection is not up within this time. Default 5000. */
  readonly initialConnectTimeoutMs?: number;
  /** AMQP heartbeat, seconds (unless the URL sets one). Default 10. */
  readonly heartbeatSeconds?: number;
  /** Reconnect backoff bounds, ms. Default 200 .. 5000, with jitter. */
  readonly reconnectDelayMs?: { readonly initial?: number; readonly max?: number };
  /** Bound on waiting for handlers and confirms at close. Default 10 000. */
  readonly closeTimeoutMs?: number;
  /** Quorum work queues only: broker deliveries of one message before the broker parks it in `<queue>.dlq`. All parties must agree. Default 20. */
  readonly deliveryLimit?: number;
  /**
   * How work queues are declared, unless their message type says otherwise. Default 'classic': plain durable
   * queues any client can declare with `{ durable: true }`. 'quorum': replicated, with the delivery limit.
   */
  readonly queueType?: QueueType;
  /** Coalesce the frames amqplib writes in one pass into one socket write (see coalesce.ts). Default true. */
  readonly coalesceWrites?: boolean;
}

/**
 * Connects to RabbitMQ. Resolves once connected to one of the URL's nodes; from then on the transport
 * reconnects by itself, for ever (to the next node when there are several), and reports its state and node. Rejects with MessagingError INVALID_URL, or CONNECT_FAILED (URL masked) when the
 * broker is not reachable within `initialConnectTimeoutMs` or refuses the credentials.
 */
export async function connectAmqp(options: AmqpTransportOptions): Promise<AmqpTransport> {
  const normalized = normalizeAmqpOptions(options);
  const { settings } = normalized;
  const masked = settings.maskedUrl;
  const secrets = settings.secrets;
  const timeoutMs = normalized.initialConnectTimeoutMs;
  if (!decoderGuarded()) {
    (options.logger ?? silentLogger).warn(
      { connection: options.connectionName },
      'amqplib was loaded before the header decode guard: a deeply nested header can drop the connection',
    );
  }

  const connection = new FailoverConnection({
    endpoints: normalized.endpoints,
    socketOptions: {
      clientProperties: { connection_name: options.connectionName },
      timeout: Math.min(timeoutMs, 10_000),
    },
    initialDelayMs: normalized.reconnect.initialMs,
    maxDelayMs: normalized.reconnect.maxMs,
  });
  const transport = new AmqpTransport(connection, settings);

  let lastError = 'no answer';
  let refused: Error | undefined;
  let wakeRefused: (() => void) | undefined;
  const onFailed = (err: Error, endpoint: BrokerEndpoint): void => {
    lastError = `${endpoint.node}: ${redact(err.message, secrets)}`;
    // Wrong credentials or vhost will not fix themselves: fail now rather than at the deadline.
    if (/ACCESS.REFUSED|NOT.ALLOWED|\b403\b|\b530\b/.test(err.message)) {
      refused = err;
      wakeRefused?.();
    }
  };
  connection.on('connect-failed', onFailed);
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await Promise.race([
      connection.waitForConnect().then(() => 'connected' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => {
          resolve('timeout');
        }, timeoutMs);
      }),
      new Promise<'refused'>((resolve) => {
        wakeRefused = () => {
          resolve('refused');
        };
      }),
    ]);
    if (outcome !== 'connected') {
      await connection.close().catch(() => undefined);
      const why = refused ? redact(refused.message, secrets) : `${lastError} (gave up after ${timeoutMs} ms)`;
      throw new ConnectionError('CONNECT_FAILED', `cannot connect to ${masked}: ${why}`);
    }
    return transport;
  } finally {
    clearTimeout(timer);
    connection.removeListener('connect-failed', onFailed);
  }
}
