// A TCP proxy between a service and the broker that a test can make swallow what the service sends. It
// lets a test keep an acknowledgement (or a publish) from reaching the broker while the service goes on
// receiving, and answering: the deterministic way to crash a process inside a window that is otherwise a
// few microseconds wide (after a commit and before its ack; after a 200 and before its publish).
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { once } from 'node:events';

export interface TcpProxy {
  readonly port: number;
  /** The URL `url` with its host and port replaced by this proxy's. */
  urlFor(url: string): string;
  /**
   * From now on, the bytes the connections open now send are dropped, never forwarded (what the broker sends
   * still flows). Connections made later are forwarded as usual, so a restarted service gets through.
   */
  dropClientBytes(): void;
  /** Destroys every proxied connection (both sides) and stops listening. Safe to call twice. */
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1 and forwards each connection to `targetHost:targetPort`. */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const open = new Map<Socket, { dropping: boolean }>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    const state = { dropping: false };
    open.set(client, state);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        open.delete(client);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (!state.dropping) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  const port = address.port;
  return {
    port,
    urlFor(url) {
      const u = new URL(url);
      u.host = `127.0.0.1:${port}`;
      return u.toString();
    },
    dropClientBytes() {
      for (const state of open.values()) state.dropping = true;
    },
    async close() {
      for (const s of sockets) s.destroy();
      if (!server.listening) return;
      server.close();
      await once(server, 'close');
    },
  };
}

/** A proxy in front of the broker of `brokerUrl` (amqp://, default port 5672). */
export function startBrokerProxy(brokerUrl: string): Promise<TcpProxy> {
  const broker = new URL(brokerUrl);
  return startTcpProxy(broker.hostname, Number(broker.port || 5672));
}
