import type { Channel, ChannelModel, Options } from 'amqplib';
import { ChannelError } from '../errors.js';
import { closeChannel } from './close-channel.js';
import { COMPARED_KEYS, parseInequivalence, type ArgValue } from './inequivalent-arg.js';
import { lossesOf, show, type Loss, type QueueArgs } from './queue-mismatch.js';

/** A queue as we declare it (never exclusive). */
export interface QueueDeclaration {
  readonly durable: boolean;
  readonly autoDelete?: boolean;
  readonly arguments?: Readonly<Record<string, unknown>>;
  /** Its messages leave it only by expiring into its dead-letter target (a delay queue). */
  readonly deadLettersOnExpiry?: boolean;
}

/**
 * Called when a queue already exists with other flags or arguments, none of which loses messages, and is used
 * as it is. `differences` names each of them with the existing queue's value and ours.
 */
export type OnAdopted = (queue: string, differences: string) => void;

/** RabbitMQ's answer to a re-declaration with other arguments or flags (inequivalent arg ...). */
function isPreconditionFailed(err: unknown): err is Error {
  return err instanceof Error && (err as { code?: unknown }).code === 406;
}

/** A difference between an existing queue and our declaration. */
interface Difference {
  readonly ours: ArgValue | undefined;
  readonly current: ArgValue | undefined;
}

/** What probing found: the existing queue (ours where it does not differ) and each difference. */
interface Probed {
  readonly vhost: string;
  readonly existing: QueueArgs;
  readonly differing: ReadonlyMap<string, Difference>;
}

/**
 * Declarations on a throwaway channel of one connection. A refused declaration closes the channel it was
 * made on, so the declarer opens a fresh one for what follows (and never touches a publisher's or a
 * consumer's channel).
 */
export class Declarer {
  private ch: Channel | undefined;

  constructor(
    private readonly model: ChannelModel,
    private readonly onAdopted: OnAdopted,
  ) {}

  /**
   * Declares a queue. When it already exists with other flags or arguments (406 PRECONDITION_FAILED: another
   * client, an operator or an earlier version of us declared it differently), finds every one in which it
   * differs and uses it as it is when none of them loses messages (reported through `onAdopted`). Rejects with
   * ChannelError DECLARE_FAILED naming each argument that loses messages, or when the broker's answers cannot be
   * read; any other refusal is thrown as it is.
   */
  async queue(name: string, declaration: QueueDeclaration): Promise<QueueArgs | undefined> {
    const ours = queueArgs(declaration);
    const refusal = await this.tryDeclare(name, ours);
    if (refusal === undefined) return undefined;
    const probed = await this.probe(name, ours, refusal);
    const losses = lossesOf(probed.existing, new Set(probed.differing.keys()), {
      deadLettersOnExpiry: declaration.deadLettersOnExpiry === true,
    });
    if (losses.length > 0) throw new ChannelError('DECLARE_FAILED', lossMessage(name, probed.vhost, losses));
    this.onAdopted(name, describeDifferences(probed.differing) + migrationAdvice(name, probed.differing));
    return probed.existing;
  }

  /**
   * Learns how an existing queue differs from `ours`. The broker names only the first difference, with the
   * queue's value; declaring again with that value leads to the next one, until a declaration is accepted.
   * Each refusal closes its channel, and each key can differ once: at most one channel per compared key.
   * Should the queue be deleted meanwhile, a declaration made here creates it with ours but for values the
   * broker has just reported for it, and it is judged (and refused) as the queue it was.
   */
  private async probe(name: string, ours: QueueArgs, first: Error): Promise<Probed> {
    const differing = new Map<string, Difference>();
    const existing = new Map(ours);
    let vhost = '';
    for (let refusal: Error | undefined = first; refusal !== undefined;) {
      const found = parseInequivalence(refusal.message, name);
      if (found === undefined && differing.size === 0 && !refusal.message.includes('inequivalent arg')) {
        throw refusal; // not a difference of arguments (an invalid one, say): like any other refusal
      }
      const flag = found?.key === 'durable' || found?.key === 'auto_delete';
      if (
        found === undefined ||
        differing.has(found.key) ||
        differing.size >= COMPARED_KEYS.size ||
        (flag && found.current?.type !== 'boolean')
      ) {
        throw unreadable(name, refusal, differing);
      }
      differing.set(found.key, { ours: ours.get(found.key), current: found.current });
      if (found.current === undefined) existing.delete(found.key);
      else existing.set(found.key, found.current);
      vhost = found.vhost;
      refusal = await this.tryDeclare(name, existing);
    }
    return { vhost, existing, differing };
  }

