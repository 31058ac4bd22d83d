import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareReadAt, parseReadAt } from '../src/domain/read-at.js';

void describe('readAt', () => {
  void it("reads Go's time.String() form and normalises it to RFC 3339 in UTC, keeping the nanoseconds", () => {
    const parsed = parseReadAt('2017-02-15 20:06:27.033757223 +0000 UTC');
    assert.deepEqual(parsed, {
      iso: '2017-02-15T20:06:27.033757223Z',
      epochSeconds: Date.UTC(2017, 1, 15, 20, 6, 27) / 1000,
      nanos: 33_757_223,
    });
  });

  void it("reads Go's form with another zone and with the monotonic clock suffix", () => {
    assert.equal(parseReadAt('2017-02-15 21:06:27.5 +0100 CET')?.iso, '2017-02-15T20:06:27.5Z');
    assert.equal(parseReadAt('2017-02-15 20:06:27 +0000 UTC m=+0.001234567')?.iso, '2017-02-15T20:06:27Z');
    assert.equal(parseReadAt('2017-02-15 17:06:27 -0300 -03')?.iso, '2017-02-15T20:06:27Z');
  });

  void it('leaves an RFC 3339 UTC timestamp as it is and moves other offsets to UTC', () => {
    assert.equal(parseReadAt('2024-05-01T10:00:00.123Z')?.iso, '2024-05-01T10:00:00.123Z');
    assert.equal(parseReadAt('2024-05-01T10:00:00Z')?.iso, '2024-05-01T10:00:00Z');
    assert.equal(parseReadAt('2024-05-01T12:30:00.000001+02:30')?.iso, '2024-05-01T10:00:00.000001Z');
    assert.equal(parseReadAt('2024-01-01T00:30:00-01:00')?.iso, '2024-01-01T01:30:00Z');
    assert.equal(parseReadAt('2024-12-31T23:30:00-01:00')?.iso, '2025-01-01T00:30:00Z');
    assert.equal(parseReadAt('2024-02-29T23:00:00-01:00')?.iso, '2024-03-01T00:00:00Z');
    assert.equal(
      parseReadAt('0050-06-01T00:00:00Z')?.epochSeconds,
      Date.parse('0050-06-01T00:00:00Z') / 1000,
    );
    assert.equal(parseReadAt('9999-12-31T23:30:00-01:00'), undefined);
  });

  void it('refuses what is neither form, or a date that does not exist', () => {
    for (const text of [
      '',
      'yesterday',
      '2017-02-15',
      '2017-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2017-04-31T00:00:00Z',
      '2017-02-00T00:00:00Z',
      '2017-13-01T00:00:00Z',
      '2017-02-15T24:00:00Z',
      '2017-02-15T20:06:27',
      '2017-02-15T20:06:27.1234567890Z',
      '2017-02-15 20:06:27 UTC',
      '1487189187',
    ]) {
      assert.equal(parseReadAt(text), undefined, text);
    }
  });

  void it('orders timestamps to the nanosecond', () => {
    const a = parseReadAt('2017-02-15 20:06:27.033757223 +0000 UTC');
    const b = parseReadAt('2017-02-15T20:06:27.033757224Z');
    const c = parseReadAt('2017-02-15T21:06:27.033757223+01:00');
    assert.ok(a && b && c);
    assert.ok(compareReadAt(a, b) < 0);
    assert.ok(compareReadAt(b, a) > 0);
    assert.equal(compareReadAt(a, c), 0);
  });

  void it('reads the canonical RFC 3339 form exactly as the general path reads the same instant', () => {
    // The canonical form (upper-case T and Z) has a fast path; lower-case t and z take the general one.
    const texts = [
      '2024-05-01T10:00:00Z',
      '2024-05-01T10:00:00.1Z',
      '2024-05-01T10:00:00.123Z',
      '2024-02-29T23:59:59.999999999Z',
      '0100-01-01T00:00:00Z',
      '9999-12-31T23:59:59.5Z',
    ];
    for (let i = 0; i < 200; i++) {
      const ms = Math.floor(Math.random() * 4e12);
      texts.push(new Date(ms).toISOString().replace('Z', `${String(i % 10).repeat(i % 7)}Z`));
    }
    for (const text of texts) {
      const general = parseReadAt(text.replace('T', 't').replace(/Z$/, 'z'));
      assert.deepEqual(
        parseReadAt(text),
        general === undefined ? undefined : { ...general, iso: text },
        text,
      );
    }
    // Impossible dates and malformed canonical-looking texts are refused as by the general path.
    for (const bad of [
      '2023-02-29T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T00:60:00Z',
      '2024-01-01T00:00:60Z',
      '2024-01-01T00:00:00.Z',
      '2024-01-01T00:00:00.1234567890Z',
      '2024-01-0aT00:00:00Z',
      '2024-01-01T00:00:00+Z',
    ]) {
      assert.equal(parseReadAt(bad), undefined, bad);
    }
  });
});
