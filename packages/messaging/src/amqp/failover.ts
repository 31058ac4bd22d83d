import { EventEmitter } from 'node:events';
import amqplib from 'amqplib';
import type { ChannelModel } from 'amqplib';

export type SocketOptions = Readonly<Record<string, unknown>>;

/** One broker node the connection may use. */
export interface BrokerEndpoint {
  /** The URL dialled (with its password: never logged). */
  readonly url: string;
  /** host:port, what logs, /health and the metrics show. */
  readonly node: string;
}

export interface FailoverOptions {
  readonly endpoints: readonly BrokerEndpoint[];
  /** amqplib's socket options (clientProperties, timeout...), the same for every node. */
  readonly socketOptions: SocketOptions;
  /** Backoff bounds between rounds of attempts, ms. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Which endpoint is tried first; default: one at random, so a landscape's processes spread over the nodes. */
  readonly firstIndex?: number;
  /** Opens one connection; amqplib's connect by default (tests substitute it). */
  readonly open?: (url: string, options: SocketOptions) => Promise<ChannelModel>;
}

/**
 * One AMQP connection over a list of broker nodes, kept up for ever. It dials one node; when that connection is
 * lost (or an attempt fails) it dials the next one in the list, round-robin, so no node is special. Between
 * attempts it waits: briefly while a round of the list is not exhausted, then with exponential backoff and
 * jitter per failed round, so processes that lost the same node spread out instead of reconnecting in step.
 *
 * Events: 'connect' (model, endpoint), 'disconnect' (err, endpoint), 'connect-failed' (err, endpoint),
 * 'reconnect-scheduled' ({ attempt, delay, node }), 'blocked' (reason), 'unblocked', 'error' (err).
 * amqplib's own recovery dials one URL only, hence this.
 */
export class FailoverConnection extends EventEmitter {
  private model: ChannelModel | undefined;
  private current: BrokerEndpoint | undefined;
  private next: number;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly open: (url: string, options: SocketOptions) => Promise<ChannelModel>;
  private firstConnect: { resolve: () => void; promise: Promise<void> };

  constructor(private readonly options: FailoverOptions) {
    super();
    const n = options.endpoints.length;
    if (n === 0) throw new TypeError('FailoverConnection needs at least one endpoint');
    this.next = (options.firstIndex ?? Math.floor(Math.random() * n)) % n;
    this.open = options.open ?? ((url, o) => amqplib.connect(url, o));
    let resolve: () => void = () => undefined;
    const promise = new Promise<void>((r) => (resolve = r));
    this.firstConnect = { resolve, promise };
    // Deferred, so that the owner attaches its listeners before the first event.
    setImmediate(() => void this.dial());
  }

  /** The node of the live connection, if any. */
  get node(): string | undefined {
    return this.model === undefined ? undefined : this.current?.node;
  }

  /** Resolves once a first connection is up (never rejects: the owner bounds the wait). */
  waitForConnect(): Promise<void> {
    return this.firstConnect.promise;
  }

  /** Stops reconnecting and closes the live connection. Safe to call twice. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const model = this.model;
    this.model = undefined;
    if (model !== undefined) await model.close().catch(() => undefined);
  }

  private async dial(): Promise<void> {
    if (this.stopped) return;
    const endpoints = this.options.endpoints;
    const endpoint = endpoints[this.next] as BrokerEndpoint;
    this.next = (this.next + 1) % endpoints.length;
    let model: ChannelModel;
    try {
      model = await this.open(endpoint.url, this.options.socketOptions);
    } catch (err) {
      if (this.isStopped()) return;
      this.emit('connect-failed', asError(err), endpoint);
      this.schedule(endpoint);
      return;
    }
    if (this.isStopped()) {
      await model.close().catch(() => undefined);
      return;
    }
    this.model = model;
    this.current = endpoint;
    this.attempt = 0;
    this.bind(model, endpoint);
    this.emit('connect', model, endpoint);
    this.firstConnect.resolve();
  }

  /** A method, not the field: the flag changes across awaits, which narrowing does not see. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private bind(model: ChannelModel, endpoint: BrokerEndpoint): void {
    let lost = false;
    const onLost = (err?: unknown): void => {
      if (lost) return;
      lost = true;
      if (this.model !== model) return;
      this.model = undefined;
      if (this.stopped) return;
      this.emit('disconnect', asError(err ?? new Error('connection closed')), endpoint);
      this.schedule(endpoint);
    };
    model.on('close', onLost);
    // An 'error' is followed by 'close'; listening keeps it from being thrown.
    model.on('error', (err: Error) => {
      if (this.model === model) this.emit('error', err);
    });
    model.on('blocked', (reason: string) => {
      if (this.model === model) this.emit('blocked', reason);
    });
    model.on('unblocked', () => {
      if (this.model === model) this.emit('unblocked');
    });
  }

  /** The next attempt: right away within a round of the list (after a short jittered pause), backoff after. */
  private schedule(failed: BrokerEndpoint): void {
    if (this.stopped || this.timer !== undefined) return;
    this.attempt++;
    const n = this.options.endpoints.length;
    const round = Math.floor((this.attempt - 1) / n);
    const base = Math.min(this.options.maxDelayMs, this.options.initialDelayMs * 2 ** round);
    const delay = Math.round(base / 2 + (Math.random() * base) / 2);
    this.emit('reconnect-scheduled', { attempt: this.attempt, delay, node: failed.node });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.dial();
    }, delay);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
