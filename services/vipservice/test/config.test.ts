import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLiveConfig, isConfigError, resolveConfig } from '@goblog/config';
import { tempDir, withTimeout } from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import { DEFAULTS, VipserviceConfigSchema } from '../src/config.js';
import { startVipservice, uniqueVipQueue } from './support/vip.js';

/** The vipservice's configuration with `repository` as what the configuration server serves. */
const resolve = (repository: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  resolveConfig({ schema: VipserviceConfigSchema, defaults: DEFAULTS, repository, env });

/** The ConfigError `run` throws, or a failed assertion when it throws none. */
function configErrorOf(run: () => unknown): { message: string; problems: readonly string[] } {
  try {
    run();
  } catch (err) {
    assert.ok(isConfigError(err), String(err));
    return err;
  }
  assert.fail('the configuration was accepted');
}

void describe('the dedup window in the configuration', () => {
  void it('keeps the default window and accepts one at the floor', () => {
    assert.equal(resolve({}).dedup_retention_hours, 168);
    assert.equal(resolve({ dedup_retention_hours: 1 }).dedup_retention_hours, 1);
  });

  void it('rejects a window below the floor, naming the key in one problem', () => {
    for (const hours of [0.0001, 0.5]) {
      const err = configErrorOf(() => resolve({ dedup_retention_hours: hours }));
      assert.equal(err.problems.length, 1, err.message);
      assert.match(err.problems[0] ?? '', /^dedup_retention_hours: .*at least 1/);
    }
    const fromEnv = configErrorOf(() => resolve({}, { DEDUP_RETENTION_HOURS: '0.1' }));
    assert.match(fromEnv.message, /dedup_retention_hours/);
  });

  void it('refuses a refresh to a window below the floor and keeps the running one', async () => {
    let served: Record<string, unknown> = {};
    const live = createLiveConfig(resolve(served), () => Promise.resolve(resolve(served)));
    served = { dedup_retention_hours: 0.0001 };
    await assert.rejects(
      live.refresh(),
      (err) => isConfigError(err) && /dedup_retention_hours/.test(err.message),
    );
    assert.equal(live.current.dedup_retention_hours, 168);
  });

  void describe('at startup of the process', () => {
    let dir: string;
    let cleanup: () => void;
    let service: RunningService | undefined;
    before(() => {
      ({ dir, cleanup } = tempDir('vipservice-proc'));
    });
    after(async () => {
      await service?.kill();
      cleanup();
    });

    void it('exits non-zero with one line naming dedup_retention_hours', async () => {
      service = await startVipservice({
        dataDir: join(dir, 'floor'),
        queue: uniqueVipQueue(),
        env: { DEDUP_RETENTION_HOURS: '0.0001' },
        waitHealthy: false,
      });
      const code = await withTimeout(
        service.exited,
        20_000,
        'vipservice started with the window below the floor',
      );
      assert.notEqual(code, 0);
      const errors = service.lines.filter((l) => l.startsWith('vipservice:'));
      assert.equal(errors.length, 1, service.lines.join('\n'));
      assert.match(errors[0] ?? '', /dedup_retention_hours/);
    });
  });
});
