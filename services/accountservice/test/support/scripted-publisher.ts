import type { Static, TSchema } from 'typebox';
import type { ConnectionState, MessageType, PublishOptions, Publisher } from '@goblog/messaging';
import { MessagingError } from '@goblog/messaging';
import type { ConnectionWatch } from '../../src/index.js';

export interface PublishCall {
  readonly type: string;
  readonly body: unknown;
  readonly options: PublishOptions | undefined;
  confirm(): void;
  fail(err?: Error): void;
}

/**
 * A Publisher whose confirms the test decides: `auto` confirms at once, `hold` leaves each call pending
 * until the test settles it, `fail` rejects with NOT_CONNECTED. Lets relay tests see exactly what was
 * published, in which order, and what happens between a publish and its confirm.
 */
export class ScriptedPublisher implements Publisher {
  mode: 'auto' | 'hold' | 'fail' = 'auto';
  readonly calls: PublishCall[] = [];
  readonly #waiters = new Set<() => void>();

  publish<S extends TSchema>(
    type: MessageType<S>,
    message: Static<S>,
    options?: PublishOptions,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const call: PublishCall = {
        type: type.name,
        body: message,
        options,
        confirm: resolve,
        fail: (err) => {
          reject(err ?? new MessagingError('NOT_CONNECTED', 'scripted failure'));
        },
      };
      this.calls.push(call);
      if (this.mode === 'auto') call.confirm();
      if (this.mode === 'fail') call.fail();
      for (const w of this.#waiters) w();
    });
  }

  /** Resolves once `count` publishes were made in total; rejects after `timeoutMs`. */
  waitForCalls(count: number, timeoutMs = 5000): Promise<PublishCall[]> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.calls.length >= count) {
          this.#waiters.delete(check);
          clearTimeout(timer);
          resolve(this.calls.slice(0, count));
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`expected ${count} publishes within ${timeoutMs} ms, saw ${this.calls.length}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A connection whose state the test flips. */
export class FakeConnection implements ConnectionWatch {
  state: ConnectionState = 'connected';
  readonly #listeners = new Set<(state: ConnectionState) => void>();

  set(state: ConnectionState): void {
    this.state = state;
    for (const l of this.#listeners) l(state);
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
