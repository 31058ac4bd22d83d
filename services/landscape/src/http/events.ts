import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Collector, LandscapeSnapshot } from '../collector.js';

/** Open event streams at once: a page per operator, bounded so that no client can pile them up. */
export const MAX_STREAMS = 64;
const HEARTBEAT_MS = 15_000;

export interface EventStreams {
  /** The GET /api/events handler. */
  readonly handler: (request: FastifyRequest, reply: FastifyReply) => void;
  /** Ends every open stream (on shutdown: an open stream would keep the HTTP server from closing). */
  endAll(): void;
}

/**
 * GET /api/events: server-sent events, `event: landscape` with each snapshot as it is taken (the latest at
 * once on connect), and a comment line now and then so that proxies keep the stream open.
 */
export function eventStreams(collector: Collector): EventStreams {
  const open = new Set<FastifyReply['raw']>();
  const handler = (request: FastifyRequest, reply: FastifyReply): void => {
    if (open.size >= MAX_STREAMS) {
      void reply.code(503).send({ error: `too many open event streams (at most ${MAX_STREAMS})` });
      return;
    }
    reply.hijack();
    const res = reply.raw;
    open.add(res);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (snapshot: LandscapeSnapshot): void => {
      // A client that does not read is skipped rather than buffered without bound.
      if (res.writableLength > 1024 * 1024) return;
      res.write(`event: landscape\ndata: ${JSON.stringify(snapshot)}\n\n`);
    };
    res.write('retry: 2000\n\n');
    if (collector.current) send(collector.current);
    const unsubscribe = collector.onSnapshot(send);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const done = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(res);
    };
    request.raw.once('close', done);
  };
  return {
    handler,
    endAll() {
      for (const res of open) res.end();
    },
  };
}
