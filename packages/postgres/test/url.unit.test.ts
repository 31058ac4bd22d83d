import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeDatabaseUrl, isDatabaseError, parseDatabaseUrl } from '../src/index.js';

describe('parseDatabaseUrl', () => {
  it('masks the password and lists the URL and the password (raw and encoded) as secrets', () => {
    const url = 'postgres://goblog:s%40cret@db.example:5432/goblog';
    const parsed = parseDatabaseUrl(url);
    assert.equal(parsed.url, url);
    assert.equal(parsed.masked, 'postgres://goblog:***@db.example:5432/goblog');
    assert.deepEqual(parsed.secrets, [url, 's@cret', 's%40cret']);
  });

  it('has only the URL as a secret when there is no password', () => {
    const parsed = parseDatabaseUrl('postgresql://postgres@127.0.0.1/postgres');
    assert.equal(parsed.masked, 'postgresql://postgres@127.0.0.1/postgres');
    assert.deepEqual(parsed.secrets, ['postgresql://postgres@127.0.0.1/postgres']);
  });

  for (const [what, url] of [
    ['not a URL', 'goblog:s3cret@db.example'],
    ['another protocol', 'mysql://goblog:s3cret@db.example/goblog'],
    ['no host', 'postgres://goblog:s3cret@/goblog'],
  ] as const) {
    it(`refuses ${what} with INVALID_URL, never echoing the password`, () => {
      assert.throws(
        () => parseDatabaseUrl(url),
        (err: unknown) => isDatabaseError(err, 'INVALID_URL') && !err.message.includes('s3cret'),
      );
    });
  }
});

describe('describeDatabaseUrl', () => {
  it('is the masked URL, or `database_url` for what is not a postgres URL', () => {
    assert.equal(
      describeDatabaseUrl('postgres://goblog:s3cret@db.example/goblog'),
      'postgres://goblog:***@db.example/goblog',
    );
    assert.equal(describeDatabaseUrl('goblog:s3cret@db.example'), 'database_url');
    assert.equal(describeDatabaseUrl('postgres:goblog:s3cret@db.example'), 'database_url');
  });
});
