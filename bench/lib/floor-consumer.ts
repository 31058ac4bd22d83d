// The skeleton every floor consumer shares (bench/baselines/*-consumer.ts): a plain amqplib consumer of the
// bench's backlog that commits each notification with `commit` and acks it only once that resolved, with
// the bench's protocol around it: argv `<queue> <count> <prefetch> <warm> <target>`, `attached` printed once
// it consumes, `warm` after the first <warm> commits, `done` after the last, SIGTERM closes and exits.
// What is left to each floor is its durable work and nothing else: no validation, no log line, no metrics.
import amqplib from 'amqplib';

/** One notification of the backlog, as the floor needs it. */
export interface FloorNotification {
  /** The dedup key the vipservice derives from the message id. */
  readonly key: string;
  readonly accountId: string;
  readonly readAt: string;
}

export interface FloorArgs {
  readonly queue: string;
  readonly count: number;
  readonly prefetch: number;
  readonly warm: number;
  /** The floor's own argument: a data folder, a database URL. */
  readonly target: string;
}

export function floorArgs(argv: readonly string[] = process.argv.slice(2)): FloorArgs {
  const [queue = '', count = '0', prefetch = '1', warm = '1', target = ''] = argv;
  return { queue, count: Number(count), prefetch: Number(prefetch), warm: Number(warm), target };
}

/**
 * Consumes `args.queue` with `args.prefetch`, each message acked after `commit` resolved for it. Resolves
 * once the consumer is attached; `close` runs on SIGTERM, after the AMQP connection is closed.
 */
export async function consumeFloor(
  args: FloorArgs,
  commit: (notification: FloorNotification) => Promise<unknown>,
  close: () => Promise<unknown>,
): Promise<void> {
  const connection = await amqplib.connect(process.env.AMQP_SERVER_URL ?? 'amqp://localhost');
  const channel = await connection.createChannel();
  await channel.prefetch(args.prefetch);
  let committed = 0;
  await channel.consume(args.queue, (msg) => {
    if (msg === null) return;
    const { accountId, readAt } = JSON.parse(msg.content.toString('utf8')) as {
      accountId: string;
      readAt: string;
    };
    void commit({ key: `id:${String(msg.properties.messageId)}`, accountId, readAt }).then(() => {
      channel.ack(msg);
      if (++committed === args.warm) process.stdout.write('warm\n');
      if (committed === args.count) process.stdout.write('done\n');
    });
  });
  process.stdout.write('attached\n');
  process.once('SIGTERM', () => {
    void connection
      .close()
      .then(close)
      .finally(() => process.exit(0));
  });
}
