import { createLiveConfig, resolveConfig } from '@goblog/config';
import { assembleService, createLogger, createMetrics } from '@goblog/runtime';
import type { Health, PinoLogger } from '@goblog/runtime';
import type { FastifyInstance } from 'fastify';
import { createMemoryTransport } from '@goblog/messaging';
import type { Transport } from '@goblog/messaging';
import { captureJsonLines, tempDir } from '@goblog/testkit';
import type { TempDir } from '@goblog/testkit';
import { AccountserviceConfigSchema, DEFAULTS, accountservice } from '../../src/index.js';
import type {
  AccountStorage,
  OpenStoreOptions,
  OutboxReader,
  OutboxRelay,
  RelayRound,
  VipPolicy,
} from '../../src/index.js';

/** A fresh data_dir, removed by `cleanup`. */
export function tempDataDir(): TempDir {
  return tempDir('accountservice-test');
}

/** The service's own (pino) logger at debug, its JSON lines collected in `lines` instead of printed. */
export function capturePinoLogger(): { logger: PinoLogger; lines: Record<string, unknown>[] } {
  const { destination, lines } = captureJsonLines();
  return {
    logger: createLogger({ service: 'accountservice', level: 'debug', pretty: false, destination }),
    lines,
  };
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: AccountStorage;
  readonly vip: VipPolicy;
  readonly health: Health;
  readonly dataDir: string;
  readonly relay: OutboxRelay;
  /** Resolves after the first relay round that leaves the outbox empty. */
  drained(timeoutMs?: number): Promise<RelayRound>;
  /** Resolves with the first relay round from now that `matches`; rejects after `timeoutMs`. */
  round(matches: (round: RelayRound) => boolean, what: string, timeoutMs?: number): Promise<RelayRound>;
  /** The service's own shutdown steps, then the temp data_dir goes. */
  close(): Promise<void>;
}

/**
 * The accountservice as main.ts assembles it (its composition root), over a seeded store in a temp data_dir,
 * not listening (`app.inject()`). With a transport, the outbox relay publishes to it; without, the relay
 * sees an empty outbox (over a memory transport) and the outbox only fills.
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
  const config = resolveConfig({
    schema: AccountserviceConfigSchema,
    defaults: { ...DEFAULTS, data_dir: dir, vip_account_ids: options.vipIds ?? ['10000'] },
  });
  const transport = options.transport ?? createMemoryTransport({ appId: 'accountservice' });
  const relayOutbox = options.relayOutbox ?? (options.transport === undefined ? heldBack : undefined);
  const service = await assembleService(
    accountservice({
      servedBy: options.servedBy ?? '10.0.0.7:6767',
      durability: options.durability ?? 'commit',
      // Never deferred: a busy test machine must not hold a notification back.
      saturated: () => false,
      relay: {
        initialBackoffMs: 5,
        maxBackoffMs: 50,
        ...(relayOutbox === undefined ? {} : { outbox: relayOutbox }),
      },
    }),
    {
      config,
      live: createLiveConfig(config, () => Promise.resolve(config)),
      logger: capturePinoLogger().logger,
      metrics: createMetrics('accountservice'),
      connect: () => Promise.resolve(transport),
    },
  );
  const { app, store, vip, relay } = service.parts;
  await app.ready();
  return {
    app,
    store,
    vip,
    health: service.health,
    dataDir: dir,
    relay,
    drained: (timeoutMs = 5000) => drained(relay, timeoutMs),
    round: (matches, what, timeoutMs = 5000) => nextRound(relay, matches, what, timeoutMs),
    async close() {
      await service.close();
      cleanup();
    },
  };
}

/** The outbox as a relay that never gets to it sees it: empty (the entries stay, depth and age are real). */
function heldBack(outbox: OutboxReader): OutboxReader {
  return {
    peek: () => [],
    remove: (seqs) => outbox.remove(seqs),
    onRecorded: (listener) => outbox.onRecorded(listener),
    get depth() {
      return outbox.depth;
    },
    oldestRecordedAt: () => outbox.oldestRecordedAt(),
  };
}

/** Resolves with the first relay round after which the outbox is empty; rejects after `timeoutMs`. */
export function drained(relay: OutboxRelay, timeoutMs = 5000): Promise<RelayRound> {
  return nextRound(relay, (round) => round.depth === 0, 'outbox not drained', timeoutMs);
}

/** Resolves with the first relay round that `matches`; rejects after `timeoutMs`, saying `what`. */
export function nextRound(
  relay: OutboxRelay,
  matches: (round: RelayRound) => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<RelayRound> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = relay.onRound((round) => {
      if (matches(round)) {
        clearTimeout(timer);
        off();
        resolve(round);
      }
    });
  });
}
