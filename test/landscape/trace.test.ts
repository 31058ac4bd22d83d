// W3C trace context across the broker: the trace of a GET /accounts/10000 request continues in the
// vipservice's log line for the notification that read caused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { freePort, startService } from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import { isolate } from './support/isolation.ts';
import type { Isolation } from './support/isolation.ts';
import { jsonLine } from './support/observe.ts';

describe('trace context', () => {
  let iso: Isolation;
  let accountservice: RunningService;
  let vipservice: RunningService;
  const started: RunningService[] = [];

  before(async () => {
    iso = await isolate('trace');
    const [accountPort, vipPort] = await Promise.all([freePort(), freePort()]);
    vipservice = await startService('vipservice', { port: vipPort, env: iso.env });
    started.push(vipservice);
    accountservice = await startService('accountservice', { port: accountPort, env: iso.env });
    started.push(accountservice);
  });

  after(async () => {
    await Promise.all(started.map((s) => s.stop().catch(() => s.kill())));
    await iso.cleanup();
  });

  it("a read's traceparent reaches the vipservice's log line for its notification", async () => {
    const traceId = randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    const response = await fetch(`${accountservice.baseUrl}/accounts/10000`, { headers: { traceparent } });
    assert.equal(response.status, 200);

    const line = await vipservice.waitForLine('Got a message:', 15_000);
    const entry = jsonLine(line);
    assert.ok(entry, `not a JSON log line: ${line}`);
    // The vipservice may log the whole traceparent (a span of the accountservice as parent) or the trace id.
    const logged =
      typeof entry.traceparent === 'string'
        ? /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(entry.traceparent)?.[1]
        : undefined;
    const traceIds = [logged, entry.traceId].filter((v) => v !== undefined);
    assert.ok(traceIds.length > 0, `no traceparent or traceId field in: ${line}`);
    for (const id of traceIds) assert.equal(id, traceId, `the trace of the read in: ${line}`);
  });
});
