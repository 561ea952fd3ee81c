import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { NURTURE_CAMPAIGNS } from '../../lib/simulator/live.js';
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
import { expectedLift } from '../support/lift-text.js';
import { type api, uid } from '../support/local.js';
import { LIVE_NURTURE_RUN, simulatedStack } from '../support/simulated-stack.js';

const SHOTS = 'test-results/console/new-user';
const TRIAL_SHOTS = 'test-results/console/trials';
const NURTURE = 'default-nurture-decide';
const REFERRAL = 'default-referral-reward';

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, as the test reads it
type Json = any;

/**
 * The acceptance played by a new user, without docs, after `npm start` and
 * `npm run simulate -- --live`: (a) how many customers stalled in decide, (b) which campaign
 * brought the most revenue under linear attribution (orders in € and US$, and a larger
 * no-campaign share), (c) whether the nurture campaigns lift purchases, (d) pause one of them.
 * Plus what the trial found in the way: German words for API values, the German campaigns
 * table at 1280 px, the phone header, and filters kept in the address.
 */
describe('A new user answers the four questions in the console', { timeout: 120_000 }, () => {
  let stack: LocalStack;
  let browser: ConsoleSession;
  let page: Page;
  let admin: ReturnType<typeof api>;

  beforeAll(async () => {
    // The CLI's live run: customers dealt to all three nurture campaigns, two each.
    const sim = await simulatedStack('console-new-user', {
      ...LIVE_NURTURE_RUN,
      runTag: 'new-user',
    });
    ({ stack, admin } = sim);
    const { summary } = sim;
    // Every nurture campaign got its two customers, each decided (mailed or held out).
    for (const id of NURTURE_CAMPAIGNS) {
      const arms = summary.armsByCampaign[id];
      expect(arms.mailed.customers + arms['held-out'].customers + arms['not-mailed'].customers).toBe(2);
    }
    // Orders in two currencies from two utm campaigns, and a bigger one from no campaign at all.
    const day = 86_400_000;
    const shop = [
      { campaign: 'spring-sale', total: 1000, currency: 'EUR' },
      { campaign: 'us-launch', total: 300, currency: 'USD' },
      { campaign: null, total: 5000, currency: 'EUR' },
    ];
    for (const [i, o] of shop.entries()) {
      const id = uid(`buyer${i}`);
      const post = journey(stack, id, Date.now() - 5 * day);
      await post(
        'Ad Clicked',
        o.campaign ? { context: { campaign: { name: o.campaign, source: 'google' } } } : {},
        0,
      );
      await post('Product Viewed', {}, 60_000);
      await post(
        'Order Completed',
        { properties: { order_id: `${id}-o`, total: o.total, currency: o.currency } },
        120_000,
      );
    }
    // One customer who added to the cart three weeks ago and never moved: stalled in decide; and
    // one three days ago, stalled only for a threshold under three days.
    const stalled = journey(stack, uid('stalled'), Date.now() - 21 * day);
    await stalled('Product Viewed', {}, 0);
    await stalled('Product Added', {}, 60_000);
    const recent = journey(stack, uid('stalled3d'), Date.now() - 3 * day);
    await recent('Product Viewed', {}, 0);
    await recent('Product Added', {}, 60_000);
    await stack.analyticsRelay.settled();
    await eventually(
      async () => {
        expect((await admin('GET', '/v1/analytics/stages')).body.lagSeconds).toBe(0);
        const stages = (await admin('GET', '/v1/analytics/stages?stalledAfterDays=2')).body;
        expect(stages.stages.find((s: Json) => s.stage === 'decide').stalled).toBe(2);
        const metrics = (await admin('GET', '/v1/campaigns/metrics')).body.items as Json[];
        for (const id of NURTURE_CAMPAIGNS) {
          const m = metrics.find((x) => x.campaignId === id);
          expect(m.lagSeconds ?? 0).toBe(0);
          // Every nurture campaign's trigger was met: nobody reads a bare 0 sent any more.
          expect(m.entered).toBeGreaterThan(0);
        }
      },
      { timeoutMs: 60_000 },
    );
    browser = await openConsole(stack, { key: stack.keys.admin });
    page = browser.page;
  }, 600_000);

  sessionHooks(() => ({ session: browser, stack }));

  const check = (name: string) => checkPage(page, `${SHOTS}/${name}.png`, { timeout: 45_000 });
  const path = () => new URL(page.url()).pathname + new URL(page.url()).search;

  it('(a) reads how many customers stalled in decide on the first page', async () => {
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const stages = (await admin('GET', '/v1/analytics/stages?stalledAfterDays=14')).body;
    const decide = stages.stages.find((s: Json) => s.stage === 'decide');
    expect(decide.stalled).toBeGreaterThanOrEqual(1);
    const line = page.locator('li[data-stalled-stage="decide"]');
    expect(await line.textContent()).toBe(
      `${decide.stalled} ${decide.stalled === 1 ? 'customer' : 'customers'} stalled in decide`,
    );
    await check('a-overview');
  });

  it('(b) ranks campaigns by revenue per currency under linear, the no-campaign row named and last', async () => {
    await goToSection(page, 'Attribution');
    const form = page.getByRole('form', { name: 'Attribution' });
    expect(await form.getByLabel('Model').inputValue()).toBe('linear');
    expect(await form.getByLabel('By').inputValue()).toBe('campaign');
    const from = await form.getByLabel('From').inputValue();
    const to = await form.getByLabel('To (exclusive)').inputValue();
    const report = (
      await admin(
        'GET',
        `/v1/analytics/attribution?from=${from}&to=${to}&model=linear&by=campaign&lookbackDays=30`,
      )
    ).body;
    const rows = report.rows as Json[];
    const none = rows.find((r) => r.key.campaign === '(none)');
    const eur = (r: Json) => r.revenue.EUR ?? 0;
    const usd = (r: Json) => r.revenue.USD ?? 0;
    // The trap the trial fell into: no campaign brought the most revenue of all.
    expect(Math.max(...rows.map(eur))).toBe(eur(none));
    const real = rows.filter((r) => r !== none);
    const topEur = [...real].sort((a, b) => eur(b) - eur(a))[0];
    const topUsd = [...real].sort((a, b) => usd(b) - usd(a))[0];
    expect(topEur.key.campaign).toBe('spring-sale');
    expect(topUsd.key.campaign).toBe('us-launch');

    const answer = page.locator('[data-leaders]');
    const money = (amount: number, currency: string) =>
      new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(amount);
    expect(await answer.textContent()).toBe(
      'Most revenue under Linear (orders without a campaign left out): ' +
        `in EUR, spring-sale with ${money(eur(topEur), 'EUR')}; in USD, us-launch with ${money(usd(topUsd), 'USD')}.`,
    );
    const keys = () =>
      page.locator('tbody tr[data-key]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')));
    // Ranked by EUR revenue (the currency with most revenue), the first real campaign on top.
    expect((await keys())[0]).toBe('spring-sale');
    expect((await keys()).at(-1)).toBe('(none)');
    expect(await page.locator('tr[data-key="(none)"] th').textContent()).toBe('No campaign (direct)');
    const eurHeader = page.getByRole('columnheader', { name: /Revenue in EUR: Linear/ });
    expect(await eurHeader.getAttribute('aria-sort')).toBe('descending');
    // Every figure is the API's.
    for (const row of rows) {
      const tr = page.locator(`tr[data-key="${row.key.campaign}"]`);
      expect(
        await tr.locator('td[data-model="linear"][data-conversions]').getAttribute('data-conversions'),
      ).toBe(String(row.conversions));
      for (const currency of ['EUR', 'USD']) {
        const amount = await tr.locator(`td[data-currency="${currency}"]`).getAttribute('data-amount');
        expect(amount).toBe(row.revenue[currency] === undefined ? '' : String(row.revenue[currency]));
      }
    }
    // What is credited, in one line: touchpoints with a channel or utm campaign in the lookback.
    expect(await page.locator('[data-credited]').textContent()).toContain('channel or a utm campaign');
    await check('b-attribution');

    // Rank by US$, by keyboard: the heading is a button.
    const usdButton = page.getByRole('columnheader', { name: /Revenue in USD: Linear/ }).getByRole('button');
    await usdButton.focus();
    await page.keyboard.press('Enter');
    const usdHeader = page.getByRole('columnheader', { name: /Revenue in USD: Linear/ });
    await expect.poll(() => usdHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await eurHeader.getAttribute('aria-sort')).toBeNull();
    expect((await keys())[0]).toBe('us-launch');
    expect((await keys()).at(-1)).toBe('(none)');
    await page.keyboard.press('Enter');
    await expect.poll(() => usdHeader.getAttribute('aria-sort')).toBe('ascending');
    // Ascending too, no campaign stays last.
    expect((await keys()).at(-1)).toBe('(none)');
    // The sort and the report are in the address: a reload keeps them, back goes a step back.
    expect(path()).toContain('sort=revenue.linear.USD');
    expect(path()).toContain('dir=asc');
    await page.reload();
    await expect.poll(() => usdHeader.getAttribute('aria-sort')).toBe('ascending');
    await page.goBack();
    await expect.poll(() => usdHeader.getAttribute('aria-sort')).toBe('descending');
    await page.goBack();
    await expect.poll(() => eurHeader.getAttribute('aria-sort')).toBe('descending');
  });

  it('(c) reads whether each nurture campaign lifts purchases from the campaigns list', async () => {
    await goToSection(page, 'Campaigns');
    await page.getByRole('columnheader', { name: 'Lift' }).waitFor();
    const metrics = (await admin('GET', '/v1/campaigns/metrics')).body.items as Json[];
    for (const id of NURTURE_CAMPAIGNS) {
      const m = metrics.find((x) => x.campaignId === id);
      const row = page.locator(`tr[data-campaign="${id}"]`);
      await row.locator('td[data-figure="lift"]').waitFor();
      expect(await row.locator('td[data-figure="lift"]').textContent()).toBe(expectedLift(m.conversion));
      expect(await row.locator('td[data-figure="sent"]').textContent()).toBe(String(m.sent));
      expect(await row.locator('[data-goal]').textContent()).toBe('goal: a purchase');
      expect(await row.locator('[data-waiting]').count()).toBe(0);
    }
    // What lift means, one click away.
    await page.getByText('What lift means').click();
    await page.getByText(/Lift compares the customers who got the campaign’s mail/).waitFor();
    // A campaign nobody has reached yet says why it sent nothing.
    const review = metrics.find((x) => x.campaignId === 'default-review-request');
    expect(review.entered).toBe(0);
    expect(
      await page.locator('tr[data-campaign="default-review-request"] [data-waiting]').textContent(),
    ).toBe('Waiting: no customer has matched the trigger yet (starts when the customer enters enjoy).');
    // No send failed: no failures column.
    expect(metrics.every((m) => m.failed === 0)).toBe(true);
    expect(await page.getByRole('columnheader', { name: 'Failed' }).count()).toBe(0);
    await check('c-campaigns');
  });

  it('(d) pauses a nurture campaign, and its history shows the pause with who and when', async () => {
    const id = 'default-nurture-consider';
    const campaign = (await admin('GET', `/v1/campaigns/${id}`)).body;
    await page.getByRole('button', { name: `Pause ${campaign.name}` }).click();
    await page.locator(`tr[data-campaign="${id}"] .badge`).filter({ hasText: 'Paused' }).waitFor();
    const changes = (await admin('GET', `/v1/campaigns/${id}/status-changes`)).body.items as Json[];
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      from: 'active',
      to: 'paused',
      by: expect.stringMatching(/^local admin key/),
    });
    await page.getByRole('link', { name: campaign.name }).click();
    const entry = page
      .getByRole('region', { name: 'Version history' })
      .locator('li[data-status-change="paused"]');
    await entry.waitFor();
    expect(await entry.textContent()).toMatch(/^Paused by .+ on .+/);
    // The local key's long name ("… (from STAGEFLOW_ADMIN_KEY)") is shown short.
    expect(changes[0].by).toMatch(/^local admin key \(from STAGEFLOW_ADMIN_KEY\)$/);
    expect(await entry.textContent()).toContain('Paused by local admin key on ');
    await check('d-campaign-paused');
    // Activated again: a second entry, newest first.
    await page.getByRole('button', { name: 'Activate', exact: true }).click();
    await page.locator('li[data-status-change="active"]').waitFor();
    const entries = await page
      .locator('li[data-status-change]')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-status-change')));
    expect(entries).toEqual(['active', 'paused']);
  });

  it('speaks German: stages, the no-campaign row and reasons in words; the campaigns table fits 1280 px', async () => {
    await page.getByLabel('Language').selectOption('de');
    try {
      await goToSection(page, 'Übersicht');
      await page
        .locator('li[data-stalled-stage="decide"]')
        .filter({ hasText: 'in der Phase Entscheidung' })
        .waitFor();
      await goToSection(page, 'Kampagnen');
      await page.locator('tr[data-campaign="default-nurture-decide"] td[data-figure="lift"]').waitFor();
      // Every action button is inside the table's box, with nothing to scroll to.
      const overflow = await page
        .locator('.table-wrap')
        .first()
        .evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // One word for a flow, in the list as on the campaign page.
      expect(await page.getByRole('columnheader', { name: 'Flow', exact: true }).count()).toBe(1);
      expect(await page.locator('[data-scroll-hint]').count()).toBe(0);
      await check('de-campaigns');
      await goToSection(page, 'Attribution');
      expect(await page.locator('tr[data-key="(none)"] th').textContent()).toBe('Ohne Kampagne (direkt)');
      await goToSection(page, 'Nachrichten');
      const reasons = page.getByLabel('Warum nicht gesendet');
      expect(await reasons.locator('option[value="held-out"]').textContent()).toBe(
        'In der Kontrollgruppe der Kampagne',
      );
      await check('de-messages');
    } finally {
      await page.getByLabel('Sprache').selectOption('en');
    }
  });

  it('keeps the overview, messages and customer list filters in the address', async () => {
    await page.goto(`${stack.url}${CONSOLE_PATH}?stalledAfterDays=3&windowDays=14&by=channel`);
    await page.getByRole('columnheader', { name: 'Stalled (more than 3 days)' }).waitFor();
    const funnel = page.getByRole('form', { name: 'Funnel' });
    expect(await funnel.getByLabel('Window (days after the first touchpoint)').inputValue()).toBe('14');
    expect(await funnel.getByLabel('Group by').inputValue()).toBe('channel');
    // Customers without a channel are a group in words, not "direct".
    const from = await funnel.getByLabel('From').inputValue();
    const to = await funnel.getByLabel('To (exclusive)').inputValue();
    const report = (await admin('GET', `/v1/analytics/funnel?from=${from}&to=${to}&windowDays=14&by=channel`))
      .body;
    const groups = await page
      .locator('section[data-group]')
      .evaluateAll((sections) =>
        sections.map((s) => [s.getAttribute('data-group'), s.querySelector('h3')?.textContent]),
      );
    expect(groups).toEqual(
      report.groups.map((g: Json) => [
        g.key.channel,
        `${g.key.channel === 'direct' ? 'Direct (no channel)' : g.key.channel}: ${g.customers} ${g.customers === 1 ? 'customer' : 'customers'} first seen in the range`,
      ]),
    );
    await funnel.getByLabel('Window (days after the first touchpoint)').fill('7');
    await funnel.getByRole('button', { name: 'Show' }).click();
    await expect.poll(path).toContain('windowDays=7');
    expect(path()).toContain('stalledAfterDays=3');
    await page.goBack();
    await expect
      .poll(() => funnel.getByLabel('Window (days after the first touchpoint)').inputValue())
      .toBe('14');

    await page.goto(`${stack.url}${CONSOLE_PATH}messages?status=held-out`);
    await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
    expect(await page.getByLabel('Status').inputValue()).toBe('held-out');
    const held = (await admin('GET', '/v1/messages?status=held-out&limit=50')).body.items as Json[];
    expect(held.length).toBeGreaterThan(0);
    await expect
      .poll(() =>
        page
          .locator('tbody tr[data-status]')
          .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-customer'))),
      )
      .toEqual(held.map((m) => m.customerId));
    expect(await page.locator('[data-reason-code="held-out"]').first().textContent()).toBe(
      'Held out (campaign control group)',
    );
    await page.getByLabel('Status').selectOption('sent');
    await page.getByRole('form', { name: 'Filter messages' }).getByRole('button', { name: 'Show' }).click();
    await expect.poll(path).toContain('status=sent');
    await page.goBack();
    await expect.poll(() => page.getByLabel('Status').inputValue()).toBe('held-out');

    await page.goto(`${stack.url}${CONSOLE_PATH}customers?list=stage&value=decide`);
    await page
      .getByRole('heading', { name: 'Customers in the stage decide, most recently active first' })
      .waitFor();
    const listed = (await admin('GET', '/v1/customers?stage=decide&limit=50')).body.items as Json[];
    await expect
      .poll(() =>
        page
          .locator('tbody tr[data-customer]')
          .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-customer'))),
      )
      .toEqual(listed.map((c) => c.customerId));
  });

  it('has a compact header on a phone, with the navigation behind a menu button', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${stack.url}${CONSOLE_PATH}`);
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      const header = await page.locator('header.top').boundingBox();
      expect(header?.height).toBeLessThanOrEqual(60);
      const menu = page.getByRole('button', { name: 'Menu' });
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await page.getByRole('navigation').isVisible()).toBe(false);
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await page.getByRole('navigation').getByRole('link', { name: 'Campaigns', exact: true }).waitFor();
      await check('phone-menu-open');
      await page.getByRole('navigation').getByRole('link', { name: 'Campaigns', exact: true }).click();
      await page.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      // The columns past the edge (the Pause button) are announced, not just missing.
      expect(await page.locator('[data-scroll-hint]').first().textContent()).toContain('Scroll sideways');
      await check('phone-campaigns');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('says the global control group is off at 0% instead of a report of nobody', async () => {
    await goToSection(page, 'Settings');
    expect((await admin('GET', '/v1/settings')).body.globalControlPercent).toBe(0);
    const report = (await admin('GET', '/v1/analytics/global-control')).body;
    expect(report.purchase.treatment.customers + report.purchase.control.customers).toBe(0);
    // "Get marketing mail: 0 customers" read as if nobody got mail; at 0% nobody is counted.
    const off = page.locator('[data-global-control="off"]');
    await off.waitFor();
    expect(await off.textContent()).toContain('The global control group is off (0%): nobody is held out');
    expect(await page.locator('table[data-report="global-control"]').count()).toBe(0);
    expect(await page.getByText('Get marketing mail', { exact: true }).count()).toBe(0);
    await check('settings');
  });

  // What two new users found confusing (formerly console-trials.test.ts, which started the same
  // stack): stalled counts that open their customers, the funnel's open windows, a pause that says
  // what it did and can be undone, why a campaign is missing from attribution, and German at 1280 px.
  const trialCheck = (name: string) => checkPage(page, `${TRIAL_SHOTS}/${name}.png`, { timeout: 45_000 });

  it("opens a stage's stalled customers from the overview: exactly the API's list", async () => {
    await page.goto(`${stack.url}/console/?stalledAfterDays=2`);
    const item = page.locator('li[data-stalled-stage="decide"]');
    // Two: the customer stalled three days ago and the one three weeks ago.
    expect(await item.textContent()).toBe('2 customers stalled in decide');
    await item.getByRole('link').click();
    await page.getByRole('heading', { name: 'Customers stalled in decide (more than 2 days)' }).waitFor();
    // The heading shows before the list has loaded: wait for its rows, then read them.
    const rows = page.locator('section[data-stalled-after="2"] tr[data-customer]');
    await rows.first().waitFor();
    const listed = await rows.evaluateAll((all) => all.map((r) => r.getAttribute('data-customer')));
    const api = (await admin('GET', '/v1/customers?stage=decide&stalledAfterDays=2')).body;
    expect(api.items).toHaveLength(2);
    expect(listed).toEqual(api.items.map((c: Json) => c.customerId));
    await trialCheck('stalled-customers');
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
    await trialCheck('campaigns-paused-undo');
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
    await trialCheck('attribution-why-missing');
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
      await trialCheck('de-campaigns');

      await goToSection(page, 'Einstellungen');
      await page.getByRole('heading', { name: 'Globale Kontrollgruppe' }).waitFor();
      expect(await page.locator('main').textContent()).not.toContain('Ingest');
      await trialCheck('de-settings');

      await goToSection(page, 'Nachrichten');
      const from = page.getByLabel('Von (Datum)', { exact: true });
      expect(await from.getAttribute('type')).toBe('text');
      expect(await from.getAttribute('placeholder')).toBe('JJJJ-MM-TT');
      await trialCheck('de-messages');
    } finally {
      await page.getByLabel('Sprache').selectOption('en');
    }
  });
});
