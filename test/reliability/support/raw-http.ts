// HTTP requests as raw bytes over a TCP socket: fetch() and node:http refuse to send most of what an abuser
// sends (bad methods, broken headers, lying Content-Length, truncated bodies), so these are written by hand.
import { connect } from 'node:net';

export interface RawCase {
  /** What the case is, for failure messages ("bad method PROPFIND /accounts/10000"). */
  readonly name: string;
  /** The bytes sent. */
  readonly payload: Buffer;
  /** Half-close after writing (a client that gives up mid-request). Default false. */
  readonly end?: boolean;
  /**
   * The server may rightly close without a word (the request never became one it could answer: the client
   * gave up in the middle of it). Every other case must get a status line; default false.
   */
  readonly mayGoUnanswered?: boolean;
}

export interface RawOutcome {
  readonly name: string;
  /** Status codes of the responses received (several when the server saw several requests). */
  readonly statuses: readonly number[];
  /** Nothing came back before the server closed or the timeout. */
  readonly noResponse: boolean;
  /** Copied from the case: whether no response is an acceptable outcome. */
  readonly mayGoUnanswered: boolean;
  /** Our timeout ended it, not the server: with `noResponse`, the request hung. */
  readonly timedOut: boolean;
}

/**
 * Sends one case and collects every status line until the server closes, or until `idleMs` pass without a
 * byte once something came back (a kept-alive connection stays open after its answers). `timeoutMs` bounds
 * the wait for the first byte, and is only for a request that hangs: long, since a short one failed cases
 * that were merely slow on a loaded machine.
 */
export function sendRaw(port: number, c: RawCase, timeoutMs = 10_000, idleMs = 1500): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let settled = false;
    let timedOut = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const statuses = [...data.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
      resolve({
        name: c.name,
        statuses,
        noResponse: statuses.length === 0,
        mayGoUnanswered: c.mayGoUnanswered ?? false,
        timedOut,
      });
    };
    const expire = (): void => {
      timedOut = true;
      finish();
    };
    let timer = setTimeout(expire, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      data += chunk;
      clearTimeout(timer);
      timer = setTimeout(expire, idleMs);
    });
    socket.on('end', finish);
    socket.on('close', finish);
    // A server that answers 431/413 and closes while we are still writing: EPIPE/ECONNRESET are expected.
    socket.on('error', finish);
    socket.on('connect', () => {
      socket.write(c.payload);
      if (c.end) socket.end();
    });
  });
}

/** Runs `cases` with at most `concurrency` sockets open at once. */
export async function sendAll(
  port: number,
  cases: readonly RawCase[],
  concurrency = 24,
): Promise<RawOutcome[]> {
  const out: RawOutcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++] as RawCase;
      out.push(await sendRaw(port, c));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return out;
}

/** `METHOD path HTTP/1.1`, Host and Connection: close, the extra header lines, then the body. */
export function request(
  method: string,
  path: string,
  headers: readonly string[] = [],
  body: string | Buffer = '',
): Buffer {
  const head = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers].join(
    '\r\n',
  );
  return Buffer.concat([
    Buffer.from(`${head}\r\n\r\n`, 'latin1'),
    Buffer.isBuffer(body) ? body : Buffer.from(body),
  ]);
}
