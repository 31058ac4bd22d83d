import { CIPHER_PREFIX, type TextEncryptor } from '@goblog/config';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { allowOnly } from '@goblog/runtime';
import { BodyTooDeepError, NoTextError } from '../errors.js';

const NO_KEY = {
  error: 'no key was installed for the encryption service: set ENCRYPT_KEY',
  status: 'NO_KEY',
  description: 'No key was installed for encryption service',
};

/**
 * POST /encrypt, POST /decrypt and GET /encrypt/status, as Spring's EncryptionController: the body is the
 * text itself (text/plain, or a form body as `curl -d` sends it), the answer is text/plain.
 */
export function encryptionRoutes(app: FastifyInstance, deps: { encryptor?: TextEncryptor }): void {
  const { encryptor } = deps;

  app.get('/encrypt/status', async (_request, reply) =>
    encryptor ? { status: 'OK' } : reply.code(404).send(NO_KEY),
  );
  allowOnly(app, '/encrypt/status', ['GET', 'HEAD']);

  app.post('/encrypt', async (request, reply) => {
    if (!encryptor) return reply.code(404).send(NO_KEY);
    const text = bodyText(request);
    if (text === '') throw new NoTextError();
    return reply.type('text/plain; charset=utf-8').send(encryptor.encrypt(text));
  });
  allowOnly(app, '/encrypt', ['POST']);

  app.post('/decrypt', async (request, reply) => {
    if (!encryptor) return reply.code(404).send(NO_KEY);
    let text = bodyText(request).trim();
    if (text.startsWith(CIPHER_PREFIX)) text = text.slice(CIPHER_PREFIX.length);
    let plain: string;
    try {
      plain = encryptor.decrypt(text);
    } catch {
      return reply.code(400).send({
        error: 'text was not encrypted with this key',
        status: 'INVALID',
        description: 'Text not encrypted with this key',
      });
    }
    return reply.type('text/plain; charset=utf-8').send(plain);
  });
  allowOnly(app, '/decrypt', ['POST']);
}

/**
 * The raw text of the body. A form post of bare text (`curl -d secret`) arrives as `secret` or, from a
 * browser form, as `secret=`: like Spring, a trailing `=` on a non-text/plain body is URL-decoded and dropped.
 */
function bodyText(request: FastifyRequest): string {
  const body = request.body;
  let text = typeof body === 'string' ? body : body === undefined || body === null ? '' : stringify(body);
  const plain = (request.headers['content-type'] ?? '').startsWith('text/plain');
  if (!plain && text.endsWith('=') && typeof body === 'string') {
    try {
      text = decodeURIComponent(text.replace(/\+/g, ' ')).slice(0, -1);
    } catch {
      text = text.slice(0, -1);
    }
  }
  return text;
}

/** JSON text of a parsed body; a body nested too deeply to serialise again is the client's fault (400). */
function stringify(body: unknown): string {
  try {
    return JSON.stringify(body);
  } catch {
    throw new BodyTooDeepError();
  }
}
