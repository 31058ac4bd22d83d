import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController } from 'fastify';
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  FastifyRequest,
  FastifyServerFactory,
  HTTPMethods,
  onResponseHookHandler,
} from 'fastify';
import type { PinoLogger } from './logger.js';
import type { ServiceMetrics } from './metrics.js';
import type { Health } from './health.js';
import { refuseConnectMethod } from './connect-method.js';
import { nameSpanAfterRoute, tracedListener } from './http-tracing.js';
import { schemaCompilers } from './schema-compilers.js';
import { tracingOn } from '@goblog/telemetry';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The `route` label of this route's request metrics, per request, for a route whose URL pattern says
     * little (a wildcard): return a template from a small fixed set (never the raw URL: every distinct value
     * is a new time series). Without it the label is the route's URL pattern.
     */
    metricsRoute?: (request: FastifyRequest) => string;
  }
}

export interface HttpServerDeps {
  readonly logger: PinoLogger;
  readonly metrics: ServiceMetrics;
  readonly health: Health;
  /** Extra fields for the /health body (e.g. outbox depth). */
  readonly healthDetails?: () => Record<string, unknown>;
  /** Answers the service's hottest requests ahead of Fastify's routing (see FastPath). */
  readonly fastPath?: FastPath;
  /** The route the fast path answers, as its request spans are named (`/accounts/:id`). */
  readonly fastPathRoute?: string;
}

/**
 * Answers a request on node:http directly, ahead of Fastify, and returns true; or returns false, having
 * written nothing, and Fastify answers it. For the one route whose handler is so small that Fastify's own
 * per-request work dominates it (measured here: a minimal Fastify app with one route serves 0.75x the
 * requests/s of a bare node:http server). A fast path answers only the requests it can answer completely
 * (a valid input, a success, or an error through `errorReply`) and observes `http_request_duration_seconds`
 * with `routeObserver`; everything else (a malformed or unknown id, another method, a query string) falls
 * through to the Fastify route, whose schema validation and error mapping answer it.
 */
export type FastPath = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The one mapping of errors to HTTP answers: 4xx for what the client got wrong (never a 5xx for bad input),
 * 503 with its reason for a service that is unavailable for now (store closed, shutting down), and a bare
 * `internal error` for any other 5xx, whose message could carry internals.
 */
export function errorReply(err: {
  readonly statusCode?: number;
  readonly validation?: unknown;
  readonly message: string;
}): { readonly status: number; readonly body: { readonly error: string } } {
  const status = err.validation ? 400 : (err.statusCode ?? 500);
  if (status >= 500 && status !== 503) return { status, body: { error: 'internal error' } };
  return { status, body: { error: err.validation ? `invalid request: ${err.message}` : err.message } };
}

/** Observes request durations (seconds) of one route by status, the label children resolved once. */
export function routeObserver(
  metrics: ServiceMetrics,
  method: string,
  route: string,
): (status: number, seconds: number) => void {
  const byStatus = new Map<number, { observe(v: number): void }>();
  return (status, seconds) => {
    let observer = byStatus.get(status);
    if (observer === undefined) {
      observer = metrics.httpDuration.child({ method, route, status: String(status) });
      byStatus.set(status, observer);
    }
    observer.observe(seconds);
  };
}

const ALL_METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/**
 * A Fastify instance with what every service shares: JSON errors mapped in one place (4xx for anything the
 * client got wrong, never a 5xx for bad input), /health, /metrics and per-route request metrics.
 * Routes are added by the service; `listen` is the caller's (tests use `inject()`).
 */