  /** Declares; resolves to the broker's 406 instead of throwing it (the broker closed the channel). */
  private async tryDeclare(name: string, args: QueueArgs): Promise<Error | undefined> {
    try {
      await (await this.channel()).assertQueue(name, assertOptions(args));
      return undefined;
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err;
      this.ch = undefined;
      return err;
    }
  }

  async exchange(name: string, type: string, options: Options.AssertExchange): Promise<void> {
    await (await this.channel()).assertExchange(name, type, options);
  }

  async close(): Promise<void> {
    const ch = this.ch;
    this.ch = undefined;
    if (ch !== undefined) await closeChannel(ch);
  }

  private async channel(): Promise<Channel> {
    if (this.ch === undefined) {
      const ch = await this.model.createChannel();
      ch.on('error', () => undefined); // refusals arrive as rejected operations too
      ch.once('close', () => {
        if (this.ch === ch) this.ch = undefined;
      });
      this.ch = ch;
    }
    return this.ch;
  }
}

function argValue(key: string, v: unknown): ArgValue {
  if (typeof v === 'string') return { type: 'string', value: v };
  if (typeof v === 'boolean') return { type: 'boolean', value: v };
  if (typeof v === 'number') return { type: Number.isInteger(v) ? 'integer' : 'float', value: v };
  throw new TypeError(`queue argument ${key}: only strings, numbers and booleans are declared`);
}

function queueArgs(d: QueueDeclaration): QueueArgs {
  const args = new Map<string, ArgValue>([
    ['durable', { type: 'boolean', value: d.durable }],
    ['auto_delete', { type: 'boolean', value: d.autoDelete === true }],
  ]);
  for (const [key, v] of Object.entries(d.arguments ?? {})) args.set(key, argValue(key, v));
  return args;
}

function assertOptions(args: QueueArgs): Options.AssertQueue {
  const table = Object.create(null) as Record<string, unknown>;
  for (const [key, v] of args) {
    if (key === 'durable' || key === 'auto_delete') continue;
    // A float keeps its type class (the broker compares integers and floats as different).
    table[key] = v.type === 'float' ? { '!': 'double', value: v.value } : v.value;
  }
  return {
    durable: args.get('durable')?.value === true,
    autoDelete: args.get('auto_delete')?.value === true,
    exclusive: false,
    arguments: table,
  };
}

function describeDifferences(differing: ReadonlyMap<string, Difference>): string {
  const each = [...differing].map(([key, d]) => `${key} = ${show(d.current)} (ours: ${show(d.ours)})`);
  return `inequivalent arguments, ours not applied: ${each.join(', ')}`;
}

/** How to move an existing classic queue to the quorum type we declare, for the adoption warning. */
function migrationAdvice(queue: string, differing: ReadonlyMap<string, Difference>): string {
  const type = differing.get('x-queue-type');
  if (type?.ours?.value !== 'quorum' || type.current?.value === 'quorum') return '';
  return (
    `. It is a classic queue, not replicated: to make it a quorum queue without losing what waits in it, stop ` +
    `its consumers and run \`npm run migrate-queue -- ${queue}\` (docs/cluster.md)`
  );
}

function lossMessage(queue: string, vhost: string, losses: readonly Loss[]): string {
  const each = losses.map((l) => `${l.key} = ${show(l.value)} (${l.why})`).join('; ');
  return (
    `queue '${queue}' exists in vhost '${vhost}' with arguments that lose messages: ${each}. ` +
    `Fix: delete the queue (rabbitmqctl -p ${vhost} delete_queue ${queue}; move its messages first if they ` +
    'matter) and start again: it is then declared as we declare it'
  );
}

function unreadable(queue: string, refusal: Error, differing: ReadonlyMap<string, Difference>): ChannelError {
  const known = differing.size === 0 ? '' : ` (${describeDifferences(differing)})`;
  return new ChannelError(
    'DECLARE_FAILED',
    `queue '${queue}' exists with other arguments than ours${known}, and the broker's answer does not tell ` +
      `whether they lose messages: ${refusal.message}. Fix: delete the queue, or declare it as we do`,
    { cause: refusal },
  );
}
