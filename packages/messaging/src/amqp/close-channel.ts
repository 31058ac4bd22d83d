import type { Channel } from 'amqplib';

/** How long a channel close may take before it is given up on. */
export const CHANNEL_CLOSE_TIMEOUT_MS = 2_000;

/**
 * Closes a channel and always settles: on the broker's CloseOk, on the channel's `close` event (amqplib
 * emits it when the connection dies, but never settles `close()` itself then), or after `timeoutMs`.
 * Never rejects: a channel that cannot be closed cleanly is gone with its connection.
 */
export function closeChannel(ch: Channel, timeoutMs = CHANNEL_CLOSE_TIMEOUT_MS): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      ch.removeListener('close', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    timer.unref();
    ch.once('close', done);
    try {
      ch.close().then(done, done);
    } catch {
      done(); // already closed: amqplib throws synchronously
    }
  });
}
