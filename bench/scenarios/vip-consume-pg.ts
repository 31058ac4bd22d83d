// vip-consume-pg: one vipservice with database_url set (offers and inbox in PostgreSQL) working through a
// backlog, side by side (A B A B) with its floor: a plain amqplib consumer making the same transaction per
// message on a pool of the same size (bench/baselines/pg-consumer.ts), ack after COMMIT, same prefetch.
// Each vipservice round has a database of its own, so "all recorded" means this round's messages.
import { createTestDatabase } from '@goblog/testkit';
import type { Row } from '../lib/report.ts';
import { median, range } from '../lib/stats.ts';
import { consumeWithVipservice, type ConsumeRun } from '../vipservice/consume.ts';
import { consumeWithProgram } from '../vipservice/consume-baselines.ts';

export interface PgConsumeBenchOptions {
  readonly rounds: number;
  readonly messages: number;
  /** Both consumers' prefetch. Default 500, as vip-consume. */
  readonly prefetch?: number;
}

export async function benchPostgresConsume(options: PgConsumeBenchOptions): Promise<Row[]> {
  const prefetch = options.prefetch ?? 500;
  const { messages } = options;
  const rounds: { ours: ConsumeRun; floor: ConsumeRun }[] = [];
  for (let i = 0; i < options.rounds; i++) {
    const ours = await withDatabase('vip consume', (url) =>
      consumeWithVipservice(messages, prefetch, 'info', { DATABASE_URL: url }),
    );
    const floor = await withDatabase('vip consume floor', (url) =>
      consumeWithProgram(messages, (queue, warm) => [
        ['--import', 'tsx', 'bench/baselines/pg-consumer.ts', queue, String(messages), String(prefetch)],
        [String(warm), url],
      ]),
    );
    rounds.push({ ours, floor });
  }
  const rates = (side: 'ours' | 'floor'): number[] => rounds.map((r) => r[side].msgsPerSec);
  const cpu = (side: 'ours' | 'floor'): number => median(rounds.map((r) => r[side].cpuUsPerMsg));
  return [
    {
      scenario: 'vip-consume-pg',
      unit: 'msg/s',
      ours: median(rates('ours')),
      baseline: median(rates('floor')),
      baselineName: 'raw amqplib + the same PostgreSQL transaction',
      target: 0.8,
      oursRange: range(rates('ours')),
      baselineRange: range(rates('floor')),
      cpuUs: cpu('ours'),
      baselineCpuUs: cpu('floor'),
      rssMiB: median(rounds.map((r) => r.ours.rssMiB)),
      notes: `backlog of ${messages}, prefetch ${prefetch}, pool 10, one transaction per message, ack after COMMIT; CPU of the consumer process only (PostgreSQL's own excluded)`,
    },
  ];
}

async function withDatabase<T>(label: string, work: (url: string) => Promise<T>): Promise<T> {
  const database = await createTestDatabase(label);
  try {
    return await work(database.url);
  } finally {
    await database.drop();
  }
}
