import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Health, createLogger, createMetrics } from '@goblog/runtime';
import type { PinoLogger } from '@goblog/runtime';
import type { FastifyInstance } from 'fastify';
import type { Transport } from '@goblog/messaging';
import {
  AccountStore,
  OutboxMetrics,
  OutboxRelay,
  VipNotification,
  VipPolicy,
  buildApp,
  outboxStatus,
  seedAccounts,
} from '../../src/index.js';
import type { OpenStoreOptions, OutboxReader, RelayRound } from '../../src/index.js';

/** A fresh data_dir, removed by `cleanup`. */
export function tempDataDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'accountservice-test-'));
  return {
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A logger whose JSON lines are collected in `lines` instead of printed. */
export function captureLogger(): { logger: PinoLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n'))
        if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return {
    logger: createLogger({ service: 'accountservice', level: 'debug', pretty: false, destination }),
    lines,
  };
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: AccountStore;
  readonly vip: VipPolicy;
  readonly health: Health;
  readonly dataDir: string;
  /** Present when a transport was given: relays the outbox to it. */
  readonly relay: OutboxRelay | undefined;
  /** Resolves after the first relay round that leaves the outbox empty. */
  drained(timeoutMs?: number): Promise<RelayRound>;
  close(): Promise<void>;
}

/**
 * The app over a seeded store in a temp data_dir. With a transport, an outbox relay publishes to it;
 * without, the outbox only fills.
 */
export async function testApp(
  options: {
    vipIds?: string[];
    servedBy?: string;
    durability?: OpenStoreOptions['durability'];
    transport?: Transport;
    /** What the relay reads instead of the store's outbox (e.g. one that fails); default the outbox itself. */
    relayOutbox?: (outbox: OutboxReader) => OutboxReader;
  } = {},
): Promise<TestApp> {
  const { dir, cleanup } = tempDataDir();
  const store = AccountStore.open({ dataDir: dir, durability: options.durability ?? 'commit' });
  await store.accounts.seed(seedAccounts());
  const vip = new VipPolicy(options.vipIds ?? ['10000']);
  const health = new Health().register('store', () => ({ ok: store.isOpen }));
  const metrics = createMetrics('accountservice');
  const outboxMetrics = new OutboxMetrics(metrics.registry, store.outbox);
  const app = buildApp({
    logger: captureLogger().logger,
    metrics,
    health,
    accounts: store.accounts,
    vip,
    outbox: outboxMetrics.timed(store.outbox),
    servedBy: options.servedBy ?? '10.0.0.7:6767',
    healthDetails: () => ({ outbox: outboxStatus(store.outbox) }),
  });
  await app.ready();
  const transport = options.transport;
  const relay =
    transport === undefined
      ? undefined
      : new OutboxRelay({
          outbox: options.relayOutbox?.(store.outbox) ?? store.outbox,
          publisher: transport.createPublisher(),
          messageType: VipNotification,
          connection: transport,
          appId: 'accountservice',
          metrics: outboxMetrics,
          initialBackoffMs: 5,
          maxBackoffMs: 50,
        });
  // As main.ts wires it.
  if (relay !== undefined) health.register('relay', () => relay.health());
  relay?.start();
  return {
    app,
    store,
    vip,
    health,
    dataDir: dir,
    relay,
    drained: (timeoutMs = 5000) => {
      if (relay === undefined) return Promise.reject(new Error('no relay without a transport'));
      return drained(relay, timeoutMs);
    },
    async close() {
      await app.close();
      await relay?.stop();
      await store.close();
      cleanup();
    },
  };
}

/** Resolves with the first relay round after which the outbox is empty; rejects after `timeoutMs`. */
export function drained(relay: OutboxRelay, timeoutMs = 5000): Promise<RelayRound> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`outbox not drained within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = relay.onRound((round) => {
      if (round.depth === 0) {
        clearTimeout(timer);
        off();
        resolve(round);
      }
    });
  });
}
