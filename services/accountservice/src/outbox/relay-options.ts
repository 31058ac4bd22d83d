import type { ConnectionState, Logger, MessageType, Publisher } from '@goblog/messaging';
import type { VipNotificationSchema } from '@goblog/contracts';
import type { OutboxReader } from '../store/outbox-store.js';
import type { OutboxMetrics } from './outbox-metrics.js';
import type { Pacer } from './pacer.js';

/** The part of a transport the relay watches: it publishes only while connected. */
export interface ConnectionWatch {
  readonly state: ConnectionState;
  onStateChange(listener: (state: ConnectionState) => void): () => void;
}

export interface OutboxRelayOptions {
  readonly outbox: OutboxReader;
  readonly publisher: Publisher;
  readonly messageType: MessageType<typeof VipNotificationSchema>;
  readonly connection?: ConnectionWatch;
  readonly appId?: string;
  readonly logger?: Logger;
  readonly metrics?: OutboxMetrics;
  /** Entries published at once, all within the publisher's confirm window. Default 1000. */
  readonly batchSize?: number;
  /**
   * Batches published at once, each while the ones before it await their confirms (an entry recorded while
   * a batch is in flight goes out without waiting for that batch's confirms). Default 1; the composition
   * root passes the outbox's own (`OutboxReader.maxBatchesInFlight`: several for LMDB, one for PostgreSQL).
   */
  readonly maxBatchesInFlight?: number;
  /** First retry delay after a failed publish, doubled per failure. Default 200 ms. */
  readonly initialBackoffMs?: number;
  /** Longest retry delay. Default 10 s. */
  readonly maxBackoffMs?: number;
  /**
   * True while the process is saturated with request work (see `loopPressure` in @goblog/runtime). The
   * relay then gives way: it publishes nothing until the load eases or an entry would wait longer than
   * `maxDeferMs`, and the broker's share of the CPU (and of the disk) goes to requests. Without it the relay
   * never defers.
   */
  readonly saturated?: () => boolean;
  /** While deferring, how often the relay checks whether the load has eased. Default 250 ms. */
  readonly deferCheckMs?: number;
  /** The longest a notification waits because the relay defers: older entries go out at full speed. Default 10 s. */
  readonly maxDeferMs?: number;
  /** The relay's scheduler; tests pass one that records what the relay asked to sleep for. */
  readonly pacer?: Pacer;
}

/** The relay as /health sees it. */
export interface RelayHealth {
  readonly ok: boolean;
  /** Why it is not ok: not started, stopped, its loop ended, or the error it keeps failing with. */
  readonly detail?: string;
}

/** What one publish round achieved; reported after its confirmed entries are deleted. */
export interface RelayRound {
  readonly published: number;
  readonly failed: number;
  /** Outbox depth after the round's deletions. */
  readonly depth: number;
}
