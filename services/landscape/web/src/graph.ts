import cytoscape from 'cytoscape';
import type { Core, ElementDefinition } from 'cytoscape';
import { rate } from './dom.ts';
import type { LandscapeSnapshot } from './api.ts';

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-valign': 'center',
      'font-size': 16,
      'line-height': 1.25,
      color: '#1d2430',
      width: 'label',
      height: 'label',
      padding: '10px',
      shape: 'round-rectangle',
      'background-color': '#eef2f6',
      'border-width': 1,
      'border-color': '#98a2b3',
    },
  },
  {
    selector: 'node.UP',
    style: { 'background-color': '#dcfae6', 'border-color': '#1b873f', 'border-width': 2 },
  },
  {
    selector: 'node.DOWN',
    style: { 'background-color': '#fee4e2', 'border-color': '#c62828', 'border-width': 2 },
  },
  {
    selector: 'node.queue',
    style: { shape: 'barrel', 'background-color': '#fff4e5', 'border-color': '#b54708' },
  },
  { selector: 'node.dlq', style: { 'background-color': '#fde7e7', 'border-color': '#c62828' } },
  {
    selector: 'node.bus',
    style: { shape: 'hexagon', 'background-color': '#eef4ff', 'border-color': '#3e4784' },
  },
  {
    selector: 'node.broker',
    style: { shape: 'ellipse', 'background-color': '#f4f3ff', 'border-color': '#5925dc' },
  },
  {
    selector: 'edge',
    style: {
      width: 1.5,
      'curve-style': 'bezier',
      'target-arrow-shape': 'triangle',
      'line-color': '#98a2b3',
      'target-arrow-color': '#98a2b3',
      label: 'data(label)',
      'font-size': 14,
      'font-weight': 'bold',
      color: '#1d2430',
      'text-background-color': '#fff',
      'text-background-opacity': 1,
      'text-background-padding': '2px',
    },
  },
  { selector: 'edge.flowing', style: { width: 3, 'line-color': '#1570ef', 'target-arrow-color': '#1570ef' } },
  { selector: 'edge.bus', style: { 'line-style': 'dashed' } },
  { selector: 'edge.hosts', style: { 'line-style': 'dotted', 'target-arrow-shape': 'none' } },
];

/** The height of a column's row: an instance's node (five lines of text) and the gap to the next. */
const NODE_ROW_PX = 135;

/**
 * The drawing of the landscape: instances, the broker node(s), the queues and the bus as the paths between
 * them, with the rates of what flows on each path. Laid out by cytoscape's breadth-first layout turned on its
 * side (senders left, receivers right: the page is wider than high, so the labels are drawn larger), again
 * only when the set of nodes changes; otherwise only labels and colours move.
 */
export class LandscapeGraph {
  readonly #cy: Core;
  readonly #container: HTMLElement;
  #shape = '';

  constructor(container: HTMLElement) {
    this.#container = container;
    this.#cy = cytoscape({ container, style: STYLE, minZoom: 0.3, maxZoom: 2.5, wheelSensitivity: 0.3 });
  }

