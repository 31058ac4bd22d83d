import { Type } from 'typebox';
import type { Static } from 'typebox';
import { Compile } from 'typebox/compile';

/** What the management API adds about one queue. */
export interface ManagementQueue {
  readonly messagesUnacknowledged: number;
  readonly type: string;
  readonly leader: string | null;
  readonly members: readonly string[] | null;
  readonly publishRate: number | null;
  readonly deliverRate: number | null;
}

export interface ManagementNode {
  readonly name: string;
  readonly running: boolean;
}

export interface ManagementView {
  readonly available: boolean;
  /** The management URL without credentials. */
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

/**
 * The RabbitMQ management API where it is on (rates, unacknowledged counts, quorum leaders and members,
 * nodes); a broker without it is simply reported as such. Reached with the AMQP URL's credentials. Every
 * answer is validated before use and bounded in size.
 */
export class ManagementClient {
  readonly #base: string;
  readonly #vhost: string;
  readonly #authorization: string;
  #retryAt = 0;
  #last: ManagementView;

  constructor(options: { readonly amqpUrl: string; readonly managementUrl?: string }) {
    const amqp = new URL(options.amqpUrl.split(',')[0]?.trim() ?? '');
    const base = new URL(options.managementUrl ?? `http://${amqp.hostname}:15672`);
    const user = decodeURIComponent(base.username || amqp.username || 'guest');
    const password = decodeURIComponent(base.password || amqp.password || 'guest');
    base.username = '';
    base.password = '';
    this.#base = base.toString().replace(/\/$/, '');
    this.#vhost = amqp.pathname.length > 1 ? decodeURIComponent(amqp.pathname.slice(1)) : '/';
    this.#authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    this.#last = { available: false, url: this.#base, reason: 'not asked yet' };
  }

  /** The broker's view now, or the last one while a broker without the API waits out its retry delay. */
  async read(): Promise<ManagementView> {
    if (Date.now() < this.#retryAt) return this.#last;
    try {
      const vhost = encodeURIComponent(this.#vhost);
      const [queues, nodes, overview] = await Promise.all([
        this.#get(`/api/queues/${vhost}?columns=${QUEUE_COLUMNS}`),
        this.#get('/api/nodes?columns=name,running'),
        this.#get('/api/overview?columns=cluster_name'),
      ]);
      if (!QueuesCheck.Check(queues) || !NodesCheck.Check(nodes)) throw new Error('unexpected answer');
      const clusterName = (overview as { cluster_name?: unknown }).cluster_name;
      this.#last = {
        available: true,
        url: this.#base,
        queues: new Map(queues.map((q) => [q.name, toQueue(q)])),
        nodes: nodes.map((n) => ({ name: n.name, running: n.running })),
        ...(typeof clusterName === 'string' ? { clusterName } : {}),
      };
    } catch (err) {
      this.#retryAt = Date.now() + UNAVAILABLE_RETRY_MS;
      this.#last = { available: false, url: this.#base, reason: reasonOf(err) };
    }
    return this.#last;
  }

  async #get(path: string): Promise<unknown> {
    const response = await fetch(`${this.#base}${path}`, {
      headers: { authorization: this.#authorization },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    const text = await response.text();
    if (text.length > MAX_BODY_BYTES) throw new Error('answer too large');
    return JSON.parse(text) as unknown;
  }
}

const QUEUE_COLUMNS = 'name,messages_unacknowledged,type,leader,node,members,message_stats';

function toQueue(q: Static<typeof QueueSchema>): ManagementQueue {
  return {
    messagesUnacknowledged: q.messages_unacknowledged ?? 0,
    type: q.type ?? 'classic',
    leader: q.leader ?? q.node ?? null,
    members: q.members ?? null,
    publishRate: q.message_stats?.publish_details?.rate ?? null,
    deliverRate: q.message_stats?.deliver_get_details?.rate ?? null,
  };
}

function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: unknown } }).cause;
    if (typeof cause?.code === 'string') return cause.code;
    return err.name === 'TimeoutError' ? 'no answer' : err.message;
  }
  return String(err);
}
