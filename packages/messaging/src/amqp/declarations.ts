import type { ChannelModel } from 'amqplib';
import { ChannelError, isMessagingError } from '../errors.js';
import type { MessageType } from '../message-type.js';
import type { QueueType } from '../topology.js';
import { withDeadline } from './deadline.js';
import type { LiveConnection } from './live-connection.js';
import type { AmqpSettings } from './transport.js';
import { declareDestination, declareWorkQueue, destinationName, withDeclarer } from './work-queue.js';

/** How long a declaration may take once a connection is there. */
const DECLARE_MARGIN_MS = 5_000;

/** The connection declarations are made on. */
export interface DeclaringConnection extends LiveConnection {
  /** The live connection, waiting for one until `deadline` (performance.now()); NOT_CONNECTED after it. */
  connectionBefore(deadline: number): Promise<ChannelModel>;
}

/** What a publisher needs of the declarations: its types' destinations declared before it publishes. */
export interface DestinationDeclarations {
  /** undefined when `type`'s destination is already declared on the live connection (the hot path). */
  ensure(type: MessageType, waitMs: number): Promise<void> | undefined;
  /** A channel error may mean a queue or exchange was deleted: declare again before the next publish. */
  invalidate(): void;
  /** Declare `type`'s destination again on every new connection, not only before the next publish. */
  pin(type: MessageType): void;
}

/**
 * What the transport has declared on its live connection: each message type's destination once per
 * connection (concurrent publishes share one declaration), pinned types again on every new connection, and
 * queues found to exist with other arguments reported once (one warning line per queue).
 */
export class Declarations implements DestinationDeclarations {
  private declared = new Set<MessageType>();
  private readonly declaring = new Map<MessageType, Promise<void>>();
  /** Types declared up front (Publisher.declare): declared again on every new connection. */
  private readonly pinned = new Set<MessageType>();
  /** Queues found to exist with other arguments (warned about once). */
  private readonly adopted = new Set<string>();

  constructor(
    private readonly connection: DeclaringConnection,
    private readonly settings: AmqpSettings,
  ) {}

  /** A new connection: nothing is declared on it yet. */
  connected(): void {
    this.declared = new Set();
    // A declaration still pending on an earlier connection may never settle: never hand it out again.
    this.declaring.clear();
  }

  /** Declares every pinned type again (after a reconnect); a failure is logged (the next publish retries it). */
  redeclarePinned(): void {
    for (const type of this.pinned) {
      this.ensure(type, this.settings.publishWaitMs)?.catch((err: unknown) => {
        this.settings.logger.warn(
          {
            destination: destinationName(type.destination),
            err: err instanceof Error ? err.message : String(err),
          },
          'could not declare again after reconnect',
        );
      });
    }
  }

  /** undefined when `type`'s destination is declared on the live connection already (the hot path). */
  ensure(type: MessageType, waitMs: number): Promise<void> | undefined {
    if (this.declared.has(type)) return undefined;
    let p = this.declaring.get(type);
    if (p === undefined) {
      const started = this.declare(type, performance.now() + waitMs);
      // The wait for a connection is bounded inside; this bounds the declaration itself too.
      const bound = waitMs + DECLARE_MARGIN_MS;
      const settled = withDeadline(started, bound, () => {
        const name = destinationName(type.destination);
        return new ChannelError('DECLARE_FAILED', `declaring ${name} took more than ${bound} ms`);
      }).finally(() => {
        if (this.declaring.get(type) === settled) this.declaring.delete(type);
      });
      p = settled;
      this.declaring.set(type, p);
    }
    return p;
  }

  /** A queue or exchange may have been deleted: declare again before the next publish. */
  invalidate(): void {
    this.declared = new Set();
  }

  pin(type: MessageType): void {
    this.pinned.add(type);
  }

  workQueue(model: ChannelModel, queue: string, queueType: QueueType): Promise<void> {
    const topology = { queueType, deliveryLimit: this.settings.deliveryLimit };
    return withDeclarer(model, this.onAdopted, (d) => declareWorkQueue(d, queue, topology));
  }

  private async declare(type: MessageType, deadline: number): Promise<void> {
    const name = destinationName(type.destination);
    const d = type.destination;
    const topology = {
      queueType: (d.kind === 'queue' ? d.queueType : undefined) ?? this.settings.queueType,
      deliveryLimit: this.settings.deliveryLimit,
    };
    for (;;) {
      const model = await this.connection.connectionBefore(deadline);
      try {
        await withDeclarer(model, this.onAdopted, (decl) => declareDestination(decl, d, topology));
        if (this.connection.currentConnection() === model) this.declared.add(type);
        return;
      } catch (err) {
        // The connection went away meanwhile: wait for the next one.
        if (this.connection.currentConnection() !== model) continue;
        if (isMessagingError(err, 'DECLARE_FAILED')) throw err; // already says which queue and why
        const text = this.connection.redact(err instanceof Error ? err.message : String(err));
        throw new ChannelError('DECLARE_FAILED', `cannot declare ${name}: ${text}`, { cause: err });
      }
    }
  }

  private readonly onAdopted = (queue: string, brokerMessage: string): void => {
    const fields = { queue, err: this.connection.redact(brokerMessage) };
    const log = this.settings.logger;
    if (this.adopted.has(queue)) {
      log.debug(fields, 'queue exists with other arguments; using it as it is');
      return;
    }
    this.adopted.add(queue);
    log.warn(fields, 'queue exists with other arguments; using it as it is (our arguments were not applied)');
  };
}
