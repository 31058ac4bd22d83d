import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import type { Channel, ChannelModel } from 'amqplib';

const run = promisify(execFile);
export const BROKER_URL = process.env.AMQP_SERVER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

/** rabbitmqctl with a bounded wait; throws with its stderr on failure. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', args, { timeout: 60_000 });
  return stdout;
}

/** A plain amqplib connection for observing queues from the outside in tests. */
export async function plainChannel(): Promise<{ connection: ChannelModel; channel: Channel }> {
  const connection = await connect(BROKER_URL);
  const channel = await connection.createChannel();
  return { connection, channel };
}

/** Number of ready messages in `queue`, or undefined when it does not exist. */
export async function queueDepth(queue: string): Promise<number | undefined> {
  const { connection } = await plainChannel();
  try {
    const ch = await connection.createChannel();
    ch.on('error', () => undefined);
    const ok = await ch.checkQueue(queue).catch(() => undefined);
    return ok?.messageCount;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
