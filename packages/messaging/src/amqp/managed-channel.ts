import type { Channel, ChannelModel } from 'amqplib';
import { backoffDelay } from '../backoff.js';
import { closeChannel } from './close-channel.js';
import type { LiveConnection } from './live-connection.js';

/** One life of a channel. `open` turns false the moment the channel closes, whoever closed it. */
export interface Session<C extends Channel> {
  readonly ch: C;
  /** The connection the channel lives on (for side channels, e.g. declarations). */
  readonly model: ChannelModel;
  readonly open: boolean;
  /**
   * Ends this life now: `open` turns false at once, the channel is closed (bounded), and the owner opens a
   * new one. For a channel that cannot be trusted any more (a broker cancel, a write that throws). Safe to
   * call twice, and on a session whose setup is still running.
   */
  end(): void;
}

/**
 * True when amqplib has already moved the channel to its closed state: its `close` event may have fired
 * before anybody could listen (a close read in the same socket read as the open's reply).
 */
function alreadyClosed(ch: Channel): boolean {
  return (ch as unknown as { pending?: unknown }).pending === null;
}

export interface ChannelLifecycle<C extends Channel> {
  /** Declares topology, sets prefetch, starts consuming... A throw (or a channel error) fails this life. */
  setup(session: Session<C>): Promise<void>;
  /** The channel is set up and usable. */
  attached(session: Session<C>): void;
  /** The channel closed. `error` is set when the broker closed it for a reason (a channel-level error). */
  detached(session: Session<C>, error: Error | undefined): void;
}

/**
 * Keeps one channel alive: opens it on the live connection, runs `setup`, and when it dies opens it again,
 * right after a reconnect, or with backoff and jitter after a channel-level failure (so a channel that keeps
 * failing does not spin). The first attach's outcome is exposed as `ready`.
 */
export class ManagedChannel<C extends Channel> {
  private current: Session<C> | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private settleReady: ((err?: Error) => void) | undefined;
  private attachedOnce = false;
  /** Settles on the first successful attach; rejects if the broker refuses the first setup. */
  readonly ready: Promise<void>;

  constructor(
    private readonly host: LiveConnection,
    private readonly name: string,
    private readonly confirm: boolean,
    private readonly lifecycle: ChannelLifecycle<C>,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (err) => {
        this.settleReady = undefined;
        if (err) reject(err);
        else resolve();
      };
    });
    this.ready.catch(() => undefined);
  }

  get session(): Session<C> | undefined {
    return this.current;
  }

  start(): void {
    void this.run();
  }

  /** Stops re-opening and closes the channel. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    this.settleReady?.(new Error('stopped'));
    const s = this.current;
    if (s?.open) await closeChannel(s.ch);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let model: ChannelModel;
      try {
        model = await this.host.waitForConnection();
      } catch (err) {
        this.settleReady?.(err as Error);
        return;
      }
      if (this.isStopped()) return;
      const outcome = await this.live(model);
      if (outcome === 'refused' && !this.attachedOnce) {
        // The broker refused the very first setup: report it to the caller instead of retrying forever.
        return;
      }
      if (this.isStopped()) return;
      if (this.host.currentConnection() === model) {
        // The connection is fine, the channel is not: back off before trying again. A life that attached
        // counts as the first failure of a new series, so earlier trouble does not slow every later re-open.
        failures = outcome === 'attached' ? 1 : failures + 1;
        await this.sleep(backoffDelay(failures, 200, 10_000));
      } else {
        failures = 0;
      }
    }
  }

  /** One life of the channel; resolves when it is over. */
  private async live(model: ChannelModel): Promise<'attached' | 'closed' | 'refused' | 'lost'> {
    let ch: C;
    try {
      ch = (this.confirm ? await model.createConfirmChannel() : await model.createChannel()) as C;
    } catch {
      return 'lost';
    }
    let open = true;
    let endLife!: () => void;
    const closed = new Promise<void>((resolve) => {
      endLife = () => {
        open = false;
        resolve();
      };
    });
    const session: Session<C> = {
      ch,
      model,
      get open() {
        return open;
      },
      end: () => {
        if (!open) return;
        endLife();
        void closeChannel(ch);
      },
    };
    let error: Error | undefined;
    ch.once('close', endLife);
    ch.on('error', (err: Error) => {
      error = err;
      this.host.logger.warn({ channel: this.name, err: this.host.redact(err.message) }, 'channel error');
    });
    ch.on('handler-error', (err: Error, event: string) => {
      this.host.logger.error({ channel: this.name, event, err: err.message }, 'channel listener threw');
    });
    if (this.host.currentConnection() !== model || alreadyClosed(ch)) {
      // Closed before our listeners were there: this life never began.
      endLife();
      return 'lost';
    }
    try {
      await this.lifecycle.setup(session);
    } catch (err) {
      if (session.open) await closeChannel(ch);
      endLife();
      const lost = this.host.currentConnection() !== model;
      if (lost) return 'lost';
      const text = this.host.redact(err instanceof Error ? err.message : String(err));
      this.host.logger.error({ channel: this.name, err: text }, 'channel setup failed');
      this.settleReady?.(err instanceof Error ? err : new Error(text));
      return 'refused';
    }
    if (this.isStopped() || !session.open) {
      session.end();
      return 'closed';
    }
    this.current = session;
    this.attachedOnce = true;
    this.lifecycle.attached(session);
    this.settleReady?.();
    await closed;
    this.current = undefined;
    this.lifecycle.detached(session, error);
    return 'attached';
  }

  /** A method, not the field: the flag changes across awaits, which narrowing does not see. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}
