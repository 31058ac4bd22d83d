// The two sides of the vip-e2e measurement, each in a worker thread of its own, so that neither the
// reads' responses nor the polls wait behind the other (or behind the bench's main thread) before they are
// time-stamped: in one thread, at 500 reads/s on a busy machine, the stamps lagged the services by more than
// the latency being measured.
//
//   reads: `total` GET `url` at `rate` per second (open loop); posts the stamps of the 200s.
//   poll:  GET `url` (an offer) back to back until its count reaches `until`; posts a stamp per increment.
//
// Stamps are `performance.timeOrigin + performance.now()`: one clock for every thread of the process.
import { Agent, get } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export type ProbeJob =
  | { readonly role: 'reads'; readonly url: string; readonly rate: number; readonly total: number }
  | {
      readonly role: 'poll';
      readonly url: string;
      readonly from: number;
      readonly until: number;
      readonly deadlineMs: number;
    };

export interface ProbeResult {
  /** Reads: when each 200 arrived, in order of arrival. Poll: when each increment was seen. */
  readonly stamps: number[];
  /** Reads: responses other than 200, by status. Poll: polls made and their total duration (ms). */
  readonly failures: Record<string, number>;
  readonly polls: number;
  readonly pollMs: number;
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
  return { stamps, failures, polls: 0, pollMs: 0 };
}

async function poll(url: string, from: number, until: number, deadlineMs: number): Promise<ProbeResult> {
  const stamps: number[] = [];
  const deadline = now() + deadlineMs;
  let seen = from;
  let polls = 0;
  let pollMs = 0;
  while (seen < until && now() < deadline) {
    const t0 = now();
    const { status, body } = await fetchText(url);
    const t1 = now();
    polls++;
    pollMs += t1 - t0;
    const count = status === 200 ? (JSON.parse(body) as { notifications: number }).notifications : 0;
    for (; seen < count; seen++) stamps.push(t1);
  }
  return { stamps, failures: {}, polls, pollMs };
}

const job = workerData as ProbeJob;
const result =
  job.role === 'reads'
    ? await reads(job.url, job.rate, job.total)
    : await poll(job.url, job.from, job.until, job.deadlineMs);
agent.destroy();
parentPort?.postMessage(result);
