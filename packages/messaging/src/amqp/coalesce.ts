import type { ChannelModel } from 'amqplib';

/** The amqplib 2.x internals this relies on (lib/connection.js, lib/mux.js), checked at run time. */
interface MuxInternals {
  _readIncoming: () => void;
}
interface SocketLike {
  cork(): void;
  uncork(): void;
}

const patched = new WeakSet<object>();

/**
 * Coalesces the frames amqplib writes in one pass into one socket write.
 *
 * amqplib queues each channel's frames (publishes, acks) in a per-channel buffer; its multiplexer moves them
 * to the socket in a `setImmediate` pass, one `socket.write` per frame, each a syscall of its own (the bench's
 * `--no-coalesce` shows what that costs). Corking the socket for the duration of that pass turns a burst
 * into one `writev`. Nothing else changes: the pass still stops when the socket says it is full and resumes
 * on its `drain` (backpressure reaches `channel.publish` as before), and heartbeats, written from their own
 * timer outside the pass, are not delayed. Corking around our own `publish` calls would not do this: the
 * frames reach the socket later, in the multiplexer's pass.
 *
 * Returns false (and changes nothing) when this amqplib does not have the expected shape.
 */
export function coalesceWrites(model: ChannelModel): boolean {
  const conn = (model as unknown as { connection?: { stream?: unknown; muxer?: unknown } }).connection;
  const socket = conn?.stream as Partial<SocketLike> | undefined;
  const mux = conn?.muxer as Partial<MuxInternals> | undefined;
  if (
    socket === undefined ||
    mux === undefined ||
    typeof socket.cork !== 'function' ||
    typeof socket.uncork !== 'function' ||
    typeof mux._readIncoming !== 'function'
  ) {
    return false;
  }
  if (patched.has(mux)) return true;
  patched.add(mux);
  const pass = mux._readIncoming;
  const s = socket as SocketLike;
  mux._readIncoming = function (this: MuxInternals): void {
    s.cork();
    try {
      pass.call(this);
    } finally {
      s.uncork();
    }
  };
  return true;
}
