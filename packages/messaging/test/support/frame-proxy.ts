// A TCP proxy in front of the broker that understands AMQP 0-9-1 frames, so a test can make the rare
// interleavings of the protocol happen every time: a connection cut right after a given frame, a frame
// injected into the same socket read as another, replies held back while the broker moves on.
import { once } from 'node:events';
import net from 'node:net';
import { AMQP_URL } from './broker.js';

export type Sender = 'client' | 'server';

export interface Frame {
  readonly type: number;
  readonly channel: number;
  readonly payload: Buffer;
  /** Method frames only. */
  readonly classId: number | undefined;
  readonly methodId: number | undefined;
}

/** One proxied connection, as a rule sees it. */
export interface Link {
  /** Frames to write right after the current one, in the same write (so the peer reads them together). */
  inject(bytes: Buffer): void;
  /** Cuts both sockets once the current write is done. */
  kill(): void;
  /** Buffers everything the server sends from now on (the rule still sees each frame). */
  hold(): void;
  /** Writes what was held, in one write, and forwards again. */
  release(): void;
}

/** Called for every frame in either direction; returning false drops the frame. */
export type Rule = (frame: Frame, from: Sender, link: Link) => boolean | undefined;

const FRAME_METHOD = 1;
const FRAME_END = 0xce;
const PROTOCOL_HEADER_BYTES = 8;

export const Methods = {
  connectionClose: [10, 50],
  channelClose: [20, 40],
  basicConsumeOk: [60, 21],
  basicCancel: [60, 30],
  confirmSelectOk: [85, 11],
} as const;

export function isMethod(frame: Frame, [classId, methodId]: readonly [number, number]): boolean {
  return frame.classId === classId && frame.methodId === methodId;
}

/** A method frame of `channel` with already-encoded arguments. */
export function methodFrame(
  channel: number,
  [classId, methodId]: readonly [number, number],
  args: Buffer,
): Buffer {
  const payload = Buffer.alloc(4 + args.length);
  payload.writeUInt16BE(classId, 0);
  payload.writeUInt16BE(methodId, 2);
  args.copy(payload, 4);
  const frame = Buffer.alloc(7 + payload.length + 1);
  frame.writeUInt8(FRAME_METHOD, 0);
  frame.writeUInt16BE(channel, 1);
  frame.writeUInt32BE(payload.length, 3);
  payload.copy(frame, 7);
  frame.writeUInt8(FRAME_END, 7 + payload.length);
  return frame;
}

export function shortstr(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

/** Connection.Close from the server, as a broker that is going away sends it. */
export function connectionCloseFrame(): Buffer {
  const args = Buffer.concat([
    Buffer.from([0x01, 0x40]), // 320 CONNECTION_FORCED
    shortstr('CONNECTION_FORCED - test proxy'),
    Buffer.alloc(4),
  ]);
  return methodFrame(0, Methods.connectionClose, args);
}

/** The consumer tag of a Basic.ConsumeOk frame. */
export function consumerTagOf(frame: Frame): string {
  const len = frame.payload.readUInt8(4);
  return frame.payload.toString('utf8', 5, 5 + len);
}

class Parser {
  private buffer = Buffer.alloc(0);
  private headerLeft: number;

  constructor(expectsProtocolHeader: boolean) {
    this.headerLeft = expectsProtocolHeader ? PROTOCOL_HEADER_BYTES : 0;
  }

  /** Splits `chunk` into the protocol header (passed through as is) and complete frames. */
  push(chunk: Buffer): { passthrough: Buffer | undefined; frames: { frame: Frame; raw: Buffer }[] } {
    let passthrough: Buffer | undefined;
    let data = Buffer.concat([this.buffer, chunk]);
    if (this.headerLeft > 0) {
      const n = Math.min(this.headerLeft, data.length);
      passthrough = data.subarray(0, n);
      data = data.subarray(n);
      this.headerLeft -= n;
    }
    const frames: { frame: Frame; raw: Buffer }[] = [];
    let offset = 0;
    while (data.length - offset >= 8) {
      const size = data.readUInt32BE(offset + 3);
      const total = 7 + size + 1;
      if (data.length - offset < total) break;
      const raw = data.subarray(offset, offset + total);
      const type = raw.readUInt8(0);
      const payload = raw.subarray(7, 7 + size);
      const isMethodFrame = type === FRAME_METHOD && size >= 4;
      frames.push({
        raw,
        frame: {
          type,
          channel: raw.readUInt16BE(1),
          payload,
          classId: isMethodFrame ? payload.readUInt16BE(0) : undefined,
          methodId: isMethodFrame ? payload.readUInt16BE(2) : undefined,
        },
      });
      offset += total;
    }
    this.buffer = Buffer.from(data.subarray(offset));
    return { passthrough, frames };
  }
}

export class FrameProxy {
  private readonly sockets = new Set<net.Socket>();
  /** Connections accepted so far. */
  accepted = 0;

  private constructor(
    private readonly server: net.Server,
    private readonly rule: Rule,
  ) {}

  static async start(rule: Rule): Promise<FrameProxy> {
    const target = new URL(AMQP_URL);
    const server = net.createServer();
    const proxy = new FrameProxy(server, rule);
    server.on('connection', (client) => {
      proxy.pipe(client, target.hostname, Number(target.port || 5672));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  /** The broker URL (credentials and vhost of AMQP_URL) through this proxy. */
  get url(): string {
    const u = new URL(AMQP_URL);
    u.host = `127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
    return u.toString();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.close();
    await once(this.server, 'close');
  }

  private pipe(client: net.Socket, host: string, port: number): void {
    this.accepted++;
    const upstream = net.connect(port, host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    // Changed from the rule's closures: fields, so that narrowing does not assume they stay as they are.
    const state: { held: Buffer[] | undefined; killed: boolean } = { held: undefined, killed: false };
    const kill = (): void => {
      state.killed = true;
      client.destroy();
      upstream.destroy();
    };
    const forget = (): void => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      kill();
    };
    client.on('close', forget);
    upstream.on('close', forget);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    const relay = (from: Sender, parser: Parser, to: net.Socket) => (chunk: Buffer) => {
      const { passthrough, frames } = parser.push(chunk);
      const out: Buffer[] = passthrough ? [passthrough] : [];
      const after = { kill: false };
      for (const { frame, raw } of frames) {
        const extra: Buffer[] = [];
        const link: Link = {
          inject: (bytes) => extra.push(bytes),
          kill: () => {
            after.kill = true;
          },
          hold: () => {
            state.held ??= [];
          },
          release: () => {
            const h = state.held;
            state.held = undefined;
            if (h !== undefined && h.length > 0 && !state.killed) client.write(Buffer.concat(h));
          },
        };
        if (this.rule(frame, from, link) !== false) out.push(raw);
        out.push(...extra);
      }
      if (out.length > 0 && !state.killed) {
        if (from === 'server' && state.held !== undefined) state.held.push(...out);
        else to.write(Buffer.concat(out));
      }
      if (after.kill) kill();
    };
    client.on('data', relay('client', new Parser(true), upstream));
    upstream.on('data', relay('server', new Parser(false), client));
  }
}