  update(snapshot: LandscapeSnapshot): void {
    const elements = elementsOf(snapshot);
    const shape = elements
      .map((e) => e.data.id)
      .sort()
      .join('|');
    if (shape !== this.#shape) {
      this.#shape = shape;
      const tallest = Math.max(1, ...snapshot.services.map((x) => x.instances.length));
      this.#cy.elements().remove();
      this.#cy.add(elements);
      this.#cy
        .layout({
          name: 'breadthfirst',
          directed: true,
          spacingFactor: 1,
          // Its overlap check measures a column with the nodes' widths: the box above keeps them apart.
          avoidOverlap: false,
          ...(this.#cy.nodes('.root').length > 0 ? { roots: this.#cy.nodes('.root') } : {}),
          padding: 12,
          animate: false,
          // Levels become columns: laid out in the container's box turned by a quarter, then turned back.
          // The box leaves room for the nodes' own size (so the fit keeps the labels at full size), and
          // grows with the longest column (a service's instances and one more) so its nodes stay apart.
          boundingBox: {
            x1: 0,
            y1: 0,
            w: Math.max((this.#container.clientHeight || 560) - 60, NODE_ROW_PX * (tallest + 1)),
            h: Math.max(400, (this.#container.clientWidth || 1400) - 320),
          },
          transform: (_node, position) => ({ x: position.y, y: position.x }),
        })
        .run();
      // What a test reads to check that the labels are drawn at a readable size.
      this.#container.dataset.zoom = this.#cy.zoom().toFixed(3);
      return;
    }
    for (const element of elements) {
      const existing = this.#cy.getElementById(element.data.id ?? '');
      existing.data(element.data);
      existing.classes(element.classes ?? '');
    }
  }
}

function elementsOf(s: LandscapeSnapshot): ElementDefinition[] {
  const nodes: ElementDefinition[] = [];
  const edges: ElementDefinition[] = [];
  const edge = (source: string, target: string, classes: string, value?: number | null): void => {
    edges.push({
      data: { id: `${source}->${target}`, source, target, label: rate(value) },
      classes: `${classes}${value && value > 0 ? ' flowing' : ''}`,
    });
  };
  const bus = `bus:${s.bus.exchange}`;
  nodes.push({ data: { id: bus, label: `${s.bus.exchange}\n(bus)` }, classes: 'bus' });
  const brokerNodes =
    s.broker.nodes.length > 0
      ? s.broker.nodes.map((n) => ({ name: n.name, up: n.running }))
      : [{ name: s.broker.node ?? 'broker', up: s.broker.connected }];
  for (const node of brokerNodes) {
    nodes.push({
      data: { id: `node:${node.name}`, label: `RabbitMQ\n${withoutUser(node.name)}` },
      classes: `broker ${node.up ? 'UP' : 'DOWN'}`,
    });
  }
  const workQueues = s.queues.filter((q) => q.role === 'work');
  for (const q of s.queues) {
    if (!q.exists && q.role !== 'work') continue;
    const label = `${q.name}\n${q.messages} ready · ${q.consumers} consumers`;
    nodes.push({
      data: { id: `queue:${q.name}`, label },
      classes: `queue${q.role === 'dead-letter' ? ' dlq' : ''}`,
    });
    const host = brokerNodes.find((n) => q.leader?.includes(n.name)) ?? brokerNodes[0];
    if (host) edge(`node:${host.name}`, `queue:${q.name}`, 'hosts');
  }
  for (const service of s.services) {
    for (const i of service.instances) {
      const id = `instance:${i.id}`;
      const figures = Object.entries(i.figures)
        .slice(0, 3)
        .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(1)}`)
        .join('\n');
      nodes.push({
        data: { id, label: `${i.id}\n${i.status}${figures ? `\n${figures}` : ''}` },
        classes: `${i.status}${service.name === 'accountservice' || service.name === 'configserver' ? ' root' : ''}`,
      });
      if (service.name === 'configserver') edge(id, bus, 'bus', i.rates.busEvents);
      else if (service.name !== 'landscape') edge(bus, id, 'bus');
      for (const q of workQueues) {
        if (service.name === 'accountservice') edge(id, `queue:${q.name}`, 'flow', i.rates.notificationsSent);
        if (service.name === 'vipservice') edge(`queue:${q.name}`, id, 'flow', i.rates.notificationsHandled);
      }
    }
  }
  for (const q of workQueues) {
    const parked = s.services
      .flatMap((svc) => svc.instances)
      .reduce((sum, i) => sum + (i.rates.deadLettered ?? 0), 0);
    const dlq = s.queues.find((d) => d.role === 'dead-letter' && d.workQueue === q.name);
    if (dlq?.exists) edge(`queue:${q.name}`, `queue:${dlq.name}`, 'flow', parked);
  }
  return [...nodes, ...edges];
}

/** A broker node as the link names it (a URL, password masked) without the user part: host, port, vhost. */
function withoutUser(name: string): string {
  return name.replace(/^amqps?:\/\/[^@/]*@/, '');
}
