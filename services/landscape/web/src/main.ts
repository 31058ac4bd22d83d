// The landscape page: one event stream of snapshots (server-sent events), drawn as a graph and tables.
import { renderAsyncApi } from './asyncapi.ts';
import { renderDeadLetters } from './dead-letters.ts';
import { h, show } from './dom.ts';
import { LandscapeGraph } from './graph.ts';
import { renderInstances, renderQueues } from './tables.ts';
import type { LandscapeSnapshot } from './api.ts';

const byId = (id: string): HTMLElement | null => document.getElementById(id);
const graphContainer = byId('graph');
const graph = graphContainer ? new LandscapeGraph(graphContainer) : undefined;

function render(s: LandscapeSnapshot): void {
  graph?.update(s);
  renderInstances(byId('instances'), s);
  renderQueues(byId('queues'), byId('management'), s);
  renderDeadLetters(byId('dead-letters'), s, () => void refresh());
  const broker = byId('broker');
  if (broker) {
    broker.className = `pill ${s.broker.connected ? 'up' : 'down'}`;
    broker.textContent = s.broker.connected
      ? `broker ${s.broker.server ?? ''} ${s.broker.node ?? ''}`
      : `broker unreachable: ${s.broker.error ?? ''}`;
  }
  show(byId('updated'), `updated ${new Date(s.generatedAt).toLocaleTimeString()}`);
  document.body.dataset.generatedAt = s.generatedAt;
}

async function refresh(): Promise<void> {
  const response = await fetch('/api/landscape');
  if (response.ok) render((await response.json()) as LandscapeSnapshot);
}

function connect(): void {
  const live = byId('live');
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => {
    if (live) {
      live.className = 'pill up';
      live.textContent = 'live';
    }
  });
  events.addEventListener('landscape', (event) => {
    render(JSON.parse((event as MessageEvent<string>).data) as LandscapeSnapshot);
  });
  events.addEventListener('error', () => {
    // EventSource reconnects by itself (the stream asks for a retry within 2 s).
    if (live) {
      live.className = 'pill down';
      live.textContent = 'reconnecting…';
    }
  });
}

connect();
renderAsyncApi(byId('asyncapi')).catch((err: unknown) => {
  show(byId('asyncapi'), h('p', { class: 'muted' }, `AsyncAPI document not available: ${String(err)}`));
});
