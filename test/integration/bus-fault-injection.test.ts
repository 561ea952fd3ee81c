import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DetailType } from '../../events/index.js';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { api, testStack, uid } from '../support/local.js';

let stack: LocalStack;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  // The relay warns on every failed PutEvents; here those failures are the point of the test.
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  stack = await testStack('bus-faults');
  call = api(stack);
});
afterAll(async () => stack.stop());
// A failed assertion must not leave the bus failing for the next test.
afterEach(() => stack.bus.setFailing(false));

/**
 * One touchpoint per customer, each a transition (first seen → research). On a loaded machine
 * DynamoDB Local can time out a lock; the API then answers 503 for the items it could not store,
 * and the sender resends the same batch, as the docs tell a shop to (stored items come back as
 * duplicates).
 */
async function enterResearch(customers: string[]): Promise<void> {
  const batch = customers.map((userId) => ({ messageId: uid('m'), userId, event: 'Product Viewed' }));
  let res = await call('POST', '/v1/touchpoints', { batch });
  for (let attempt = 1; res.status === 503 && attempt < 5; attempt++) {
    expect(res.headers.get('retry-after')).not.toBeNull();
    res = await call('POST', '/v1/touchpoints', { batch });
  }
  expect(res.status).toBe(200);
}

const stageEventsFor = (customers: string[]) => {
  const wanted = new Set(customers);
  return stack.bus.events.filter(
    (e) => e['detail-type'] === DetailType.CustomerStageChanged && wanted.has(e.detail.customerId as string),
  );
};

describe('Fault injection: the bus fails while customers change stage', () => {
  it('publishes all 100 transitions, each once, after the bus recovers', async () => {
    // Prepare
    const customers = Array.from({ length: 100 }, () => uid('u'));
    const failuresBefore = stack.streamRelay.stats.failedInvocations;
    stack.bus.setFailing(true);

    // Act: 100 transitions while every PutEvents fails
    await enterResearch(customers);
    await eventually(() => {
      expect(stack.streamRelay.stats.failedInvocations).toBeGreaterThan(failuresBefore + 1);
    });
    expect(stageEventsFor(customers)).toEqual([]);
    stack.bus.setFailing(false);

    // Assess
    await eventually(() => expect(stageEventsFor(customers)).toHaveLength(100), { timeoutMs: 90_000 });
    await stack.streamRelay.settled();
    const events = stageEventsFor(customers);
    expect(events).toHaveLength(100);
    expect(new Set(events.map((e) => e.detail.eventId)).size).toBe(100);
    expect(new Set(events.map((e) => e.detail.customerId))).toEqual(new Set(customers));
    expect(events.every((e) => e.detail.to === 'research')).toBe(true);
  }, 180_000);

  it('loses nothing when single entries are rejected, and a consumer deduping on eventId acts once each', async () => {
    // Prepare: a consumer as the flows are, idempotent on detail.eventId
    const customers = Array.from({ length: 30 }, () => uid('u'));
    const wanted = new Set(customers);
    const seen = new Set<string>();
    let deliveries = 0;
    let actions = 0;
    stack.bus.addRule('test-dedupe', { 'detail-type': [DetailType.CustomerStageChanged] }, (event) => {
      if (!wanted.has(event.detail.customerId as string)) return;
      deliveries++;
      if (seen.has(event.detail.eventId as string)) return;
      seen.add(event.detail.eventId as string);
      actions++;
    });
    stack.bus.rejectNextEntries(3);

    // Act
    await enterResearch(customers);

    // Assess: at least once on the bus (PutEvents is not atomic), exactly once for the consumer
    await eventually(() => expect(seen.size).toBe(30));
    await stack.streamRelay.settled();
    await stack.bus.idle();
    expect(new Set(stageEventsFor(customers).map((e) => e.detail.eventId)).size).toBe(30);
    expect(deliveries).toBe(stageEventsFor(customers).length);
    expect(deliveries).toBeGreaterThanOrEqual(30);
    expect(actions).toBe(30);
    stack.bus.removeRule('test-dedupe');
  });

  it('gets throttled PutEvents through by the SDK retries alone', async () => {
    const customers = Array.from({ length: 10 }, () => uid('u'));
    stack.bus.failNext(2, 'throttling');

    await enterResearch(customers);

    await eventually(() => expect(stageEventsFor(customers)).toHaveLength(10));
  });
});
