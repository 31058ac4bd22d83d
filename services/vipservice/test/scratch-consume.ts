import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAmqp } from '@goblog/messaging';
import { vipNotificationType } from '../src/messages.js';
import { OfferStore } from '../src/store/offer-store.js';
import { createNotificationHandler } from '../src/consumer.js';
import { silentLogger } from '@goblog/messaging';
import { publishNotifications } from './support/publish.js';
import { deleteVipQueue } from './support/vip.js';

const mode = process.argv[2] ?? 'noop';
const N = Number(process.argv[3] ?? 20000);
const prefetch = Number(process.argv[4] ?? 100);
const q = `vip_queue.scratch.${randomUUID().slice(0, 6)}`;
for (let i = 0; i < N; i += 2000) await publishNotifications(q, Math.min(2000, N - i));
const transport = await connectAmqp({ url: 'amqp://guest:guest@127.0.0.1:5672/', connectionName: 'scratch' });
const store = OfferStore.open({ dataDir: mkdtempSync(join(tmpdir(), 'scr-')) });
const real = createNotificationHandler({ offers: store, logger: silentLogger });
let seen = 0; let inHandler = 0; let maxIn = 0; const samples: number[] = [];
let resolveDone!: () => void; const done = new Promise<void>((r) => { resolveDone = r; });
const t0 = performance.now();
const sub = await transport.subscribeToQueue(vipNotificationType(q), async (m, meta) => {
  inHandler++; maxIn = Math.max(maxIn, inHandler); if (seen % 500 === 0) samples.push(inHandler);
  try { if (mode === 'real') await real(m, meta); else if (mode === 'tick') await new Promise((r) => setImmediate(r)); }
  finally { inHandler--; }
  if (++seen === N) resolveDone();
}, { consumerName: 'scratch', prefetch });
await done;
const ms = performance.now() - t0;
console.log(`${mode} prefetch ${prefetch}: ${(N / ms * 1000).toFixed(0)}/s maxInHandler ${maxIn} samples ${samples.slice(0, 20).join(',')}`);
await sub.close(); await transport.close(); await store.close(); await deleteVipQueue(q);
