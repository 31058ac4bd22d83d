// The work both sides of the messaging bench do, and its settings: 200-byte JSON bodies carrying their send
// time, so that the two clients carry the same bytes and a handler can tell the publish -> handler latency.
import { Type } from 'typebox';
import type { QueueType } from '@goblog/messaging';
import { BROKER_URL } from '@goblog/testkit';

export interface BenchOptions {
  readonly url?: string;
  /** Messages per run. Default 20 000. */
  readonly messages?: number;
  /** Rounds of (ours, baseline). Default 3. */
  readonly rounds?: number;
  /** Outstanding confirms, both sides. Default 1000. */
  readonly window?: number;
  /** Consumer prefetch, both sides. Default 500. */
  readonly prefetch?: number;
  /** Work queue type, both sides. Default 'classic' (the package's default). */
  readonly queueType?: QueueType;
  /** Ours: coalesce socket writes (the package's default). Default true. */
  readonly coalesceWrites?: boolean;
}

/** BenchOptions with every default filled in. */
export interface Settings {
  readonly url: string;
  readonly messages: number;
  readonly rounds: number;
  readonly window: number;
  readonly prefetch: number;
  readonly queueType: QueueType;
  readonly coalesceWrites: boolean;
}

/** The body's schema, for the package's typed message (ours.ts). */
export const Body = Type.Object({ seq: Type.Integer(), sentAt: Type.Number(), pad: Type.String() });

export function settingsOf(o: BenchOptions): Settings {
  return {
    url: o.url ?? BROKER_URL,
    messages: o.messages ?? 20_000,
    rounds: o.rounds ?? 3,
    window: o.window ?? 1000,
    prefetch: o.prefetch ?? 500,
    queueType: o.queueType ?? 'classic',
    coalesceWrites: o.coalesceWrites ?? true,
  };
}

/** A 200-byte JSON body carrying its send time (epoch ms, sub-ms precision). */
export function body(seq: number): { seq: number; sentAt: number; pad: string } {
  const value = { seq, sentAt: performance.timeOrigin + performance.now(), pad: '' };
  const size = Buffer.byteLength(JSON.stringify(value));
  return { ...value, pad: 'x'.repeat(Math.max(0, 200 - size)) };
}

/** Epoch ms, sub-ms precision: the clock of body()'s sentAt. */
export const now = (): number => performance.timeOrigin + performance.now();
