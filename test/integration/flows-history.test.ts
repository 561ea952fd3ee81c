import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { journey, messages, sentTemplates } from '../support/flows.js';
import { api, testStack, uid } from '../support/local.js';

// One scaled day lasts about 0.17 s: the 7-day review wait 1.2 s, the 30-day replenishment 5.2 s.
const SCALE = 0.000002;
const DAY = 24 * 3600 * 1000;

describe('Flows: history is not news, one offer per cycle, reviews, paused campaigns, event names', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    process.env.STAGEFLOW_TIME_SCALE = String(SCALE);
    stack = await testStack('flows-history');
  });
  afterAll(async () => stack.stop());

  const admin = () => api(stack, stack.keys.admin);
  const skipped = async (campaignId: string) => {
    const res = await admin()('GET', `/v1/campaigns/${campaignId}/stats`);
    expect(res.status).toBe(200);
    return res.body.skipped as { stale: number; 'same-cycle': number };
  };
  const identify = (userId: string) =>
    api(stack)('POST', '/v1/touchpoints', {
      messageId: `${userId}-identify`,
      userId,
      event: 'identify',
      traits: { email: `${userId}@example.com`, firstName: 'Ida' },
    });

  it('imports 300 days of history for 100 customers without sending a mail, with stages right and every skipped start counted as stale', async () => {
    // Prepare: per customer a year's journey, ending 10 days ago; ten stage changes each
    const now = Date.now();
    const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
    const run = uid('import');
    const users = Array.from({ length: 100 }, (_, i) => `${run}-${i}`);
    const history = (userId: string) =>
      (
        [
          ['identify', 300, { traits: { email: `${userId}@example.com`, firstName: 'Ida' } }],
          ['Ad Clicked', 300, { context: { campaign: { source: 'instagram', name: 'spring' } } }],
          ['Product Viewed', 299, { properties: { product_id: 'p-1' } }],
          ['Product Added', 299, { properties: { product_id: 'p-1' } }],
          [
            'Order Completed',
            298,
            { properties: { order_id: `${userId}-o1`, products: [{ product_id: 'p-1' }] } },
          ],
          ['Order Delivered', 295, { properties: { order_id: `${userId}-o1` } }],
          ['Product Reviewed', 290, { properties: { order_id: `${userId}-o1`, rating: 5 } }],
          ['Product Viewed', 200, { properties: { product_id: 'p-2' } }],
          [
            'Order Completed',
            150,
            { properties: { order_id: `${userId}-o2`, products: [{ product_id: 'p-2' }] } },
          ],
          ['Order Delivered', 148, { properties: { order_id: `${userId}-o2` } }],
          ['Product Viewed', 10, { properties: { product_id: 'p-3' } }],
        ] as const
      ).map(([event, daysAgo, extra], i) => ({
        type: event === 'identify' ? 'identify' : 'track',
        ...(event === 'identify' ? {} : { event }),
        messageId: `${userId}-h${i}`,
        userId,
        timestamp: at(daysAgo),
        ...extra,
      }));
    const before = Object.fromEntries(
      await Promise.all(
        [
          'default-thank-you',
          'default-review-request',
          'default-repeat-replenish',
          'default-repeat-returning',
        ].map(async (id) => [id, (await skipped(id)).stale] as const),
      ),
    );

    // Act: /v1/import, 5 customers (55 events) per request; a 5xx is retried, as Segment's
    // libraries do (messageId makes the retry idempotent), since a loaded test machine may
    // outlast the ingest function's timeout
    for (let i = 0; i < users.length; i += 5) {
      const batch = users.slice(i, i + 5).flatMap(history);
      let res = await api(stack)('POST', '/v1/import', { batch });
      for (let retry = 0; retry < 3 && res.status >= 500; retry++) {
        res = await api(stack)('POST', '/v1/import', { batch });
      }
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }

    // Assess: every stage change reached its flow and was counted as stale (per customer: two
    // orders, two deliveries, two returns, one each of consider, research, decide)
    await eventually(
      async () => {
        expect((await skipped('default-thank-you')).stale - before['default-thank-you']).toBe(200);
        expect((await skipped('default-review-request')).stale - before['default-review-request']).toBe(200);
        expect((await skipped('default-repeat-replenish')).stale - before['default-repeat-replenish']).toBe(
          200,
        );
        expect((await skipped('default-repeat-returning')).stale - before['default-repeat-returning']).toBe(
          200,
        );
      },
      { timeoutMs: 250_000, intervalMs: 500 },
    );
    await stack.bus.idle();
    await stack.stepFunctions.idle();
    for (const userId of users) {
      expect(await messages(stack, userId), userId).toEqual([]);
      expect(await stack.ses.mails(`${userId}@example.com`)).toEqual([]);
    }
    for (const userId of [users[0], users[57], users[99]]) {
      const { body } = await api(stack)('GET', `/v1/customers/${userId}`);
      expect(body.stage).toBe('repeat');
      expect(body.counts).toMatchObject({ touchpoints: 11, purchases: 2 });
      const { body: transitions } = await api(stack)('GET', `/v1/customers/${userId}/transitions`);
      expect(transitions.items.map((t: { to: string }) => t.to)).toEqual([
        'consider',
        'research',
        'decide',
        'act',
        'enjoy',
        'refer',
        'repeat',
        'act',
        'enjoy',
        'repeat',
      ]);
    }
  }, 300_000);

  it('sends at most one returning-customer offer for view, share, view, share, view, and none before the delivery', async () => {
    // Prepare
    const userId = uid('flips');
    await identify(userId);
    const send = journey(stack, userId);
    // The replenishment run (entered enjoy) and the returning-customer run (entered repeat) share
    // one cycle per latest order: whichever plans first owns it, every other start is skipped.
    const cycleSkips = async () =>
      (await skipped('default-repeat-returning'))['same-cycle'] +
      (await skipped('default-repeat-replenish'))['same-cycle'];
    const before = await cycleSkips();

    // Act: shopping before the delivery, then the flips after it
    await send('Order Completed', { properties: { order_id: 'o-1', products: [{ product_id: 'p-1' }] } });
    for (const event of [
      'Product Viewed',
      'Product Shared',
      'Product Viewed',
      'Product Shared',
      'Product Viewed',
    ]) {
      await send(event, { properties: { product_id: 'p-2' } });
    }
    const { stage: beforeDelivery } = await send('Order Delivered', { properties: { order_id: 'o-1' } });
    const deliveredAt = Date.now();
    for (const event of [
      'Product Viewed',
      'Product Shared',
      'Product Viewed',
      'Product Shared',
      'Product Viewed',
    ]) {
      await send(event, { properties: { product_id: 'p-2' } });
    }

    // Assess: one run owns the cycle and makes the one offer, every other start is skipped
    const log = await eventually(
      async () => {
        const log = await messages(stack, userId);
        expect(sentTemplates(log)).toEqual(expect.arrayContaining(['repeat-offer', 'repeat-reminder']));
        return log;
      },
      { timeoutMs: 40_000 },
    );
    // Every start of the cycle (the delivery's and three flips into repeat) has reached the planner
    // once three are counted as skipped: the stage events travel stream, bus and starter first.
    await eventually(async () => expect((await cycleSkips()) - before).toBe(3), { timeoutMs: 40_000 });
    await stack.stepFunctions.idle();
    const offers = (await messages(stack, userId)).filter((m) => m.template === 'repeat-offer');
    expect(offers).toHaveLength(1);
    expect(Date.parse(offers[0].at)).toBeGreaterThan(deliveredAt);
    expect(log.filter((m) => m.flow === 'repeat-purchase' && m.status === 'sent')).toHaveLength(2);
    expect(beforeDelivery).toBe('enjoy');
    const { body: transitions } = await api(stack)('GET', `/v1/customers/${userId}/transitions`);
    // A share is advocacy at any time; a view before the delivery is no return
    expect(transitions.items.map((t: { to: string }) => t.to)).toEqual([
      'act',
      'refer',
      'enjoy',
      'repeat',
      'refer',
      'repeat',
      'refer',
      'repeat',
    ]);
  }, 60_000);

  it('ends the review request of the latest delivered order with a review that names no order, and matches event names loosely', async () => {
    // Prepare
    const userId = uid('review');
    await identify(userId);
    const send = journey(stack, userId);

    // Act: names as a shop might send them
    await send('order_completed', { properties: { order_id: 'o-1', products: [{ product_id: 'p-1' }] } });
    await send('order delivered', { properties: { order_id: 'o-1' } });
    await send('PRODUCT_REVIEWED', { properties: { rating: 5, text: 'Lovely' } });

    // Assess
    await eventually(
      async () => {
        const log = await messages(stack, userId);
        expect(sentTemplates(log)).toContain('thank-you');
        expect(log.find((m) => m.template === 'review-request')).toMatchObject({
          status: 'suppressed',
          reason: 'exit: order o-1 reviewed',
        });
      },
      { timeoutMs: 40_000 },
    );
    const { body } = await api(stack)('GET', `/v1/customers/${userId}`);
    expect(body.stage).toBe('refer');
  }, 60_000);

  it('leaves a "campaign paused" trace when a customer enters the trigger of a paused campaign', async () => {
    // Prepare: a paused thank-you campaign for one audience
    const segment = uid('seg');
    const created = await admin()('POST', '/v1/campaigns', {
      name: 'VIP thanks',
      flow: 'thank-you',
      trigger: { type: 'stage', enters: ['act'] },
      steps: [{ template: 'thank-you', category: 'transactional' }],
      audience: { traits: { segment } },
      status: 'paused',
    });
    expect(created.status).toBe(201);
    const userId = uid('paused');
    await api(stack)('POST', '/v1/touchpoints', {
      messageId: `${userId}-identify`,
      userId,
      event: 'identify',
      traits: { email: `${userId}@example.com`, segment },
    });

    // Act
    await journey(stack, userId)('Order Completed', { properties: { order_id: 'o-1' } });

    // Assess: the trace, and the active default campaign thanked as usual
    await eventually(async () => {
      const res = await admin()('GET', `/v1/customers/${userId}/messages`);
      const items = res.body.items as { campaignId: string; status: string }[];
      expect(items.find((m) => m.campaignId === created.body.campaignId)).toMatchObject({
        status: 'suppressed',
        reason: 'campaign paused',
        reasonCode: 'campaign-paused',
        orderId: 'o-1',
      });
      expect(items.filter((m) => m.status === 'sent').map((m) => m.campaignId)).toEqual([
        'default-thank-you',
      ]);
    });
  }, 60_000);
});
