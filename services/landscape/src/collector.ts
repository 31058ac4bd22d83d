import type { Logger } from '@goblog/messaging';
import type { AmqpLink } from './broker/amqp-link.js';
import type { ManagementClient, ManagementNode } from './broker/management.js';
import { readQueues, watchedQueues } from './broker/queues.js';
import type { QueueView } from './broker/queues.js';
import type { DeadLetterListing, DeadLetterQueues } from './dead-letters/dead-letter-queues.js';
import type { InstanceRegistry, InstanceView } from './discovery/instances.js';

/** What GET /api/landscape answers and the page's event stream carries, one look at the landscape. */
export interface LandscapeSnapshot {
  readonly generatedAt: string;
  readonly services: readonly { readonly name: string; readonly instances: readonly InstanceView[] }[];
  readonly queues: readonly QueueView[];
  readonly broker: {
    readonly connected: boolean;
    readonly node: string | null;
    readonly server: string | null;
    readonly error: string | null;
    readonly nodes: readonly ManagementNode[];
    readonly clusterName: string | null;
    readonly management: {
      readonly available: boolean;
      readonly url: string;
      readonly reason: string | null;
    };
  };
  readonly bus: { readonly exchange: string; readonly announcements: string };
  readonly deadLetters: readonly DeadLetterListing[];
  readonly pollIntervalMs: number;
}

export interface CollectorDeps {
  readonly registry: InstanceRegistry;
  readonly link: AmqpLink;
  readonly management: ManagementClient;
  readonly deadLetters: DeadLetterQueues;
  readonly workQueues: readonly string[];
  readonly bus: { readonly exchange: string; readonly announcements: string };
  readonly intervalMs: number;
  readonly logger: Logger;
}

/** Dead letters listed per queue on the page (the API lists more on request). */
export const PAGE_LIST_LIMIT = 50;
/** A dead-letter queue whose depth did not change is listed again after this long anyway (a look puts every message back, see DeadLetterQueues: not every cycle). */
const RELIST_MS = 300_000;
const SERVICE_ORDER = ['configserver', 'accountservice', 'vipservice', 'landscape'];

/**
 * Looks at the whole landscape every `intervalMs` (instances, queues, dead letters, the broker) and hands
 * each snapshot to its listeners. Looks never overlap; a failed part keeps its last known value.
 */
export class Collector {
  readonly #deps: CollectorDeps;
  readonly #listeners = new Set<(snapshot: LandscapeSnapshot) => void>();
  readonly #listed = new Map<string, { at: number; listing: DeadLetterListing }>();
  #queues: QueueView[] = [];
  #snapshot: LandscapeSnapshot | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #soon = false;

  constructor(deps: CollectorDeps) {
    this.#deps = deps;
  }

  /** The latest snapshot, or undefined before the first look is complete. */
  get current(): LandscapeSnapshot | undefined {
    return this.#snapshot;
  }

  onSnapshot(listener: (snapshot: LandscapeSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves after the first look. */
  async start(): Promise<void> {
    await this.#cycle();
  }

  /** A fresh look as soon as the one running (if any) is done, with dead letters listed again. */
  refreshSoon(): void {
    this.#listed.clear();
    if (this.#running) {
      this.#soon = true;
      return;
    }
    clearTimeout(this.#timer);
    void this.#cycle();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #cycle(): Promise<void> {
    this.#running ??= this.#look()
      .catch((err: unknown) => {
        this.#deps.logger.warn({ err }, 'landscape look failed');
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#stopped) return;
        const wait = this.#soon ? 0 : this.#deps.intervalMs;
        this.#soon = false;
        this.#timer = setTimeout(() => void this.#cycle(), wait);
      });
    return this.#running;
  }

  async #look(): Promise<void> {
    const { registry, link, management, deadLetters, workQueues } = this.#deps;
    const [, view] = await Promise.all([registry.probeAll(), management.read()]);
    if (link.state.connected) {
      this.#queues = await readQueues(link, watchedQueues(workQueues), view.queues).catch(() => this.#queues);
    }
    const listings: DeadLetterListing[] = [];
    for (const queue of deadLetters.names) {
      listings.push(await this.#listing(queue));
    }
    const instances = registry.list();
    const names = [...new Set(instances.map((i) => i.service))].sort(
      (a, b) => rank(a) - rank(b) || a.localeCompare(b),
    );
    const state = link.state;
    this.#snapshot = {
      generatedAt: new Date().toISOString(),
      services: names.map((name) => ({ name, instances: instances.filter((i) => i.service === name) })),
      queues: this.#queues,
      broker: {
        connected: state.connected,
        node: state.node ?? null,
        server: state.server ?? null,
        error: state.error ?? null,
        nodes: view.nodes ?? [],
        clusterName: view.clusterName ?? null,
        management: { available: view.available, url: view.url, reason: view.reason ?? null },
      },
      bus: this.#deps.bus,
      deadLetters: listings,
      pollIntervalMs: this.#deps.intervalMs,
    };
    for (const listener of this.#listeners) listener(this.#snapshot);
  }

  /** A dead-letter queue's listing, looked at again only when its depth changed or it is getting old. */
  async #listing(queue: string): Promise<DeadLetterListing> {
    const depth = this.#queues.find((q) => q.name === queue)?.messages ?? 0;
    const last = this.#listed.get(queue);
    if (depth === 0) return { queue, total: 0, messages: [], truncated: false };
    if (last && last.listing.total === depth && Date.now() - last.at < RELIST_MS) return last.listing;
    try {
      const listing = await this.#deps.deadLetters.list(queue, PAGE_LIST_LIMIT);
      this.#listed.set(queue, { at: Date.now(), listing });
      return listing;
    } catch {
      return last?.listing ?? { queue, total: depth, messages: [], truncated: depth > 0 };
    }
  }
}

function rank(service: string): number {
  const i = SERVICE_ORDER.indexOf(service);
  return i < 0 ? SERVICE_ORDER.length : i;
}
