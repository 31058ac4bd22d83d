import type { Channel, ChannelModel } from 'amqplib';
import { backoffDelay } from './backoff.js';
import type { ChannelHost } from './host.js';

/** One life of a channel. `open` turns false the moment the channel closes, whoever closed it. */
export interface Session<C extends Channel> {
  readonly ch: C;
  /** The connection the channel lives on (for side channels, e.g. declarations). */
  readonly model: ChannelModel;
  open: boolean;
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
    private readonly host: ChannelHost,
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

  /** Closes the current channel; the loop opens a fresh one after a backoff (e.g. after a broker cancel). */
  recycle(): void {
    const s = this.current;
    if (s?.open) s.ch.close().catch(() => undefined);
  }

  /** Stops re-opening and closes the channel. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    this.settleReady?.(new Error('stopped'));
    const s = this.current;
    if (s?.open) await s.ch.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let model: ChannelModel;
      try {
        model = await this.host.waitForModel();
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
      if (this.host.currentModel() === model) {
        // The connection is fine, the channel is not: back off before trying again.
        failures++;
        await this.sleep(backoffDelay(failures, 200, 10_000));
      } else {
        failures = 0;
      }
    }
  }

  /** One life of the channel; resolves when it is over. */
  private async live(model: ChannelModel): Promise<'closed' | 'refused' | 'lost'> {
    let ch: C;
    try {
      ch = (this.confirm ? await model.createConfirmChannel() : await model.createChannel()) as C;
    } catch {
      return 'lost';
    }
    const session: Session<C> = { ch, model, open: true };
    let error: Error | undefined;
    const closed = new Promise<void>((resolve) => {
      ch.once('close', () => {
        session.open = false;
        resolve();
      });
    });
    ch.on('error', (err: Error) => {
      error = err;
      this.host.logger.warn({ channel: this.name, err: this.host.redact(err.message) }, 'channel error');
    });
    ch.on('handler-error', (err: Error, event: string) => {
      this.host.logger.error({ channel: this.name, event, err: err.message }, 'channel listener threw');
    });
    try {
      await this.lifecycle.setup(session);
    } catch (err) {
      if (session.open) await ch.close().catch(() => undefined);
      const lost = this.host.currentModel() !== model;
      if (lost) return 'lost';
      const text = this.host.redact(err instanceof Error ? err.message : String(err));
      this.host.logger.error({ channel: this.name, err: text }, 'channel setup failed');
      this.settleReady?.(err instanceof Error ? err : new Error(text));
      return 'refused';
    }
    if (this.isStopped() || !session.open) {
      if (session.open) await ch.close().catch(() => undefined);
      return 'closed';
    }
    this.current = session;
    this.attachedOnce = true;
    this.lifecycle.attached(session);
    this.settleReady?.();
    await closed;
    this.current = undefined;
    this.lifecycle.detached(session, error);
    return 'closed';
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
