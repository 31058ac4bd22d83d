import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatabaseError, isDatabaseError, isUnavailable, toDatabaseError } from '../src/index.js';

/** An Error with a `code`, as node-postgres and the socket layer make them. */
function coded(code: string, message = `failed with ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe('isUnavailable', () => {
  for (const code of ['08006', '08001', '57P01', '57P02', '57P03', '53300', '57014']) {
    it(`is true for SQLSTATE ${code} (the server is away for now)`, () => {
      assert.equal(isUnavailable(coded(code)), true);
    });
  }
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']) {
    it(`is true for the socket's ${code}`, () => {
      assert.equal(isUnavailable(coded(code)), true);
    });
  }
  for (const message of [
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Query read timeout',
    'Client has encountered a connection error and is not queryable',
  ]) {
    it(`is true for node-postgres' uncoded "${message}"`, () => {
      assert.equal(isUnavailable(new Error(message)), true);
    });
  }

  it('is true for an AggregateError holding one refused connection (each address of a host tried)', () => {
    const err = new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], '');
    assert.equal(isUnavailable(err), true);
  });

  for (const code of ['23505', '42P01', '42601', '22P02', '40P01']) {
    it(`is false for SQLSTATE ${code} (retrying the same statement would not cure it)`, () => {
      assert.equal(isUnavailable(coded(code)), false);
    });
  }

  it('is false for what is not an Error, and follows the code of a DatabaseError', () => {
    assert.equal(isUnavailable('ECONNREFUSED'), false);
    assert.equal(isUnavailable(undefined), false);
    assert.equal(isUnavailable(new DatabaseError('UNAVAILABLE', 'away')), true);
    assert.equal(isUnavailable(new DatabaseError('QUERY_FAILED', 'Connection terminated')), false);
  });
});

describe('toDatabaseError', () => {
  const url = 'postgres://goblog:s3cret@db.example:5432/goblog';
  const secrets = [url, 's3cret'];

  it('maps an unavailable server to UNAVAILABLE with its errno as the reason and no secret', () => {
    const mapped = toDatabaseError(coded('ECONNREFUSED', `connect ECONNREFUSED ${url} (s3cret)`), secrets);
    assert.equal(mapped.code, 'UNAVAILABLE');
    assert.equal(mapped.reason, 'ECONNREFUSED');
    assert.equal(mapped.message, 'connect ECONNREFUSED *** (***)');
  });

  it("maps the server's other errors to QUERY_FAILED with their SQLSTATE", () => {
    const mapped = toDatabaseError(coded('23505', 'duplicate key value'), secrets);
    assert.equal(mapped.code, 'QUERY_FAILED');
    assert.equal(mapped.reason, '23505');
    assert.equal(mapped.message, 'duplicate key value');
  });

  it('passes a DatabaseError through unchanged and maps a non-Error by its text', () => {
    const original = new DatabaseError('CLOSED', 'closed');
    assert.equal(toDatabaseError(original, secrets), original);
    const fromString = toDatabaseError('s3cret went wrong', secrets);
    assert.ok(isDatabaseError(fromString, 'QUERY_FAILED'));
    assert.equal(fromString.message, '*** went wrong');
    assert.equal(fromString.reason, undefined);
  });

  it('names an Error without a message by its class', () => {
    assert.equal(toDatabaseError(new TypeError(''), secrets).message, 'TypeError');
  });
});
