import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loggedBody } from '../src/logged-body.js';

void describe('a body in a log line', () => {
  void it('is shown whole when it fits', () => {
    const body = '{"accountId":"10000","readAt":"2024-05-01T10:00:00Z"}';
    assert.equal(loggedBody(Buffer.from(body), Buffer.byteLength(body)), body);
  });

  void it('is cut at the limit with an ellipsis and its size when it does not', () => {
    assert.equal(loggedBody(Buffer.from('abcdefghij'), 4), 'abcd… (10 bytes)');
  });

  void it('never splits a character at the cut', () => {
    // 'é' is two bytes: a cut after three bytes keeps "aé", one after two bytes keeps "a".
    const body = Buffer.from('aéé');
    assert.equal(loggedBody(body, 3), 'aé… (5 bytes)');
    assert.equal(loggedBody(body, 2), 'a… (5 bytes)');
  });
});
