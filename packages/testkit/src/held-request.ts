import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { withTimeout } from './wait.js';

/** An HTTP request a service has taken and cannot finish until the test sends the rest of its body. */
export interface HeldRequest {
  /** Sends the rest of the body; resolves with the status line of the answer. */
  finish(): Promise<string>;
}

const BODY = '{}';

/**
 * Starts a `POST {path}` whose body is announced but not sent, so a service's HTTP shutdown step (which
 * waits for the requests in flight) lasts until `finish()`. Resolves once the server has taken the request:
 * `Expect: 100-continue` makes node's server answer `100 Continue` when it hands the request on.
 */
export async function holdRequest(port: number, path: string, timeoutMs = 5000): Promise<HeldRequest> {
  const socket = connect(port, '127.0.0.1');
  await withTimeout(once(socket, 'connect'), timeoutMs, `no connection to port ${port}`);
  const received = collect(socket);
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${BODY.length}\r\nExpect: 100-continue\r\n\r\n`,
  );
  await withTimeout(received.line(/^HTTP\/1\.1 100 /), timeoutMs, 'the request was not taken');
  return {
    async finish() {
      socket.end(BODY);
      const status = await withTimeout(received.line(/^HTTP\/1\.1 [2-5]\d\d /), timeoutMs, 'no answer');
      socket.destroy();
      return status;
    },
  };
}

/** The lines `socket` received, and a wait for the first (past or future) matching a pattern. */
function collect(socket: Socket): { line(pattern: RegExp): Promise<string> } {
  let text = '';
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    for (const wake of waiters) wake();
  });
  socket.on('error', () => undefined);
  return {
    line(pattern) {
      return new Promise((resolve) => {
        const check = (): void => {
          const found = text.split('\r\n').find((l) => pattern.test(l));
          if (found === undefined) return;
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      });
    },
  };
}
