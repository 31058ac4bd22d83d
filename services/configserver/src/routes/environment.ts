import type { ConfigRepository } from '@goblog/config';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { configRouteLabel, parseConfigPath } from '../domain/config-path.js';
import { renderDocument } from '../domain/render.js';
import { NoConfigPathError, NoRouteError, UnsafePathError, toHttpError } from '../errors.js';

/**
 * Spring Cloud Config's read endpoints: /{app}/{profiles}[/{label}] (Environment JSON) and
 * [/{label}]/{app}-{profiles}.{yml|yaml|json|properties}. One wildcard route, so the raw request target
 * can be checked for traversal before anything is decoded.
 */
export function environmentRoutes(app: FastifyInstance, deps: { repository: ConfigRepository }): void {
  const rawPathOf = (url: string): string => url.split('?')[0] ?? '/';
  const config = { metricsRoute: (request: FastifyRequest) => configRouteLabel(rawPathOf(request.url)) };
  app.get('/*', { config }, async (request, reply) => {
    const rawPath = rawPathOf(request.url);
    if (rawPath === '/') throw new NoConfigPathError();
    const parsed = parseConfigPath(rawPath);
    if (!parsed.ok) {
      throw parsed.reason === 'unsafe' ? new UnsafePathError() : new NoRouteError(rawPath);
    }
    const { request: wanted } = parsed;
    let environment;
    try {
      environment = await deps.repository.findOne(wanted.application, wanted.profiles, wanted.label);
    } catch (err) {
      throw toHttpError(err);
    }
    if (wanted.kind === 'environment') return environment;
    const document = renderDocument(environment, wanted.format);
    return reply.type(document.contentType).send(document.body);
  });
}
