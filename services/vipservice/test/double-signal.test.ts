import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { deleteQueues, holdRequest, tempDir, withTimeout } from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import { startVipservice, uniqueVipQueue } from './support/vip.js';

const EXIT_WAIT_MS = 20_000;

void describe('the vipservice process on a repeated stop signal', () => {
  let dir: string;
  let cleanup: () => void;
  const queues: string[] = [];
  const running: RunningService[] = [];

  before(() => {
    ({ dir, cleanup } = tempDir('vipservice-proc'));
  });

  after(async () => {
    for (const s of running) await s.kill();
    for (const q of queues) await deleteQueues(q);
    cleanup();
  });

  void it('finishes the drain and exits 0 when a second SIGTERM comes while it shuts down', async () => {
    const queue = uniqueVipQueue();
    queues.push(queue);
    const service = await startVipservice({ dataDir: join(dir, 'twice'), queue });
    running.push(service);
    // A request in flight holds the HTTP step, so the second signal surely lands during the shutdown.
    const request = await holdRequest(service.port, '/health');
    service.child.kill('SIGTERM');
    await service.waitForLine('shutting down');

    service.child.kill('SIGTERM');
    const ignored = await Promise.race([
      service.waitForLine('already shutting down').then(
        () => true,
        () => false,
      ),
      service.exited.then(() => false),
    ]);
    assert.ok(ignored, `the second SIGTERM ended the process (exit ${String(service.child.exitCode)})`);
    assert.match(await request.finish(), /^HTTP\/1\.1 405 /);

    const code = await withTimeout(service.exited, EXIT_WAIT_MS, 'vipservice did not exit');
    assert.equal(code, 0, service.lines.slice(-10).join('\n'));
    assert.ok(
      service.lines.some((l) => l.includes('"msg":"stopped"')),
      service.lines.slice(-10).join('\n'),
    );
  });
});
