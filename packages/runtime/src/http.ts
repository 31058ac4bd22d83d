import Fastify, { LogController } from 'fastify';
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  HTTPMethods,
  onResponseHookHandler,
} from 'fastify';
import type { PinoLogger } from './logger.js';
import type { ServiceMetrics } from './metrics.js';
import type { Health } from './health.js';

export interface HttpServerDeps {
  readonly logger: PinoLogger;
  readonly metrics: ServiceMetrics;
  readonly health: Health;
  /** Extra fields for the /health body (e.g. outbox depth). */
  readonly healthDetails?: () => Record<string, unknown>;
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
  const app = Fastify({
    loggerInstance,
    // No per-request log lines: they would cost more than the account read itself. Metrics count requests.
    logController: new LogController({ disableRequestLogging: true }),
    // Long ids must reach the schema (-> 400), not be cut off by the router (-> 404).
    routerOptions: { maxParamLength: 512 },
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.validation ? 400 : (err.statusCode ?? 500);
    if (status >= 500) {
      request.log.error({ err, url: request.url }, 'request failed');
      return reply.code(status).send({ error: 'internal error' });
    }
    return reply
      .code(status)
      .send({ error: err.validation ? `invalid request: ${err.message}` : err.message });
  });

  const unmatched = deps.metrics.httpDuration.labels('*', 'unmatched', '404');
  app.setNotFoundHandler((request, reply) => {
    unmatched.observe(reply.elapsedTime / 1000);
    return reply.code(404).send({ error: `no route for ${request.method} ${request.url.slice(0, 200)}` });
  });

  // Request metrics without a global hook: each route gets its own onResponse hook with its labels baked in
  // (reading request.routeOptions builds an object per call, measurable on a route as small as an account read).
  app.addHook('onRoute', (route) => {
    const byStatus = new Map<string, { observe(v: number): void }>();
    const observe: onResponseHookHandler = (request, reply, done) => {
      const key = `${request.method} ${reply.statusCode}`;
      let observer = byStatus.get(key);
      if (observer === undefined) {
        observer = deps.metrics.httpDuration.labels(request.method, route.url, String(reply.statusCode));
        byStatus.set(key, observer);
      }
      observer.observe(reply.elapsedTime / 1000);
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

function toArray<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}
