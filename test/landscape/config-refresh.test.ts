// Issue 6's end-to-end check: a configserver process serving a temporary repository, an accountservice and a
// vipservice reading their configuration from it, and refresh events on a bus of this test's own.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, gotMessageAccountId, startService, tempConfigRepo, waitUntil } from '@goblog/testkit';
import type { RunningService, TempRepo } from '@goblog/testkit';
import { isolate } from './support/isolation.ts';
import type { Isolation } from './support/isolation.ts';

describe('live configuration refresh through the configserver', () => {
  let iso: Isolation | undefined;
  let repo: TempRepo | undefined;
  let configserver: RunningService | undefined;
  // Whatever started, so that `after` stops it even when another start failed.
  const started: RunningService[] = [];
  const service = (name: RunningService['name']): RunningService => {
    const found = started.find((s) => s.name === name);
    assert.ok(found, `${name} is not running`);
    return found;
  };

  before(async () => {
    iso = await isolate('refresh');
    repo = tempConfigRepo();
    configserver = await startService('configserver', {
      port: await freePort(),
      env: { ...iso.env, CONFIG_REPO: repo.dir },
    });
    // debug: the services log the refresh events they ignore, so "left alone" is observable.
    const env = { ...iso.env, CONFIG_SERVER_URL: configserver.baseUrl, LOG_LEVEL: 'debug' };
    const starts = await Promise.allSettled(
      (['accountservice', 'vipservice'] as const).map(async (name) => {
        started.push(await startService(name, { port: await freePort(), env }));
      }),
    );
    const failed = starts.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  });

  after(async () => {
    // Each step whatever the others did: a failed stop must not leave the configserver or the queues behind.
    await Promise.allSettled(started.map((s) => s.stop().catch(() => s.kill())));
    if (configserver) await configserver.stop().catch(() => configserver?.kill());
    repo?.[Symbol.dispose]();
    await iso?.cleanup();
  });

  it('a saved edit of accountservice.yml makes account 10001 a VIP account without a restart', async () => {
    const accountservice = service('accountservice');
    const vipservice = service('vipservice');
    const read = async (id: string): Promise<void> => {
      const res = await fetch(`${accountservice.baseUrl}/accounts/${id}`, {
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      assert.equal(res.status, 200);
    };
    const notified = (): string[] =>
      vipservice.lines.filter((l) => l.includes('Got a message:')).map((l) => gotMessageAccountId(l));

    // Before the edit 10001 is not a VIP: its read sends nothing. A VIP read after it is the marker (the
    // relay keeps recording order): once 10000's notification is in, 10001's would have been.
    const seenBefore = notified().length;
    await read('10001');
    await read('10000');
    await waitUntil(
      () => notified().length > seenBefore,
      15_000,
      () => 'the marker notification',
    );
    assert.deepEqual(notified().slice(seenBefore), ['10000'], 'before the edit only 10000 is notified');

    const reloadsBefore = reloads(accountservice);
    (repo as TempRepo).write(
      'accountservice.yml',
      'server_name: Accountservice\nvip_account_ids:\n  - "10000"\n  - "10001"\n',
    );
    await waitUntil(
      () => reloads(accountservice) > reloadsBefore,
      15_000,
      () => 'the accountservice reloading its VIP accounts with 10001',
    );

    const seenAfter = notified().length;
    await read('10001');
    await waitUntil(
      () => notified().length > seenAfter,
      15_000,
      () => "10001's notification after the edit",
    );
    assert.deepEqual(notified().slice(seenAfter), ['10001']);
  });

  it('a vipservice:** event leaves the accountservice alone; a ** event refreshes both', async () => {
    const accountservice = service('accountservice');
    const vipservice = service('vipservice');
    const url = (configserver as RunningService).baseUrl;
    const applied = (s: RunningService): number =>
      s.lines.filter((l) => l.includes('bus refresh applied')).length;
    const [accountBefore, vipBefore] = [applied(accountservice), applied(vipservice)];

    assert.ok(
      (
        await fetch(`${url}/actuator/busrefresh/vipservice`, {
          method: 'POST',
          signal: AbortSignal.timeout(10_000),
        })
      ).ok,
    );
    await waitForCount(vipservice, 'bus refresh applied', vipBefore + 1);
    await waitForCount(accountservice, 'bus refresh ignored', 1);
    assert.equal(applied(accountservice), accountBefore);

    assert.ok(
      (await fetch(`${url}/actuator/busrefresh`, { method: 'POST', signal: AbortSignal.timeout(10_000) })).ok,
    );
    await waitForCount(accountservice, 'bus refresh applied', accountBefore + 1);
    await waitForCount(vipservice, 'bus refresh applied', vipBefore + 2);
  });
});

/** How often the accountservice logged a VIP reload that includes 10001 (the edit's effect). */
function reloads(service: RunningService): number {
  return service.lines.filter((l) => l.includes('VIP accounts reloaded') && l.includes('10001')).length;
}

/** Resolves once `service` has logged `count` lines containing `text` (observable state, bounded wait). */
async function waitForCount(service: RunningService, text: string, count: number): Promise<void> {
  await waitUntil(
    () => service.lines.filter((l) => l.includes(text)).length >= count,
    15_000,
    () => `${service.name}: ${count} lines with '${text}'`,
  );
}
