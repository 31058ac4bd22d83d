// Issue 6's end-to-end check: a configserver process serving a temporary repository, an accountservice and a
// vipservice reading their configuration from it, and refresh events on a bus of this test's own.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startService, waitUntil } from '../support/processes.ts';
import type { RunningService } from '../support/processes.ts';
import { startConfigServer, tempConfigRepo } from '../../services/configserver/test/helpers.ts';
import type { ConfigServerProcess, TempRepo } from '../../services/configserver/test/helpers.ts';
import { isolate } from './support/isolation.ts';
import type { Isolation } from './support/isolation.ts';

describe('live configuration refresh through the configserver', () => {
  let iso: Isolation;
  let repo: TempRepo;
  let configserver: ConfigServerProcess;
  let accountservice: RunningService;
  let vipservice: RunningService;

  before(async () => {
    iso = await isolate('refresh');
    repo = tempConfigRepo();
    configserver = await startConfigServer({ repoDir: repo.dir, bus: iso.bus });
    // debug: the services log the refresh events they ignore, so "left alone" is observable.
    const env = { ...iso.env, CONFIG_SERVER_URL: configserver.url, LOG_LEVEL: 'debug' };
    [accountservice, vipservice] = await Promise.all([
      startService('accountservice', { port: await freePort(), env }),
      startService('vipservice', { port: await freePort(), env }),
    ]);
  });

  after(async () => {
    await Promise.all([accountservice.stop(), vipservice.stop()]);
    await configserver[Symbol.asyncDispose]();
    repo[Symbol.dispose]();
    await iso.cleanup();
  });

  it('a saved edit of accountservice.yml makes account 10001 a VIP account without a restart', async () => {
    assert.equal((await fetch(`${accountservice.baseUrl}/accounts/10001`)).status, 200);
    repo.write(
      'accountservice.yml',
      'server_name: Accountservice\nvip_account_ids:\n  - "10000"\n  - "10001"\n',
    );
    await accountservice.waitForLine(/VIP accounts reloaded.*10001|10001.*VIP accounts reloaded/, 15_000);

    assert.equal((await fetch(`${accountservice.baseUrl}/accounts/10001`)).status, 200);
    const line = await vipservice.waitForLine(/Got a message:.*10001/, 15_000);
    assert.match(line, /"accountId":"10001"/);
  });

  it('a vipservice:** event leaves the accountservice alone; a ** event refreshes both', async () => {
    const applied = (s: RunningService): number =>
      s.lines.filter((l) => l.includes('bus refresh applied')).length;
    const [accountBefore, vipBefore] = [applied(accountservice), applied(vipservice)];

    assert.ok((await fetch(`${configserver.url}/actuator/busrefresh/vipservice`, { method: 'POST' })).ok);
    await waitForCount(vipservice, 'bus refresh applied', vipBefore + 1);
    await waitForCount(accountservice, 'bus refresh ignored', 1);
    assert.equal(applied(accountservice), accountBefore);

    assert.ok((await fetch(`${configserver.url}/actuator/busrefresh`, { method: 'POST' })).ok);
    await waitForCount(accountservice, 'bus refresh applied', accountBefore + 1);
    await waitForCount(vipservice, 'bus refresh applied', vipBefore + 2);
  });
});

/** Resolves once `service` has logged `count` lines containing `text` (observable state, bounded wait). */
async function waitForCount(service: RunningService, text: string, count: number): Promise<void> {
  await waitUntil(
    () => service.lines.filter((l) => l.includes(text)).length >= count,
    15_000,
    () => `${service.name}: ${count} lines with '${text}'`,
  );
}
