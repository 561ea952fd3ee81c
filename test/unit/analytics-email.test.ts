import { describe, expect, it } from 'vitest';
import { acquisitionOf } from '../../lib/analytics/facts.js';
import { AnalyticsProjector } from '../../lib/analytics/project.js';
import { ReadAnalytics } from '../../lib/analytics/read-analytics.js';
import { defaultModel, type EngineTouchpoint, replay } from '../../lib/journey/index.js';
import { MemoryAnalyticsStore } from '../support/memory-analytics-store.js';

const settings = { timeZone: 'UTC', currency: 'USD' };
const CAMPAIGN_ID = 'repeat-purchase';
let seq = 0;
const tp = (at: string, event: string, extra: Partial<EngineTouchpoint> = {}): EngineTouchpoint => ({
  messageId: `e-${String(++seq).padStart(3, '0')}`,
  timestamp: `${at}.000Z`,
  event,
  ...extra,
});

/** The touchpoints issue 8 records for SES events, as lib/engagement shapes them: only a click has a channel and utm campaign. */
const click = (at: string) =>
  tp(at, 'Email Link Clicked', {
    channel: 'email',
    campaign: { name: CAMPAIGN_ID, source: 'stageflow', medium: 'email' },
    properties: { campaign_id: CAMPAIGN_ID, link_url: 'https://shop.example/p-100' },
  });
const engagement = (at: string) => [
  tp(at, 'Email Delivered', { properties: { campaign_id: CAMPAIGN_ID } }),
  tp(at, 'Email Opened', { properties: { campaign_id: CAMPAIGN_ID } }),
  click(at),
  tp(at, 'Email Bounced', { properties: { campaign_id: CAMPAIGN_ID } }),
  tp(at, 'Email Marked as Spam', { properties: { campaign_id: CAMPAIGN_ID } }),
  tp(at, 'Unsubscribed', { channel: 'email', campaign: { name: CAMPAIGN_ID } }),
];

describe('Analytics and the email engagement touchpoints of issue 8', () => {
  it('never set a customer’s acquisition, in the engine (lists) nor in the analytics facts (funnel groups)', () => {
    // Arrange: engagement first, under every Segment Email spec name and in snake_case
    const history = [
      ...engagement('2026-11-01T08:00:00'),
      tp('2026-11-01T09:00:00', 'email_link_clicked', { channel: 'email', campaign: { name: CAMPAIGN_ID } }),
      tp('2026-11-01T09:30:00', 'unsubscribed', { channel: 'email', campaign: { name: CAMPAIGN_ID } }),
      tp('2026-11-02T10:00:00', 'Ad Clicked', { channel: 'instagram', campaign: { name: 'autumn' } }),
    ];
    // Act
    const facts = acquisitionOf(defaultModel, history);
    const { state } = replay(defaultModel, history);
    // Assess
    expect(facts).toEqual({ at: '2026-11-02T10:00:00.000Z', channel: 'instagram', campaign: 'autumn' });
    expect(state.acquisition?.channel).toBe('instagram');
    expect(acquisitionOf(defaultModel, engagement('2026-11-01T08:00:00'))).toBeNull();
    expect(replay(defaultModel, engagement('2026-11-01T08:00:00')).state.acquisition).toBeNull();
  });

  it('credit an email click like any touchpoint, and label the row of a Stageflow campaign with its name', async () => {
    // Arrange: X came from instagram, clicked the repeat-purchase mail, bought; Y only opened it, bought.
    const store = new MemoryAnalyticsStore();
    store.customersById.set('X', {
      createdAt: '2026-01-01T00:00:00.000Z',
      version: 1,
      touchpoints: [
        tp('2026-11-01T10:00:00', 'Ad Clicked', { channel: 'instagram', campaign: { name: 'autumn' } }),
        tp('2026-11-03T10:00:00', 'Email Opened', { properties: { campaign_id: CAMPAIGN_ID } }),
        click('2026-11-03T10:05:00'),
        tp('2026-11-03T11:00:00', 'Order Completed', { properties: { order_id: 'o-X', total: 80 } }),
      ],
    });
    store.customersById.set('Y', {
      createdAt: '2026-01-01T00:00:00.000Z',
      version: 1,
      touchpoints: [
        tp('2026-11-04T10:00:00', 'Email Opened', { properties: { campaign_id: CAMPAIGN_ID } }),
        tp('2026-11-04T11:00:00', 'Order Completed', { properties: { order_id: 'o-Y', total: 20 } }),
      ],
    });
    await new AnalyticsProjector(store, defaultModel, settings).projectMany(['X', 'Y']);
    const read = new ReadAnalytics(
      store,
      defaultModel,
      () => Date.parse('2026-11-20T00:00:00Z'),
      async () => new Map([[CAMPAIGN_ID, 'Time to restock']]),
    );
    const q = { from: '2026-11-01', to: '2026-12-01', lookbackDays: '30' };
    // Act
    const last = await read.attribution({ ...q, model: 'last', by: 'campaign' });
    const first = await read.attribution({ ...q, model: 'first', by: 'campaign' });
    const byChannel = await read.attribution({ ...q, model: 'linear', by: 'channel' });
    // Assess: the click gets last touch, the ad first touch; an open (no campaign) is no credited touch.
    expect(last.rows).toEqual([
      { key: { campaign: '(none)' }, conversions: 1, revenue: { USD: 20 } },
      { key: { campaign: CAMPAIGN_ID }, label: 'Time to restock', conversions: 1, revenue: { USD: 80 } },
    ]);
    expect(first.rows).toEqual([
      { key: { campaign: '(none)' }, conversions: 1, revenue: { USD: 20 } },
      { key: { campaign: 'autumn' }, conversions: 1, revenue: { USD: 80 } },
    ]);
    expect(byChannel.rows).toEqual([
      { key: { channel: 'direct' }, conversions: 1, revenue: { USD: 20 } },
      { key: { channel: 'email' }, conversions: 0.5, revenue: { USD: 40 } },
      { key: { channel: 'instagram' }, conversions: 0.5, revenue: { USD: 40 } },
    ]);
    // The funnel groups X by the ad, never by the mail.
    const funnel = await read.funnel({ from: '2026-11-01', to: '2026-12-01', by: 'campaign' });
    expect(funnel.groups.map((g) => g.key)).toEqual([{ campaign: '(none)' }, { campaign: 'autumn' }]);
  });
});

