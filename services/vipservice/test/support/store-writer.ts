// A separate process recording notifications on a shared offer store (for the multi-process store test).
// argv: dataDir, prefix for its own keys, count of own keys, count of shared keys. Prints one JSON line.
import { randomUUID } from 'node:crypto';
import { applyNotification } from '../../src/domain/offer.js';
import { parseReadAt } from '../../src/domain/read-at.js';
import { OfferStore } from '../../src/store/offer-store.js';

const [dataDir = '', prefix = 'p', own = '0', shared = '0'] = process.argv.slice(2);
const store = OfferStore.open({ dataDir });
const readAt = parseReadAt('2024-01-01T00:00:00Z');
if (!readAt) throw new Error('unreachable');
const ctx = { now: () => new Date(), newOfferId: randomUUID };
const keys = [
  ...Array.from({ length: Number(own) }, (_, i) => `${prefix}-${i}`),
  ...Array.from({ length: Number(shared) }, (_, i) => `shared-${i}`),
];
const outcomes = await Promise.all(
  keys.map((key) =>
    store.applyOnce(key, '10000', (current) =>
      applyNotification(current, { accountId: '10000', readAt }, ctx),
    ),
  ),
);
const recorded = outcomes.filter((o) => o === 'recorded').length;
process.stdout.write(`${JSON.stringify({ recorded, duplicate: outcomes.length - recorded })}\n`);
await store.close();
