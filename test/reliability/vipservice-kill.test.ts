// Scenario 4: one of two vipservice instances (sharing one data_dir, so one offer store) is killed (kill -9)
// in the middle of a steady stream and started again. Its unacknowledged messages go to the other instance;
// those it had already counted are recognised as duplicates.
import assert from 'node:assert/strict';
import { waitAllUp } from './support/checks.ts';
import { steadyStreamScenario } from './support/scenario.ts';
import { moreVipReads } from './support/traffic.ts';

steadyStreamScenario({
  title: 'scenario 4: kill -9 of one of two vipservice instances mid-stream, restarted',
  claim: 'counts every VIP read answered 200 exactly once, across the crash',
  figures: 'kill -9 one of two vipservices',
  landscape: { label: 'kill-vipservice', vipservices: 2 },
  async faults(l, load) {
    const victim = l.vipservices[1];
    assert.ok(victim);
    await moreVipReads(load, 600);
    const killed = Date.now();
    await l.restart(victim);
    await waitAllUp(l.all());
    const killToUpMs = Date.now() - killed;
    await moreVipReads(load, 600);
    return { killToUpMs, restartMs: l.restartTimes().map((r) => r.ms) };
  },
});
