import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { journey, messages, sentTemplates } from '../support/flows.js';
import { api, testStack, uid } from '../support/local.js';

// One scaled day lasts about 0.17 s: the 7-day review wait 1.2 s, the 30-day replenishment 5.2 s.
const SCALE = 0.000002;
const DAY_MS = 24 * 3600 * 1000 * SCALE;

describe('Flows: the sources journey with the default campaigns', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    process.env.STAGEFLOW_TIME_SCALE = String(SCALE);
    stack = await testStack('flows-journey');
  });
  afterAll(async () => stack.stop());

  const identify = (userId: string, email: string) =>
    api(stack)('POST', '/v1/touchpoints', {
      messageId: `${userId}-identify`,
      userId,
      event: 'identify',
      traits: { email, firstName: 'Mia', locale: 'en-GB' },
    });

  it('nurtures before the purchase, thanks with the referral code, asks for a review and offers a repeat purchase', async () => {
    // Prepare
    const userId = uid('journey');
    const email = `${userId}@example.com`;
    await identify(userId, email);
    const send = journey(stack, userId);

    // Act: consider, research, decide; then wait for the cart reminder before buying
    await send('Ad Clicked', { context: { campaign: { source: 'instagram', name: 'spring' } } });
    await send('Product Viewed', { properties: { product_id: 'p-1', name: 'Trail shoe' } });
    await send('Product Added', { properties: { product_id: 'p-1' } });
    await eventually(async () =>
      expect(sentTemplates(await messages(stack, userId))).toContain('cart-reminder'),
    );
    const nurtureBeforePurchase = (await stack.ses.mails(email)).length;
    await send('Order Completed', {
      properties: { order_id: 'o-1', products: [{ product_id: 'p-1', name: 'Trail shoe' }] },
    });
    const deliveredAt = Date.now();
    await send('Order Delivered', { properties: { order_id: 'o-1' } });

    // Assess: thank-you with the customer's referral code
    const { body: customer } = await api(stack)('GET', `/v1/customers/${userId}`);
    expect(customer.referralCode).toMatch(/^[A-Z0-9]{12}$/);
    const thankYou = await eventually(async () => {
      const [mail] = (await stack.ses.mails(email)).filter((m) => m.subject.includes('Thank you'));
      expect(mail).toBeDefined();
      return mail;
    });
    expect(thankYou.body.text).toContain(customer.referralCode);
    expect(nurtureBeforePurchase).toBeGreaterThan(0);

    // Assess: the review request comes a week (scaled) after the delivery, naming the order
    const log = await eventually(
      async () => {
        const log = await messages(stack, userId);
        expect(sentTemplates(log)).toEqual(expect.arrayContaining(['review-request', 'repeat-offer']));
        return log;
      },
      { timeoutMs: 40_000 },
    );
    const review = log.find((m) => m.template === 'review-request' && m.status === 'sent')!;
    expect(Date.parse(review.at) - deliveredAt).toBeGreaterThanOrEqual(7 * DAY_MS * 0.95);
    expect(review.orderId).toBe('o-1');
    const repeat = log.find((m) => m.template === 'repeat-offer' && m.status === 'sent')!;
    expect(Date.parse(repeat.at) - deliveredAt).toBeGreaterThanOrEqual(30 * DAY_MS * 0.95);

    // Assess: no nurture mail went out after the purchase
    const purchaseAt = Date.parse(log.find((m) => m.template === 'thank-you')!.at);
    const nurture = log.filter((m) => m.flow === 'nurture');
    expect(nurture.filter((m) => m.status === 'sent' && Date.parse(m.at) >= purchaseAt)).toEqual([]);
  }, 60_000);

  it('sends no review request when the order was reviewed first, and no repeat offer after a new purchase', async () => {
    // Prepare
    const userId = uid('reviewed');
    const email = `${userId}@example.com`;
    await identify(userId, email);
    const send = journey(stack, userId);

    // Act
    await send('Order Completed', {
      properties: { order_id: 'o-9', products: [{ product_id: 'p-9', name: 'Mug' }] },
    });
    await send('Order Delivered', { properties: { order_id: 'o-9' } });
    await send('Product Reviewed', { properties: { order_id: 'o-9', product_id: 'p-9', rating: 5 } });
    await send('Order Completed', { properties: { order_id: 'o-10', products: [{ product_id: 'p-9' }] } });

    // Assess: both runs ended on their exit condition, and the log says so
    const log = await eventually(
      async () => {
        const log = await messages(stack, userId);
        const reasons = log.filter((m) => m.status === 'suppressed').map((m) => m.reason);
        expect(reasons).toEqual(
          expect.arrayContaining(['exit: order o-9 reviewed', 'exit: purchased again']),
        );
        return log;
      },
      { timeoutMs: 40_000 },
    );
    expect(sentTemplates(log)).not.toContain('review-request');
    expect(sentTemplates(log)).not.toContain('repeat-offer');
  }, 60_000);

  it('runs one review request per order, each naming its own products, and a review ends only its own', async () => {
    // Prepare
    const userId = uid('two-orders');
    const email = `${userId}@example.com`;
    await identify(userId, email);
    const send = journey(stack, userId);

    // Act: two orders, delivered a (scaled) day apart; the first is reviewed at once
    await send('Order Completed', {
      properties: { order_id: 'o-a', products: [{ product_id: 'p-a', name: 'Green tea' }] },
    });
    await send('Order Completed', {
      properties: { order_id: 'o-b', products: [{ product_id: 'p-b', name: 'Teapot' }] },
    });
    await send('Order Delivered', { properties: { order_id: 'o-a' } });
    await new Promise((r) => setTimeout(r, DAY_MS));
    await send('Order Delivered', { properties: { order_id: 'o-b' } });
    await send('Product Reviewed', { properties: { order_id: 'o-a', rating: 4 } });

    // Assess
    const log = await eventually(
      async () => {
        const log = await messages(stack, userId);
        const requests = log.filter((m) => m.template === 'review-request');
        expect(requests.map((m) => `${m.orderId}:${m.status}`).sort()).toEqual([
          'o-a:suppressed',
          'o-b:sent',
        ]);
        return log;
      },
      { timeoutMs: 40_000 },
    );
    expect(log.find((m) => m.template === 'review-request' && m.orderId === 'o-a')?.reason).toBe(
      'exit: order o-a reviewed',
    );
    const [request] = (await stack.ses.mails(email)).filter(
      (m) => m.subject.includes('o-b') && m.subject.startsWith('How'),
    );
    expect(request.body.text).toContain('Teapot');
    expect(request.body.text).not.toContain('Green tea');
  }, 60_000);
});
