// Publishes a message whose content header carries whatever property bytes a test wants (see amqp-bytes.ts):
// a plain amqplib connection and confirm channel, and the basic.publish method frame, content header frame
// and body frames written by hand into that channel's outgoing frames, where amqplib writes its own.
import amqplib, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { AMQP_URL } from './broker.js';
import { amqplibDefs } from './amqplib-internals.js';

const FRAME_HEADER = 2;
const FRAME_BODY = 3;
const FRAME_END = 0xce;
const BASIC_CLASS = 60;

/** The amqplib internals this helper writes through (amqplib's own `sendMessage` does the same). */
interface ChannelInternals {
  readonly ch: number;
  readonly connection: {
    readonly frameMax: number;
    readonly channels: readonly ({ readonly buffer: { write(frame: Buffer): boolean } } | undefined)[];
  };
  pushConfirmCallback(cb: (err: Error | null) => void): void;
}

function frame(type: number, channel: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt8(type, 0);
  head.writeUInt16BE(channel, 1);
  head.writeUInt32BE(payload.length, 3);
  return Buffer.concat([head, payload, Buffer.from([FRAME_END])]);
}

export interface RawMessage {
  readonly exchange?: string;
  readonly routingKey: string;
  readonly mandatory?: boolean;
  /** Property flags and properties exactly as they go on the wire (amqp-bytes.ts `basicProperties`). */
  readonly properties: Buffer;
  readonly body: Buffer;
}

export class RawPublisher {
  private constructor(
    private readonly conn: ChannelModel,
    private readonly ch: ConfirmChannel,
  ) {}

  static async open(url = AMQP_URL): Promise<RawPublisher> {
    const conn = await amqplib.connect(url, { clientProperties: { connection_name: 'messaging-test-raw' } });
    conn.on('error', () => undefined);
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => undefined);
    return new RawPublisher(conn, ch);
  }

  /**
   * Sends one message; resolves once the broker has confirmed it, rejects when the broker nacks it or closes
   * the channel instead (e.g. for properties it cannot parse). One publish at a time per publisher.
   */
  publish(m: RawMessage): Promise<void> {
    const internals = this.ch as unknown as ChannelInternals;
    const { ch: channel, connection } = internals;
    const out = connection.channels[channel]?.buffer;
    if (out === undefined) return Promise.reject(new Error('channel is closed'));
    const defs = amqplibDefs();
    const method = defs.encodeMethod(defs.BasicPublish, channel, {
      ticket: 0,
      exchange: m.exchange ?? '',
      routingKey: m.routingKey,
      mandatory: m.mandatory ?? false,
      immediate: false,
    });
    const header = Buffer.alloc(12);
    header.writeUInt16BE(BASIC_CLASS, 0);
    header.writeUInt16BE(0, 2); // weight
    header.writeBigUInt64BE(BigInt(m.body.length), 4);
    const headerFrame = frame(FRAME_HEADER, channel, Buffer.concat([header, m.properties]));
    if (headerFrame.length > connection.frameMax) {
      return Promise.reject(
        new RangeError(`content header of ${headerFrame.length} bytes exceeds frame_max`),
      );
    }
    const bodyFrames: Buffer[] = [];
    const chunk = connection.frameMax - 8;
    for (let at = 0; at < m.body.length; at += chunk) {
      bodyFrames.push(frame(FRAME_BODY, channel, m.body.subarray(at, at + chunk)));
    }
    return new Promise<void>((resolve, reject) => {
      // Registered like amqplib's ConfirmChannel.publish does, so the broker's ack or nack settles it.
      internals.pushConfirmCallback((err) => {
        if (err === null) resolve();
        else reject(err);
      });
      out.write(Buffer.concat([method, headerFrame, ...bodyFrames]));
    });
  }

  async close(): Promise<void> {
    await this.conn.close().catch(() => undefined);
  }
}
