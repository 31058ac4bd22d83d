// The two sides of the vip-e2e measurement, each in a worker thread of its own, so that neither the
// reads' responses nor the observations wait behind the other (or behind the bench's main thread) before
// they are time-stamped: in one thread, at 500 reads/s on a busy machine, the stamps lagged the services by
// more than the latency being measured.
//
//   reads: `total` GET `url` at `rate` per second (open loop); posts the stamps of the 200s.
//   watch: the offer's count in the vipservice's store (offer-count.ts), read again at every write to the
//          store's file; posts a stamp per increment. Polling GET /offers back to back instead made the
//          vipservice answer a thousand and more requests a second while it was being measured.
//
// Stamps are `performance.timeOrigin + performance.now()`: one clock for every thread of the process.
import { watch } from 'node:fs';
import { Agent, get } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { openOfferCount } from './offer-count.ts';

export type ProbeJob =
  | { readonly role: 'reads'; readonly url: string; readonly rate: number; readonly total: number }
  | {
      readonly role: 'watch';
      /** The vipservice's data_dir. */
      readonly dataDir: string;
      readonly accountId: string;
      readonly from: number;
      readonly until: number;
      readonly deadlineMs: number;
    };

export interface ProbeResult {
  /** Reads: when each 200 arrived, in order of arrival. Watch: when each increment was seen. */
  readonly stamps: number[];
  /** Reads: responses other than 200, by status. */
  readonly failures: Record<string, number>;
  /** Watch: how many times the offer was read (at each write to the store's file). */
  readonly looks: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One GET: its status and body. */
function fetchText(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function reads(url: string, rate: number, total: number): Promise<ProbeResult> {
  const stamps: number[] = [];
  const failures: Record<string, number> = {};
  const fail = (why: string): void => {
    failures[why] = (failures[why] ?? 0) + 1;
  };
  const pending: Promise<void>[] = [];
  const start = now();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      fetchText(url).then(
        ({ status }) => {
          if (status === 200) stamps.push(now());
          else fail(String(status));
        },
        (err: unknown) => {
          fail(err instanceof Error ? err.message : String(err));
        },
      ),
    );
  }
  await Promise.all(pending);
  return { stamps, failures, looks: 0 };
}

/** The offer's count as the vipservice's store holds it, from `from` until `until`, stamped at each increment. */
async function watchStore(job: Extract<ProbeJob, { role: 'watch' }>): Promise<ProbeResult> {
  const offer = openOfferCount(job.dataDir, job.accountId);
  const stamps: number[] = [];
  let seen = job.from;
  let looks = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const look = (): void => {
        const count = offer.read();
        const t = now();
        looks++;
        for (; seen < count; seen++) stamps.push(t);
        if (seen >= job.until) finish();
      };
      const watcher = watch(offer.dataFile, look);
      // The writes wake it; this only bounds a run whose notifications stop coming.
      const deadline = setTimeout(() => {
        finish(
          new Error(`vip-e2e: ${seen - job.from} of ${job.until - job.from} notifications recorded in time`),
        );
      }, job.deadlineMs);
      const finish = (err?: Error): void => {
        watcher.close();
        clearTimeout(deadline);
        if (err === undefined) resolve();
        else reject(err);
      };
      look();
    });
  } finally {
    await offer.close();
  }
  return { stamps, failures: {}, looks };
}

const job = workerData as ProbeJob;
const result = job.role === 'reads' ? await reads(job.url, job.rate, job.total) : await watchStore(job);
agent.destroy();
parentPort?.postMessage(result);
