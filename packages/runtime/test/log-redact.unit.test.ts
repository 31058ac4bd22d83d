import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../src/logger.js';

/** A logger writing JSON lines into memory, and the lines parsed. */
function capture(): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const logger = createLogger({ service: 'test', destination: stream, pretty: false });
  const lines = (): Record<string, unknown>[] =>
    text
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines };
}

describe('log redaction', () => {
  it('censors every configured path, top level and one level down, and leaves the rest alone', () => {
    const { logger, lines } = capture();
    const config = { amqp_server_url: 'amqp://u:secret@h/', encrypt_key: 'k', port: 1, url: 'x' };
    const req = { headers: { authorization: 'Bearer t', accept: '*/*' }, method: 'GET' };
    logger.info(
      { password: 'p', url: 'u', config, req, headers: { authorization: 'b', password: 'q' } },
      'm',
    );
    const line = lines()[0] ?? {};
    assert.equal(line.password, '***');
    assert.equal(line.url, '***');
    assert.deepEqual(line.config, { amqp_server_url: '***', encrypt_key: '***', port: 1, url: '***' });
    assert.deepEqual(line.req, { headers: { authorization: '***', accept: '*/*' }, method: 'GET' });
    assert.deepEqual(line.headers, { authorization: '***', password: '***' });
    // The caller's objects are untouched.
    assert.equal(config.amqp_server_url, 'amqp://u:secret@h/');
    assert.equal(req.headers.authorization, 'Bearer t');
  });

  it('keeps an Error an Error when it censors a field of it, and censors child bindings', () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error('refused'), { url: 'postgres://u:pw@h/db' });
    logger.child({ url: 'postgres://u:pw@h/db', db: { password: 'pw' } }).error({ err }, 'failed');
    const line = lines()[0] ?? {};
    assert.equal(line.url, '***');
    assert.deepEqual(line.db, { password: '***' });
    const logged = (line.err ?? {}) as { message?: string; url?: string; type?: string };
    assert.equal(logged.message, 'refused');
    assert.equal(logged.type, 'Error');
    assert.equal(logged.url, '***');
    assert.equal(err.url, 'postgres://u:pw@h/db');
    logger.child({ service: 'x' }).child({ password: 'pw@' }).info('grandchild');
    assert.equal(lines()[1]?.password, '***');
    assert.ok(!JSON.stringify(lines()).includes('pw@'), 'no secret in any line');
  });

  it('writes a line without secrets as given', () => {
    const { logger, lines } = capture();
    logger.info({ messageId: 'm-1', traceId: 'abc', nested: { a: [1, 2] } }, 'Got a message: {}');
    const line = lines()[0] ?? {};
    assert.equal(line.messageId, 'm-1');
    assert.deepEqual(line.nested, { a: [1, 2] });
    assert.equal(line.msg, 'Got a message: {}');
  });
});
