import { Type } from '@goblog/schema';
import type { FastifyInstance } from 'fastify';
import { allowOnly, createHttpServer } from '@goblog/runtime';
import type { Health, PinoLogger, ServiceMetrics } from '@goblog/runtime';
import type { Offer } from './domain/offer.js';
import { OfferNotFoundError } from './errors.js';
import { ACCOUNT_ID_PATTERN } from '@goblog/contracts';

export interface AppDeps {
  readonly logger: PinoLogger;
  readonly metrics: ServiceMetrics;
  readonly health: Health;
  readonly offers: { get(accountId: string): Offer | undefined | Promise<Offer | undefined> };
  /** Extra fields for the /health body. */
  readonly healthDetails?: () => Record<string, unknown>;
}

const OfferParams = Type.Object({ accountId: Type.String({ pattern: ACCOUNT_ID_PATTERN }) });

/** The 200 body; a response schema lets Fastify serialise it with a precompiled serialiser. */
const OfferResponse = Type.Object({
  accountId: Type.String(),
  offerId: Type.String(),
  createdAt: Type.String(),
  notifications: Type.Integer(),
  lastReadAt: Type.String(),
});

/**
 * The vipservice's HTTP API: GET /offers/{accountId} plus /health and /metrics. No `listen`: tests use
 * `inject()`, main.ts listens. Malformed id 400, no offer 404 (errors.ts), other methods 405.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = createHttpServer({
    logger: deps.logger,
    metrics: deps.metrics,
    health: deps.health,
    ...(deps.healthDetails ? { healthDetails: deps.healthDetails } : {}),
  });

  app.get<{ Params: { accountId: string } }>(
    '/offers/:accountId',
    { schema: { params: OfferParams, response: { 200: OfferResponse } } },
    async (request) => {
      const { accountId } = request.params;
      const offer = await deps.offers.get(accountId);
      if (offer === undefined) throw new OfferNotFoundError(accountId);
      return offer;
    },
  );
  allowOnly(app, '/offers/:accountId', ['GET', 'HEAD']);

  return app;
}
