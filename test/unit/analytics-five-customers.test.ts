import { describe, expect, it } from 'vitest';
import { acquisitionOf } from '../../lib/analytics/facts.js';
import { AnalyticsProjector } from '../../lib/analytics/project.js';
import { ReadAnalytics } from '../../lib/analytics/read-analytics.js';
import { defaultModel, type EngineTouchpoint } from '../../lib/journey/index.js';
import { MemoryAnalyticsStore } from '../support/memory-analytics-store.js';

const settings = { timeZone: 'UTC', currency: 'USD' };
let seq = 0;
const tp = (
  at: string,
  event: string,
  extra: { channel?: string; campaign?: string; properties?: Record<string, unknown> } = {},
): EngineTouchpoint => ({
  messageId: `m-${String(++seq).padStart(3, '0')}`,
  timestamp: `${at}.000Z`,
  event,
  ...(extra.channel ? { channel: extra.channel } : {}),
  ...(extra.campaign ? { campaign: { name: extra.campaign } } : {}),
  ...(extra.properties ? { properties: extra.properties } : {}),
});

/**
 * Five customers, every order in November 2026 (UTC):
 * - A: instagram/autumn ad (11-01), an email opened with newsletter-1 (11-05), order o-A 100 EUR (11-08).
 *   The email is credited, but never sets acquisition.
 * - B: google/spring (11-02), instagram/autumn (11-03), order o-B revenue 50, no currency → USD (11-04).
 * - C: facebook/c1 (11-01), google/spring (11-02), instagram/autumn (11-03), order o-C products
 *   2 × 10 + 1 × 5 = 25 USD (11-04).
 * - D: no marketing touch; order o-D1 40 USD (11-10) and o-D2 60 USD (11-11), o-D2 refunded.
 * - E: tiktok/winter ad (09-01), order o-E 80 USD (11-05): outside 30 days, inside 90.
 */
function fiveCustomers(): MemoryAnalyticsStore {
  const store = new MemoryAnalyticsStore();
  const add = (id: string, touchpoints: EngineTouchpoint[]) =>
    store.customersById.set(id, { createdAt: '2026-01-01T00:00:00.000Z', version: 1, touchpoints });
  add('A', [
    tp('2026-11-05T10:00:00', 'Email Opened', { channel: 'email', campaign: 'newsletter-1' }),
    tp('2026-11-01T10:00:00', 'Ad Clicked', { channel: 'instagram', campaign: 'autumn' }),
    tp('2026-11-08T10:00:00', 'Order Completed', {
      properties: { order_id: 'o-A', total: 100, currency: 'EUR' },
    }),
  ]);
  add('B', [
    tp('2026-11-02T00:00:00', 'Ad Clicked', { channel: 'google', campaign: 'spring' }),
    tp('2026-11-03T00:00:00', 'Ad Clicked', { channel: 'instagram', campaign: 'autumn' }),
    tp('2026-11-03T12:00:00', 'Product Viewed'),
    tp('2026-11-04T00:00:00', 'Order Completed', { properties: { order_id: 'o-B', revenue: 50, total: 70 } }),
  ]);
  add('C', [
    tp('2026-11-01T00:00:00', 'Ad Clicked', { channel: 'facebook', campaign: 'c1' }),
    tp('2026-11-02T00:00:00', 'Ad Clicked', { channel: 'google', campaign: 'spring' }),
    tp('2026-11-03T00:00:00', 'Ad Clicked', { channel: 'instagram', campaign: 'autumn' }),
    tp('2026-11-04T00:00:00', 'Order Completed', {
      properties: { order_id: 'o-C', products: [{ price: 10, quantity: 2 }, { price: 5 }] },
    }),
  ]);
  add('D', [
    tp('2026-11-09T00:00:00', 'Product Viewed'),
    tp('2026-11-10T00:00:00', 'Order Completed', { properties: { order_id: 'o-D1', total: 40 } }),
    tp('2026-11-11T00:00:00', 'Order Completed', { properties: { order_id: 'o-D2', total: 60 } }),
    tp('2026-11-12T00:00:00', 'Order Refunded', { properties: { order_id: 'o-D2' } }),
  ]);
  add('E', [
    tp('2026-09-01T00:00:00', 'Ad Clicked', { channel: 'tiktok', campaign: 'winter' }),
    tp('2026-11-05T00:00:00', 'Order Completed', { properties: { order_id: 'o-E', total: 80 } }),
  ]);
  return store;
}

async function reports() {
  const store = fiveCustomers();
  const projector = new AnalyticsProjector(store, defaultModel, settings);
  for (const id of store.customersById.keys()) await projector.project(id);
  return { store, read: new ReadAnalytics(store, defaultModel, () => Date.parse('2026-11-20T00:00:00Z')) };
}

