import {
  connectAmqp,
  type AmqpTransport,
  type AmqpTransportOptions,
  type Transport,
} from '../../src/index.js';
import type { ContractFixture } from '../contract.js';
import { AMQP_URL, BrokerAdmin, closeConnectionsNamed, listQueues } from './broker.js';
import { uniqueName } from './util.js';

const names = new WeakMap<Transport, string>();

/** A transport on the real broker with a unique connection_name, so tests can close only their own connection. */
export async function connectTest(options: Partial<AmqpTransportOptions> = {}): Promise<AmqpTransport> {
  const connectionName = options.connectionName ?? uniqueName('conn');
  const t = await connectAmqp({ url: AMQP_URL, connectionName, appId: 'messaging-test', ...options });
  names.set(t, connectionName);
  return t;
}

export function connectionNameOf(t: Transport): string {
  const n = names.get(t);
  if (n === undefined) throw new Error('not a test transport');
  return n;
}

export function amqpFixture(admin: () => BrokerAdmin): ContractFixture {
  return {
    features: { queueTypes: true, reconnects: true },
    timeoutMs: 20_000,
    transport: (options) => connectTest({ ...options }),
    injectRaw: async (queue, body, props) => {
      // As a plain client (the article's Go code, an operator script) declares it.
      await admin().withChannel((ch) => ch.assertQueue(queue, { durable: true }));
      await admin().sendRaw(queue, Buffer.from(body), { persistent: true, ...props });
    },
    takeDeadLetters: async (queue) => {
      const msgs = await admin()
        .drain(`${queue}.dlq`)
        .catch(() => []);
      return msgs.map((m) => ({
        body: m.content.toString(),
        messageId: typeof m.properties.messageId === 'string' ? m.properties.messageId : undefined,
        headers: m.properties.headers ?? {},
      }));
    },
    depth: async (queue) => (await admin().messageCount(queue)) ?? 0,
    queueExists: (queue) => admin().queueExists(queue),
    queuesStartingWith: (prefix) => listQueues(prefix),
    dropConnection: async (t) => {
      const n = await closeConnectionsNamed(connectionNameOf(t));
      if (n !== 1) throw new Error(`expected to close 1 connection, closed ${n}`);
    },
    cleanup: async (queues, exchanges) => {
      await admin().deleteQueues(...queues);
      await admin().deleteExchanges(...exchanges);
    },
  };
}
