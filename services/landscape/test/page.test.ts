// The page in a real browser (Debian's chromium, headless, driven by playwright-core): every instance UP,
// counts that move with VIP reads, a killed vipservice shown DOWN, and a parked notification replayed by a
// click (after the confirmation) and counted once. Screenshots go to test-output/landscape/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { repoRoot, waitUntil } from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import { bundlePage } from '../web/bundle.ts';
import { landscapeFixture } from './support/fixture.ts';
import type { RunningLandscape } from './support/landscape.ts';
import { parkNotification } from './support/park.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(repoRoot, 'test-output', 'landscape');
const WAIT_MS = 20_000;

describe(
  'the landscape page in a browser',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} missing (apt-get install chromium)` },
  () => {
    const fixture = landscapeFixture('landscape.page');
    const { queue } = fixture;
    let userDataDir = '';
    let landscape: RunningLandscape;
    let accountservice: RunningService;
    const vipservices: RunningService[] = [];
    let context: BrowserContext | undefined;
    let page: Page;

    before(async () => {
      await bundlePage();
      userDataDir = await mkdtemp(join(tmpdir(), 'goblog-landscape-chromium-'));
      await mkdir(SHOTS, { recursive: true });
      // One after another: the first declares the queues, the others find them (two cores are shared).
      accountservice = await fixture.service('accountservice');
      for (let i = 0; i < 2; i++) vipservices.push(await fixture.service('vipservice'));
      landscape = await fixture.landscape();
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
        viewport: { width: 1400, height: 1300 },
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(WAIT_MS);
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(landscape.baseUrl);
    });

    after(async () => {
      await context?.close().catch(() => undefined);
      await fixture.cleanup();
      await rm(userDataDir, { recursive: true, force: true });
    });

    const row = (instanceId: string): string => `tr[data-instance="${instanceId}"]`;
    const counted = async (): Promise<number> => {
      const values = await page.locator('[data-figure="notificationsCounted"] b').allTextContents();
      return values.reduce((sum, v) => sum + Number(v), 0);
    };
    /** Waits until the vipservice rows' notificationsCounted add up to `n` (the page updates by itself). */
    const waitCounted = async (n: number): Promise<void> => {
      let shown = 0;
      await waitUntil(
        async () => (shown = await counted()) === n,
        WAIT_MS,
        () => `the page showing ${n} notifications counted (it shows ${shown})`,
      );
    };

    it('shows every instance UP, the queues and the AsyncAPI view', async () => {
      for (const s of [accountservice, ...vipservices]) {
        await page.locator(`${row(`${s.name}:${s.port}`)}[data-status="UP"]`).waitFor();
      }
      await page.locator(`tr[data-queue="${queue}"][data-consumers="2"]`).waitFor();
      // The drawing is fitted to its box: its labels (16 px) must not be shrunk below a readable 12 px.
      const zoom = Number(await page.locator('#graph[data-zoom]').getAttribute('data-zoom'));
      assert.ok(zoom * 16 >= 12, `graph labels drawn at ${(zoom * 16).toFixed(1)} px`);
      await page.locator('[data-channel="vipQueue"]').waitFor();
      assert.match(await page.locator('#asyncapi').innerText(), /accountId/);
      await page.screenshot({ path: join(SHOTS, '1-all-up.png'), fullPage: true });
    });

    it('counts move as VIP accounts are read', async () => {
      const before = await counted();
      for (let i = 0; i < 5; i++) {
        const response = await fetch(`${accountservice.baseUrl}/accounts/10000`);
        assert.equal(response.status, 200);
        await response.arrayBuffer();
      }
      await waitCounted(before + 5);
    });

    it('shows a killed vipservice DOWN, with why', async () => {
      const [victim] = vipservices;
      assert.ok(victim);
      await victim.kill();
      const down = page.locator(`${row(`vipservice:${victim.port}`)}[data-status="DOWN"]`);
      await down.waitFor();
      assert.match(await down.innerText(), /no answer on \/health/);
      await page.screenshot({ path: join(SHOTS, '2-one-down.png'), fullPage: true });
    });

    it('replays a parked notification by a click, and it is counted once', async () => {
      const before = await counted();
      const parked = await parkNotification(queue, '10042');
      const message = page.locator(`tr[data-key="${parked.messageId}"]`);
      await message.waitFor();
      assert.match(await message.innerText(), /handler-failed/);
      await page.screenshot({ path: join(SHOTS, '3-dead-letter.png'), fullPage: true });
      if (process.env.LANDSCAPE_DOCS_SCREENSHOT) {
        await copyFile(join(SHOTS, '3-dead-letter.png'), join(repoRoot, 'docs', 'landscape.png'));
      }
      // The confirmation dialog is accepted (see the page's dialog handler).
      await message.locator('button[data-action="replay"]').click();
      await message.waitFor({ state: 'detached' });
      await waitCounted(before + 1);
      const survivor = vipservices[1];
      assert.ok(survivor);
      const offer = (await (await fetch(`${survivor.baseUrl}/offers/10042`)).json()) as {
        notifications: number;
      };
      assert.equal(offer.notifications, 1, 'counted once');
      await page.screenshot({ path: join(SHOTS, '4-replayed.png'), fullPage: true });
    });
  },
);
