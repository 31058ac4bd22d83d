// Issue 14, item 1: a bus destination of many `*` used to hang every service (each `*` became `.*` of a
// backtracking regex). Seen from outside: the configserver refuses such destinations with 400, and an event
// carrying one, published on springCloudBus by a plain client, is ignored while the accountservice keeps
// answering and keeps applying the refreshes that follow it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tempConfigRepo, type TempRepo } from '@goblog/testkit';
import { health } from './support/checks.ts';
import { startLandscape, type Landscape } from './support/landscape.ts';
import { busEventHandled, publishRawRefreshes } from './support/raw-bus-event.ts';

const STARS = '*'.repeat(40);
// Long enough for a start and a refresh; the old matcher never answered at all.
const TIMEOUT = { timeout: 60_000 };

void describe('a bus destination of 40 stars', () => {
  let repo: TempRepo | undefined;
  let landscape: Landscape | undefined;

  before(async () => {
    repo = tempConfigRepo();
    // debug: the accountservice logs the events it ignores, so "ignored" is observable.
    landscape = await startLandscape({
      label: 'bus-destination',
      vipservices: 0,
      configserver: { repoDir: repo.dir },
      env: { LOG_LEVEL: 'debug' },
    });
  });
  after(async () => {
    await landscape?.close();
    repo?.[Symbol.dispose]();
  });

  const configserverUrl = (): string => {
    const configserver = landscape?.configserver;
    assert.ok(configserver);
    return configserver.baseUrl;
  };

  it('POST /actuator/busrefresh/<40 stars>Z is answered 400 with a JSON error', TIMEOUT, async () => {
    const res = await fetch(`${configserverUrl()}/actuator/busrefresh/${STARS}Z`, {
      method: 'POST',
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error?: unknown };
    assert.equal(typeof body.error, 'string');
  });

  it('POST /monitor with path=<40 stars>Z is answered 400 with a JSON error', TIMEOUT, async () => {
    const res = await fetch(`${configserverUrl()}/monitor`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `path=${STARS}Z`,
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error?: unknown };
    assert.equal(typeof body.error, 'string');
  });

  it(
    'a raw 40-star event on the bus is ignored; /health answers and the next refresh is applied',
    TIMEOUT,
    async () => {
      const l = landscape as Landscape;
      const [hostile = '', hostileWithAll = '', legit = ''] = await publishRawRefreshes(l.bus, [
        `${STARS}Z`,
        `${STARS}Z:**`,
        'accountservice',
      ]);

      // The subscriber handles its events one at a time, in order: the legit one comes after both others.
      await busEventHandled(l.accountservice, legit, 'applied');
      const answer = await health(l.accountservice);
      assert.equal(answer.status, 200);
      assert.equal(answer.body?.status, 'UP');
      await busEventHandled(l.accountservice, hostile, 'ignored');
      await busEventHandled(l.accountservice, hostileWithAll, 'ignored');
      const account = await fetch(`${l.accountservice.baseUrl}/accounts/10001`, {
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(account.status, 200);
      assert.deepEqual(l.unexpectedExits(), []);
    },
  );
});