const decay = (days: number[]) => {
  const w = days.map((d) => 2 ** (-d / 7));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
};

describe('Attribution: five hand-made customers', () => {
  it('credits conversions and revenue exactly under all five models, by channel', async () => {
    // Prepare
    const { read } = await reports();
    // Act
    const r = await read.attribution({ from: '2026-11-01', to: '2026-12-01', model: 'all', by: 'channel' });
    // Assess: five orders (o-D2 refunded), revenue per currency.
    expect(r.conversions).toBe(5);
    expect(r.revenue).toEqual({ EUR: 100, USD: 195 });
    expect(r.lagSeconds).toBe(0);
    const row = (channel: string) =>
      r.rows.find((x) => JSON.stringify(x.key) === JSON.stringify({ channel }));
    // first: A → instagram, B → google, C → facebook, D1 and E (nothing within 30 days) → direct.
    expect(row('instagram')?.conversions).toMatchObject({ first: 1, last: 2 });
    expect(row('google')?.conversions).toMatchObject({ first: 1, last: 0 });
    expect(row('facebook')?.conversions).toMatchObject({ first: 1, last: 0 });
    expect(row('email')?.conversions).toMatchObject({ first: 0, last: 1 });
    expect(row('direct')?.conversions).toMatchObject({
      first: 2,
      last: 2,
      linear: 2,
      position: 2,
      'time-decay': 2,
    });
    expect(row('instagram')?.revenue).toMatchObject({ first: { EUR: 100 }, last: { USD: 75 } });
    expect(row('direct')?.revenue).toMatchObject({ first: { USD: 120 } });
    // linear: A ½ + B ½ + C ⅓ (C's thirds are 333334/333333/333333 micro, the spare unit to the first touch).
    expect(row('instagram')?.conversions).toMatchObject({ linear: 1.333333 });
    expect(row('google')?.conversions).toMatchObject({ linear: 0.833333 });
    expect(row('facebook')?.conversions).toMatchObject({ linear: 0.333334 });
    expect(row('email')?.conversions).toMatchObject({ linear: 0.5 });
    expect(row('instagram')?.revenue).toMatchObject({ linear: { EUR: 50, USD: 33.333333 } });
    expect(row('facebook')?.revenue).toMatchObject({ linear: { USD: 8.333334 } });
    // position: n = 2 halves (A, B); C gets 0.4 / 0.2 / 0.4.
    expect(row('instagram')?.conversions).toMatchObject({ position: 1.4 });
    expect(row('google')?.conversions).toMatchObject({ position: 0.7 });
    expect(row('facebook')?.conversions).toMatchObject({ position: 0.4 });
    expect(row('instagram')?.revenue).toMatchObject({ position: { EUR: 50, USD: 35 } });
    expect(row('google')?.revenue).toMatchObject({ position: { USD: 30 } });
    // time-decay: 2^(−Δ/7 days) normalised. A: instagram 7 d, email 3 d; B: google 2 d, instagram 1 d;
    // C: facebook 3 d, google 2 d, instagram 1 d.
    const [aIg, aEm] = decay([7, 3]);
    const [bGo, bIg] = decay([2, 1]);
    const [cFb, cGo, cIg] = decay([3, 2, 1]);
    const td = (ch: string) => (row(ch)!.conversions as Record<string, number>)['time-decay'];
    expect(td('instagram')).toBeCloseTo(aIg + bIg + cIg, 5);
    expect(td('email')).toBeCloseTo(aEm, 6);
    expect(td('google')).toBeCloseTo(bGo + cGo, 5);
    expect(td('facebook')).toBeCloseTo(cFb, 6);
    const tdRevenue = (row('instagram')!.revenue as Record<string, Record<string, number>>)['time-decay'];
    expect(tdRevenue.EUR).toBeCloseTo(100 * aIg, 5);
    expect(tdRevenue.USD).toBeCloseTo(50 * bIg + 25 * cIg, 5);
    // Every model's rows sum to the totals exactly.
    for (const model of ['first', 'last', 'linear', 'position', 'time-decay'] as const) {
      const conv = r.rows.reduce(
        (a, x) => a + Math.round((x.conversions as Record<string, number>)[model] * 1e6),
        0,
      );
      expect(conv).toBe(5_000_000);
      const usd = r.rows.reduce(
        (a, x) =>
          a + Math.round(((x.revenue as Record<string, Record<string, number>>)[model].USD ?? 0) * 1e6),
        0,
      );
      expect(usd).toBe(195_000_000);
    }
  });

  it('credits campaigns, and a 90-day lookback reaches E’s September ad', async () => {
    const { read } = await reports();
    const byCampaign = await read.attribution({
      from: '2026-11-01',
      to: '2026-12-01',
      model: 'first',
      by: 'campaign',
    });
    expect(byCampaign.rows).toEqual([
      { key: { campaign: '(none)' }, conversions: 2, revenue: { USD: 120 } },
      { key: { campaign: 'autumn' }, conversions: 1, revenue: { EUR: 100 } },
      { key: { campaign: 'c1' }, conversions: 1, revenue: { USD: 25 } },
      { key: { campaign: 'spring' }, conversions: 1, revenue: { USD: 50 } },
    ]);
    const ninety = await read.attribution({
      from: '2026-11-01',
      to: '2026-12-01',
      model: 'last',
      by: 'channel',
      lookbackDays: '90',
    });
    expect(ninety.rows.find((x) => x.key.channel === 'tiktok')).toEqual({
      key: { channel: 'tiktok' },
      conversions: 1,
      revenue: { USD: 80 },
    });
    expect(ninety.rows.find((x) => x.key.channel === 'direct')?.conversions).toBe(1);
  });

  it('keeps email engagement out of acquisition and groups the funnel by it', async () => {
    const { read } = await reports();
    const f = await read.funnel({
      from: '2026-09-01',
      to: '2026-12-01',
      by: 'channel',
      steps: 'consider,act',
    });
    const keyed = Object.fromEntries(f.groups.map((g) => [g.key?.channel, g])) as Record<
      string,
      (typeof f.groups)[number]
    >;
    // No group for email: A's email touch is never an acquisition.
    expect(Object.keys(keyed).sort()).toEqual(['direct', 'facebook', 'google', 'instagram', 'tiktok']);
    expect(keyed.instagram.customers).toBe(1);
    // D reached research then act: skipping consider counts as passing it.
    expect(keyed.direct.steps.map((s) => s.reached)).toEqual([1, 1]);
    // E bought 65 days after the ad: outside the default 30-day window.
    expect(keyed.tiktok.steps.map((s) => s.reached)).toEqual([1, 0]);
    const wide = await read.funnel({
      from: '2026-09-01',
      to: '2026-12-01',
      by: 'channel',
      steps: 'consider,act',
      windowDays: '66',
    });
    expect(wide.groups.find((g) => g.key?.channel === 'tiktok')?.steps.map((s) => s.reached)).toEqual([1, 1]);
  });

  it('never takes an email-engagement touchpoint as acquisition, even the earliest', () => {
    const sorted = [
      tp('2026-10-01T00:00:00', 'Email Link Clicked', { channel: 'email', campaign: 'newsletter-1' }),
      tp('2026-10-02T00:00:00', 'email_opened', { campaign: 'newsletter-2' }),
      tp('2026-10-03T00:00:00', 'Ad Clicked', { channel: 'instagram' }),
    ];
    expect(acquisitionOf(defaultModel, sorted)).toEqual({
      at: '2026-10-03T00:00:00.000Z',
      channel: 'instagram',
      campaign: '(none)',
    });
    expect(acquisitionOf(defaultModel, sorted.slice(0, 2))).toBeNull();
  });

  it('refuses a lookback it does not keep, listing the ones it does', async () => {
    const { read } = await reports();
    await expect(
      read.attribution({ from: '2026-11-01', to: '2026-12-01', lookbackDays: '14' }),
    ).rejects.toMatchObject({
      kind: 'invalid',
      errors: [{ path: 'lookbackDays', message: 'must be one of 7, 30, 90' }],
    });
  });
});

