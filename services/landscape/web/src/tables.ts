import { ago, h, rate, show } from './dom.ts';
import type { LandscapeSnapshot } from './api.ts';

/** The instances table: one row per instance, UP/DOWN with why and since when, and its key figures. */
export function renderInstances(target: HTMLElement | null, s: LandscapeSnapshot): void {
  const rows = s.services.flatMap((service) =>
    service.instances.map((i) =>
      h(
        'tr',
        { 'data-instance': i.id, 'data-status': i.status },
        h('td', {}, service.name),
        h('td', {}, h('code', {}, i.id)),
        h('td', {}, i.address),
        h(
          'td',
          {},
          h('span', { class: `pill ${i.status === 'UP' ? 'up' : 'down'}`, 'data-role': 'status' }, i.status),
        ),
        h('td', {}, i.reason ?? ''),
        h('td', { title: i.since }, ago(i.since)),
        h(
          'td',
          { 'data-role': 'figures' },
          Object.entries(i.figures).map(([k, v]) =>
            h('div', { 'data-figure': k }, `${k}: `, h('b', {}, Number.isInteger(v) ? v : v.toFixed(2))),
          ),
        ),
      ),
    ),
  );
  show(
    target,
    h(
      'tr',
      {},
      ...['service', 'instance', 'address', 'status', 'why', 'since', 'figures'].map((t) => h('th', {}, t)),
    ),
    rows.length > 0
      ? rows
      : h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'no instance has announced itself yet')),
  );
}

/** The queues table: depth and consumers (AMQP), plus what the management API adds where it is on. */
export function renderQueues(
  target: HTMLElement | null,
  note: HTMLElement | null,
  s: LandscapeSnapshot,
): void {
  const dash = (v: number | string | null | undefined): string =>
    v === null || v === undefined ? '–' : String(v);
  show(
    target,
    h(
      'tr',
      {},
      ...['queue', 'role', 'ready', 'unacked', 'consumers', 'type', 'leader', 'members', 'in', 'out'].map(
        (t) => h('th', {}, t),
      ),
    ),
    s.queues.map((q) =>
      h(
        'tr',
        { 'data-queue': q.name, 'data-messages': q.messages, 'data-consumers': q.consumers },
        h('td', {}, h('code', {}, q.name)),
        h('td', {}, q.exists ? q.role : `${q.role} (not declared yet)`),
        h('td', {}, q.messages),
        h('td', {}, dash(q.messagesUnacknowledged)),
        h('td', {}, q.consumers),
        h('td', {}, dash(q.type)),
        h('td', {}, dash(q.leader)),
        h('td', {}, q.members ? q.members.join(', ') : '–'),
        h('td', {}, rate(q.publishRate) || dash(q.publishRate === null ? null : 0)),
        h('td', {}, rate(q.deliverRate) || dash(q.deliverRate === null ? null : 0)),
      ),
    ),
  );
  const m = s.broker.management;
  show(
    note,
    m.available
      ? `Management API at ${m.url}: rates, unacknowledged counts, quorum leaders and members${s.broker.clusterName ? ` (cluster ${s.broker.clusterName})` : ''}.`
      : `Management API not reachable at ${m.url} (${m.reason ?? 'off'}): depths and consumers come over AMQP; enable the rabbitmq_management plugin for rates and nodes.`,
  );
}
