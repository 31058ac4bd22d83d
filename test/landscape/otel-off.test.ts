// Tracing off (the default): nothing of the OpenTelemetry SDK is loaded and nothing is exported, measured on
// a real accountservice and vipservice serving a VIP read; the same processes with tracing on load the SDK
// (the control that shows the measurement can see it) and export in the default protocol, protobuf.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, spawnNode, startOtlpReceiver, waitUntil } from '@goblog/testkit';
import type { NodeProcess, OtlpReceiver } from '@goblog/testkit';
import { isolate } from './support/isolation.ts';
import type { Isolation } from './support/isolation.ts';
import { notificationsOf } from './support/observe.ts';

/** The @opentelemetry packages named in a module log (`@opentelemetry/api`, `@opentelemetry/sdk-trace-node`, ...). */
async function packagesLoaded(log: string): Promise<Set<string>> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return new Set(
    [...text.matchAll(/@opentelemetry\/([a-z0-9-]+)/g)].map((m) => `@opentelemetry/${m[1] ?? ''}`),
  );
}

async function run(service: string, port: number, env: Record<string, string>): Promise<NodeProcess> {
  const proc = spawnNode(
    [
      '--import',
      'tsx',
      '--conditions=source',
      '--import',
      './test/landscape/support/record-modules.mjs',
      `services/${service}/src/main.ts`,
    ],
    { env: { ...env, SERVER_PORT: String(port) }, label: `${service}:${String(port)}` },
  );
  await waitUntil(
    async () =>
      (await fetch(`http://127.0.0.1:${String(port)}/health`).catch(() => undefined))?.status === 200,
    20_000,
    () => `${service} not healthy:\n${proc.lines.slice(-10).join('\n')}`,
    () => proc.child.exitCode !== null,
  );
  return proc;
}

describe('tracing switched off and on', () => {
  let iso: Isolation;
  let receiver: OtlpReceiver;
  const procs: NodeProcess[] = [];

  before(async () => {
    iso = await isolate('otel-off');
    receiver = await startOtlpReceiver();
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop().catch(() => p.kill())));
    await receiver.close();
    await iso.cleanup();
  });

  /** Runs both services, one VIP read through them, a graceful stop; returns what each loaded. */
  async function vipRead(label: string, otel: Record<string, string>): Promise<Set<string>[]> {
    const logs = ['accountservice', 'vipservice'].map((s) => join(iso.dataDir, `${label}-${s}.modules`));
    const [accountPort, vipPort] = await Promise.all([freePort(), freePort()]);
    const env = { ...iso.env, ...otel };
    const vip = await run('vipservice', vipPort, { ...env, GOBLOG_MODULE_LOG: logs[1] ?? '' });
    procs.push(vip);
    const account = await run('accountservice', accountPort, { ...env, GOBLOG_MODULE_LOG: logs[0] ?? '' });
    procs.push(account);
    const vipUrl = `http://127.0.0.1:${String(vipPort)}`;
    const before = await notificationsOf(vipUrl);
    assert.equal((await fetch(`http://127.0.0.1:${String(accountPort)}/accounts/10000`)).status, 200);
    await waitUntil(
      async () => (await notificationsOf(vipUrl)) > before,
      15_000,
      () => 'the notification',
    );
    // A graceful stop flushes whatever an SDK would have buffered.
    assert.equal(await account.stop(), 0);
    assert.equal(await vip.stop(), 0);
    return Promise.all(logs.map(packagesLoaded));
  }

  it('off: only @opentelemetry/api (prom-client loads it) and no export, even with an endpoint set', async () => {
    const loaded = await vipRead('off', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_TRACES_EXPORTER: 'none',
    });
    for (const packages of loaded) {
      // The recorder sees what is loaded: the API is (prom-client requires it), nothing else is.
      assert.ok(packages.has('@opentelemetry/api'), 'the module recorder saw no module');
      assert.deepEqual(
        [...packages].filter((p) => p !== '@opentelemetry/api'),
        [],
      );
    }
    assert.equal(receiver.requests, 0);
  });

  it('on, by the endpoint alone: the SDK and the protobuf exporter load, and spans arrive in protobuf', async () => {
    const loaded = await vipRead('on', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
    for (const packages of loaded) {
      assert.ok(packages.has('@opentelemetry/sdk-trace-node'), [...packages].join(', '));
      assert.ok(packages.has('@opentelemetry/exporter-trace-otlp-proto'), [...packages].join(', '));
    }
    const services = new Set(receiver.spans.map((s) => s.service));
    assert.deepEqual([...services].sort(), ['accountservice', 'vipservice']);
    assert.ok(receiver.spans.some((s) => s.name === 'GET /accounts/:id'));
    assert.ok(receiver.spans.some((s) => s.name === 'commit offer'));
  });

  it('a bad OTEL_* value stops the service at startup with one line naming it', async () => {
    const proc = spawnNode(['--import', 'tsx', '--conditions=source', 'services/vipservice/src/main.ts'], {
      env: {
        ...iso.env,
        SERVER_PORT: String(await freePort()),
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318/?token=secret',
        OTEL_TRACES_SAMPLER: 'jaeger_remote',
      },
    });
    procs.push(proc);
    assert.equal(await proc.exited, 1);
    const errors = proc.output('stderr').filter((l) => l.trim() !== '');
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(
      errors[0] ?? '',
      /^vipservice: invalid tracing settings: .*OTEL_EXPORTER_OTLP_ENDPOINT.*OTEL_TRACES_SAMPLER/,
    );
    assert.ok(!proc.lines.some((l) => l.includes('secret')));
  });
});
