import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
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
import { type api, uid } from '../support/local.js';
import { LIVE_NURTURE_RUN, simulatedStack } from '../support/simulated-stack.js';

const SHOTS = 'test-results/console/trials';
const NURTURE = 'default-nurture-decide';
const REFERRAL = 'default-referral-reward';

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, as the test reads it
type Json = any;

/**
 * What two new users found confusing in the console after `npm start` and
 * `npm run simulate -- --live`, each checked where it shows: stalled counts that open their
 * customers, the funnel's open windows, a pause that says what it did and can be undone, why a
 * campaign is missing from attribution, and the German console at 1280 px.
 */
describe('The console after the new-user trials', { timeout: 120_000 }, () => {
  let stack: LocalStack;
  let browser: ConsoleSession;
  let page: Page;
  let admin: ReturnType<typeof api>;

  beforeAll(async () => {
    const sim = await simulatedStack('console-trials', {
      ...LIVE_NURTURE_RUN,
      runTag: 'trials',
    });
    ({ stack, admin } = sim);
    // One customer who put something in the cart three days ago and has not moved since.
    const stalled = journey(stack, uid('stalled'), Date.now() - 3 * 86_400_000);
    await stalled('Product Viewed', {}, 0);
    await stalled('Product Added', {}, 60_000);
    // lagSeconds sees the stream too: 0 means the stalled customer is counted.
    await eventually(
      async () => {
        const stages = (await admin('GET', '/v1/analytics/stages?stalledAfterDays=2')).body;
        expect(stages.lagSeconds).toBe(0);
        expect(stages.stages.find((s: Json) => s.stage === 'decide').stalled).toBe(1);
      },
      { timeoutMs: 60_000 },
    );
    browser = await openConsole(stack, { key: stack.keys.admin });
    page = browser.page;
  }, 600_000);

  sessionHooks(() => ({ session: browser, stack }));

  const check = (name: string) => checkPage(page, `${SHOTS}/${name}.png`, { timeout: 45_000 });

  it("opens a stage's stalled customers from the overview: exactly the API's list", async () => {
    await page.goto(`${stack.url}/console/?stalledAfterDays=2`);
    const item = page.locator('li[data-stalled-stage="decide"]');
    expect(await item.textContent()).toBe('1 customer stalled in decide');
    await item.getByRole('link').click();
    await page.getByRole('heading', { name: 'Customers stalled in decide (more than 2 days)' }).waitFor();
    // The heading shows before the list has loaded: wait for its rows, then read them.
    const rows = page.locator('section[data-stalled-after="2"] tr[data-customer]');
    await rows.first().waitFor();
    const listed = await rows.evaluateAll((all) => all.map((r) => r.getAttribute('data-customer')));
    const api = (await admin('GET', '/v1/customers?stage=decide&stalledAfterDays=2')).body;
    expect(api.items).toHaveLength(1);
    expect(listed).toEqual(api.items.map((c: Json) => c.customerId));
    await check('stalled-customers');
  });

  it('says the funnel is not final while windows are open, and that the local clock is scaled', async () => {
    await goToSection(page, 'Overview');
    const note = page.locator('[data-note="open-windows"]');
    await note.waitFor();
    const form = page.getByRole('form', { name: 'Funnel' });
    // The default range ends tomorrow: every window of the last 30 days is still open.
    expect(await form.getByLabel('To (exclusive)').getAttribute('placeholder')).toBe('YYYY-MM-DD');
    const since = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    expect(await note.textContent()).toContain(`customers first seen since ${since} are still within`);
    expect(await note.textContent()).toContain('STAGEFLOW_TIME_SCALE');
    // A range whose windows all ended says nothing.
    await form.getByLabel('From').fill('2025-01-01');
    await form.getByLabel('To (exclusive)').fill('2025-02-01');
    await form.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/to=2025-02-01/);
    await page.getByText('No customers were first seen in this range.').first().waitFor();
    expect(await note.count()).toBe(0);
  });

  it('announces a pause with an Undo, in the list and on the campaign page', async () => {
    const name = (await admin('GET', `/v1/campaigns/${NURTURE}`)).body.name;
    await goToSection(page, 'Campaigns');
    const notice = page.locator('[data-notice]');
    // The live region is there before anything happens, so the news is announced.
    expect(await notice.getAttribute('aria-live')).toBe('polite');
    await page.getByRole('button', { name: `Pause ${name}` }).click();
    await notice.getByText(`Paused “${name}”`).waitFor();
    expect((await admin('GET', `/v1/campaigns/${NURTURE}`)).body.status).toBe('paused');
    await check('campaigns-paused-undo');
    await notice.getByRole('button', { name: `Undo: activate “${name}” again` }).click();
    await notice.getByText(`Activated “${name}”.`).waitFor();
    expect((await admin('GET', `/v1/campaigns/${NURTURE}`)).body.status).toBe('active');
    expect(await notice.getAttribute('role')).toBe('status');

    await page.getByRole('link', { name }).click();
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await notice.getByText(`Paused “${name}”`).waitFor();
    await notice.getByRole('button', { name: `Undo: activate “${name}” again` }).click();
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    expect((await admin('GET', `/v1/campaigns/${NURTURE}`)).body.status).toBe('active');
  });

  it('explains on the attribution page, linked from the campaign page, why a campaign is missing', async () => {
    await page.getByRole('link', { name: 'Why is this campaign missing from attribution?' }).click();
    await page.getByRole('heading', { name: 'Attribution', level: 1 }).waitFor();
    const why = page.locator('details#missing-campaign');
    expect(await why.getAttribute('open')).not.toBeNull();
    expect(await why.textContent()).toContain('only for orders that follow a click in one of its mails');
    await check('attribution-why-missing');
  });

  it('speaks German without leftovers and keeps campaign names to two lines at 1280 px', async () => {
    await page.getByLabel('Language').selectOption('de');
    try {
      await goToSection(page, 'Kampagnen');
      await page.locator(`tr[data-campaign="${NURTURE}"] td[data-figure="lift"]`).waitFor();
      // Campaign names take at most two lines.
      const lineHeight = Number(
        await page.evaluate(
          `parseFloat(getComputedStyle(document.querySelector('table.campaigns th[scope="row"] a')).lineHeight)`,
        ),
      );
      expect(lineHeight).toBeGreaterThan(10);
      const names = (
        await page
          .locator('table.campaigns th[scope="row"] a')
          .evaluateAll((links) =>
            links.map((a) => ({ text: a.textContent, height: a.getBoundingClientRect().height })),
          )
      ).map((n) => ({ text: n.text, lines: Math.round(n.height / lineHeight) }));
      expect(names.length).toBeGreaterThan(0);
      expect(names.filter((n) => n.lines > 2)).toEqual([]);
      // Nothing of the table is hidden past its edge.
      const overflow = await page
        .locator('.table-wrap')
        .first()
        .evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // The referral campaign's trigger in words, not the bus's "Referral Converted".
      const referral = page.locator(`tr[data-campaign="${REFERRAL}"]`);
      expect(await referral.textContent()).not.toContain('Referral Converted');
      expect(await referral.textContent()).toContain('Empfehlung eingelöst');
      await check('de-campaigns');

      await goToSection(page, 'Einstellungen');
      await page.getByRole('heading', { name: 'Globale Kontrollgruppe' }).waitFor();
      expect(await page.locator('main').textContent()).not.toContain('Ingest');
      await check('de-settings');

      await goToSection(page, 'Nachrichten');
      const from = page.getByLabel('Von (Datum)', { exact: true });
      expect(await from.getAttribute('type')).toBe('text');
      expect(await from.getAttribute('placeholder')).toBe('JJJJ-MM-TT');
      await check('de-messages');
    } finally {
      await page.getByLabel('Sprache').selectOption('en');
    }
  });
});
