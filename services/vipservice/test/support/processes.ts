import { after, before } from 'node:test';
import { join } from 'node:path';
import { deleteQueues, tempDir } from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import { uniqueVipQueue } from './vip.js';

/** What the tests of one file start: queues, data folders and processes, all gone after its last test. */
export interface VipProcesses {
  /** A VIP queue of the file's own, deleted (with its retry and dead-letter queues) at the end. */
  queue(): string;
  /** A folder under the file's temporary directory. */
  dataDir(name: string): string;
  /** Processes to kill at the end, whatever the tests did to them. */
  track(...services: RunningService[]): void;
}

/** Registers the file's before/after hooks and returns what its tests use to start things. */
export function useVipProcesses(label = 'vipservice-proc'): VipProcesses {
  let dir: string | undefined;
  let cleanup: (() => void) | undefined;
  const queues: string[] = [];
  const running: RunningService[] = [];
  before(() => {
    ({ dir, cleanup } = tempDir(label));
  });
  after(async () => {
    for (const s of running) await s.kill();
    for (const q of queues) await deleteQueues(q);
    cleanup?.();
  });
  return {
    queue() {
      const queue = uniqueVipQueue();
      queues.push(queue);
      return queue;
    },
    dataDir(name) {
      if (dir === undefined)
        throw new Error('dataDir() is for tests: the temporary directory exists from before()');
      return join(dir, name);
    },
    track(...services) {
      running.push(...services);
    },
  };
}
