import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../events/contracts.js';
import {
  CustomerComplaintRaised,
  CustomerStageChanged,
  DetailType,
  EVENT_SOURCE,
} from '../../events/index.js';
import { flowRulePattern } from '../../lib/campaigns/flow-catalogue.js';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { api, testStack, uid } from '../support/local.js';

let stack: LocalStack;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await testStack('event-pipeline');
  call = api(stack);
});
afterAll(async () => stack.stop());

const eventsOf = (customerId: string, detailType: string = DetailType.CustomerStageChanged) =>
  stack.bus.events.filter((e) => e['detail-type'] === detailType && e.detail.customerId === customerId);

describe('Outbox to the local bus: API → table → stream → relay → EventBridge', () => {
  it('publishes a Customer Stage Changed event for each stage a customer enters, with its detail', async () => {
    // Prepare
    const userId = uid('u');
    const viewed = { messageId: uid('m'), timestamp: '2026-02-01T10:00:00.000Z' };
    const ordered = { messageId: uid('m'), timestamp: '2026-02-01T10:05:00.000Z' };

    // Act
    await call('POST', '/v1/touchpoints', { ...viewed, userId, event: 'Product Viewed' });
    await call('POST', '/v1/touchpoints', {
      ...ordered,
      userId,
      event: 'Order Completed',
      properties: { order_id: 'o-1', revenue: 42 },
    });

    // Assess
    const events = await eventually(() => {
      const found = eventsOf(userId);
      expect(found).toHaveLength(2);
      return found;
    });
    expect(events.map((e) => e.detail)).toEqual([
      {
        eventId: expect.any(String),
        customerId: userId,
        from: null,
        to: 'research',
        at: viewed.timestamp,
        touchpointId: viewed.messageId,
        orderId: null,
        modelVersion: expect.any(String),
      },
      {
        eventId: expect.any(String),
        customerId: userId,
        from: 'research',
        to: 'act',
        at: ordered.timestamp,
        touchpointId: ordered.messageId,
        orderId: 'o-1',
        modelVersion: expect.any(String),
      },
    ]);
    for (const e of events) {
      expect(e).toMatchObject({ source: EVENT_SOURCE, version: '0', resources: [] });
      expect(CustomerStageChanged.parse(e.detail)).toEqual(e.detail);
    }
  });

  it('routes with the rule patterns CDK deploys: entering act reaches the thank-you rule only', async () => {
    // Prepare
    const thankYou: EventEnvelope[] = [];
    const nurture: EventEnvelope[] = [];
    const userId = uid('u');
    stack.bus.addRule('test-thank-you', flowRulePattern('thank-you'), (event) => {
      if (event.detail.customerId === userId) thankYou.push(event);
    });
    stack.bus.addRule('test-nurture', flowRulePattern('nurture'), (event) => {
      if (event.detail.customerId === userId) nurture.push(event);
    });

    // Act
    await call('POST', '/v1/touchpoints', { messageId: uid('m'), userId, event: 'Product Viewed' });
    await call('POST', '/v1/touchpoints', { messageId: uid('m'), userId, event: 'Order Completed' });

    // Assess
    await eventually(() => {
      expect(nurture.map((e) => e.detail.to)).toEqual(['research']);
      expect(thankYou.map((e) => e.detail.to)).toEqual(['act']);
    });
    stack.bus.removeRule('test-thank-you');
    stack.bus.removeRule('test-nurture');
  });

  it('publishes a Customer Complaint Raised event for a bad review', async () => {
    const userId = uid('u');
    const review = uid('m');

    await call('POST', '/v1/touchpoints', {
      messageId: review,
      userId,
      event: 'Product Reviewed',
      properties: { rating: 1, product_id: 'sku-1', order_id: 'o-9' },
    });

    const [complaint] = await eventually(() => {
      const found = eventsOf(userId, DetailType.CustomerComplaintRaised);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(CustomerComplaintRaised.parse(complaint.detail)).toMatchObject({
      customerId: userId,
      touchpointId: review,
      rating: 1,
      orderId: 'o-9',
      productIds: ['sku-1'],
    });
  });

  it('publishes nothing again for a touchpoint delivered twice', async () => {
    const userId = uid('u');
    const touchpoint = { messageId: uid('m'), userId, event: 'Product Viewed' };

    await call('POST', '/v1/touchpoints', touchpoint);
    await eventually(() => expect(eventsOf(userId)).toHaveLength(1));
    const again = await call('POST', '/v1/touchpoints', touchpoint);
    await stack.streamRelay.settled();

    expect(again.body.duplicate).toBe(true);
    expect(eventsOf(userId)).toHaveLength(1);
  });
});
