import { httpRequest, requestErrorCode } from '@goblog/config';
import { Compile, Type } from '@goblog/schema';
import type { Static } from 'typebox';

/** What the management API adds about one queue. */
export interface ManagementQueue {
  readonly messagesUnacknowledged: number;
  readonly type: string;
  readonly leader: string | null;
  readonly members: readonly string[] | null;
  readonly publishRate: number;
  readonly deliverRate: number;
}

export interface ManagementNode {
  readonly name: string;
  readonly running: boolean;
}

export interface ManagementView {
  readonly available: boolean;
  /** The management URL that answered (without credentials); all of them, comma-separated, when none did. */
  readonly url: string;
  readonly reason?: string;
  readonly queues?: ReadonlyMap<string, ManagementQueue>;
  readonly nodes?: readonly ManagementNode[];
  readonly clusterName?: string;
}

const REQUEST_TIMEOUT_MS = 1500;
/** After a failed look, the next one waits this long: a broker without the plugin is not asked every cycle. */
const UNAVAILABLE_RETRY_MS = 30_000;
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const Rate = Type.Optional(Type.Object({ rate: Type.Number() }));
const QueueSchema = Type.Object({
  name: Type.String(),
  messages_unacknowledged: Type.Optional(Type.Number()),
  type: Type.Optional(Type.String()),
  leader: Type.Optional(Type.String()),
  node: Type.Optional(Type.String()),
  members: Type.Optional(Type.Array(Type.String())),
  message_stats: Type.Optional(Type.Object({ publish_details: Rate, deliver_get_details: Rate })),
});
const QueuesCheck = Compile(Type.Array(QueueSchema));
const NodesCheck = Compile(Type.Array(Type.Object({ name: Type.String(), running: Type.Boolean() })));

interface Endpoint {
  /** The URL without credentials: what the page shows. */
  readonly url: string;
  readonly authorization: string;
}

/**
 * The RabbitMQ management API where it is on (rates, unacknowledged counts, quorum leaders and members,
 * nodes); a broker without it is simply reported as such. `managementUrl` may list several URLs, comma-
 * separated (one per node of a cluster, as amqp_server_url does): the one that answered last is asked first,
 * the others when it does not answer, so the view survives the loss of a node. Reached with the URL's own
 * credentials, else the AMQP URL's. Every answer is validated before use and bounded in size.
 */
export class ManagementClient {
  readonly #endpoints: readonly Endpoint[];
  readonly #vhost: string;
  #current = 0;
  #retryAt = 0;
  #last: ManagementView;

  constructor(options: { readonly amqpUrl: string; readonly managementUrl?: string }) {
    const amqp = new URL(options.amqpUrl.split(',')[0]?.trim() ?? '');
    const urls = (options.managementUrl ?? `http://${amqp.hostname}:15672`)
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '');
    this.#endpoints = urls.map((u) => {
      const base = new URL(u);
      const user = decodeURIComponent(base.username || amqp.username || 'guest');
      const password = decodeURIComponent(base.password || amqp.password || 'guest');
      base.username = '';
      base.password = '';
      return {
        url: base.toString().replace(/\/$/, ''),
        authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      };
    });
    this.#vhost = amqp.pathname.length > 1 ? decodeURIComponent(amqp.pathname.slice(1)) : '/';
    this.#last = { available: false, url: this.#shownUrl(), reason: 'not asked yet' };
  }

  /** The broker's view now, or the last one while a broker without the API waits out its retry delay. */
  async read(): Promise<ManagementView> {
    if (Date.now() < this.#retryAt) return this.#last;
    const reasons: string[] = [];
    for (let i = 0; i < this.#endpoints.length; i++) {
      const at = (this.#current + i) % this.#endpoints.length;
      const endpoint = this.#endpoints[at];
      if (endpoint === undefined) continue;
      try {
        this.#last = await this.#readFrom(endpoint);
        this.#current = at;
        return this.#last;
      } catch (err) {
        reasons.push(this.#endpoints.length > 1 ? `${endpoint.url}: ${reasonOf(err)}` : reasonOf(err));
      }
    }
    this.#retryAt = Date.now() + UNAVAILABLE_RETRY_MS;
    this.#last = { available: false, url: this.#shownUrl(), reason: reasons.join('; ') || 'no URL' };
    return this.#last;
  }

  async #readFrom(endpoint: Endpoint): Promise<ManagementView> {
    const vhost = encodeURIComponent(this.#vhost);
    const [queues, nodes, overview] = await Promise.all([
      this.#get(endpoint, `/api/queues/${vhost}?columns=${QUEUE_COLUMNS}`),
      this.#get(endpoint, '/api/nodes?columns=name,running'),
      this.#get(endpoint, '/api/overview?columns=cluster_name'),
    ]);
    if (!QueuesCheck.Check(queues) || !NodesCheck.Check(nodes)) throw new Error('unexpected answer');
    const clusterName = (overview as { cluster_name?: unknown }).cluster_name;
    return {
      available: true,
      url: endpoint.url,
      queues: new Map(queues.map((q) => [q.name, toQueue(q)])),
      nodes: nodes.map((n) => ({ name: n.name, running: n.running })),
      ...(typeof clusterName === 'string' ? { clusterName } : {}),
    };
  }

  #shownUrl(): string {
    return this.#endpoints.map((e) => e.url).join(',');
  }

  async #get(endpoint: Endpoint, path: string): Promise<unknown> {
    const response = await httpRequest(`${endpoint.url}${path}`, {
      headers: { authorization: endpoint.authorization },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      maxBytes: MAX_BODY_BYTES,
      readBody: (status) => status === 200,
    });
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }
}

const QUEUE_COLUMNS = 'name,messages_unacknowledged,type,leader,node,members,message_stats';

function toQueue(q: Static<typeof QueueSchema>): ManagementQueue {
  return {
    messagesUnacknowledged: q.messages_unacknowledged ?? 0,
    type: q.type ?? 'classic',
    leader: q.leader ?? q.node ?? null,
    members: q.members ?? null,
    // No message_stats: nothing was published to it, nor delivered from it, since it was declared.
    publishRate: q.message_stats?.publish_details?.rate ?? 0,
    deliverRate: q.message_stats?.deliver_get_details?.rate ?? 0,
  };
}

function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    return requestErrorCode(err) ?? (err.name === 'TimeoutError' ? 'no answer' : err.message);
  }
  return String(err);
}
