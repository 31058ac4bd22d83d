import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

const BODY = JSON.stringify({ error: 'method not allowed: this server is not a proxy' });

/**
 * Node's HTTP server hands a CONNECT request to its 'connect' listeners instead of the request handler, and
 * without a listener closes the socket with no answer. No service here tunnels, so a CONNECT gets what any
 * other unsupported method gets: a 405 with a JSON body, and the connection closed (after CONNECT the bytes
 * that follow are not HTTP).
 */
export function refuseConnectMethod(server: Server): void {
  server.on('connect', (_request: unknown, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    socket.end(
      'HTTP/1.1 405 Method Not Allowed\r\n' +
        'content-type: application/json; charset=utf-8\r\n' +
        `content-length: ${Buffer.byteLength(BODY)}\r\n` +
        'connection: close\r\n\r\n' +
        BODY,
    );
  });
}
