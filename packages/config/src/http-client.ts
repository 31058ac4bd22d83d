// One small HTTP client over node:http, for the few requests the services make themselves (the configuration
// server at startup, the landscape's probes and the RabbitMQ management API). Not the global `fetch`: its
// undici, loaded on first use, is a large part of an idle service's own memory (measured in
// docs/performance.md, Footprint), and node:http is loaded by every service anyway.
import * as http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export interface HttpRequestOptions {
  /** GET unless given. */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent with its Content-Length. */
  readonly body?: string | Uint8Array;
  /** Aborts the request at any point, connecting or reading the answer: it rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /** The most bytes of body read: a larger answer rejects with ResponseTooLargeError. */
  readonly maxBytes: number;
  /** Which statuses' bodies are read (default: all); the others' are discarded unread and `body` is empty. */
  readonly readBody?: (status: number) => boolean;
}

export class HttpResponse {
  constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    readonly body: Buffer,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  text(): string {
    return this.body.toString('utf8');
  }

  /** The body parsed as JSON; a SyntaxError when it is not JSON. */
  json(): unknown {
    return JSON.parse(this.text()) as unknown;
  }
}

/** The answer's body is larger than the request's `maxBytes`. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';

  constructor(
    readonly maxBytes: number,
    /** The answer's status, its body discarded. */
    readonly status: number,
    /** The Content-Length it announced, when it did. */
    readonly announcedBytes?: number,
  ) {
    super(
      announcedBytes === undefined
        ? `answer too large (more than ${maxBytes} bytes)`
        : `answer of ${announcedBytes} bytes is too large (at most ${maxBytes})`,
    );
  }
}

interface Transport {
  readonly request: typeof http.request;
  readonly agent: http.Agent;
}

/**
 * Agents without keep-alive: each request has its own connection, closed with its answer, so no idle socket
 * outlives a request (nothing to hold a process at shutdown, nor a server's keep-alive timeout to race on
 * reuse). The callers ask every few seconds at most; a connection costs little beside the request itself.
 */
const plain: Transport = { request: http.request, agent: new http.Agent({ keepAlive: false }) };
/** node:https (and with it node:tls) is loaded only by a process that asks an https: URL. */
let secure: Promise<Transport> | undefined;

function transportFor(protocol: string): Transport | Promise<Transport> {
  if (protocol === 'http:') return plain;
  if (protocol !== 'https:') throw new TypeError(`unsupported protocol ${protocol} (http: or https: only)`);
  secure ??= import('node:https').then((https) => ({
    request: https.request,
    agent: new https.Agent({ keepAlive: false }),
  }));
  return secure;
}

/**
 * One HTTP(S) request. A URL's user info would be sent as basic auth, but callers put credentials in an
 * `authorization` header so that no URL they show or log holds them; no error here names the URL. Resolves
 * once the whole body is read, whatever the status; rejects with the connection's error (`code`
 * ECONNREFUSED, ECONNRESET, ...), with `signal.reason` when aborted (AbortSignal.timeout's is a DOMException
 * named TimeoutError), or with ResponseTooLargeError as soon as the body passes `maxBytes` (the connection is
 * closed, the rest unread).
 */
export async function httpRequest(url: string | URL, options: HttpRequestOptions): Promise<HttpResponse> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const { request, agent } = await transportFor(target.protocol);
  const { signal, maxBytes } = options;
  return new Promise<HttpResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const fail = (err: Error): void => {
      settle(() => {
        req.destroy();
        reject(err);
      });
    };
    const onAbort = (): void => {
      if (signal) fail(abortReason(signal));
    };
    const onResponse = (res: IncomingMessage): void => {
      const status = res.statusCode ?? 0;
      res.on('error', fail);
      if (options.readBody !== undefined && !options.readBody(status)) {
        settle(() => {
          resolve(new HttpResponse(status, res.headers, Buffer.alloc(0)));
        });
        res.destroy();
        return;
      }
      const announced = Number(res.headers['content-length']);
      if (announced > maxBytes) {
        fail(new ResponseTooLargeError(maxBytes, status, announced));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) fail(new ResponseTooLargeError(maxBytes, status));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        settle(() => {
          resolve(new HttpResponse(status, res.headers, Buffer.concat(chunks, size)));
        });
      });
      res.on('close', () => {
        if (!res.complete) fail(new Error('connection closed before the answer was complete'));
      });
    };
    const req = request(
      target,
      { method: options.method ?? 'GET', headers: options.headers, agent },
      onResponse,
    );
    req.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(options.body);
  });
}

/** The system error code a request failed with (ECONNREFUSED, ECONNRESET, ...), when it has one. */
export function requestErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** As fetch does, the signal's own reason: AbortSignal.timeout's TimeoutError, abort()'s AbortError or any given. */
function abortReason(signal: AbortSignal): Error {
  return signal.reason as Error;
}
