import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_PATH, ensureConsoleBuilt } from '../../local/console.js';
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
 * The console's Settings, Messages and Customers pages in a real Chromium against the whole
 * local stack: every figure checked against the API's, every page axe-checked and
 * photographed at 1280×800 and 390×844. 180 s a test: the heaviest runs axe six times (three
 * pages, two sizes), which took 91 s at a load average of 20 on the shared 2-core machine.
 */
describe('Console pages: settings, messages, customers', { timeout: 180_000 }, () => {
  let stack: LocalStack;
  let browser: ConsoleSession;
  let page: Page;
  let admin: ReturnType<typeof api>;
  let viewerKey: string;
  const shopper = { id: uid('mixed'), email: '' };
  let thankYou: { campaignId: string; name: string };

  beforeAll(async () => {
    // A revoked key must be refused at once here, not after the 30 s key cache.
    process.env.STAGEFLOW_AUTH_CACHE_MS = '0';
    process.env.STAGEFLOW_TIME_SCALE = '0.000002';
    ensureConsoleBuilt();
    stack = await testStack('pages');
    const adminApi = api(stack, stack.keys.admin);
    admin = (method, path, body, headers) =>
      bounded(`${method} ${path}`, adminApi(method, path, body, headers), 30_000);
    const viewer = await admin('POST', '/v1/keys', { name: 'Paula Viewer', scope: 'read' });
    expect(viewer.status).toBe(201);
    viewerKey = viewer.body.key;
    thankYou = (await admin('GET', '/v1/campaigns')).body.items.find(
      (c: { flow: string; status: string }) => c.flow === 'thank-you' && c.status === 'active',
    );
    expect(thankYou).toBeDefined();

    // One shopper with a mixed-case address and an order (so a thank-you mail), and a few
    // more in other stages, for the lists.
    shopper.email = `${shopper.id}.Mixed@Example.COM`;
    const post = journey(stack, shopper.id);
    await post('identify', { traits: { email: shopper.email, firstName: 'Mia' } });
    await post('Product Viewed');
    await post('Order Completed', {
      properties: { order_id: `${shopper.id}-o`, total: 30, currency: 'EUR' },
    });
    for (const [i, events] of [['Product Viewed'], ['Product Viewed', 'Product Added']].entries()) {
      const id = uid(`other${i}`);
      const other = journey(stack, id);
      await other('identify', { traits: { email: `${id}@example.com` } });
      for (const event of events) await other(event);
    }
    // Ten more buyers: more than one page of 10 customers and of 10 thank-you messages.
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const id = uid(`buyer${i}`);
        const buyer = journey(stack, id);
        await buyer('identify', { traits: { email: `${id}@example.com` } });
        await buyer('Order Completed', { properties: { order_id: `${id}-o`, total: 10, currency: 'EUR' } });
      }),
    );

    browser = await openConsole(stack);
    page = browser.page;
  }, 600_000);

  sessionHooks(() => ({ session: browser, stack }));

  /** No serious or critical axe violation and a screenshot, at 1280×800 and at 390×844. */
  const check = async (name: string) => {
    await checkPage(page, `${SHOTS}/${name}.png`, { timeout: 45_000 });
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      // Nothing but the tables' own scroll areas is wider than the phone.
      // (What sticks out is named, so a failure says where.)
      const wide = await page.evaluate(`[...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap'))
        .map((e) => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 40))`);
      expect(wide).toEqual([]);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await checkPage(page, `${SHOTS}/${name}-mobile.png`, { timeout: 45_000 });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  };

  const signIn = async (key: string) => {
    await page.goto(`${stack.url}${CONSOLE_PATH}`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  };
  const settings = async () => (await admin('GET', '/v1/settings')).body;

  it('pauses marketing by hand with a reason, shows why, and resumes', async () => {
    await signIn(stack.keys.admin);
    await goToSection(page, 'Settings');
    await page.getByText('Marketing mail is going out.').waitFor();
    const reason = `brand review ${uid('r')}`;
    await page.getByLabel('Reason for the pause').fill(reason);
    await page.getByRole('button', { name: 'Pause marketing mail', exact: true }).click();
    await page.getByText('Marketing mail is paused.').waitFor();
    // Who paused it: the key's name, as the API recorded it.
    await page.getByText(new RegExp(`^Paused by hand by local admin key since .+: ${reason}$`)).waitFor();
    const paused = await settings();
    expect(paused.marketing).toMatchObject({
      paused: true,
      manual: { paused: true, reason, by: expect.stringMatching(/^local admin key/) },
    });
    await check('settings-paused');

    // By keyboard: the resume button is reachable and works with Enter.
    await page.getByRole('button', { name: 'Resume marketing mail' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Marketing mail is going out.').waitFor();
    expect((await settings()).marketing).toMatchObject({ paused: false, manual: { paused: false } });
  });

  it("sets the global control group and shows the API's out-of-range error next to the field", async () => {
    const field = page.getByLabel('Share held out of all marketing (%, 0 to 15)');
    const refused = await admin('PATCH', '/v1/settings', { globalControlPercent: 20 });
    expect(refused.status).toBe(400);
    const apiMessage = refused.body.errors.find(
      (e: { pointer: string }) => e.pointer === '/globalControlPercent',
    ).message;
    await field.fill('20');
    await page
      .getByRole('form', { name: 'Global control group' })
      .getByRole('button', { name: 'Save' })
      .click();
    const error = page.locator('#global-control-error');
    await error.waitFor();
    expect(await error.textContent()).toBe(`Share held out of all marketing (%, 0 to 15): ${apiMessage}`);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toBe('global-control-error');
    expect((await settings()).globalControlPercent).toBe(0);
    await check('settings-global-control-error');

    await field.fill('5');
    await page
      .getByRole('form', { name: 'Global control group' })
      .getByRole('button', { name: 'Save' })
      .click();
    await page.getByText('Saved.').waitFor();
    expect(await error.count()).toBe(0);
    expect((await settings()).globalControlPercent).toBe(5);
    await page.getByText(/^Last changed on .+ by local admin key/).waitFor();
    await field.fill('0');
    await page
      .getByRole('form', { name: 'Global control group' })
      .getByRole('button', { name: 'Save' })
      .click();
    await eventually(async () => expect((await settings()).globalControlPercent).toBe(0));
    // Tracking is the deployment's, shown read-only with the reason.
    await page.getByText(/^Set by the deployment \(STAGEFLOW_TRACKING\)/).waitFor();
    expect(await page.locator('[data-tracking]').getAttribute('data-tracking')).toBe(
      (await settings()).tracking,
    );
  });

  it('creates a read key, shows it once, revokes it after a confirmation and the API refuses it', async () => {
    const name = `Reader ${uid('k')}`;
    await page.getByLabel('Name of the new key').fill(name);
    await page.getByLabel('Scope of the new key').selectOption('read');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('region', { name: `New key ${name}` });
    await shown.getByText('Copy this key now: it is shown once and never again.').waitFor();
    const key = await shown.getByLabel('New key').inputValue();
    const who = await api(stack, key)('GET', '/v1/keys/current');
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ name, scope: 'read' });
    await shown.getByRole('button', { name: 'Copy key' }).waitFor();
    await check('settings-new-key');
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    // Once: the key is nowhere on the page any more, nor in the list.
    expect(await page.content()).not.toContain(key);
    const row = page.locator(`tr[data-key-id="${who.body.keyId}"]`);
    await row.getByText('Active').waitFor();

    // The button says just "Revoke"; its accessible name says which key.
    expect(await row.getByRole('button', { name: `Revoke ${name}`, exact: true }).textContent()).toBe(
      'Revoke',
    );
    await row.getByRole('button', { name: `Revoke ${name}`, exact: true }).click();
    const dialog = page.getByRole('alertdialog', { name: `Revoke the key ${name}?` });
    await dialog.waitFor();
    expect((await api(stack, key)('GET', '/v1/keys/current')).status).toBe(200);
    await check('settings-revoke-confirm');
    // The confirmation has the focus: Enter revokes.
    await page.keyboard.press('Enter');
    await page.getByText(`Key ${name} was revoked: the API refuses it from now on.`).waitFor();
    await row.getByText(/^Revoked /).waitFor();
    // Who created and who revoked it, as the API recorded them.
    expect(await row.getByText(/^by local admin key/).count()).toBe(2);
    const refused = await api(stack, key)('GET', '/v1/keys/current');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
  });

  it('lists a sent message with the API figures and filters it by campaign and status', async () => {
    const sent = await eventually(
      async () => {
        const log = await admin('GET', `/v1/messages?campaignId=${thankYou.campaignId}&status=sent`);
        const mine = log.body.items.find((m: { customerId: string }) => m.customerId === shopper.id);
        expect(mine).toBeDefined();
        return mine;
      },
      { timeoutMs: 60_000 },
    );
    // Open and click the mail where the local SES tracked it, so the figures are not all 0.
    const [mail] = await stack.ses.mails(shopper.email.toLowerCase());
    const pixel = mail?.body.html && /<img src="([^"]+\/t\/o\/[^"]+\.gif)"/.exec(mail.body.html)?.[1];
    const link = mail?.body.html && /href="([^"]+\/t\/c\/[^"]+)"/.exec(mail.body.html)?.[1];
    if (pixel) expect((await fetch(pixel)).ok).toBe(true);
    if (link) expect((await fetch(link, { redirect: 'manual' })).status).toBe(302);
    const figures = await eventually(
      async () => {
        const log = await admin('GET', `/v1/messages?campaignId=${thankYou.campaignId}`);
        const mine = log.body.items.find(
          (m: { customerId: string; runId: string }) => m.customerId === shopper.id && m.runId === sent.runId,
        );
        if (pixel) expect(mine.engagement?.opens).toBeGreaterThan(0);
        if (link) expect(mine.engagement?.clicks).toBeGreaterThan(0);
        return mine;
      },
      { timeoutMs: 30_000 },
    );

    await goToSection(page, 'Messages');
    await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
    const filters = page.getByRole('form', { name: 'Filter messages' });
    await filters.getByLabel('Campaign').selectOption(thankYou.campaignId);
    await filters.getByRole('button', { name: 'Show' }).click();
    const row = page.locator(`tr[data-customer="${shopper.id}"]`).first();
    await row.waitFor();
    expect(await page.locator(`tbody tr:not([data-campaign="${thankYou.campaignId}"])`).count()).toBe(0);
    expect(await row.getAttribute('data-opens')).toBe(String(figures.engagement?.opens ?? 0));
    expect(await row.getAttribute('data-clicks')).toBe(String(figures.engagement?.clicks ?? 0));
    expect(await row.getAttribute('data-status')).toBe(figures.status);
    expect(await row.getByRole('cell').nth(5).textContent()).toContain(
      String(figures.engagement?.opens ?? 0),
    );
    await row.getByText(thankYou.name).waitFor();
    await check('messages');

    // A status nothing has: the empty state, not an empty table.
    await filters.getByLabel('Status').selectOption('complained');
    await filters.getByRole('button', { name: 'Show' }).click();
    await page.getByText('No messages match these filters.').waitFor();
    await filters.getByLabel('Status').selectOption('sent');
    await filters.getByRole('button', { name: 'Show' }).click();
    await page.locator(`tr[data-customer="${shopper.id}"]`).first().waitFor();
    const statuses = await page
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
    expect(new Set(statuses)).toEqual(new Set(['sent']));

    // The row links to its customer.
    await page
      .locator(`tr[data-customer="${shopper.id}"]`)
      .first()
      .getByRole('link', { name: shopper.id })
      .click();
    await page.getByRole('heading', { name: `Customer: ${shopper.id}` }).waitFor();
  });

  /** The ids a list shows, in order (polled: the page number changes a frame before the rows). */
  const shownIds = () =>
    page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-customer')));

  it('pages the message log with the API cursor, forward and back', async () => {
    const query = `campaignId=${thankYou.campaignId}&limit=10`;
    // Every buyer's thank-you is logged (one each, 11 in all), so no page changes meanwhile.
    await eventually(
      async () => {
        const all = (await admin('GET', `/v1/messages?campaignId=${thankYou.campaignId}&limit=100`)).body;
        expect(all.items.filter((m: { status: string }) => m.status === 'sent')).toHaveLength(11);
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const first = (await admin('GET', `/v1/messages?${query}`)).body;
    expect(first.nextCursor).not.toBeNull();
    const second = (
      await admin('GET', `/v1/messages?${query}&cursor=${encodeURIComponent(first.nextCursor)}`)
    ).body;
    await goToSection(page, 'Messages');
    const filters = page.getByRole('form', { name: 'Filter messages' });
    await filters.getByLabel('Campaign').selectOption(thankYou.campaignId);
    await filters.getByLabel('Per page').selectOption('10');
    await filters.getByRole('button', { name: 'Show' }).click();
    const pager = page.getByRole('navigation', { name: 'Message pages' });
    await pager.getByText('Page 1').waitFor();
    const ids = (body: { items: { customerId: string }[] }) => body.items.map((m) => m.customerId);
    await expect.poll(shownIds, { timeout: 15_000 }).toEqual(ids(first));
    await pager.getByRole('button', { name: 'Next page' }).click();
    await pager.getByText('Page 2').waitFor();
    await expect.poll(shownIds, { timeout: 15_000 }).toEqual(ids(second));
    await pager.getByRole('button', { name: 'Previous page' }).click();
    await pager.getByText('Page 1').waitFor();
    await expect.poll(shownIds, { timeout: 15_000 }).toEqual(ids(first));
  });

  it('says the API cannot be reached instead of showing a broken page', async () => {
    await page.route('**/v1/messages**', (route) => route.abort('connectionrefused'));
    try {
      await goToSection(page, 'Customers');
      await goToSection(page, 'Messages');
      await page
        .getByText('The API cannot be reached. Check that Stageflow is running, then retry.')
        .waitFor();
      await page.getByRole('button', { name: 'Retry' }).waitFor();
    } finally {
      await page.unroute('**/v1/messages**');
    }
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('tbody tr').first().waitFor();
  });

  it('finds a customer by email in another case and lists a stage exactly as the API does', async () => {
    await goToSection(page, 'Customers');
    await page.getByRole('heading', { name: 'Most recently active customers' }).waitFor();
    await page.locator(`tr[data-customer="${shopper.id}"]`).waitFor();
    await check('customers-recent');

    // By keyboard: type the address in another case and press Enter.
    await page.getByLabel('Email or customer id').focus();
    await page.keyboard.type(shopper.email.toUpperCase());
    await page.keyboard.press('Enter');
    await page
      .getByRole('heading', { name: `Customers with the email ${shopper.email.toUpperCase()}` })
      .waitFor();
    const found = (
      await admin('GET', `/v1/customers?email=${encodeURIComponent(shopper.email.toLowerCase())}`)
    ).body;
    expect(found.items.map((c: { customerId: string }) => c.customerId)).toEqual([shopper.id]);
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    await expect.poll(shownIds, { timeout: 15_000 }).toEqual([shopper.id]);
    await rows.first().getByText('Mia').waitFor();
    await check('customers-email');

    const stage = (await admin('GET', `/v1/customers/${shopper.id}`)).body.stage as string;
    const form = page.getByRole('form', { name: 'List customers' });
    await form.getByLabel('List').selectOption('stage');
    await form.getByLabel('Stage').selectOption(stage);
    await form.getByRole('button', { name: 'Show' }).click();
    await page
      .getByRole('heading', { name: `Customers in the stage ${stage}, most recently active first` })
      .waitFor();
    await page.locator(`tr[data-customer="${shopper.id}"]`).waitFor();
    const listed = (await admin('GET', `/v1/customers?stage=${stage}&limit=50`)).body;
    await expect
      .poll(shownIds, { timeout: 15_000 })
      .toEqual(listed.items.map((c: { customerId: string }) => c.customerId));
    await check('customers-stage');

    // The most recently active, 10 a page: page 2 is the API's page 2.
    await form.getByLabel('List').selectOption('recent');
    await form.getByLabel('Per page').selectOption('10');
    await form.getByRole('button', { name: 'Show' }).click();
    const pager = page.getByRole('navigation', { name: 'Customer pages' });
    await pager.getByText('Page 1').waitFor();
    const recent = (await admin('GET', '/v1/customers?limit=10')).body;
    expect(recent.nextCursor).not.toBeNull();
    const recent2 = (
      await admin('GET', `/v1/customers?limit=10&cursor=${encodeURIComponent(recent.nextCursor)}`)
    ).body;
    await pager.getByRole('button', { name: 'Next page' }).click();
    await pager.getByText('Page 2').waitFor();
    await expect
      .poll(shownIds, { timeout: 15_000 })
      .toEqual(recent2.items.map((c: { customerId: string }) => c.customerId));
    await form.getByLabel('Per page').selectOption('50');

    // No one in this list: the empty state.
    await form.getByLabel('List').selectOption('channel');
    await form.getByLabel('Channel').fill('no-such-channel');
    await form.getByRole('button', { name: 'Show' }).click();
    await page.getByText('No customers in this list.').waitFor();

    await form.getByLabel('List').selectOption('stage');
    await form.getByLabel('Stage').selectOption(stage);
    await form.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('link', { name: shopper.id }).click();
    await page.getByRole('heading', { name: `Customer: ${shopper.id}` }).waitFor();
  });

  it('shows the pages in German', async () => {
    await page.getByLabel('Language').selectOption('de');
    try {
      await goToSection(page, 'Nachrichten');
      await page.getByRole('heading', { name: 'Nachrichten', level: 1 }).waitFor();
      await page.locator('tbody tr').first().waitFor();
      await check('messages-de');
      await goToSection(page, 'Kunden');
      await page.getByRole('heading', { name: 'Zuletzt aktive Kunden' }).waitFor();
      await goToSection(page, 'Einstellungen');
      await page.getByRole('heading', { name: 'Werbemails' }).waitFor();
      await page.getByText('Werbemails werden versendet.').waitFor();
      await check('settings-de');
    } finally {
      await page.getByLabel('Sprache').selectOption('en');
    }
  });

  it('gives a viewer the settings with no way to change them, and the API refuses the viewer', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(viewerKey);
    await goToSection(page, 'Settings');
    await page.getByText('Marketing mail is going out.').waitFor();
    await page.getByRole('rowheader', { name: 'Paula Viewer' }).waitFor();
    expect(await page.getByRole('button').allTextContents()).toEqual(['Sign out']);
    expect(await page.getByLabel('Share held out of all marketing (%, 0 to 15)').isDisabled()).toBe(true);
    expect(await page.getByLabel('Reason for the pause').count()).toBe(0);
    expect(await page.getByLabel('Name of the new key').count()).toBe(0);
    await check('settings-viewer');
    const refused = await api(stack, viewerKey)('PATCH', '/v1/settings', { marketing: { paused: true } });
    expect(refused.status).toBe(403);
    await goToSection(page, 'Messages');
    await page.locator('tbody tr').first().waitFor();
    await goToSection(page, 'Customers');
    await page.locator('tbody tr').first().waitFor();
  });
});
