import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { TalliedHistogram, Tallies } from '../src/index.js';

async function scraped(registry: Registry, series: string): Promise<number> {
  const row = (await registry.metrics()).split('\n').find((l) => l.startsWith(series));
  return row === undefined ? NaN : Number(row.slice(series.length).trim());
}

describe('Tallies', () => {
  it('every increment before a scrape is in it, each counted once, per label set', async () => {
    const registry = new Registry();
    const tallies = new Tallies<'outcome'>();
    const counter = new Counter({
      name: 'things_total',
      help: 'things',
      labelNames: ['outcome'],
      registers: [registry],
      collect: tallies.collect,
    });
    const ok = tallies.of(counter, { outcome: 'ok' });
    const bad = tallies.of(counter, { outcome: 'bad' });
    for (let i = 0; i < 3; i++) ok.inc();
    bad.inc();
    assert.equal(await scraped(registry, 'things_total{outcome="ok"}'), 3);
    assert.equal(await scraped(registry, 'things_total{outcome="bad"}'), 1);
    ok.inc();
    assert.equal(await scraped(registry, 'things_total{outcome="ok"}'), 4);
    assert.equal(await scraped(registry, 'things_total{outcome="bad"}'), 1);
  });
});

describe('TalliedHistogram', () => {
  it('exposes cumulative buckets, +Inf, sum and count per label set, as prom-client does', async () => {
    const registry = new Registry();
    const h = new TalliedHistogram<'consumer'>({
      name: 'work_seconds',
      help: 'work',
      buckets: [0.01, 0.1, 1],
      registers: [registry],
    });
    const a = h.child({ consumer: 'a' });
    for (const v of [0.005, 0.01, 0.05, 0.5, 3, Number.NaN]) a.observe(v);
    h.child({ consumer: 'b' }).observe(0.2);
    const text = await registry.metrics();
    assert.match(text, /# TYPE work_seconds histogram/);
    assert.equal(await scraped(registry, 'work_seconds_bucket{le="0.01",consumer="a"}'), 2);
    assert.equal(await scraped(registry, 'work_seconds_bucket{le="0.1",consumer="a"}'), 3);
    assert.equal(await scraped(registry, 'work_seconds_bucket{le="1",consumer="a"}'), 4);
    assert.equal(await scraped(registry, 'work_seconds_bucket{le="+Inf",consumer="a"}'), 5);
    assert.equal(await scraped(registry, 'work_seconds_count{consumer="a"}'), 5);
    assert.ok(Math.abs((await scraped(registry, 'work_seconds_sum{consumer="a"}')) - 3.565) < 1e-9);
    assert.equal(await scraped(registry, 'work_seconds_count{consumer="b"}'), 1);
    // Like prom-client's: a label set shows once observed, and a reset hides it until observed again.
    h.child({ consumer: 'idle' });
    assert.doesNotMatch(await registry.metrics(), /consumer="idle"/);
    registry.resetMetrics();
    assert.doesNotMatch(await registry.metrics(), /work_seconds_count/);
    a.observe(0.5);
    assert.equal(await scraped(registry, 'work_seconds_count{consumer="a"}'), 1);
  });
});
