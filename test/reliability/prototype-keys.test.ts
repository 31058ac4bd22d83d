// Issue 14, item 4: a `__proto__` key in configuration used to be written into Object.prototype at the next
// refresh; the polluted `priority` broke every publish and the accountservice died. Seen from outside: after
// such a key appears in accountservice.yml and a refresh, the accountservice is alive and UP, it applied the
// rest of the change, and its VIP reads still reach the vipservice. Once through the configserver (which
// does not serve the key and logs one line naming it), once reading the repository folder directly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tempConfigRepo, type TempRepo } from '@goblog/testkit';
import { waitUntil } from '@goblog/testkit';
import { health, notificationsOf } from './support/checks.ts';
import { startLandscape, type Landscape } from './support/landscape.ts';
import { publishRawRefresh } from './support/raw-bus-event.ts';

const POISONED = [
  'server_name: Accountservice',
  'vip_account_ids:',
  '  - "10000"',
  '  - "10001"',
  '__proto__:',
  '  priority: x',
  '',
].join('\n');
const TIMEOUT = { timeout: 90_000 };

/** After the refresh: alive, UP, 10001 is VIP now, and a read of it is delivered to the vipservice. */
async function assertStillDelivering(l: Landscape): Promise<void> {
  await l.accountservice.waitForLine(/VIP accounts reloaded.*10001|10001.*VIP accounts reloaded/, 15_000);
  const answer = await health(l.accountservice);
  assert.equal(answer.status, 200);
  assert.equal(answer.body?.status, 'UP');
  for (const id of ['10000', '10001']) {
    const res = await fetch(`${l.accountservice.baseUrl}/accounts/${id}`, {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(res.status, 200, `GET /accounts/${id}`);
  }
  const [vipservice] = l.vipservices;
  assert.ok(vipservice);
  await waitUntil(
    async () => (await notificationsOf(vipservice, '10001')) >= 1,
    15_000,
    () => 'a notification of account 10001 on the vipservice',
  );
  assert.deepEqual(l.unexpectedExits(), []);
}

void describe('a __proto__ key in accountservice.yml, served by the configserver', () => {
  let repo: TempRepo | undefined;
  let landscape: Landscape | undefined;

  before(async () => {
    repo = tempConfigRepo();
    landscape = await startLandscape({ label: 'prototype-keys-server', configserver: { repoDir: repo.dir } });
  });
  after(async () => {
    await landscape?.close();
    repo?.[Symbol.dispose]();
  });

  it(
    'is not served, is named in one warning line, and the accountservice keeps delivering',
    TIMEOUT,
    async () => {
      const l = landscape as Landscape;
      const configserver = l.configserver;
      assert.ok(configserver && repo);
      repo.write('accountservice.yml', POISONED);
      const refresh = await fetch(`${configserver.baseUrl}/actuator/busrefresh/accountservice`, {
        method: 'POST',
      });
      assert.equal(refresh.status, 204);

      await assertStillDelivering(l);
      const warning = await configserver.waitForLine(
        'configuration keys ignored, they name prototype properties',
      );
      assert.match(warning, /__proto__\.priority in accountservice\.yml/);
      assert.doesNotMatch(warning, /priority: x|"x"/);
    },
  );
});

void describe('a __proto__ key in accountservice.yml, read from the repository folder', () => {
  let repo: TempRepo | undefined;
  let landscape: Landscape | undefined;

  before(async () => {
    repo = tempConfigRepo();
    landscape = await startLandscape({ label: 'prototype-keys-folder', env: { CONFIG_REPO: repo.dir } });
  });
  after(async () => {
    await landscape?.close();
    repo?.[Symbol.dispose]();
  });

  it('is ignored at the refresh, and the accountservice keeps delivering', TIMEOUT, async () => {
    const l = landscape as Landscape;
    assert.ok(repo);
    repo.write('accountservice.yml', POISONED);
    await publishRawRefresh(l.bus, 'accountservice');
    await assertStillDelivering(l);
  });
});
