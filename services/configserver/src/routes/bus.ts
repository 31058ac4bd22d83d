import { destinationFor } from '@goblog/config';
import { allowOnly } from '@goblog/runtime';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { destinationsForPaths } from '../domain/changed-services.js';
import type { RefreshBus } from '../domain/refresh-bus.js';
import { HttpError, toHttpError } from '../errors.js';

const DESTINATION = /^[A-Za-z0-9_.:*?-]{1,200}$/;

/**
 * POST /actuator/busrefresh[/{destination}] (204, like Spring's actuator) and POST /monitor (200 with the
 * destinations it announced): each publishes a RefreshRemoteApplicationEvent on the bus.
 */
export function busRoutes(app: FastifyInstance, deps: { bus: RefreshBus }): void {
  const refresh = async (destination: string | undefined, trigger: string): Promise<string> => {
    if (destination !== undefined && !DESTINATION.test(destination)) {
      throw new HttpError(
        400,
        'destination must look like accountservice, accountservice:6767 or accountservice:**',
      );
    }
    try {
      return (await deps.bus.publishRefresh(destinationFor(destination), trigger)).destinationService ?? '**';
    } catch (err) {
      throw toHttpError(err);
    }
  };

  app.post('/actuator/busrefresh', async (request, reply) => {
    const { destination } = request.query as { destination?: unknown };
    await refresh(
      typeof destination === 'string' && destination !== '' ? destination : undefined,
      'busrefresh',
    );
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
      throw new HttpError(
        400,
        'say what changed: path=<application or file> (form or JSON), or a git push webhook body',
      );
    }
    const published: string[] = [];
    for (const destination of destinationsForPaths(paths))
      published.push(await refresh(destination, 'monitor'));
    return published;
  });
  allowOnly(app, '/monitor', ['POST']);
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
