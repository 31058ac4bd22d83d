import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { deleteQueues, holdRequest, tempDir, withTimeout } from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import { startAccountservice } from './support/service.js';
import { uniqueVipQueue } from './support/vip-queue.js';

const EXIT_WAIT_MS = 20_000;

void describe('the accountservice process on a repeated stop signal', () => {
  let dir: string;
  let cleanup: () => void;
  const queues: string[] = [];
  const running: RunningService[] = [];

  before(() => {
    ({ dir, cleanup } = tempDir('accountservice-proc'));
  });

  after(async () => {
    for (const s of running) await s.kill();
    for (const q of queues) await deleteQueues(q);
    cleanup();
  });

  const start = async (name: string): Promise<RunningService> => {
    const queue = uniqueVipQueue();
    queues.push(queue);
    const service = await startAccountservice({ dataDir: join(dir, name), vipQueue: queue });
    running.push(service);
    return service;
  };

  const stopped = async (service: RunningService): Promise<void> => {
    const code = await withTimeout(service.exited, EXIT_WAIT_MS, 'accountservice did not exit');
    assert.equal(code, 0, service.lines.slice(-10).join('\n'));
    assert.ok(
      service.lines.some((l) => l.includes('"msg":"stopped"')),
      service.lines.slice(-10).join('\n'),
    );
  };

  void it('exits 0 after two SIGTERMs sent back to back', async () => {
    const service = await start('back-to-back');
    service.child.kill('SIGTERM');
    service.child.kill('SIGTERM');
    await stopped(service);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    void it(`finishes the drain and exits 0 when a second ${signal} comes while it shuts down`, async () => {
      const service = await start(signal);
      // A request in flight holds the HTTP step, so the second signal surely lands during the shutdown.
      const request = await holdRequest(service.port, '/health');
      service.child.kill(signal);
      await service.waitForLine('shutting down');

      service.child.kill(signal);
      const ignored = await Promise.race([
        service.waitForLine('already shutting down').then(
          () => true,
          () => false,
        ),
        service.exited.then(() => false),
      ]);
      assert.ok(ignored, `the second ${signal} ended the process (exit ${String(service.child.exitCode)})`);
      assert.match(await request.finish(), /^HTTP\/1\.1 405 /);

      await stopped(service);
    });
  }
});
