// The shape every fault scenario shares: a landscape of real processes, a steady stream of reads against the
// accountservice, the scenario's faults under that stream, then the same end checks (everything drained,
// every VIP read answered 200 counted exactly once, nobody crashed) and the figures in one report line.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startLoad } from '@goblog/testkit';
import type { Load, LoadStats } from '@goblog/testkit';
import { assertExactlyOnce, assertNoUnexpectedExit, duplicatesAbsorbed, settle } from './checks.ts';
import { reportFigures } from './figures.ts';
import { SCENARIO_TIMEOUT_MS } from './limits.ts';
import { startLandscape, type Landscape, type LandscapeOptions } from './landscape.ts';

type Figures = Record<string, unknown>;

export interface SteadyStreamScenario {
  /** The describe title: "scenario N: what is done". */
  readonly title: string;
  /** The claim the scenario checks (the test's title). */
  readonly claim: string;
  /** The name of the report line (docs/reliability.md's table). */
  readonly figures: string;
  readonly landscape: LandscapeOptions;
  /** Starts what the landscape needs around it (a proxy), before it; `teardown` undoes it after it is closed. */
  readonly setup?: () => Promise<Partial<LandscapeOptions>>;
  readonly teardown?: () => Promise<void>;
  /**
   * The faults, under the stream (already running); resolves with the scenario's own figures. Whatever it
   * throws, the stream is stopped and the landscape closed.
   */
  readonly faults: (landscape: Landscape, load: Load) => Promise<Figures>;
  /**
   * Whether every read must have been answered 200 (default): false where the fault makes some reads go
   * unanswered (the accountservice killed under them), which `assertExactlyOnce` then bounds.
   */
  readonly everyReadAnswered?: boolean;
  /** Checks of the scenario's own after the shared ones, with more figures to report. */
  readonly verify?: (landscape: Landscape, stats: LoadStats, counted: number) => Promise<Figures | undefined>;
}

/** Registers the scenario as one describe with one test. */
export function steadyStreamScenario(spec: SteadyStreamScenario): void {
  void describe(spec.title, () => {
    let landscape: Landscape | undefined;

    before(async () => {
      const extra = (await spec.setup?.()) ?? {};
      landscape = await startLandscape({ ...spec.landscape, ...extra });
    });
    after(async () => {
      try {
        await landscape?.close();
      } finally {
        await spec.teardown?.();
      }
    });

    void it(spec.claim, { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      const l = landscape as Landscape;
      const load = startLoad({ accountUrl: () => l.accountservice.baseUrl });
      let stats: LoadStats;
      let own: Figures;
      try {
        own = await spec.faults(l, load);
      } finally {
        stats = await load.stop();
      }

      const { notifications, drainMs } = await settle(l, '10000', stats.vip200);
      assertExactlyOnce(stats, notifications);
      if (spec.everyReadAnswered !== false) {
        assert.equal(notifications, stats.vip200);
        assert.deepEqual(stats.otherStatuses, {});
        assert.deepEqual(stats.noAnswer, {});
      }
      assertNoUnexpectedExit(l);
      const verified = (await spec.verify?.(l, stats, notifications)) ?? {};
      await reportFigures(t, spec.figures, {
        sent: stats.sent,
        vip200: stats.vip200,
        counted: notifications,
        duplicatesAbsorbed: await duplicatesAbsorbed(l.vipservices),
        ...own,
        ...verified,
        slowestAnswerMs: stats.slowestMs,
        drainMs,
        ratePerSecond: Math.round((stats.sent * 1000) / stats.durationMs),
      });
    });
  });
}