describe('The projector over a stream batch', () => {
  it('sums many customers’ differences into one transaction, and equals projecting them one by one', async () => {
    // Arrange: 30 customers, each an ad click and an order on the same few days
    const build = () => {
      const store = new MemoryAnalyticsStore();
      for (let i = 0; i < 30; i++)
        store.customersById.set(`c${i}`, {
          createdAt: '2026-01-01T00:00:00.000Z',
          version: 1,
          touchpoints: [
            tp(`2026-11-0${1 + (i % 3)}T10:00:00`, 'Ad Clicked', {
              channel: i % 2 ? 'google' : 'instagram',
              campaign: { name: 'autumn' },
            }),
            tp(`2026-11-0${1 + (i % 3)}T11:00:00`, 'Order Completed', {
              properties: { order_id: `o-${i}`, total: 10 + i },
            }),
          ],
        });
      return store;
    };
    const batched = build();
    const single = build();
    const ids = [...batched.customersById.keys()];
    // Act
    await new AnalyticsProjector(batched, defaultModel, settings).projectMany([...ids, ...ids]);
    const oneByOne = new AnalyticsProjector(single, defaultModel, settings);
    for (const id of ids) await oneByOne.project(id);
    // Assess: same aggregates, far fewer transactions, and a redelivery writes nothing
    expect(Object.fromEntries(batched.items)).toEqual(Object.fromEntries(single.items));
    expect(single.transactions).toBe(30);
    expect(batched.transactions).toBeLessThanOrEqual(3);
    const before = batched.transactions;
    await new AnalyticsProjector(batched, defaultModel, settings).projectMany(ids);
    expect(batched.transactions).toBe(before);
  });

  it('packs a batch too large for one transaction so that customers on the same days share one', async () => {
    // Arrange: 100 customers on 20 days (each writes a contribution and its day items): more
    // than the 100 items DynamoDB takes in a transaction (the memory store refuses more too).
    const build = () => {
      const store = new MemoryAnalyticsStore();
      for (let i = 0; i < 100; i++) {
        const day = `2026-10-${String(1 + (i % 20)).padStart(2, '0')}`;
        store.customersById.set(`c${i}`, {
          createdAt: '2026-01-01T00:00:00.000Z',
          version: 1,
          touchpoints: [tp(`${day}T10:00:00`, 'Ad Clicked', { channel: 'google' })],
        });
      }
      return store;
    };
    const batched = build();
    const single = build();
    const ids = [...batched.customersById.keys()];
    // Act
    await new AnalyticsProjector(batched, defaultModel, settings).projectMany(ids);
    const oneByOne = new AnalyticsProjector(single, defaultModel, settings);
    for (const id of ids) await oneByOne.project(id);
    // Assess: exact, in two transactions that write each of the 20 funnel day items once (one
    // at the seam twice) and the month's funnel version and stage item in each (packed in
    // arrival order, both would hold every day and write each day item twice).
    expect(Object.fromEntries(batched.items)).toEqual(Object.fromEntries(single.items));
    expect(batched.transactions).toBe(2);
    expect(batched.itemWrites).toBeLessThanOrEqual(100 + 20 + 2 * 2 + 1);
  });

  it('redoes a transaction that lost a race customer by customer, and stays exact', async () => {
    // Arrange: another writer (the rebuild) replaced one contribution between the read and the write
    const store = new MemoryAnalyticsStore();
    for (const id of ['a', 'b', 'c'])
      store.customersById.set(id, {
        createdAt: '2026-01-01T00:00:00.000Z',
        version: 1,
        touchpoints: [tp('2026-11-01T10:00:00', 'Ad Clicked', { channel: 'google' })],
      });
    const projector = new AnalyticsProjector(store, defaultModel, settings);
    const apply = store.apply.bind(store);
    let raced = false;
    store.apply = async (changes) => {
      if (!raced && changes.length > 1) {
        raced = true;
        await projector.project('b');
      }
      return apply(changes);
    };
    // Act
    await projector.projectMany(['a', 'b', 'c']);
    // Assess
    const stages = await new ReadAnalytics(store, defaultModel).stages({});
    expect(stages.total).toBe(3);
    expect(raced).toBe(true);
  });
});
