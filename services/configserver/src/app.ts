import type { ConfigRepository, TextEncryptor } from '@goblog/config';
import { createHttpServer, type HttpServerDeps } from '@goblog/runtime';
import type { FastifyInstance } from 'fastify';
import { requireBasicAuth, type Credentials } from './auth.js';
import type { RefreshBus } from './domain/refresh-bus.js';
import { busRoutes } from './routes/bus.js';
import { encryptionRoutes } from './routes/encryption.js';
import { InvalidJsonError } from './errors.js';
import { environmentRoutes } from './routes/environment.js';

export interface ConfigServerDeps extends HttpServerDeps {
  readonly repository: ConfigRepository;
  readonly bus: RefreshBus;
  /** From ENCRYPT_KEY; without it {cipher} values are served as invalid.<key> and /encrypt answers 404 NO_KEY. */
  readonly encryptor?: TextEncryptor;
  /** When set, every endpoint but /health requires HTTP basic auth. */
  readonly credentials?: Credentials;
}

/** The configserver's HTTP app, without listening (tests use inject() or port 0). */
export function buildApp(deps: ConfigServerDeps): FastifyInstance {
  const app = createHttpServer(deps);
  if (deps.credentials) requireBasicAuth(app, deps.credentials);
  // Spring's /encrypt and /monitor take form posts (`curl -d`) and plain text; keep both as raw strings.
  app.addContentTypeParser(
    ['application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream'],
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_request, body, done) => {
      done(null, body);
    },
  );
  // `curl -X POST -H 'Content-Type: application/json' .../actuator/busrefresh` (a common Spring recipe) sends
  // no body at all: accept that as "no body" instead of Fastify's 400 for empty JSON.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: 1024 * 1024 },
    (_request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(text));
      } catch {
        done(new InvalidJsonError(), undefined);
      }
    },
  );
  encryptionRoutes(app, deps);
  busRoutes(app, deps);
  environmentRoutes(app, deps);
  return app;
}
