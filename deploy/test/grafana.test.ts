// The Grafana dashboard (deploy/grafana/goblog.json) cannot rot silently: every metric its queries read is
// exposed on /metrics by a running accountservice or vipservice.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BROKER_URL,
  deleteBus,
  deleteQueues,
  freePort,
  repoRoot,
  startService,
  uniqueName,
} from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import { exposedFamilies, isExposed, labelValuesMetric, metricNames } from './promql-names.ts';

interface Dashboard {
  readonly panels: readonly {
    readonly title: string;
    readonly targets?: readonly { readonly expr: string }[];
  }[];
  readonly templating: { readonly list: readonly { readonly query?: unknown }[] };
}

async function dashboardQueries(): Promise<{ where: string; names: string[] }[]> {
  const dashboard = JSON.parse(
    await readFile(join(repoRoot, 'deploy/grafana/goblog.json'), 'utf8'),
  ) as Dashboard;
  const queries = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({ where: `${panel.title}: ${t.expr}`, names: metricNames(t.expr) })),
  );
  for (const variable of dashboard.templating.list) {
    const q = variable.query;
    const text = typeof q === 'string' ? q : (q as { query?: string } | undefined)?.query;
    const name = text === undefined ? undefined : labelValuesMetric(text);
    if (name !== undefined) queries.push({ where: `variable: ${text ?? ''}`, names: [name] });
  }
  return queries;
}

void describe('the PromQL metric-name reader', () => {
  void it('finds the metrics of an expression and nothing else', () => {
    assert.deepEqual(
      metricNames(
        'histogram_quantile(0.99, sum by (le, instance) (rate(x_seconds_bucket{route="/a/:id",instance=~"$instance"}[$__rate_interval])))',
      ),
      ['x_seconds_bucket'],
    );
    assert.deepEqual(
      metricNames('max by (instance) (a{state="connected"}) / 1e9 + on (instance) b offset 5m'),
      ['a', 'b'],
    );
    assert.equal(
      labelValuesMetric('label_values(messaging_connection_state, instance)'),
      'messaging_connection_state',
    );
  });
});

void describe('the Grafana dashboard', () => {
  const services: RunningService[] = [];
  const queue = `vip_queue.${uniqueName('grafana')}`;
  const bus = `springCloudBus.${uniqueName('grafana')}`;
  let dataDir = '';

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'goblog-grafana-'));
    const env = {
      DATA_DIR: dataDir,
      VIP_QUEUE: queue,
      CONFIG_EVENT_BUS: bus,
      AMQP_SERVER_URL: BROKER_URL,
      LOG_LEVEL: 'warn',
    };
    const [accountPort, vipPort] = await Promise.all([freePort(), freePort()]);
    services.push(await startService('vipservice', { port: vipPort, env }));
    services.push(await startService('accountservice', { port: accountPort, env }));
  });

  after(async () => {
    await Promise.all(services.map((s) => s.stop().catch(() => s.kill())));
    await deleteQueues(queue).catch(() => undefined);
    await deleteBus(bus);
    await rm(dataDir, { recursive: true, force: true });
  });

  void it('queries only metrics that a running service exposes', async () => {
    const families = new Map<string, string>();
    for (const service of services) {
      const response = await fetch(`${service.baseUrl}/metrics`);
      assert.equal(response.status, 200);
      for (const [name, type] of exposedFamilies(await response.text())) families.set(name, type);
    }
    const queries = await dashboardQueries();
    assert.ok(queries.length >= 20, `only ${String(queries.length)} queries found`);
    const missing = queries.flatMap(({ where, names }) =>
      names.filter((n) => !isExposed(n, families)).map((n) => `${n} (${where})`),
    );
    assert.deepEqual(missing, []);
    // And each query reads at least one metric (a query the reader cannot see into would check nothing).
    assert.deepEqual(
      queries.filter((q) => q.names.length === 0).map((q) => q.where),
      [],
    );
  });
});
