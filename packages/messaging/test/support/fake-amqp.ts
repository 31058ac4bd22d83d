// A scripted stand-in for amqplib's connection and confirm channel, for unit tests of the publisher's
// bookkeeping (window, drain, confirm timeouts, returns, re-sends) that a real broker cannot be made to show.
import { EventEmitter, once } from 'node:events';
import type { ChannelModel, Options } from 'amqplib';
import { silentLogger } from '../../src/index.js';
import type { DestinationDeclarations } from '../../src/amqp/declarations.js';
import type { LiveConnection } from '../../src/amqp/live-connection.js';

export interface Written {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
}

export class FakeChannel extends EventEmitter {
  readonly written: Written[] = [];
  /** What publish() returns: false plays a full socket buffer. */
  writable = true;
  open = true;

  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): boolean {
    if (!this.open) throw new Error('Channel closed');
    this.written.push({ exchange, routingKey, content, options });
    return this.writable;
  }

  close(): Promise<void> {
    this.drop();
    return Promise.resolve();
  }

  ack(deliveryTag: number, multiple = false): void {
    this.emit('ack', { deliveryTag, multiple });
  }

  nack(deliveryTag: number, multiple = false): void {
    this.emit('nack', { deliveryTag, multiple, requeue: false });
  }

  returnMessage(index: number): void {
    const w = this.written[index];
    if (w)
      this.emit('return', { content: w.content, fields: {}, properties: { messageId: w.options.messageId } });
  }

  /** The broker closed the channel for a reason (a channel-level error). */
  fail(message: string): void {
    this.emit('error', new Error(message));
    this.drop();
  }

  /** The channel went with its connection (no error of its own). */
  drop(): void {
    if (!this.open) return;
    this.open = false;
    this.emit('close');
  }
}

export class FakeModel extends EventEmitter {
  readonly channels: FakeChannel[] = [];

  createConfirmChannel(): Promise<FakeChannel> {
    const ch = new FakeChannel();
    this.channels.push(ch);
    queueMicrotask(() => this.emit('channel', ch));
    return Promise.resolve(ch);
  }

  createChannel(): Promise<FakeChannel> {
    return this.createConfirmChannel();
  }

  private handedOut = 0;

  /** Resolves with the next channel opened on this model (in opening order). */
  async nextChannel(): Promise<FakeChannel> {
    while (this.channels.length <= this.handedOut) await once(this, 'channel');
    const ch = this.channels[this.handedOut++] as FakeChannel;
    // Let the publisher finish attaching (listeners, flush) before the test drives the channel.
    await new Promise((r) => setImmediate(r));
    return ch;
  }
}

/** The connection and the declarations a publisher is made with, scripted. */
export class FakeHost implements LiveConnection, DestinationDeclarations {
  readonly logger = silentLogger;
  blocked = false;
  model: FakeModel | undefined = new FakeModel();
  invalidations = 0;
  private waiters: ((m: ChannelModel) => void)[] = [];

  currentConnection(): ChannelModel | undefined {
    return this.model as unknown as ChannelModel | undefined;
  }

  waitForConnection(): Promise<ChannelModel> {
    const m = this.currentConnection();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  redact(text: string): string {
    return text;
  }

  ensure(): undefined {
    return undefined;
  }

  invalidate(): void {
    this.invalidations++;
  }

  pin(): void {
    // nothing to re-declare: ensure is a no-op here
  }

  /** Plays a lost connection: its channels close without an error of their own. */
  disconnect(): void {
    const m = this.model;
    this.model = undefined;
    for (const ch of m?.channels ?? []) ch.drop();
  }

  reconnect(): FakeModel {
    const m = new FakeModel();
    this.model = m;
    for (const w of this.waiters.splice(0)) w(m as unknown as ChannelModel);
    return m;
  }
}
