import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** Endpoints reachable without credentials: orchestrators probe health without secrets. */
const OPEN_PATHS = new Set(['/health']);

/**
 * HTTP basic auth on every endpoint but /health. Comparison is constant-time (both sides hashed to equal
 * length first) and checks user and password together, so timing tells nothing about either.
 */
export function requireBasicAuth(app: FastifyInstance, credentials: Credentials): void {
  const expected = digest(`${credentials.user}:${credentials.password}`);
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (OPEN_PATHS.has(path)) return;
    const header = request.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const given = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    if (timingSafeEqual(digest(given), expected)) return;
    return reply
      .code(401)
      .header('www-authenticate', 'Basic realm="configserver", charset="UTF-8"')
      .send({ error: 'authentication required' });
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
