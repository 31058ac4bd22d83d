import { Type } from '@goblog/schema';
import type { FastifyInstance } from 'fastify';
import { allowOnly, createHttpServer, requireBasicAuth } from '@goblog/runtime';
import type { Credentials, Health, PinoLogger, ServiceMetrics } from '@goblog/runtime';
import type { Collector } from '../collector.js';
import { ReplayInterruptedError } from '../dead-letters/dead-letter-queues.js';
import type { DeadLetterListing, DeadLetterQueues } from '../dead-letters/dead-letter-queues.js';
import {
  BrokerUnavailableError,
  NotADeadLetterQueueError,
  NotReadyError,
  PageNotBuiltError,
} from '../errors.js';
import type { Asset } from './assets.js';
import { eventStreams } from './events.js';

export interface AppDeps {
  readonly logger: PinoLogger;
  readonly metrics: ServiceMetrics;
  readonly health: Health;
  readonly collector: Collector;
  readonly deadLetters: DeadLetterQueues;
  readonly asyncApi: Readonly<Record<string, unknown>>;
  /** The page's files; undefined when not built. */
  readonly assets: ReadonlyMap<string, Asset> | undefined;
  /** With them, every mutating call needs HTTP basic auth. */
  readonly credentials: Credentials | undefined;
  /** Whether the broker link is up now, and why not. */
  readonly broker: () => { readonly connected: boolean; readonly error: string | undefined };
}

const QueueParams = Type.Object({ queue: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,255}$' }) });
const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
const Keys = Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { minItems: 1, maxItems: 1000 });
const ReplayBody = Type.Union([
  Type.Object({ keys: Type.Optional(Keys) }, { additionalProperties: false }),
  Type.Null(),
]);
const DiscardBody = Type.Union([
  Type.Object({ keys: Keys }, { additionalProperties: false }),
  Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
]);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Content-Security-Policy of the page: its own scripts only, nothing from anywhere else (the graph library sets inline styles). */
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'";

/**
 * The landscape's HTTP API: the page (GET /), its data (GET /api/landscape, the event stream
 * GET /api/events), the dead letters (list, replay, discard), and GET /asyncapi.json. No `listen`.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = createHttpServer({ logger: deps.logger, metrics: deps.metrics, health: deps.health });
  if (deps.credentials) {
    requireBasicAuth(app, deps.credentials, { realm: 'landscape', protects: (r) => MUTATING.has(r.method) });
  }
  // Any body is JSON or nothing: a POST without a body (curl -X POST) replays everything.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, body === '' ? null : (JSON.parse(body as string) as unknown));
    } catch {
      done(Object.assign(new Error('the body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });

  const page = (name: string) => (_request: unknown, reply: import('fastify').FastifyReply) => {
    const asset = deps.assets?.get(name);
    if (!asset) throw new PageNotBuiltError();
    return reply
      .type(asset.type)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .send(asset.body);
  };
  for (const [url, name] of [
    ['/', 'index.html'],
    ['/app.js', 'app.js'],
    ['/app.css', 'app.css'],
  ] as const) {
    app.get(url, page(name));
    allowOnly(app, url, ['GET', 'HEAD']);
  }

  app.get('/api/landscape', (_request, reply) => {
    const snapshot = deps.collector.current;
    if (!snapshot) throw new NotReadyError();
    return reply.header('cache-control', 'no-store').send(snapshot);
  });
  allowOnly(app, '/api/landscape', ['GET', 'HEAD']);

  const streams = eventStreams(deps.collector);
  app.get('/api/events', streams.handler);
  allowOnly(app, '/api/events', ['GET', 'HEAD']);
  app.addHook('preClose', (done) => {
    streams.endAll();
    done();
  });

  app.get('/asyncapi.json', (_request, reply) =>
    reply.header('cache-control', 'no-cache').send(deps.asyncApi),
  );
  allowOnly(app, '/asyncapi.json', ['GET', 'HEAD']);

  /** The dead-letter queue a path names: itself, or the one of a watched work queue. */
  const deadLetterQueue = (queue: string): string => {
    const dlq = deps.deadLetters.has(queue) ? queue : `${queue}.dlq`;
    if (!deps.deadLetters.has(dlq)) throw new NotADeadLetterQueueError(queue, deps.deadLetters.names);
    const broker = deps.broker();
    if (!broker.connected) throw new BrokerUnavailableError(broker.error ?? 'connecting');
    return dlq;
  };

  app.get<{ Params: { queue: string }; Querystring: { limit?: number } }>(
    '/api/queues/:queue/messages',
    { schema: { params: QueueParams, querystring: ListQuery } },
    async (request) => {
      const queue = deadLetterQueue(request.params.queue);
      const empty: DeadLetterListing = { queue, total: 0, messages: [], truncated: false };
      return deps.deadLetters.list(queue, request.query.limit ?? 100).catch(absentQueue(empty));
    },
  );
  allowOnly(app, '/api/queues/:queue/messages', ['GET', 'HEAD']);

  app.post<{ Params: { queue: string }; Body: { keys?: string[] } | null }>(
    '/api/queues/:queue/replay',
    { schema: { params: QueueParams, body: ReplayBody } },
    async (request, reply) => {
      const queue = deadLetterQueue(request.params.queue);
      try {
        const keys = request.body?.keys;
        const result = await deps.deadLetters.replay(queue, keys ? { keys } : {});
        request.log.info({ queue, ...result }, `replayed ${result.replayed} message(s) from ${queue}`);
        return result;
      } catch (err) {
        if (!(err instanceof ReplayInterruptedError)) throw err;
        if (isNotFound(err.cause)) return { replayed: 0, skipped: 0 };
        if (err.replayed === 0 && !isConnectionLoss(err.cause)) {
          throw new BrokerUnavailableError(
            err.cause instanceof Error ? err.cause.message : String(err.cause),
          );
        }
        request.log.warn({ queue, replayed: err.replayed }, err.message);
        return await reply.code(503).send({ error: err.message, replayed: err.replayed });
      } finally {
        deps.collector.refreshSoon();
      }
    },
  );
  allowOnly(app, '/api/queues/:queue/replay', ['POST']);

  app.post<{ Params: { queue: string }; Body: { keys: string[] } | { all: true } }>(
    '/api/queues/:queue/discard',
    { schema: { params: QueueParams, body: DiscardBody } },
    async (request) => {
      const queue = deadLetterQueue(request.params.queue);
      const body = request.body;
      try {
        const result = await deps.deadLetters
          .discard(queue, 'keys' in body ? { keys: body.keys } : {})
          .catch(absentQueue({ discarded: 0 }));
        request.log.info({ queue, ...result }, `discarded ${result.discarded} message(s) from ${queue}`);
        return result;
      } finally {
        deps.collector.refreshSoon();
      }
    },
  );
  allowOnly(app, '/api/queues/:queue/discard', ['POST']);

  return app;
}

/**
 * A dead-letter queue that does not exist yet holds nothing: `empty`, not an error. Any other failure is the
 * broker's (a lost connection): 503.
 */
function absentQueue<T>(empty: T): (err: unknown) => T {
  return (err) => {
    if (isNotFound(err)) return empty;
    throw new BrokerUnavailableError(err instanceof Error ? err.message : String(err));
  };
}

/** A failure once the replay had started: the channel or the connection went away under it. */
function isConnectionLoss(err: unknown): boolean {
  return err instanceof Error && /closed|ECONNRESET|EPIPE|socket/i.test(err.message);
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 404;
}
