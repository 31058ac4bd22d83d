import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export interface BasicAuthOptions {
  /** Named in the WWW-Authenticate challenge. */
  readonly realm: string;
  /** Which requests need credentials; the others pass untouched. */
  readonly protects: (request: FastifyRequest) => boolean;
}

/**
 * HTTP basic auth on the requests `protects` selects: 401 with a JSON error and a challenge otherwise.
 * Comparison is constant-time (both sides hashed to equal length first) and checks user and password
 * together, so timing tells nothing about either.
 */
export function requireBasicAuth(
  app: FastifyInstance,
  credentials: Credentials,
  options: BasicAuthOptions,
): void {
  const expected = digest(`${credentials.user}:${credentials.password}`);
  app.addHook('onRequest', async (request, reply) => {
    if (!options.protects(request)) return;
    const header = request.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const given = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    if (timingSafeEqual(digest(given), expected)) return;
    return reply
      .code(401)
      .header('www-authenticate', `Basic realm="${options.realm}", charset="UTF-8"`)
      .send({ error: 'authentication required' });
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