export function createHttpServer(deps: HttpServerDeps): FastifyInstance {
  // Typed as Fastify's base logger so the instance has Fastify's default type, shared by every service.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const { fastPath } = deps;
  const traced = tracingOn();
  let closing = false;
  const app = Fastify({
    loggerInstance,
    // No per-request log lines: they would cost more than the account read itself. Metrics count requests.
    logController: new LogController({ disableRequestLogging: true }),
    // Long ids must reach the schema (-> 400), not be cut off by the router (-> 404).
    routerOptions: { maxParamLength: 512 },
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    // Route schemas compiled by typebox: Ajv and fast-json-stringify are never loaded (see schema-compilers.ts).
    schemaController: { compilersFactory: schemaCompilers },
    ...(fastPath === undefined && !traced
      ? {}
      : { serverFactory: withFastPath(fastPath, () => closing, traced, deps.fastPathRoute) }),
  });
  refuseConnectMethod(app.server);
  if (traced)
    app.addHook('onRequest', (request, _reply, done) => {
      nameSpanAfterRoute(request);
      done();
    });
  // While closing, every request goes to Fastify, which answers 503.
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { status, body } = errorReply(err);
    if (status >= 500) request.log.error({ err, url: request.url }, 'request failed');
    return reply.code(status).send(body);
  });

  const unmatched = deps.metrics.httpDuration.child({ method: '*', route: 'unmatched', status: '404' });
  app.setNotFoundHandler((request, reply) => {
    unmatched.observe(reply.elapsedTime / 1000);
    return reply.code(404).send({ error: `no route for ${request.method} ${request.url.slice(0, 200)}` });
  });

  // Request metrics without a global hook: each route gets its own onResponse hook with its labels baked in
  // (reading request.routeOptions builds an object per call, measurable on a route as small as an account read).
  app.addHook('onRoute', (route) => {
    // Observers by method (and by label, for a route that labels each request itself).
    const observers = new Map<string, (status: number, seconds: number) => void>();
    const label = route.config?.metricsRoute;
    const observe: onResponseHookHandler = (request, reply, done) => {
      const routeLabel = label === undefined ? route.url : label(request);
      const key = label === undefined ? request.method : `${request.method} ${routeLabel}`;
      let observer = observers.get(key);
      if (observer === undefined) {
        observer = routeObserver(deps.metrics, request.method, routeLabel);
        observers.set(key, observer);
      }
      observer(reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
    route.onResponse = [...toArray(route.onResponse), observe];
  });
  // No per-request child logger (pino child + redaction setup per request): request logging is off, and
  // request-scoped lines can use the service logger.
  app.setChildLoggerFactory((logger) => logger);

  app.get('/health', async (_request, reply) => {
    const report = deps.health.report();
    return reply.code(report.status === 'UP' ? 200 : 503).send({ ...report, ...deps.healthDetails?.() });
  });
  allowOnly(app, '/health', ['GET', 'HEAD']);

  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
  allowOnly(app, '/metrics', ['GET', 'HEAD']);

  return app;
}

/** Answers 405 with an Allow header for every method not in `allowed` on `url`. */
export function allowOnly(app: FastifyInstance, url: string, allowed: readonly HTTPMethods[]): void {
  const others = ALL_METHODS.filter((m) => !allowed.includes(m));
  app.route({
    method: others,
    url,
    handler: async (_request, reply) =>
      reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send({ error: `method not allowed; use ${allowed.join(' or ')}` }),
  });
}

/**
 * A node:http server that offers each request to `fastPath` before Fastify's handler (unless closing), each
 * request in its span when traced.
 */
function withFastPath(
  fastPath: FastPath | undefined,
  closing: () => boolean,
  traced: boolean,
  fastPathRoute: string | undefined,
): FastifyServerFactory {
  return (handler, options) => {
    const answer = (request: IncomingMessage, response: ServerResponse): boolean => {
      if (!closing() && fastPath?.(request, response) === true) return true;
      handler(request, response);
      return false;
    };
    const server = createServer(
      traced
        ? tracedListener(answer, fastPathRoute)
        : (request, response) => {
            if (closing() || fastPath === undefined || !fastPath(request, response))
              handler(request, response);
          },
    );
    // What Fastify sets on a server it creates itself.
    const option = (key: string, fallback: number): number => {
      const value = options[key];
      return typeof value === 'number' ? value : fallback;
    };
    server.keepAliveTimeout = option('keepAliveTimeout', 72_000);
    server.requestTimeout = option('requestTimeout', 0);
    server.setTimeout(option('connectionTimeout', 0));
    return server;
  };
}

function toArray<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}
