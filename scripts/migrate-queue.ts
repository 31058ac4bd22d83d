// `npm run migrate-queue -- <queue>`: turns an existing classic work queue (e.g. vip_queue, with its .retry
// and .dlq) into the quorum queues the services declare by default, without losing what waits in it.
// RabbitMQ cannot change a queue's type in place, so each queue's messages are moved (confirmed before they
// are removed) into a holding quorum queue `<name>.migrating`, the queue is deleted and declared again as
// quorum, and the messages are moved back. Run it with the queue's consumers (the vipservices) stopped;
// publishers may go on (the accountservice's outbox retries what finds no queue for a moment).
// Broker: AMQP_SERVER_URL (the first node of a list that answers); delivery limit: WORK_QUEUE_DELIVERY_LIMIT.
// Safe to run again after an interruption: holding queues left over are moved back. See docs/cluster.md.
import { connect } from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel, GetMessage, MessageProperties } from 'amqplib';
import { Type } from 'typebox';
import { connectAmqp, deadLetterQueueName, defineMessage, maskUrl, retryQueueName } from '@goblog/messaging';

const BATCH = 500;
const DELETE_ATTEMPTS = 10;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function firstNode(urls: readonly string[]): Promise<{ url: string; connection: ChannelModel }> {
  for (const url of urls) {
    const connection = await connect(url).catch(() => undefined);
    if (connection !== undefined) return { url, connection };
  }
  throw new Error(`no broker answers at ${urls.map(maskUrl).join(', ')}`);
}

class Mover {
  private ch: Channel | undefined;
  private confirm: ConfirmChannel | undefined;

  constructor(
    private readonly connection: ChannelModel,
    private readonly url: string,
  ) {}

  private async channel(): Promise<Channel> {
    if (this.ch === undefined) {
      const ch = await this.connection.createChannel();
      ch.on('error', () => undefined);
      ch.once('close', () => {
        if (this.ch === ch) this.ch = undefined;
      });
      this.ch = ch;
    }
    return this.ch;
  }

  /** Ready messages and consumers of `queue`, or undefined when there is no such queue. */
  async inspect(queue: string): Promise<{ messages: number; consumers: number } | undefined> {
    const ok = await (await this.channel()).checkQueue(queue).catch(() => {
      this.ch = undefined; // a missing queue closes the channel
      return undefined;
    });
    return ok === undefined ? undefined : { messages: ok.messageCount, consumers: ok.consumerCount };
  }

  async declareHolding(queue: string): Promise<void> {
    await (
      await this.channel()
    ).assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  }

  /**
   * Moves every message of `from` to `to`, each removed from `from` only once `to` has confirmed it.
   * `dropExpiry`: messages of a delay queue, whose expiry would drop them in a queue that does not
   * dead-letter (they are retried a little early instead). Resolves with the number moved.
   */
  async move(from: string, to: string, dropExpiry = false): Promise<number> {
    this.confirm ??= await this.connection.createConfirmChannel();
    const out = this.confirm;
    const ch = await this.channel();
    let moved = 0;
    for (;;) {
      const batch: GetMessage[] = [];
      while (batch.length < BATCH) {
        const m = await ch.get(from, { noAck: false });
        if (m === false) break;
        batch.push(m);
      }
      if (batch.length === 0) return moved;
      for (const m of batch) {
        const props: MessageProperties = { ...m.properties };
        const expiration: unknown = props.expiration;
        delete (props as { expiration?: unknown }).expiration;
        const keep =
          dropExpiry || (typeof expiration !== 'string' && typeof expiration !== 'number')
            ? {}
            : { expiration: String(expiration) };
        out.sendToQueue(to, m.content, {
          ...props,
          ...keep,
          headers: m.properties.headers ?? {},
          persistent: true,
        });
      }
      await out.waitForConfirms();
      ch.ack(batch[batch.length - 1] as GetMessage, true);
      moved += batch.length;
    }
  }

