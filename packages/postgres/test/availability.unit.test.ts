import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Availability } from '../src/availability.js';

describe('Availability', () => {
  it('starts UP with the masked URL and no error', () => {
    const availability = new Availability('postgres://goblog:***@db/goblog');
    assert.equal(availability.up, true);
    assert.deepEqual(availability.report(), {
      ok: true,
      detail: { url: 'postgres://goblog:***@db/goblog' },
    });
  });

  it('tells its listeners each change once, keeps the last error while DOWN, forgets it when UP', () => {
    const availability = new Availability('postgres://db/goblog');
    const heard: boolean[] = [];
    const stop = availability.onChange((up) => heard.push(up));
    availability.succeeded();
    availability.failed('connect ECONNREFUSED');
    availability.failed('Connection terminated');
    assert.equal(availability.up, false);
    assert.deepEqual(availability.report(), {
      ok: false,
      detail: { url: 'postgres://db/goblog', error: 'Connection terminated' },
    });
    availability.succeeded();
    availability.succeeded();
    assert.deepEqual(availability.report(), { ok: true, detail: { url: 'postgres://db/goblog' } });
    assert.deepEqual(heard, [false, true]);
    stop();
    availability.failed('again');
    assert.deepEqual(heard, [false, true]);
  });
});
