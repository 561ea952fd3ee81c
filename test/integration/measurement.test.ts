import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../lib/aws/clients.js';
import { DynamoDbJourneyStore } from '../../lib/ingest/dynamodb-journey-store.js';
import { canonicalEvent, defaultModel } from '../../lib/journey/index.js';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { messages } from '../support/flows.js';
import { api, testStack, uid } from '../support/local.js';

const SCALE = 0.000002;
const CUSTOMERS = 60;
const DAY = 24 * 3600_000;

describe('Measurement: assignment, conversions and lift on the local stack', () => {
  let stack: LocalStack;
  let admin: ReturnType<typeof api>;
  beforeAll(async () => {
    process.env.STAGEFLOW_TIME_SCALE = String(SCALE);
    stack = await testStack('measurement');
    admin = api(stack, stack.keys.admin);
    // Only the campaigns a test makes run: 60 customers need not also start every default flow.
    const { body } = await admin('GET', '/v1/campaigns');
    for (const c of body.items) await admin('POST', `/v1/campaigns/${c.campaignId}/pause`);
  });
  afterAll(async () => stack.stop());

  /**
   * Touchpoints in batches of 10, each retried on a 5xx as a shop would (a messageId is its
   * idempotency key, so a retry never counts twice): a loaded machine may time a request out.
   */
  const ingest = async (touchpoints: Record<string, unknown>[]) => {
    for (let i = 0; i < touchpoints.length; i += 10) {
      const batch = touchpoints.slice(i, i + 10);
      for (let attempt = 1; ; attempt++) {
        const res = await api(stack)('POST', '/v1/touchpoints', { batch });
        if (res.status === 200 && res.body.rejected === 0) break;
        if (res.status < 500 || attempt === 5)
          throw new Error(`batch got ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
      }
    }
  };

  it('answers entered, heldOut and conversions equal to a recomputation from the message log and the touchpoints', async () => {
    // Prepare: a cart reminder with a 50% holdout, for this test's customers only
    const cohort = uid('cohort');
    const created = await admin('POST', '/v1/campaigns', {
      name: 'Cart reminder, measured',
      flow: 'nurture',
      trigger: { type: 'stage', enters: ['decide'] },
      steps: [{ wait: { minutes: 10 }, template: 'cart-reminder', category: 'marketing' }],
      audience: { traits: { cohort } },
      exit: 'none',
      holdoutPercent: 50,
      status: 'active',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ goal: 'purchase', conversionWindowDays: 7 });
    const campaignId = created.body.campaignId as string;
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => uid(`m${i}`));

    // Act: everyone enters decide
    const early = ids.filter((_, n) => n % 7 === 0);
    await ingest(
      ids.map((userId) => ({
        messageId: `${userId}-id`,
        userId,
        event: 'identify',
        traits: { email: `${userId}@example.com`, cohort },
      })),
    );
    await ingest(
      ids.map((userId) => ({
        messageId: `${userId}-cart`,
        userId,
        event: 'Product Added',
        properties: { product_id: 'p-1' },
      })),
    );
    const metrics = () => admin('GET', `/v1/campaigns/${campaignId}/metrics`);
    const assigned = await eventually(
      async () => {
        const res = await metrics();
        expect(res.status).toBe(200);
        expect(res.body.entered).toBe(CUSTOMERS);
        return res.body;
      },
      { timeoutMs: 240_000, intervalMs: 250 },
    );
    expect(assigned.heldOut).toBeGreaterThan(10);
    expect(assigned.heldOut).toBeLessThan(50);

    // A few report an order of an hour ago, before their assignment: no conversion
    await ingest(
      early.map((userId) => ({
        messageId: `${userId}-early`,
        userId,
        event: 'Order Completed',
        timestamp: new Date(Date.now() - 3600_000).toISOString(),
        properties: { order_id: `${userId}-o0`, revenue: 99, currency: 'EUR' },
      })),
    );
    // Every third customer buys now (after their assignment), twice reported for one order
    const buyers = ids.filter((_, n) => n % 3 === 0);
    await ingest(
      buyers.flatMap((userId) => {
        const properties = { order_id: `${userId}-o1`, revenue: 20, currency: 'EUR' };
        return [
          { messageId: `${userId}-buy`, userId, event: 'Order Completed', properties },
          { messageId: `${userId}-buy-again`, userId, event: 'Order Completed', properties },
        ];
      }),
    );

    // Assess: recompute from the message log and the touchpoints
    const journeys = new DynamoDbJourneyStore(
      createDynamoClient(stack.dynamodbEndpoint),
      stack.tableName,
      400,
    );
    const expected = await eventually(
      async () => {
        const recount = {
          entered: 0,
          heldOut: 0,
          sent: 0,
          treatment: { customers: 0, converted: 0 },
          control: { customers: 0, converted: 0 },
          revenue: { treatment: 0, control: 0 },
        };
        for (const userId of ids) {
          const log = (await messages(stack, userId)).filter((m) => m.campaignId === campaignId);
          const decided = log.find((m) => m.status === 'held-out' || m.status === 'sent');
          expect(decided, `${userId} has a decision`).toBeDefined();
          const arm = decided!.status === 'held-out' ? 'control' : 'treatment';
          recount.entered++;
          if (arm === 'control') recount.heldOut++;
          if (decided!.status === 'sent') recount.sent++;
          expect(decided!.reasonCode).toBe(arm === 'control' ? 'held-out' : undefined);
          recount[arm].customers++;
          const at = Date.parse(decided!.at);
          const { touchpoints } = await journeys.history(userId);
          const orders = new Map<string, number>();
          for (const tp of touchpoints) {
            const t = Date.parse(tp.timestamp);
            if (canonicalEvent(defaultModel, tp.event) !== 'purchase' || t < at || t >= at + 7 * DAY)
              continue;
            orders.set(String(tp.properties?.order_id), Number(tp.properties?.revenue));
          }
          if (orders.size > 0) recount[arm].converted++;
          for (const revenue of orders.values()) recount.revenue[arm] += revenue;
        }
        return recount;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(expected.treatment.converted + expected.control.converted).toBe(buyers.length);

    const report = await eventually(
      async () => {
        const res = await metrics();
        expect(res.body.lagSeconds).toBe(0);
        expect(res.body.conversion.treatment.converted + res.body.conversion.control.converted).toBe(
          buyers.length,
        );
        return res.body;
      },
      { timeoutMs: 240_000, intervalMs: 250 },
    );
    expect(report).toMatchObject({
      campaignId,
      name: 'Cart reminder, measured',
      entered: expected.entered,
      heldOut: expected.heldOut,
      sent: expected.sent,
      suppressed: {},
      conversion: {
        goal: 'purchase',
        windowDays: 7,
        treatment: { customers: expected.treatment.customers, converted: expected.treatment.converted },
        control: { customers: expected.control.customers, converted: expected.control.converted },
      },
    });
    expect(report.revenue.treatment.EUR ?? 0).toBeCloseTo(expected.revenue.treatment, 6);
    expect(report.revenue.control.EUR ?? 0).toBeCloseTo(expected.revenue.control, 6);
    expect(report.steps).toEqual([
      expect.objectContaining({ step: 0, template: 'cart-reminder', sent: expected.sent }),
    ]);
    const { treatment, control } = report.conversion;
    expect(treatment.rate).toBeCloseTo(treatment.converted / treatment.customers, 12);
    expect(report.conversion.difference).toBeCloseTo(treatment.rate - control.rate, 12);
    expect(report.conversion.pValue).toBeGreaterThan(0);
    expect(report.conversion.pValue).toBeLessThanOrEqual(1);

    // The same figures in the list of every campaign
    const all = await admin('GET', '/v1/campaigns/metrics');
    expect(all.status).toBe(200);
    expect(all.body.items.find((m: { campaignId: string }) => m.campaignId === campaignId)).toMatchObject({
      entered: expected.entered,
      heldOut: expected.heldOut,
    });
  }, 600_000);

  it('refuses bad report parameters with problem+json naming the field, and an unknown campaign with 404', async () => {
    const bad = await admin('GET', '/v1/campaigns/default-thank-you/metrics?from=2026-13-01&to=2026-01-01');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('from');
    const reversed = await admin('GET', '/v1/analytics/global-control?from=2026-02-01&to=2026-01-01');
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors.map((e: { path: string }) => e.path)).toContain('to');
    expect((await admin('GET', '/v1/campaigns/nope/metrics')).status).toBe(404);
    expect((await api(stack)('GET', '/v1/campaigns/metrics')).status).toBe(403);
  });

  it('refuses a holdout or a goal on transactional flows', async () => {
    const res = await admin('POST', '/v1/campaigns', {
      name: 'Thanks, measured',
      flow: 'thank-you',
      trigger: { type: 'stage', enters: ['act'] },
      steps: [{ template: 'thank-you', category: 'transactional' }],
      holdoutPercent: 10,
      goal: 'purchase',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['holdoutPercent', 'goal']),
    );
  });
});
