import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_PATH } from '../../local/console.js';
import type { LocalStack } from '../../local/stack.js';
import {
  type ConsoleSession,
  checkPage,
  goToSection,
  openConsole,
  sessionHooks,
} from '../support/browser.js';
import { eventually } from '../support/eventually.js';
import { journey } from '../support/flows.js';
import { expectedControlLine, expectedLift, expectedListLift } from '../support/lift-text.js';
import { api, uid } from '../support/local.js';
import { simulatedStack } from '../support/simulated-stack.js';

const SHOTS = 'test-results/console';
const NURTURE = 'default-nurture-decide';

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, as the test reads it
type Json = any;

/** How the console writes figures in English (en-GB): what a marketer reads. */
const en = {
  number: (n: number) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 }).format(n),
  percent: (r: number | null) =>
    r === null
      ? '–'
      : new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(r),
};

/**
 * The Campaigns pages and the overview's fixes in a real Chromium, over a stack filled by the
 * live simulator: the nurture campaign has real sends, opens, clicks and conversions in both
 * arms (a 50% holdout), and every figure on screen is checked against the API's answer.
 */
describe('Campaigns in the console', { timeout: 90_000 }, () => {
  let stack: LocalStack;
  let browser: ConsoleSession;
  let page: Page;
  let admin: ReturnType<typeof api>;

  beforeAll(async () => {
    // Ten customers through the cart reminder: the mailed open it, half of them click, and
    // every mailed customer buys; a held-out one buys half the time (seed 4 gives both arms
    // buyers).
    const sim = await simulatedStack('console-campaigns', {
      customers: 10,
      seed: 4,
      reactions: { open: 1, click: 0.5, base: 0.5, effect: 0.5 },
      runTag: 'console',
    });
    ({ stack, admin } = sim);
    const { summary } = sim;
    expect(summary.arms['held-out'].bought).toBeGreaterThan(0);
    expect(summary.arms.mailed.bought).toBeGreaterThan(0);
    expect(summary.clicked).toBeGreaterThan(0);
    // The report has counted every conversion and engagement the simulated customers made.
    await eventually(
      async () => {
        const m = (await admin('GET', `/v1/campaigns/${NURTURE}/metrics`)).body;
        expect(m.lagSeconds).toBe(0);
        expect(m.opened.unique).toBe(summary.opened);
        expect(m.clicked.unique).toBe(summary.clicked);
        expect(m.conversion.control.converted).toBe(summary.arms['held-out'].bought);
        expect(m.conversion.treatment.converted).toBe(
          summary.arms.mailed.bought + summary.arms['not-mailed'].bought,
        );
      },
      { timeoutMs: 60_000 },
    );
    // One customer who put something in the cart three days ago and has not moved since:
    // stalled in decide (too old to start the nurture campaign: history is not news).
    const stalled = journey(stack, uid('stalled'), Date.now() - 3 * 86_400_000);
    await stalled('Ad Clicked', { channel: 'google' }, 0);
    await stalled('Product Viewed', {}, 60_000);
    await stalled('Product Added', {}, 120_000);
    // lagSeconds sees the stream too: 0 means the stalled customer is counted.
    await eventually(async () => {
      const stages = (await admin('GET', '/v1/analytics/stages?stalledAfterDays=2')).body;
      expect(stages.lagSeconds).toBe(0);
      expect(stages.stages.find((s: Json) => s.stage === 'decide').stalled).toBe(1);
    });
    browser = await openConsole(stack);
    page = browser.page;
  }, 600_000);

  sessionHooks(() => ({ session: browser, stack }));

  const check = (name: string) => checkPage(page, `${SHOTS}/${name}.png`);

  const cell = (campaignId: string, figure: string) =>
    page.locator(`tr[data-campaign="${campaignId}"] td[data-figure="${figure}"]`);

  it("lists every campaign with sent, open and click rates, conversion and lift as the API's figures", async () => {
    await page.goto(`${stack.url}${CONSOLE_PATH}`);
    await page.getByLabel('API key').fill(stack.keys.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await goToSection(page, 'Campaigns');
    await page.getByRole('columnheader', { name: 'Lift' }).waitFor();
    await cell(NURTURE, 'sent').waitFor();

    const { items } = (await admin('GET', '/v1/campaigns/metrics')).body;
    const nurture = items.find((m: Json) => m.campaignId === NURTURE);
    // The data set is real: sends, opens, clicks and conversions in both arms.
    expect(nurture.sent).toBeGreaterThan(0);
    expect(nurture.clicked.unique).toBeGreaterThan(0);
    expect(nurture.conversion.treatment.converted).toBeGreaterThan(0);
    expect(nurture.conversion.control.converted).toBeGreaterThan(0);
    for (const m of items) {
      expect(await cell(m.campaignId, 'sent').textContent()).toBe(en.number(m.sent));
      expect(await cell(m.campaignId, 'openRate').textContent()).toBe(en.percent(m.openRate));
      expect(await cell(m.campaignId, 'clickRate').textContent()).toBe(en.percent(m.clickRate));
      const conversion = cell(m.campaignId, 'conversion');
      const waiting = m.entered === 0 && m.sent === 0 && m.heldOut === 0;
      if (m.conversion.goal === 'none' || waiting) expect(await conversion.textContent()).toBe('–');
      else {
        expect(await conversion.locator('[data-rate]').textContent()).toBe(
          en.percent(m.conversion.treatment.rate),
        );
        // The held-out group's rate sits under the mailed one, so that does not read as a result;
        // a campaign with nobody held out yet has no such line ("converted –" was noise). Too few
        // customers: both are rates "so far".
        const control = conversion.locator('[data-figure="controlRate"]');
        if (m.conversion.control.customers === 0) expect(await control.count()).toBe(0);
        else expect(await control.textContent()).toBe(expectedControlLine(m.conversion, en.percent));
      }
      expect(await cell(m.campaignId, 'lift').textContent()).toBe(expectedListLift(m));
    }
    await page.getByRole('columnheader', { name: 'Conversion (mailed)' }).waitFor();
    // Seeded campaigns were made by Stageflow, not by "unknown".
    const seeded = page.locator(`tr[data-campaign="${NURTURE}"]`);
    expect(await seeded.getByRole('cell', { name: 'Stageflow defaults' }).count()).toBe(1);
    expect(await page.getByRole('cell', { name: 'unknown' }).count()).toBe(0);
    await check('campaigns-figures');

    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('columnheader', { name: 'Öffnungsrate' }).waitFor();
    expect(await cell(NURTURE, 'lift').textContent()).toMatch(
      /^(zu wenige Daten(: noch .+ nötig)?|kein signifikanter Unterschied \(.+\)|[+-]?\d+,\d Pp\. \(95 %: .+\).*)$/,
    );
    expect(await seeded.getByRole('cell', { name: 'Stageflow-Standard' }).count()).toBe(1);
    await page.getByLabel('Sprache').selectOption('en');
  });

  it("shows a campaign's figures per step and its lift statement as the API answers them", async () => {
    const m = (await admin('GET', `/v1/campaigns/${NURTURE}/metrics`)).body;
    await page.getByRole('link', { name: m.name }).click();
    await page.getByRole('heading', { name: `Campaign: ${m.name}` }).waitFor();
    const steps = page.getByRole('region', { name: 'Figures per step' });
    await steps.waitFor();
    expect(m.steps.length).toBeGreaterThan(0);
    for (const s of m.steps) {
      const cells = steps.locator(`tr[data-step="${s.step}"] td`);
      expect(await cells.allTextContents()).toEqual([
        s.template,
        en.number(s.sent),
        en.number(s.delivered),
        en.number(s.opened.unique),
        en.percent(s.delivered ? s.opened.unique / s.delivered : null),
        en.number(s.clicked.unique),
        en.percent(s.delivered ? s.clicked.unique / s.delivered : null),
      ]);
    }
    expect(await page.locator('p[data-figure="lift"]').textContent()).toBe(
      `Lift on a purchase within ${m.conversion.windowDays} days: ${expectedLift(m.conversion)}`,
    );
    for (const arm of ['treatment', 'control'] as const) {
      const cells = page.locator(`tr[data-arm="${arm}"] td`);
      expect((await cells.allTextContents()).slice(0, 3)).toEqual([
        en.number(m.conversion[arm].customers),
        en.number(m.conversion[arm].converted),
        en.percent(m.conversion[arm].rate),
      ]);
    }
    // The arm's revenue is named for what it is, and said not to be attributed or incremental.
    await page.getByRole('columnheader', { name: 'Revenue from converted customers' }).waitFor();
    expect(await page.locator('#revenue-note').textContent()).toContain('Not attributed');
    // A p-value and a "too few" note never show together.
    const tooFew = m.conversion.significant === null;
    expect(await page.locator('p[data-figure="too-few"]').count()).toBe(tooFew ? 1 : 0);
    expect(await page.getByText(/^p-value /).count()).toBe(tooFew || m.conversion.pValue === null ? 0 : 1);
    expect(await page.locator('li[data-figure="sent"] strong').textContent()).toBe(en.number(m.sent));
    expect(await page.locator('li[data-figure="heldOut"] strong').textContent()).toBe(en.number(m.heldOut));
    await check('campaign-figures');
  });

  it('pauses a campaign from the list and its page and history say who did it', async () => {
    const c = (await admin('GET', `/v1/campaigns/${NURTURE}`)).body;
    await page.getByRole('link', { name: 'Back' }).click();
    await page.getByRole('button', { name: `Pause ${c.name}` }).click();
    await page.getByRole('button', { name: `Activate ${c.name}` }).waitFor();
    const paused = (await admin('GET', `/v1/campaigns/${NURTURE}`)).body;
    expect(paused).toMatchObject({ status: 'paused', updatedBy: expect.stringMatching(/^local admin key/) });
    expect(await page.locator(`tr[data-campaign="${NURTURE}"] .badge`).textContent()).toBe('Paused');

    await page.getByRole('link', { name: c.name }).click();
    await page.getByText(`Status Paused since`).waitFor();
    expect(await page.getByText(/^Status Paused since .+, last change by local admin key/).count()).toBe(1);
    // The pause is the status line's; the version keeps who made it and when (the seeder here).
    const history = page.getByRole('region', { name: 'Version history' });
    const made = (await admin('GET', `/v1/campaigns/${NURTURE}?version=${paused.version}`)).body;
    expect(made.updatedAt).not.toBe(paused.updatedAt);
    const row = history.locator(`li[data-version="${paused.version}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Changed by: Stageflow defaults');
    expect(await row.textContent()).not.toContain(String(paused.updatedBy));
    // Activate again from the campaign page.
    await page.getByRole('button', { name: 'Activate', exact: true }).click();
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    expect((await admin('GET', `/v1/campaigns/${NURTURE}`)).body.status).toBe('active');
  });

  it('edits exit, goal window and a step as a new version, and the history says what changed and who', async () => {
    const before = (await admin('GET', `/v1/campaigns/${NURTURE}`)).body;
    const editor = page.getByRole('form', { name: 'Definition' });
    await editor.getByLabel('Conversion window (days after entering)').fill('14');
    const exit = before.exit === 'purchased' ? 'stage-left' : 'purchased';
    await editor.getByLabel('Exit (stop before the next send when)').selectOption(exit);
    await editor.getByRole('button', { name: 'Add a step' }).click();
    await editor.getByLabel('Wait (hours) before step 2').fill('6');
    await editor.getByRole('button', { name: 'Save as a new version' }).click();
    await editor.getByText('Saved.').waitFor();
    const after = (await admin('GET', `/v1/campaigns/${NURTURE}`)).body;
    expect(after).toMatchObject({
      version: before.version + 1,
      conversionWindowDays: 14,
      exit,
      updatedBy: expect.stringMatching(/^local admin key/),
    });
    expect(after.steps).toHaveLength(before.steps.length + 1);
    expect(after.steps[1]).toMatchObject({ wait: { days: 1, hours: 6 }, template: before.steps[0].template });
    const row = page.locator(`li[data-version="${after.version}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('changed: steps, exit, conversion window');
    // The local key's long name is shown short ("local admin key", its variable in a title).
    expect(after.updatedBy).toBe('local admin key (from STAGEFLOW_ADMIN_KEY)');
    expect(await row.textContent()).toContain('Changed by: local admin key ');
    // Version 1 was made by the seeder.
    expect(await page.locator('li[data-version="1"]').textContent()).toContain(
      'Changed by: Stageflow defaults · created',
    );
    await check('campaign-edited');
  });

  it('creates a draft campaign from a flow', async () => {
    await page.getByRole('link', { name: 'Back' }).click();
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByRole('heading', { name: 'New campaign' }).waitFor();
    await page.getByLabel('Flow', { exact: true }).selectOption('review-request');
    const editor = page.getByRole('form', { name: 'Definition' });
    await editor.getByText('Flow: review-request').waitFor();
    await editor.getByLabel('Name').fill('Review request, gentle');
    await editor.getByLabel('Holdout (% of customers who get no mail, for measuring lift)').fill('20');
    await check('campaign-new');
    await editor.getByRole('button', { name: 'Create draft' }).click();
    await page.getByRole('heading', { name: 'Campaign: Review request, gentle' }).waitFor();
    const created = (await admin('GET', '/v1/campaigns?flow=review-request')).body.items.find(
      (c: Json) => c.name === 'Review request, gentle',
    );
    expect(created).toMatchObject({
      status: 'draft',
      version: 1,
      holdoutPercent: 20,
      goal: 'review',
      updatedBy: expect.stringMatching(/^local admin key/),
    });
    await page.getByText('Nothing sent yet.').waitFor();
    expect(await page.locator('p[data-figure="lift"]').textContent()).toContain('not enough data');
    // Not enough data: no p-value, and the rates are muted with the reason beside them.
    await page.locator('p[data-figure="too-few"]').waitFor();
    expect(await page.getByText(/^p-value /).count()).toBe(0);
    expect(await page.locator('tr[data-arm="control"] td[data-muted="too-few"]').count()).toBe(1);
  });

  it("shows who stalled where, and a funnel's first step without a drop-off", async () => {
    await goToSection(page, 'Overview');
    await page.getByLabel('Stalled after (days)').fill('2');
    await page
      .getByRole('form', { name: 'Customers per stage now' })
      .getByRole('button', { name: 'Show' })
      .click();
    await page.getByRole('columnheader', { name: 'Stalled (more than 2 days)' }).waitFor();
    const stages = (await admin('GET', '/v1/analytics/stages?stalledAfterDays=2')).body;
    const listed = await page
      .locator('li[data-stalled-stage]')
      .evaluateAll((items) => items.map((li) => li.textContent));
    expect(listed).toEqual(
      stages.stages
        .filter((s: Json) => s.stalled > 0)
        .map((s: Json) => `${s.stalled} ${s.stalled === 1 ? 'customer' : 'customers'} stalled in ${s.stage}`),
    );
    expect(listed).toContain('1 customer stalled in decide');

    const heading = page.locator('section[data-group] h3').first();
    const form = page.getByRole('form', { name: 'Funnel' });
    const from = await form.getByLabel('From').inputValue();
    const to = await form.getByLabel('To (exclusive)').inputValue();
    const funnel = (await admin('GET', `/v1/analytics/funnel?from=${from}&to=${to}&windowDays=30`)).body;
    const group = funnel.groups[0];
    await heading.waitFor();
    expect(await heading.textContent()).toBe(
      `All customers: ${group.customers} ${group.customers === 1 ? 'customer' : 'customers'} first seen in the range`,
    );
    const firstRow = page.locator(`section[data-group] tr[data-stage="${group.steps[0].stage}"] td`);
    expect(await firstRow.first().textContent()).toBe(en.number(group.steps[0].reached));
    // Drop-off and "from previous step": the first step has no step before it.
    expect(await firstRow.nth(1).textContent()).toBe('–');
    expect(await firstRow.nth(2).textContent()).toBe('–');
    const second = page.locator(`section[data-group] tr[data-stage="${group.steps[1].stage}"] td`);
    expect(await second.nth(1).textContent()).toBe(en.number(group.steps[1].dropOff));
    // No drop-off note beside the first bar.
    const firstNote = await page
      .locator(`[data-chart="funnel-0-chart"] g[data-category="${group.steps[0].stage}"] text.value`)
      .textContent();
    expect(firstNote?.trim()).toBe(en.number(group.steps[0].reached));
    await check('overview-campaigns-data');
  });

  it('is legible and passes axe at 390×844: chart text at least 12 px, no page-wide scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.reload();
      await page.locator('[data-chart="stages-chart"]').waitFor();
      const sizes = await page
        .locator('[data-chart] text')
        .evaluateAll((texts) => texts.map((t) => t.getBoundingClientRect().height));
      expect(sizes.length).toBeGreaterThan(0);
      // A text box is a little taller than its font: 14 px text is ~16 px tall; the scaled-down labels were ~6.
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await check('overview-phone');
      await goToSection(page, 'Campaigns');
      await cell(NURTURE, 'lift').waitFor();
      // The wide list scrolls inside its own box; the page itself does not scroll sideways.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await check('campaigns-phone');
      await page
        .getByRole('link', { name: (await admin('GET', `/v1/campaigns/${NURTURE}`)).body.name })
        .click();
      await page.getByRole('region', { name: 'Figures per step' }).waitFor();
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await check('campaign-phone');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  }, 180_000);

  it('shows a viewer the figures and no way to change a campaign', async () => {
    const created = await admin('POST', '/v1/keys', { name: 'Vic Viewer', scope: 'read' });
    expect(created.status).toBe(201);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').fill(created.body.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('You are a viewer').waitFor();
    await goToSection(page, 'Campaigns');
    await cell(NURTURE, 'lift').waitFor();
    expect(await page.getByRole('link', { name: 'New campaign' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Pause|Activate) / }).count()).toBe(0);
    const name = (await admin('GET', `/v1/campaigns/${NURTURE}`)).body.name;
    await page.getByRole('link', { name }).click();
    await page.getByRole('region', { name: 'Figures per step' }).waitFor();
    expect(await page.getByRole('button', { name: /^(Pause|Activate|Save|Add a step)/ }).count()).toBe(0);
    expect(await page.getByLabel('Conversion window (days after entering)').isDisabled()).toBe(true);
    // The API refuses the viewer's pause anyway.
    const refused = await api(stack, created.body.key)('POST', `/v1/campaigns/${NURTURE}/pause`);
    expect(refused.status).toBe(403);
  });
});
