import { connect } from 'amqplib';

export const BROKER_URL = process.env.AMQP_SERVER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

/** Removes a work queue and its companions (`.retry`, `.dlq`) that a bench run declared. */
export async function deleteQueues(queue: string): Promise<void> {
  const connection = await connect(BROKER_URL);
  try {
    for (const q of [queue, `${queue}.retry`, `${queue}.dlq`]) {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteQueue(q).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}
