import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import amqplib, { type Channel, type ChannelModel } from 'amqplib';
import { after, before } from 'node:test';

const run = promisify(execFile);

export const AMQP_URL = process.env.AMQP_SERVER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

/** A plain amqplib connection for arranging and inspecting broker state in tests. */
export class BrokerAdmin {
  private ch: Channel | undefined;

  private constructor(private readonly conn: ChannelModel) {}

  static async open(): Promise<BrokerAdmin> {
    const conn = await amqplib.connect(AMQP_URL, {
      clientProperties: { connection_name: 'messaging-test-admin' },
    });
    conn.on('error', () => undefined);
    return new BrokerAdmin(conn);
  }

  /** Runs `fn` on a channel, opening a fresh one when a failed operation (404...) closed the last. */
  private async use<T>(fn: (ch: Channel) => Promise<T>): Promise<T> {
    if (this.ch === undefined) {
      const ch = await this.conn.createChannel();
      ch.on('error', () => undefined);
      ch.on('close', () => {
        if (this.ch === ch) this.ch = undefined;
      });
      this.ch = ch;
    }
    return fn(this.ch);
  }

  /** Runs `fn` on the admin channel (declarations and such). */
  withChannel<T>(fn: (ch: Channel) => Promise<T>): Promise<T> {
    return this.use(fn);
  }

  async messageCount(queue: string): Promise<number | undefined> {
    try {
      return await this.use(async (ch) => (await ch.checkQueue(queue)).messageCount);
    } catch {
      return undefined;
    }
  }

  async queueExists(queue: string): Promise<boolean> {
    return (await this.messageCount(queue)) !== undefined;
  }

  /** Takes every message currently in `queue` (acked: the queue is left empty). */
  async drain(queue: string): Promise<amqplib.GetMessage[]> {
    return this.use(async (ch) => {
      const out: amqplib.GetMessage[] = [];
      for (;;) {
        const m = await ch.get(queue, { noAck: true });
        if (m === false) return out;
        out.push(m);
      }
    });
  }

  async sendRaw(queue: string, body: Buffer, options: amqplib.Options.Publish = {}): Promise<void> {
    const ch = await this.conn.createConfirmChannel();
    ch.on('error', () => undefined);
    ch.sendToQueue(queue, body, options);
    await ch.waitForConfirms();
    await ch.close();
  }

  async deleteQueues(...queues: string[]): Promise<void> {
    for (const q of queues) await this.use((ch) => ch.deleteQueue(q)).catch(() => undefined);
  }

  async deleteExchanges(...exchanges: string[]): Promise<void> {
    for (const x of exchanges) await this.use((ch) => ch.deleteExchange(x)).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.conn.close().catch(() => undefined);
  }
}

/** Names of the broker's queues starting with `prefix` (rabbitmqctl: slow, for rare checks only). */
export async function listQueues(prefix: string): Promise<string[]> {
  const vhost = decodeURIComponent(new URL(AMQP_URL).pathname.slice(1)) || '/';
  const { stdout } = await run('rabbitmqctl', [
    'list_queues',
    '-p',
    vhost,
    'name',
    '-q',
    '--formatter',
    'json',
  ]);
  const rows = JSON.parse(stdout) as { name: string }[];
  return rows.map((r) => r.name).filter((n) => n.startsWith(prefix));
}

/** Closes the broker-side connections whose connection_name is `name` (only ours, never other people's). */
export async function closeConnectionsNamed(name: string, reason = 'test: forced close'): Promise<number> {
  // Tab-separated rows: `<rabbit@host.x.y.z>\t[{"connection_name","..."},...]` (the pid form close_connection takes).
  const { stdout } = await run('rabbitmqctl', ['list_connections', 'pid', 'client_properties', '-q']);
  const needle = `{"connection_name","${name}"}`;
  const targets = stdout
    .split('\n')
    .filter((line) => line.includes(needle))
    .map((line) => ({ pid: line.split('\t')[0] ?? '' }));
  for (const r of targets) await run('rabbitmqctl', ['close_connection', r.pid, reason]);
  return targets.length;
}

/**
 * One BrokerAdmin for the calling test file: opened before its first test, closed after its last. Returns
 * the getter the tests use (it throws when called outside that span).
 */
export function useBrokerAdmin(): () => BrokerAdmin {
  let admin: BrokerAdmin | undefined;
  before(async () => {
    admin = await BrokerAdmin.open();
  });
  after(async () => {
    await admin?.close();
  });
  return () => {
    if (!admin) throw new Error('admin not open');
    return admin;
  };
}
