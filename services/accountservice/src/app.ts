import { Compile, Type } from '@goblog/schema';
import type { FastifyInstance } from 'fastify';
import { allowOnly, createHttpServer, errorReply, routeObserver } from '@goblog/runtime';
import type { FastPath, Health, PinoLogger, ServiceMetrics } from '@goblog/runtime';
import type { Account, AccountRepository } from './domain/account.js';
import type { NotificationOutbox } from './domain/notification.js';
import type { VipPolicy } from './domain/vip-policy.js';
import { createReadAccount } from './domain/read-account.js';
import { ACCOUNT_ID_PATTERN } from '@goblog/contracts';

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

const ACCOUNT_ROUTE = '/accounts/:id';
const ACCOUNT_PREFIX = '/accounts/';

/**
 * The accountservice's HTTP API: GET /accounts/{id} plus /health and /metrics. No `listen`: tests use
 * `inject()`, main.ts listens. Errors map to HTTP in one place (errors.ts statuses, through the shared
 * handler): malformed id 400, unknown id 404, other methods 405.
 *
 * A read of an existing account with a well-formed id is answered on node:http ahead of Fastify (the
 * runtime's FastPath: Fastify's own per-request work would cost more than the read itself); everything
 * else, errors included, goes through the Fastify route below.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const readAccount = createReadAccount(deps);
  const { servedBy } = deps;
  const app = createHttpServer({
    logger: deps.logger,
    metrics: deps.metrics,
    health: deps.health,
    ...(deps.healthDetails ? { healthDetails: deps.healthDetails } : {}),
    fastPathRoute: ACCOUNT_ROUTE,
    fastPath: accountFastPath({
      readAccount,
      servedBy,
      logger: deps.logger,
      observe: routeObserver(deps.metrics, 'GET', ACCOUNT_ROUTE),
    }),
  });
  // Fastify derives a child logger per request (pino child + redaction setup): measurable on a route this
  // small, and request logging is off anyway. Request-scoped lines use the service logger instead.
  app.setChildLoggerFactory((logger) => logger);

  app.get<{ Params: { id: string } }>(
    ACCOUNT_ROUTE,
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
  allowOnly(app, ACCOUNT_ROUTE, ['GET', 'HEAD']);

  return app;
}

const validParams = Compile(AccountParams);

/**
 * GET /accounts/{id} straight on node:http: the id checked by the route's own schema, the same body and
 * headers as the Fastify route, the same request metric. Returns false (Fastify answers) for anything but a
 * GET of a well-formed id of an existing account.
 */
function accountFastPath(deps: {
  readonly readAccount: ReturnType<typeof createReadAccount>;
  readonly servedBy: string;
  readonly logger: PinoLogger;
  readonly observe: (status: number, seconds: number) => void;
}): FastPath {
  const { readAccount, servedBy, logger, observe } = deps;
  // The 200 body of each account object: the stores hand out the same (immutable) object until the account
  // changes (lmdb-js's object cache, the PostgreSQL repository's cache), so it is serialised once, not per
  // read; a changed account is a new object, and the old one's body goes with it.
  const bodies = new WeakMap<Account, string>();
  const bodyOf = (account: Account): string => {
    let body = bodies.get(account);
    if (body === undefined) {
      body = JSON.stringify({ id: account.id, name: account.name, servedBy });
      bodies.set(account, body);
    }
    return body;
  };
  return (request, response) => {
    const url = request.url;
    if (request.method !== 'GET' || url === undefined || !url.startsWith(ACCOUNT_PREFIX)) return false;
    const id = url.slice(ACCOUNT_PREFIX.length);
    if (!validParams.Check({ id })) return false;
    const started = performance.now();
    const traceparent = request.headers.traceparent;
    let result: Account | Promise<Account>;
    try {
      result = readAccount(id, typeof traceparent === 'string' ? traceparent : undefined);
    } catch {
      // Unknown id or closed store: thrown before anything was recorded; the Fastify route answers it.
      return false;
    }
    const answer = (status: number, body: string): void => {
      response
        .writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
        })
        .end(body);
      observe(status, (performance.now() - started) / 1000);
    };
    const ok = (account: Account): void => {
      answer(200, bodyOf(account));
    };
    if (!(result instanceof Promise)) {
      ok(result);
      return true;
    }
    result.then(ok, (err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      const { status, body } = errorReply(error);
      if (status >= 500) logger.error({ err: error, url }, 'request failed');
      answer(status, JSON.stringify(body));
    });
    return true;
  };
}
