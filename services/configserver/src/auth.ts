import type { FastifyInstance } from 'fastify';
import { requireBasicAuth as basicAuth } from '@goblog/runtime';
import type { Credentials } from '@goblog/runtime';

export type { Credentials };

/** Endpoints reachable without credentials: orchestrators probe health without secrets. */
const OPEN_PATHS = new Set(['/health']);

/** HTTP basic auth on every endpoint but /health (see the runtime's requireBasicAuth). */
export function requireBasicAuth(app: FastifyInstance, credentials: Credentials): void {
  basicAuth(app, credentials, {
    realm: 'configserver',
    protects: (request) => !OPEN_PATHS.has(request.url.split('?')[0] ?? ''),
  });
}
