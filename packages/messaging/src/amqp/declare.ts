import type { Channel, ChannelModel, Options } from 'amqplib';
import type { Destination } from '../message-type.js';
import {
  deadLetterQueueName,
  retryQueueArguments,
  retryQueueName,
  workQueueArguments,
  type QueueType,
} from '../topology.js';

/** How a work queue is declared. */
export interface WorkQueueTopology {
  readonly queueType: QueueType;
  /** Quorum queues only. */
  readonly deliveryLimit: number;
}

/** Called when a queue already exists with other arguments and is used as it is. */
export type OnAdopted = (queue: string, brokerMessage: string) => void;

/** RabbitMQ's answer to a re-declaration with other arguments or flags (inequivalent arg ...). */
function isPreconditionFailed(err: unknown): err is Error {
  return err instanceof Error && (err as { code?: unknown }).code === 406;
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
   * Declares a queue. When it already exists with other arguments (406 PRECONDITION_FAILED: another client,
   * or an earlier version of us, declared it differently), checks passively that it exists and uses it as it
   * is. A queue that does not exist at all, or any other refusal, is thrown.
   */
  async queue(name: string, options: Options.AssertQueue): Promise<void> {
    try {
      await (await this.channel()).assertQueue(name, options);
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err;
      this.ch = undefined; // the broker closed it
      await (await this.channel()).checkQueue(name);
      this.onAdopted(name, err.message);
    }
  }

  async exchange(name: string, type: string, options: Options.AssertExchange): Promise<void> {
    await (await this.channel()).assertExchange(name, type, options);
  }

  async close(): Promise<void> {
    const ch = this.ch;
    this.ch = undefined;
    if (ch !== undefined) await ch.close().catch(() => undefined);
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

/**
 * Declares a work queue with its dead-letter queue and delay queue (all durable). Idempotent.
 * The work queue and the dead-letter queue of a classic work queue carry no arguments, so any plain client's
 * `assertQueue(name, { durable: true })` is equivalent; the delay queue is ours alone.
 */
export async function declareWorkQueue(
  d: Declarer,
  queue: string,
  topology: WorkQueueTopology,
): Promise<void> {
  await d.queue(deadLetterQueueName(queue), { durable: true });
  await d.queue(retryQueueName(queue), { durable: true, arguments: retryQueueArguments(queue) });
  const args = workQueueArguments(queue, topology.queueType, topology.deliveryLimit);
  await d.queue(queue, args === undefined ? { durable: true } : { durable: true, arguments: args });
}

/** Declares what a publisher needs so that nothing it publishes is lost for want of a queue or exchange. */
export async function declareDestination(
  d: Declarer,
  destination: Destination,
  topology: WorkQueueTopology,
): Promise<void> {
  if (destination.kind === 'queue') await declareWorkQueue(d, destination.queue, topology);
  else await d.exchange(destination.exchange, destination.exchangeType, { durable: true });
}

/** Runs `fn` with a declarer on `model`, closing its channel afterwards. */
export async function withDeclarer(
  model: ChannelModel,
  onAdopted: OnAdopted,
  fn: (d: Declarer) => Promise<void>,
): Promise<void> {
  const d = new Declarer(model, onAdopted);
  try {
    await fn(d);
  } finally {
    await d.close();
  }
}

export function destinationName(destination: Destination): string {
  return destination.kind === 'queue' ? destination.queue : destination.exchange;
}
