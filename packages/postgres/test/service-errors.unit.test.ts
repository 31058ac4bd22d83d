import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatabaseError, serviceErrors } from '../src/index.js';

class Unavailable extends Error {}
class Closed extends Error {}

const { asServiceError, mapped } = serviceErrors({
  unavailable: (message) => new Unavailable(message),
  closed: () => new Closed('closed'),
});

describe('serviceErrors', () => {
  it("maps UNAVAILABLE to the service's error with the (secret-free) message, CLOSED to its closed error", () => {
    const unavailable = asServiceError(new DatabaseError('UNAVAILABLE', 'connect ECONNREFUSED'));
    assert.ok(unavailable instanceof Unavailable);
    assert.equal(unavailable.message, 'connect ECONNREFUSED');
    assert.ok(asServiceError(new DatabaseError('CLOSED', 'the database handle is closed')) instanceof Closed);
  });

  it('leaves every other failure as it is', () => {
    const failed = new DatabaseError('QUERY_FAILED', 'syntax error');
    assert.equal(asServiceError(failed), failed);
    const bug = new TypeError('bug');
    assert.equal(asServiceError(bug), bug);
  });

  it('maps the rejection of a promise and passes its value', async () => {
    assert.equal(await mapped(Promise.resolve(7)), 7);
    await assert.rejects(mapped(Promise.reject(new DatabaseError('UNAVAILABLE', 'away'))), Unavailable);
  });
});
