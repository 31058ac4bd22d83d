import { destinationFor } from '@goblog/config';
import { allowOnly } from '@goblog/runtime';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { destinationsForPaths } from '../domain/changed-services.js';
import { assertPlausibleDestination } from '../domain/destination-rule.js';
import type { RefreshBus } from '../domain/refresh-bus.js';
import { NothingChangedError, toHttpError } from '../errors.js';

/**
 * POST /actuator/busrefresh[/{destination}] (204, like Spring's actuator) and POST /monitor (200 with the
 * destinations it announced): each publishes a RefreshRemoteApplicationEvent on the bus. A destination that
 * is not a plausible `app[:instance]` pattern (domain/destination-rule.ts), or a /monitor request naming
 * too many applications, is answered 400 and publishes nothing.
 */
export function busRoutes(app: FastifyInstance, deps: { bus: RefreshBus }): void {
  const publish = async (destinationService: string, trigger: string): Promise<string> => {
    try {
      return (await deps.bus.publishRefresh(destinationService, trigger)).destinationService ?? '**';
    } catch (err) {
      throw toHttpError(err);
    }
  };
  const refresh = (destination: unknown, trigger: string): Promise<string> =>
    publish(destinationFor(checked(destination)), trigger);

  app.post('/actuator/busrefresh', async (request, reply) => {
    const { destination } = request.query as { destination?: unknown };
    await refresh(destination === '' ? undefined : destination, 'busrefresh');
    return reply.code(204).send();
  });
  allowOnly(app, '/actuator/busrefresh', ['POST']);

  app.post('/actuator/busrefresh/:destination', async (request, reply) => {
    const { destination } = request.params as { destination: string };
    await refresh(destination, 'busrefresh');
    return reply.code(204).send();
  });
  allowOnly(app, '/actuator/busrefresh/:destination', ['POST']);

  app.post('/monitor', async (request) => {
    const paths = changedPaths(request);
    if (paths.length === 0) {
      throw new NothingChangedError();
    }
    let destinations: string[];
    try {
      destinations = destinationsForPaths(paths);
    } catch (err) {
      throw toHttpError(err);
    }
    const published: string[] = [];
    for (const destination of destinations) published.push(await publish(destination, 'monitor'));
    return published;
  });
  allowOnly(app, '/monitor', ['POST']);
}

/** The destination as asked (undefined = everyone), or a 400 when it is not a plausible pattern. */
function checked(destination: unknown): string | undefined {
  if (destination === undefined) return undefined;
  try {
    assertPlausibleDestination(destination);
    return destination;
  } catch (err) {
    throw toHttpError(err);
  }
}

/** `path` from the query, a form or JSON body, or the files of a GitHub/GitLab push webhook's commits. */
function changedPaths(request: FastifyRequest): string[] {
  const paths: string[] = [];
  const query = request.query as Record<string, unknown>;
  collect(query.path, paths);
  const body = request.body;
  if (typeof body === 'string') {
    for (const value of new URLSearchParams(body).getAll('path')) paths.push(value);
  } else if (typeof body === 'object' && body !== null) {
    const { path, commits } = body as { path?: unknown; commits?: unknown };
    collect(path, paths);
    if (Array.isArray(commits)) {
      for (const commit of commits as unknown[]) {
        if (typeof commit !== 'object' || commit === null) continue;
        const { added, modified, removed } = commit as Record<string, unknown>;
        for (const list of [added, modified, removed]) collect(list, paths);
      }
    }
  }
  return paths.filter((p) => p.trim() !== '');
}

function collect(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') into.push(item);
}