  /**
   * Deletes `queue` once it is empty and unused, the broker checking atomically (if-empty); what publishers
   * add meanwhile is moved first. Resolves 'kept' for a queue that is a quorum queue already: RabbitMQ
   * refuses an if-empty delete of one with a connection error (hence a connection of its own), and the
   * queue stays as it is.
   */
  async deleteEmptied(
    queue: string,
    holding: string,
    dropExpiry: boolean,
  ): Promise<{ moved: number; outcome: 'deleted' | 'kept' }> {
    let moved = 0;
    for (let attempt = 1; ; attempt++) {
      moved += await this.move(queue, holding, dropExpiry);
      const probe = await connect(this.url);
      // The broker's reason for closing the connection comes as its error, not as the delete's rejection.
      const closedFor = new Promise<string>((resolve) => {
        probe.on('error', (e: Error) => {
          resolve(e.message);
        });
        probe.once('close', () => {
          setTimeout(() => {
            resolve('');
          }, 100);
        });
      });
      try {
        const ch = await probe.createChannel();
        ch.on('error', () => undefined);
        await ch.deleteQueue(queue, { ifEmpty: true, ifUnused: true });
        return { moved, outcome: 'deleted' };
      } catch (err) {
        if ((err as { code?: unknown }).code !== 406) {
          const why = await Promise.race([
            closedFor,
            new Promise<string>((r) => {
              setTimeout(() => {
                r('');
              }, 2000);
            }),
          ]);
          if (/NOT_IMPLEMENTED|not supported by quorum/i.test(why)) return { moved, outcome: 'kept' };
          throw err;
        }
        if (attempt >= DELETE_ATTEMPTS) throw err;
      } finally {
        await probe.close().catch(() => undefined);
      }
    }
  }

  /** Deletes a holding queue, once emptied (nobody else writes to it; quorum queues have no if-empty delete). */
  async deleteHolding(queue: string): Promise<void> {
    const left = await this.inspect(queue);
    if (left !== undefined && left.messages > 0)
      throw new Error(`${queue} still holds ${left.messages} message(s)`);
    await (await this.channel()).deleteQueue(queue);
  }
}

async function migrate(queue: string): Promise<void> {
  const urls = (process.env.AMQP_SERVER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/')
    .split(',')
    .map((u) => u.trim());
  const deliveryLimit = Number(process.env.WORK_QUEUE_DELIVERY_LIMIT ?? 20);
  if (!Number.isInteger(deliveryLimit) || deliveryLimit < 1)
    throw new Error('WORK_QUEUE_DELIVERY_LIMIT: must be an integer >= 1');
  const { url, connection } = await firstNode(urls);
  connection.on('error', () => undefined);
  const mover = new Mover(connection, url);
  try {
    const work = await mover.inspect(queue);
    if (work !== undefined && work.consumers > 0) {
      throw new Error(
        `${queue} has ${work.consumers} consumer(s): stop them (the vipservices) first, then run this again`,
      );
    }
    // The delay queue's messages go back to the work queue itself (their delay dropped), the others to
    // their own holding queue.
    const plan = [
      {
        name: deadLetterQueueName(queue),
        holding: `${deadLetterQueueName(queue)}.migrating`,
        dropExpiry: false,
      },
      { name: retryQueueName(queue), holding: `${queue}.migrating`, dropExpiry: true },
      { name: queue, holding: `${queue}.migrating`, dropExpiry: false },
    ];
    for (const step of plan) {
      await mover.declareHolding(step.holding);
      if ((await mover.inspect(step.name)) === undefined) continue;
      const { moved, outcome } = await mover.deleteEmptied(step.name, step.holding, step.dropExpiry);
      say(
        outcome === 'deleted'
          ? `${step.name}: ${moved} message(s) held in ${step.holding}; queue deleted`
          : `${step.name}: already a quorum queue; its ${moved} message(s) go back through ${step.holding}`,
      );
    }
    // Declared again exactly as the services declare them (quorum, delivery limit, dead-letter queue).
    const transport = await connectAmqp({
      url,
      connectionName: 'migrate-queue',
      queueType: 'quorum',
      deliveryLimit,
    });
    try {
      const type = defineMessage({
        name: 'Migration',
        schema: Type.Unknown(),
        destination: { kind: 'queue', queue },
      });
      await transport.createPublisher().declare(type);
    } finally {
      await transport.close();
    }
    for (const [holding, target] of [
      [`${deadLetterQueueName(queue)}.migrating`, deadLetterQueueName(queue)],
      [`${queue}.migrating`, queue],
    ] as const) {
      const moved = await mover.move(holding, target);
      await mover.deleteHolding(holding);
      say(`${target}: ${moved} message(s) moved back; now a quorum queue`);
    }
    say(`${queue} migrated to quorum queues on ${maskUrl(url)}; start its consumers again`);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

const queue = process.argv[2];
if (queue === undefined || queue.startsWith('-')) {
  process.stderr.write('usage: npm run migrate-queue -- <queue>   (e.g. vip_queue)\n');
  process.exitCode = 2;
} else {
  migrate(queue).catch((err: unknown) => {
    process.stderr.write(
      `migrate-queue: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  });
}
