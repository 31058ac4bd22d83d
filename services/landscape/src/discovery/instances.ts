import type { InstanceAnnouncement } from '@goblog/contracts';
import { figuresOf, ratesBetween } from './figures.js';
import type { Counters, Figures } from './figures.js';
import { probeInstance } from './probe.js';
import type { ProbeResult } from './probe.js';

/** One service instance as the page and /api/landscape show it. */
export interface InstanceView {
  readonly id: string;
  readonly service: string;
  readonly address: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly status: 'UP' | 'DOWN';
  /** Why it is DOWN (failing checks, no answer, stopped); null while UP. */
  readonly reason: string | null;
  readonly checks: ProbeResult['checks'];
  /** When it last changed status (or was first seen). */
  readonly since: string;
  /** Its last announcement. */
  readonly lastSeen: string;
  readonly figures: Figures;
  /** Per second, over the last few looks: notificationsSent, notificationsHandled, deadLettered, ... */
  readonly rates: Readonly<Record<string, number>>;
}

export interface RegistryOptions {
  /** This host's name: an instance announcing it is probed on 127.0.0.1. */
  readonly ownHost: string;
  readonly probeTimeoutMs: number;
  /** A DOWN instance that has not announced itself for this long is forgotten. */
  readonly forgetAfterMs: number;
  readonly now?: () => number;
}

/** Announcements are anyone's to send on the bus: the registry holds at most this many instances. */
export const MAX_INSTANCES = 200;
/** Readings kept per instance for its rates (the window is this many looks). */
const READINGS = 6;

interface Entry {
  announcement: InstanceAnnouncement;
  probeUrl: string;
  lastSeen: number;
  status: 'UP' | 'DOWN';
  reason: string | null;
  since: number;
  checks: ProbeResult['checks'];
  figures: Figures;
  readings: { at: number; counters: Counters }[];
}

/**
 * The instances the landscape knows: found by their announcements, then looked at on each `probeAll`
 * (GET /health and /metrics). Status comes from what the instance answers, so a killed instance is DOWN at
 * the first look after it died (connection refused, or no answer within the probe timeout), whatever its
 * announcements said; a `leaving` announcement makes it DOWN at once.
 */
export class InstanceRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #options: RegistryOptions;
  readonly #now: () => number;

  constructor(options: RegistryOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  announce(a: InstanceAnnouncement): void {
    const now = this.#now();
    const known = this.#entries.get(a.instanceId);
    if (!known && this.#entries.size >= MAX_INSTANCES) return;
    const probeUrl = probeUrlOf(a, this.#options.ownHost);
    if (probeUrl === undefined) return;
    const restarted = known !== undefined && known.announcement.pid !== a.pid;
    const entry: Entry = known ?? {
      announcement: a,
      probeUrl: '',
      lastSeen: now,
      status: 'DOWN',
      reason: 'not looked at yet',
      since: now,
      checks: {},
      figures: {},
      readings: [],
    };
    entry.announcement = a;
    entry.probeUrl = probeUrl;
    entry.lastSeen = now;
    if (restarted) entry.readings = [];
    if (a.state === 'leaving') this.#set(entry, 'DOWN', 'stopped (it announced that it is leaving)', now);
    this.#entries.set(a.instanceId, entry);
    // A new instance is looked at right away rather than at the next look.
    if (!known) void this.#probe(entry);
  }

  /** Looks at every instance at once; resolves when every look is done (each is bounded). */
  async probeAll(): Promise<void> {
    const now = this.#now();
    for (const [id, entry] of this.#entries) {
      if (entry.status === 'DOWN' && now - entry.lastSeen > this.#options.forgetAfterMs)
        this.#entries.delete(id);
    }
    await Promise.all([...this.#entries.values()].map((entry) => this.#probe(entry)));
  }

  async #probe(entry: Entry): Promise<void> {
    const result = await probeInstance(entry.probeUrl, this.#options.probeTimeoutMs);
    const at = this.#now();
    // An instance that said it is leaving keeps that reason while it does not answer.
    if (entry.announcement.state !== 'leaving' || result.up) {
      this.#set(entry, result.up ? 'UP' : 'DOWN', result.reason ?? null, at);
    }
    entry.checks = result.checks;
    if (result.samples.length > 0) {
      const { figures, counters } = figuresOf(entry.announcement.service, result.samples);
      entry.figures = figures;
      entry.readings.push({ at, counters });
      if (entry.readings.length > READINGS) entry.readings.shift();
    }
  }

  list(): InstanceView[] {
    return [...this.#entries.values()]
      .map((e) => ({
        id: e.announcement.instanceId,
        service: e.announcement.service,
        address: e.announcement.address,
        host: e.announcement.host,
        pid: e.announcement.pid,
        startedAt: e.announcement.startedAt,
        status: e.status,
        reason: e.reason,
        checks: e.checks,
        since: new Date(e.since).toISOString(),
        lastSeen: new Date(e.lastSeen).toISOString(),
        figures: e.figures,
        rates: ratesBetween(e.readings[0], e.readings.at(-1)),
      }))
      .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  }

  #set(entry: Entry, status: 'UP' | 'DOWN', reason: string | null, at: number): void {
    if (entry.status !== status) entry.since = at;
    entry.status = status;
    entry.reason = reason;
  }
}

/**
 * Where to look at an instance: on this host over loopback, elsewhere at the address it announced (its
 * host and port only: nothing of an announcement reaches a URL path). Undefined for an address that is not
 * a host:port.
 */
export function probeUrlOf(a: InstanceAnnouncement, ownHost: string): string | undefined {
  if (a.host === ownHost) return `http://127.0.0.1:${a.port}`;
  try {
    const url = new URL(`http://${a.address}`);
    return url.pathname === '/' && url.search === '' && url.username === ''
      ? `http://${url.host}`
      : undefined;
  } catch {
    return undefined;
  }
}