describe('Upgrades: contributions applied under an older aggregate layout', () => {
  it('are counted again from nothing, once, so the rebuild fills the new layout', async () => {
    // Arrange: every customer counted, then the table as an upgrade finds it: contributions of
    // layout 1, and aggregate items in partitions the new layout does not read.
    const { store, read } = await reports();
    const want = await read.attribution({ from: '2026-11-01', to: '2026-12-01', lookbackDays: '90' });
    const wantStages = await read.stages({});
    for (const saved of store.contributions.values()) saved.layout = 1;
    store.items.clear();
    expect(
      (await read.attribution({ from: '2026-11-01', to: '2026-12-01', lookbackDays: '90' })).conversions,
    ).toBe(0);
    // Act
    const projector = new AnalyticsProjector(store, defaultModel, settings);
    const changed: boolean[] = [];
    for (const id of store.customersById.keys()) changed.push(await projector.project(id));
    // Assert: the same figures, and a second pass changes nothing.
    expect(changed.every(Boolean)).toBe(true);
    expect(await read.attribution({ from: '2026-11-01', to: '2026-12-01', lookbackDays: '90' })).toEqual(
      want,
    );
    expect(await read.stages({})).toEqual(wantStages);
    for (const id of store.customersById.keys()) expect(await projector.project(id)).toBe(false);
  });
});
