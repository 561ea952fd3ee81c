import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_DIST, CONSOLE_PATH, ensureConsoleBuilt } from '../../local/console.js';
import type { LocalStack } from '../../local/stack.js';
import {
  bounded,
  type ConsoleSession,
  checkPage,
  goToSection,
  openConsole,
  sessionHooks,
} from '../support/browser.js';
import { eventually } from '../support/eventually.js';
import { journey } from '../support/flows.js';
import { api, testStack, uid } from '../support/local.js';

const SHOTS = 'test-results/console';

/**
 * The marketer console in a real Chromium against the whole local stack: found by role and
 * label as a person finds things, with an axe check and a screenshot of every page.
 */
describe('Console in Chromium', { timeout: 90_000 }, () => {
  let stack: LocalStack;
  let browser: ConsoleSession;
  let page: Page;
  let admin: ReturnType<typeof api>;
  let readKey: { key: string; keyId: string };
  const customer = { id: uid('shopper'), email: '' };

  beforeAll(async () => {
    // Revocation must reach the console at once here, not after the 30 s key cache.
    process.env.STAGEFLOW_AUTH_CACHE_MS = '0';
    process.env.STAGEFLOW_TIME_SCALE = '0.000002';
    ensureConsoleBuilt();
    stack = await testStack('console');
    const adminApi = api(stack, stack.keys.admin);
    // Every API call of the test is bounded too: a hang fails with the call's name.
    admin = (method, path, body, headers) =>
      bounded(`${method} ${path}`, adminApi(method, path, body, headers), 30_000);
    const created = await admin('POST', '/v1/keys', { name: 'Vera Viewer', scope: 'read' });
    expect(created.status).toBe(201);
    readKey = { key: created.body.key, keyId: created.body.keyId };
    customer.email = `${customer.id}@example.com`;
    const identify = await api(stack)('POST', '/v1/touchpoints', {
      messageId: `${customer.id}-identify`,
      userId: customer.id,
      event: 'identify',
      traits: { email: customer.email, firstName: 'Jo' },
    });
    expect(identify.status).toBe(200);
    await seedJourneys();
    browser = await openConsole(stack);
    page = browser.page;
  }, 600_000);

  sessionHooks(() => ({ session: browser, stack }));

  const check = (name: string) => checkPage(page, `${SHOTS}/${name}.png`);

  /** A small simulated shop: four customers from two channels and campaigns, three orders. */
  const seedJourneys = async () => {
    const day = 86_400_000;
    const now = Date.now();
    const shop = [
      {
        id: uid('anna'),
        channel: 'google',
        campaign: 'spring',
        events: ['Product Viewed', 'Product Added', 'Order Completed'],
        total: 100,
      },
      {
        id: uid('ben'),
        channel: 'instagram',
        campaign: 'autumn',
        events: ['Product Viewed', 'Order Completed'],
        total: 50,
      },
      {
        id: uid('cleo'),
        channel: 'instagram',
        campaign: 'autumn',
        events: ['Product Viewed', 'Product Added'],
        total: 0,
      },
      { id: uid('dan'), channel: 'google', campaign: 'spring', events: ['Product Viewed'], total: 0 },
    ];
    for (const [i, c] of shop.entries()) {
      const post = journey(stack, c.id, now - (10 - i) * day);
      await post('Ad Clicked', { channel: c.channel, context: { campaign: { name: c.campaign } } }, 0);
      for (const [n, event] of c.events.entries()) {
        const order = event === 'Order Completed';
        await post(
          event,
          order ? { properties: { order_id: `${c.id}-o`, total: c.total, currency: 'EUR' } } : {},
          (n + 1) * day,
        );
      }
    }
  };

  /** Every touchpoint sent so far is counted: the reports say nothing is left. */
  const counted = async () => {
    await stack.analyticsRelay.settled();
    await eventually(async () => {
      expect((await admin('GET', '/v1/analytics/stages')).body.lagSeconds).toBe(0);
    });
  };

  /** What an SVG chart draws: each bar's category, series and value. */
  const bars = (chart: string) =>
    page.locator(`[data-chart="${chart}"] rect[data-series]`).evaluateAll((rects) =>
      rects.map((r) => ({
        category: r.getAttribute('data-category'),
        series: r.getAttribute('data-series'),
        value: Number(r.getAttribute('data-value')),
      })),
    );

  const signIn = async (key: string) => {
    await page.goto(`${stack.url}${CONSOLE_PATH}`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  };

  it('is served from the API origin with a CSP without inline scripts and its content types', async () => {
    const res = await fetch(`${stack.url}${CONSOLE_PATH}campaigns`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(await res.text())?.[1];
    const js = await fetch(`${stack.url}${script}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${stack.url}${CONSOLE_PATH}assets/missing.js`)).status).toBe(404);
  });

  it('loads at most 200 KB of gzipped JavaScript first', async () => {
    const html = readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce(
      (sum, file) => sum + gzipSync(readFileSync(join(CONSOLE_DIST, file))).length,
      0,
    );
    expect(gzipped).toBeLessThanOrEqual(200 * 1024);
  });

  it('signs in with an admin key, shows the sign-in page first and passes axe', async () => {
    await page.goto(`${stack.url}${CONSOLE_PATH}`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await check('sign-in');
    await page.getByLabel('API key').fill('sf_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This key is not valid or has been revoked.').waitFor();
    await signIn(stack.keys.admin);
    // The key is in this tab's sessionStorage, never in localStorage.
    expect(await page.evaluate<string>('JSON.stringify(Object.keys(localStorage))')).not.toContain('session');
    expect(await page.evaluate<string>('JSON.stringify(Object.keys(sessionStorage))')).toContain('session');
    await goToSection(page, 'Campaigns');
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await check('campaigns');
  });

  it("shows the overview: stages now, funnel by channel and cohorts drawn with the API's figures", async () => {
    await counted();
    await goToSection(page, 'Overview');
    await page.getByLabel('Stalled after (days)').fill('3');
    await page
      .getByRole('form', { name: 'Customers per stage now' })
      .getByRole('button', { name: 'Show' })
      .click();
    await page.getByRole('columnheader', { name: 'Stalled (more than 3 days)' }).waitFor();
    const stages = (await admin('GET', '/v1/analytics/stages?stalledAfterDays=3')).body;
    expect(await bars('stages-chart')).toEqual(
      stages.stages.flatMap((s: { stage: string; customers: number; stalled: number }) => [
        { category: s.stage, series: 'customers', value: s.customers },
        { category: s.stage, series: 'stalled', value: s.stalled },
      ]),
    );
    const decide = stages.stages.find((s: { stage: string }) => s.stage === 'decide');
    const decideRow = page.locator('tr[data-stage="decide"]').first();
    expect(await decideRow.locator('td').nth(1).textContent()).toBe(String(decide.stalled));

    const funnelForm = page.getByRole('form', { name: 'Funnel' });
    await funnelForm.getByLabel('Group by').selectOption('channel');
    await funnelForm.getByRole('button', { name: 'Show' }).click();
    await page.locator('section[data-group="google"]').waitFor();
    const from = await funnelForm.getByLabel('From').inputValue();
    const to = await funnelForm.getByLabel('To (exclusive)').inputValue();
    const funnel = (await admin('GET', `/v1/analytics/funnel?from=${from}&to=${to}&windowDays=30&by=channel`))
      .body;
    expect(funnel.groups.length).toBeGreaterThan(1);
    for (const group of funnel.groups) {
      const chart = `funnel-${funnel.groups.indexOf(group)}-chart`;
      expect(await bars(chart)).toEqual(
        group.steps.map((s: { stage: string; reached: number }) => ({
          category: s.stage,
          series: 'reached',
          value: s.reached,
        })),
      );
      const section = page.locator(`section[data-group="${group.key.channel}"]`);
      for (const [i, step] of group.steps.entries()) {
        const cells = section.locator(`tr[data-stage="${step.stage}"] td`);
        // The first step has no step before it to drop off from.
        expect(await cells.nth(1).textContent()).toBe(i === 0 ? '–' : String(step.dropOff));
      }
    }

    const cohorts = (
      await admin('GET', `/v1/analytics/funnel?from=${from}&to=${to}&windowDays=30&by=cohort&cohort=week`)
    ).body;
    for (const group of cohorts.groups) {
      for (const step of group.steps) {
        const cell = page.locator(`tr[data-cohort="${group.key.cohort}"] td[data-stage="${step.stage}"]`);
        expect(await cell.getAttribute('data-value')).toBe(String(step.reached));
      }
    }
    await check('overview');
    // The first screen, as README.md shows it (docs/console-overview.png is a copy).
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: `${SHOTS}/overview-first-screen.png` });
  });

  it('compares every attribution model by campaign with the same conversions and revenue as the API', async () => {
    await goToSection(page, 'Attribution');
    const form = page.getByRole('form', { name: 'Attribution' });
    await form.getByLabel('Model').selectOption('all');
    await form.getByLabel('By').selectOption('campaign');
    await form.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('columnheader', { name: 'Conversions: Time decay' }).waitFor();
    const from = await form.getByLabel('From').inputValue();
    const to = await form.getByLabel('To (exclusive)').inputValue();
    const report = (
      await admin(
        'GET',
        `/v1/analytics/attribution?from=${from}&to=${to}&model=all&by=campaign&lookbackDays=30`,
      )
    ).body;
    expect(report.conversions).toBe(2);
    expect(await page.locator('[data-conversions]').first().getAttribute('data-conversions')).toBe('2');
    for (const row of report.rows) {
      for (const model of ['first', 'last', 'linear', 'position', 'time-decay']) {
        const cells = page.locator(`tr[data-key="${row.key.campaign}"] td[data-model="${model}"]`);
        expect(await cells.first().getAttribute('data-conversions')).toBe(String(row.conversions[model]));
        // One revenue column per currency: amounts in two currencies are never added up.
        const shown = await page
          .locator(`tr[data-key="${row.key.campaign}"] td[data-model="${model}"][data-currency]`)
          .evaluateAll((tds) =>
            tds
              .filter((td) => td.getAttribute('data-amount') !== '')
              .map((td) => [td.getAttribute('data-currency'), Number(td.getAttribute('data-amount'))]),
          );
        expect(Object.fromEntries(shown)).toEqual(row.revenue[model]);
      }
    }
    await check('attribution');
    await form.getByLabel('Model').selectOption('linear');
    await form.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('columnheader', { name: 'Revenue in EUR: Linear' }).waitFor();
    expect(await page.getByRole('columnheader', { name: 'Revenue in EUR: First touch' }).count()).toBe(0);
  });

  it('pauses and activates a campaign and the history says who changed it', async () => {
    const nurture = (await admin('GET', '/v1/campaigns')).body.items.find(
      (c: { status: string; flow: string }) => c.status === 'active' && c.flow === 'nurture',
    );
    await goToSection(page, 'Campaigns');
    await page.getByRole('button', { name: `Pause ${nurture.name}` }).click();
    await page.getByRole('button', { name: `Activate ${nurture.name}` }).waitFor();
    const paused = await admin('GET', `/v1/campaigns/${nurture.campaignId}`);
    expect(paused.body.status).toBe('paused');
    expect(paused.body.updatedBy).toMatch(/^local admin key/);
    await page.getByRole('button', { name: `Activate ${nurture.name}` }).click();
    await page.getByRole('button', { name: `Pause ${nurture.name}` }).waitFor();

    await page.getByRole('link', { name: nurture.name }).click();
    await page.getByRole('heading', { name: `Campaign: ${nurture.name}` }).waitFor();
    await page.getByLabel('Holdout (% of customers who get no mail, for measuring lift)').fill('10');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const history = page.getByRole('region', { name: 'Version history' });
    await history
      .getByText(/Changed by: local admin key/)
      .first()
      .waitFor();
    const saved = await admin('GET', `/v1/campaigns/${nurture.campaignId}`);
    expect(saved.body).toMatchObject({
      holdoutPercent: 10,
      updatedBy: expect.stringMatching(/^local admin key/),
    });
    await check('campaign');
  });

  it('edits the subject of the thank-you template and the next thank-you mail carries it', async () => {
    const marker = uid('subject');
    await goToSection(page, 'Templates');
    await page.getByRole('link', { name: 'thank-you' }).click();
    const subject = page.getByLabel('Subject (English)');
    await subject.waitFor();
    await subject.fill(`Thanks for order {{orderId}} ${marker}`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await check('template');

    await journey(stack, customer.id)('Order Completed', { properties: { order_id: 'o-42' } });
    const mail = await eventually(
      async () => {
        const mails = await stack.ses.mails(customer.email);
        expect(mails.map((m) => m.subject)).toContain(`Thanks for order o-42 ${marker}`);
        return mails;
      },
      { timeoutMs: 60_000 },
    );
    expect(mail.length).toBeGreaterThan(0);
  }, 120_000);

  it('previews a template in German the way the API renders it', async () => {
    const expected = await admin('POST', '/v1/templates/thank-you/preview', {
      customerId: customer.id,
      locale: 'de',
    });
    expect(expected.status).toBe(200);
    await page.getByLabel('Customer id for the preview').fill(customer.id);
    await page.getByLabel('Preview language').selectOption('de');
    await page.getByRole('button', { name: 'Show preview' }).click();
    await page.getByText(`Subject: ${expected.body.subject}`).waitFor();
    const frame = page.getByTitle('Rendered mail');
    expect(await frame.contentFrame().locator('body').textContent()).toContain('Vielen Dank');
    // The mail's HTML runs no script and has no origin: it can do nothing to the console.
    expect(await frame.getAttribute('sandbox')).toBe('');
    await check('template-preview-de');

    // The preview on screen follows a save: change the German subject, save, and it renders again.
    const subject = page.getByLabel('Subject (German)');
    const original = await subject.inputValue();
    await subject.fill(`${original} (neu)`);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const renderedAgain = await admin('POST', '/v1/templates/thank-you/preview', {
      customerId: customer.id,
      locale: 'de',
    });
    expect(renderedAgain.body.subject).not.toBe(expected.body.subject);
    await page.getByText(`Subject: ${renderedAgain.body.subject}`).waitFor();
    await subject.fill(original);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(`Subject: ${expected.body.subject}`).waitFor();

    // Without a customer, sample data fills it, and the page says so.
    await page.getByLabel('Customer id for the preview').fill('');
    await page.getByRole('button', { name: 'Show preview' }).click();
    await page.getByText('Rendered with sample data.').waitFor();
  });

  it('test-sends the template in German with sample data to the address given, and only there', async () => {
    const to = `${uid('marketer')}@example.com`;
    await page.getByLabel('Send the test to (email address)').fill(to);
    await page.getByLabel('Test language').selectOption('de');
    await page.getByRole('button', { name: 'Send test mail' }).click();
    await page.getByText(`Test mail sent to ${to} in German, with sample data.`).waitFor();
    const [mail] = await stack.ses.mails(to);
    expect(mail.subject).toContain('SAMPLE-1001');
    expect(mail.body.html).toContain('Vielen Dank');
    // The browser refuses a list before the API would (which answers a 400 naming `to`).
    const address = page.getByLabel('Send the test to (email address)');
    await address.fill('a@example.com, b@example.com');
    expect(await address.evaluate((el) => (el as { checkValidity(): boolean }).checkValidity())).toBe(false);
  });

  it('finds a customer, shows timeline and messages, and erases them after a typed confirmation', async () => {
    await goToSection(page, 'Customers');
    await check('customers');
    await page.getByLabel('Customer id').fill(customer.id);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('heading', { name: `Customer: ${customer.id}` }).waitFor();
    await page.getByRole('heading', { name: 'Stage timeline' }).waitFor();
    await page.getByRole('cell', { name: 'thank-you' }).first().waitFor();
    await page.getByText('No opt-out').waitFor();
    const optOut = await api(stack)('POST', '/v1/identify', {
      messageId: `${customer.id}-opt-out`,
      userId: customer.id,
      traits: { marketingConsent: false },
    });
    expect(optOut.status).toBe(200);
    await page.reload();
    await page.getByText(/^Opted out of marketing mail since /).waitFor();
    await page.getByText('Has not unsubscribed').waitFor();
    await check('customer');
    const erase = page.getByRole('button', { name: 'Erase permanently' });
    expect(await erase.isDisabled()).toBe(true);
    await page.getByLabel(`Type the customer id ${customer.id} to confirm`).fill(customer.id);
    await erase.click();
    await page.getByText(`Customer ${customer.id} was erased.`).waitFor();
    expect((await admin('GET', `/v1/customers/${customer.id}`)).status).toBe(404);
  });

  it('shows the settings with the API keys and switches the UI to German', async () => {
    await goToSection(page, 'Settings');
    await page.getByRole('cell', { name: readKey.keyId }).waitFor();
    await check('settings');
    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('heading', { name: 'Einstellungen' }).waitFor();
    await check('settings-de');
    await goToSection(page, 'Übersicht');
    await page.getByRole('heading', { name: 'Kunden je Phase jetzt' }).waitFor();
    await page.locator('[data-chart="stages-chart"]').waitFor();
    await check('overview-de');
    await page.getByLabel('Sprache').selectOption('en');
  });

  it('gives a viewer no way to save, and the API refuses the viewer a write', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(readKey.key);
    await page.getByText('You are a viewer').waitFor();
    await goToSection(page, 'Campaigns');
    await page.getByRole('columnheader', { name: 'Flow' }).waitFor();
    expect(await page.getByRole('button', { name: /^(Pause|Activate) / }).count()).toBe(0);
    await goToSection(page, 'Templates');
    await page.getByRole('link', { name: 'thank-you' }).click();
    await page.getByLabel('Subject (English)').waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await page.getByLabel('Subject (English)').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Send test mail' }).count()).toBe(0);
    await check('template-viewer');
    const refused = await api(stack, readKey.key)('PUT', '/v1/templates/thank-you', {
      locales: { en: { subject: 'x', html: '<p>x</p>' } },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
  });

  it('works at 390×844', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await goToSection(page, 'Campaigns');
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await check('campaigns-mobile');
    await goToSection(page, 'Overview');
    await page.locator('[data-chart="stages-chart"]').waitFor();
    // Nothing but the tables' own scroll areas is wider than the phone.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await check('overview-mobile');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('lands a revoked session on sign-in, not on a broken page', async () => {
    expect((await admin('DELETE', `/v1/keys/${readKey.keyId}`)).status).toBe(200);
    // The next page's first API call gets a 401 (the customers page loads a list at once).
    await goToSection(page, 'Campaigns');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Your session has ended').waitFor();
  });
});
