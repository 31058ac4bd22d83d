import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { holdRequest, withTimeout } from '@goblog/testkit';
import { startVipservice } from './support/vip.js';
import { useVipProcesses } from './support/processes.js';

const EXIT_WAIT_MS = 20_000;

void describe('the vipservice process on a repeated stop signal', () => {
  const procs = useVipProcesses();

  void it('finishes the drain and exits 0 when a second SIGTERM comes while it shuts down', async () => {
    const queue = procs.queue();
    const service = await startVipservice({ dataDir: procs.dataDir('twice'), queue });
    procs.track(service);
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
