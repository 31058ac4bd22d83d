import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { allowOnly, createHttpServer } from '@goblog/runtime';
import type { Health, PinoLogger, ServiceMetrics } from '@goblog/runtime';
import type { AccountRepository } from './domain/account.js';
import type { NotificationOutbox } from './domain/notification.js';
import type { VipPolicy } from './domain/vip-policy.js';
import { createReadAccount } from './domain/read-account.js';
import { ACCOUNT_ID_PATTERN } from './config.js';

export interface AppDeps {
  readonly logger: PinoLogger;
  readonly metrics: ServiceMetrics;
  readonly health: Health;
  readonly accounts: AccountRepository;
  readonly vip: VipPolicy;
  readonly outbox: NotificationOutbox;
  /** This instance's address, as the article's `servedBy`. */
  readonly servedBy: string;
  /** Extra fields for the /health body (the outbox's depth and age). */
  readonly healthDetails?: () => Record<string, unknown>;
}

const AccountParams = Type.Object({ id: Type.String({ pattern: ACCOUNT_ID_PATTERN }) });

/** The 200 body; a response schema lets Fastify serialise it with a precompiled serialiser. */
const AccountResponse = Type.Object({ id: Type.String(), name: Type.String(), servedBy: Type.String() });

/**
 * The accountservice's HTTP API: GET /accounts/{id} plus /health and /metrics. No `listen`: tests use
 * `inject()`, main.ts listens. Errors map to HTTP in one place (errors.ts statuses, through the shared
 * handler): malformed id 400, unknown id 404, other methods 405.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = createHttpServer({
    logger: deps.logger,
    metrics: deps.metrics,
    health: deps.health,
    ...(deps.healthDetails ? { healthDetails: deps.healthDetails } : {}),
  });
  // Fastify derives a child logger per request (pino child + redaction setup): measurable on a route this
  // small, and request logging is off anyway. Request-scoped lines use the service logger instead.
  app.setChildLoggerFactory((logger) => logger);
  const readAccount = createReadAccount(deps);
  const { servedBy } = deps;

  app.get<{ Params: { id: string } }>(
    '/accounts/:id',
    { schema: { params: AccountParams, response: { 200: AccountResponse } } },
    (request) => {
      const traceparent = request.headers.traceparent;
      const result = readAccount(
        request.params.id,
        typeof traceparent === 'string' ? traceparent : undefined,
      );
      if (result instanceof Promise) return result.then((a) => ({ id: a.id, name: a.name, servedBy }));
      return { id: result.id, name: result.name, servedBy };
    },
  );
  allowOnly(app, '/accounts/:id', ['GET', 'HEAD']);

  return app;
}
