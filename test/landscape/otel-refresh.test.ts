// OpenTelemetry across the config bus: a POST /actuator/busrefresh, and a saved file, each one trace from the
// configserver to every service's reload (and the reload's fetch back to the configserver).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startOtlpReceiver, startService, tempConfigRepo } from '@goblog/testkit';
import type { OtlpReceiver, ReceivedSpan, RunningService, TempRepo } from '@goblog/testkit';
import { isolate } from './support/isolation.ts';
import type { Isolation } from './support/isolation.ts';

describe('OpenTelemetry traces of a configuration refresh', () => {
  let iso: Isolation | undefined;
  let repo: TempRepo | undefined;
  let receiver: OtlpReceiver | undefined;
  let configserver: RunningService | undefined;
  const started: RunningService[] = [];

  before(async () => {
    iso = await isolate('otel-refresh');
    repo = tempConfigRepo();
    receiver = await startOtlpReceiver();
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    configserver = await startService('configserver', {
      port: await freePort(),
      env: { ...iso.env, ...otel, CONFIG_REPO: repo.dir },
    });
    const env = { ...iso.env, ...otel, CONFIG_SERVER_URL: configserver.baseUrl };
    for (const name of ['accountservice', 'vipservice'] as const) {
      started.push(await startService(name, { port: await freePort(), env }));
    }
  });

  after(async () => {
    await Promise.allSettled(started.map((s) => s.stop().catch(() => s.kill())));
    if (configserver) await configserver.stop().catch(() => configserver?.kill());
    repo?.[Symbol.dispose]();
    await receiver?.close();
    await iso?.cleanup();
  });

  /** The spans of the trace `root` starts, once each service has reloaded in it. */
  async function refreshTrace(isRoot: (s: ReceivedSpan) => boolean): Promise<ReceivedSpan[]> {
    const r = receiver as OtlpReceiver;
    const inTrace = (all: readonly ReceivedSpan[]): ReceivedSpan[] => {
      const root = all.find(isRoot);
      return root === undefined ? [] : all.filter((s) => s.traceId === root.traceId);
    };
    const spans = inTrace(
      await r.waitForSpans(
        (all) => inTrace(all).filter((s) => s.name === 'reload configuration').length >= 2,
        20_000,
      ),
    );
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const publish = spans.filter(
      (s) => s.name === `publish ${iso?.bus ?? ''}` && s.service === 'configserver',
    );
    assert.equal(publish.length, 1, spans.map((s) => `${s.service}: ${s.name}`).join(', '));
    for (const service of ['accountservice', 'vipservice']) {
      const reload = spans.find((s) => s.name === 'reload configuration' && s.service === service);
      assert.ok(reload, `${service} reloaded in the trace`);
      const processing = byId.get(reload.parentSpanId ?? '');
      assert.equal(processing?.name, `process ${iso?.bus ?? ''}`);
      assert.equal(processing.service, service);
      assert.equal(processing.parentSpanId, publish[0]?.spanId);
      // The reload's fetch continues the trace in the configserver's request span.
      const fetched = spans.find(
        (s) => s.service === 'configserver' && s.kind === 2 && s.parentSpanId === reload.spanId,
      );
      assert.ok(fetched, `the configserver's span of ${service}'s fetch`);
      assert.equal(fetched.attributes['http.request.method'], 'GET');
      // Named as the configserver's metrics label its config reads, not after its wildcard route.
      assert.equal(fetched.name, `GET ${String(fetched.attributes['http.route'])}`);
      assert.match(String(fetched.attributes['http.route']), /^\/\{application\}/);
    }
    return spans;
  }

  it('from POST /actuator/busrefresh to each service reload', async () => {
    const response = await fetch(`${configserver?.baseUrl ?? ''}/actuator/busrefresh`, { method: 'POST' });
    assert.ok(response.status < 300, String(response.status));
    const spans = await refreshTrace((s) => s.name === 'POST /actuator/busrefresh');
    const request = spans.find((s) => s.name === 'POST /actuator/busrefresh');
    const publish = spans.find((s) => s.name.startsWith('publish '));
    assert.equal(publish?.parentSpanId, request?.spanId);
  });

  it('from a saved file in the repository to each service reload', async () => {
    (repo as TempRepo).write('application.yml', 'log_level: info\n');
    const spans = await refreshTrace((s) => s.name === 'config repository change');
    const change = spans.find((s) => s.name === 'config repository change');
    assert.equal(change?.parentSpanId, undefined);
    assert.equal(spans.find((s) => s.name.startsWith('publish '))?.parentSpanId, change?.spanId);
  });
});
