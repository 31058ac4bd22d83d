// Draws one VIP read's trace as a waterfall (SVG), as a trace UI shows it, without a collector: starts an
// OTLP/HTTP receiver, a vipservice and an accountservice with tracing on, reads account 10000, and draws the
// spans of that read's trace. `node --import tsx --conditions=source scripts/trace-view.ts [out.svg]`
// (default docs/images/vip-read-trace.svg); needs the broker at AMQP_SERVER_URL.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  BROKER_URL,
  deleteQueues,
  freePort,
  repoRoot,
  startOtlpReceiver,
  startService,
  tempDir,
  uniqueName,
} from '@goblog/testkit';
import type { ReceivedSpan, RunningService } from '@goblog/testkit';

const KINDS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];
const COLOURS: Record<string, string> = {
  accountservice: '#4e79a7',
  vipservice: '#f28e2b',
  configserver: '#59a14f',
};

async function main(): Promise<void> {
  const out = process.argv[2] ?? join(repoRoot, 'docs/images/vip-read-trace.svg');
  const receiver = await startOtlpReceiver();
  const queue = `vip_queue.${uniqueName('trace-view')}`;
  const data = tempDir('goblog-trace-view');
  const env = {
    DATA_DIR: data.dir,
    VIP_QUEUE: queue,
    CONFIG_EVENT_BUS: `springCloudBus.${uniqueName('trace-view')}`,
    AMQP_SERVER_URL: BROKER_URL,
    LOG_FORMAT: 'json',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  const services: RunningService[] = [];
  try {
    services.push(await startService('vipservice', { port: await freePort(), env }));
    const accountservice = await startService('accountservice', { port: await freePort(), env });
    services.push(accountservice);
    // A warm-up read first, so that the drawn one shows steady-state timings rather than first-call costs.
    await (await fetch(`${accountservice.baseUrl}/accounts/10000`)).arrayBuffer();
    const traceId = randomBytes(16).toString('hex');
    await (
      await fetch(`${accountservice.baseUrl}/accounts/10000`, {
        headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      })
    ).arrayBuffer();
    const spans = (
      await receiver.waitForSpans((all) =>
        all.some((s) => s.traceId === traceId && s.name === 'commit offer'),
      )
    ).filter((s) => s.traceId === traceId);
    await writeFile(out, draw(spans, traceId));
    process.stdout.write(`${String(spans.length)} spans of trace ${traceId} drawn in ${out}\n`);
  } finally {
    await Promise.allSettled(services.map((s) => s.stop()));
    await deleteQueues(queue).catch(() => undefined);
    await receiver.close();
    data[Symbol.dispose]();
  }
}

/** Depth-first order under each parent (children by start time), as a waterfall lists them. */
function ordered(spans: readonly ReceivedSpan[]): { span: ReceivedSpan; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = (parent: string | undefined): ReceivedSpan[] =>
    spans
      .filter((s) => (parent === undefined ? !ids.has(s.parentSpanId ?? '') : s.parentSpanId === parent))
      .sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
  const out: { span: ReceivedSpan; depth: number }[] = [];
  const visit = (span: ReceivedSpan, depth: number): void => {
    out.push({ span, depth });
    for (const child of children(span.spanId)) visit(child, depth + 1);
  };
  for (const root of children(undefined)) visit(root, 0);
  return out;
}

function draw(spans: readonly ReceivedSpan[], traceId: string): string {
  const rows = ordered(spans);
  const start = rows.reduce((m, r) => (r.span.startNs < m ? r.span.startNs : m), rows[0]?.span.startNs ?? 0n);
  const end = rows.reduce((m, r) => (r.span.endNs > m ? r.span.endNs : m), 0n);
  const totalMs = Number(end - start) / 1e6;
  const [labelW, barW, rowH, top] = [600, 560, 30, 70];
  const x = (ns: bigint): number => labelW + (Number(ns - start) / 1e6 / totalMs) * barW;
  const esc = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const lines = rows.map(({ span, depth }, i) => {
    const y = top + i * rowH;
    const x0 = x(span.startNs);
    const w = Math.max(2, x(span.endNs) - x0);
    const ms = (Number(span.endNs - span.startNs) / 1e6).toFixed(2);
    const colour = COLOURS[span.service] ?? '#999';
    return [
      `<text x="${String(10 + depth * 16)}" y="${String(y + 19)}" class="name">${esc(span.name)}</text>`,
      `<text x="${String(labelW - 10)}" y="${String(y + 19)}" class="svc" text-anchor="end">${esc(span.service)} · ${KINDS[span.kind] ?? ''}</text>`,
      `<rect x="${x0.toFixed(1)}" y="${String(y + 6)}" width="${w.toFixed(1)}" height="18" rx="3" fill="${colour}"/>`,
      `<text x="${(x0 + w + 6).toFixed(1)}" y="${String(y + 19)}" class="ms">${ms} ms</text>`,
    ].join('\n');
  });
  const height = top + rows.length * rowH + 30;
  const width = labelW + barW + 110;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" viewBox="0 0 ${String(width)} ${String(height)}">
<style>text{font-family:Helvetica,Arial,sans-serif;font-size:13px;fill:#222}.svc{fill:#666;font-size:12px}.ms{fill:#444;font-size:12px}.title{font-size:15px;font-weight:bold}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="26" class="title">Trace ${traceId}: GET /accounts/10000, ${String(rows.length)} spans, ${totalMs.toFixed(1)} ms</text>
<text x="10" y="48" class="svc">accountservice (blue) and vipservice (orange) as exported over OTLP/HTTP; gaps are time waited in the outbox and the queue</text>
<line x1="${String(labelW)}" y1="${String(top)}" x2="${String(labelW)}" y2="${String(height - 25)}" stroke="#ccc"/>
${lines.join('\n')}
</svg>
`;
}

await main();
