import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../events/contracts.js';
import { DetailType, EVENT_SOURCE } from '../../events/index.js';
import { createEventBridgeClient } from '../../lib/aws/eventbridge.js';
import { flowRulePattern } from '../../lib/campaigns/flow-catalogue.js';
import { EventBridgePublisher } from '../../lib/events/eventbridge-publisher.js';
import { UnsupportedPatternError } from '../../lib/events/pattern.js';
import { type LocalEventBus, startLocalEventBus } from '../../local/event-bus.js';
import { eventually } from '../support/eventually.js';

const stageChanged = (eventId: string, to: string) => ({
  eventId,
  detailType: DetailType.CustomerStageChanged,
  detail: { customerId: 'u1', from: 'decide', to, orderId: null },
  correlationId: `tp-${eventId}`,
});

describe('Class: LocalEventBus', () => {
  let bus: LocalEventBus;
  let publisher: EventBridgePublisher;

  beforeEach(async () => {
    bus = await startLocalEventBus({ name: 'stageflow-test', delivery: { retryDelayMs: 1 } });
    // The adapter the relay uses, with the real SDK client: only the endpoint differs from AWS.
    publisher = new EventBridgePublisher(createEventBridgeClient(bus.endpoint), bus.name);
  });
  afterEach(async () => bus.stop());

  it('accepts PutEvents from the SDK and keeps each event as EventBridge delivers it', async () => {
    // Act
    const results = await publisher.publish([stageChanged('e1', 'act'), stageChanged('e2', 'enjoy')]);

    // Assess
    expect(results).toEqual([
      { ok: true, busEventId: bus.events[0].id },
      { ok: true, busEventId: bus.events[1].id },
    ]);
    expect(bus.events[0]).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Customer Stage Changed',
      source: EVENT_SOURCE,
      account: bus.account,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: bus.region,
      resources: [],
      detail: { customerId: 'u1', from: 'decide', to: 'act', orderId: null, eventId: 'e1' },
    });
    expect(bus.archive).toEqual(bus.events);
  });

  it('delivers matching events to a rule registered with a flow rule pattern, and only those', async () => {
    const received: EventEnvelope[] = [];
    const rule = bus.addRule('thank-you', flowRulePattern('thank-you'), (event) => {
      received.push(event);
    });

    await publisher.publish([stageChanged('e1', 'research'), stageChanged('e2', 'act')]);

    await eventually(() => expect(received.map((e) => e.detail.eventId)).toEqual(['e2']));
    expect(rule.delivered).toEqual([bus.events[1].id]);
  });

  it('retries a failing target and dead-letters the event after the last attempt', async () => {
    let calls = 0;
    const flaky = bus.addRule('flaky', { source: [EVENT_SOURCE] }, () => {
      calls++;
      if (calls < 3) throw new Error('not yet');
    });
    const broken = bus.addRule(
      'broken',
      { source: [EVENT_SOURCE] },
      () => {
        throw new Error('never');
      },
      { maxAttempts: 2 },
    );

    await publisher.publish([stageChanged('e1', 'act')]);
    await bus.idle();

    expect(flaky.delivered).toHaveLength(1);
    expect(flaky.deadLetters).toEqual([]);
    expect(broken.deadLetters).toEqual([
      { rule: 'broken', event: bus.events[0], attempts: 2, error: 'Error: never' },
    ]);
    expect(bus.deadLetters).toEqual(broken.deadLetters);
  });

  it('fails PutEvents while failing, with an error the SDK retries and then throws', async () => {
    bus.setFailing(true);

    await expect(publisher.publish([stageChanged('e1', 'act')])).rejects.toMatchObject({
      name: 'InternalException',
      $metadata: { httpStatusCode: 500, attempts: 3 },
    });
    bus.setFailing(false);
    await publisher.publish([stageChanged('e2', 'act')]);

    expect(bus.events.map((e) => e.detail.eventId)).toEqual(['e2']);
    expect(bus.stats.failedRequests).toBe(3);
  });

  it('answers throttling the way EventBridge does, and the SDK retries it', async () => {
    bus.failNext(2, 'throttling');

    const results = await publisher.publish([stageChanged('e1', 'act')]);

    expect(results).toEqual([{ ok: true, busEventId: expect.any(String) }]);
    expect(bus.stats).toMatchObject({ requests: 3, failedRequests: 2, accepted: 1 });
  });

  it('rejects single entries on request, as a partial PutEvents failure', async () => {
    bus.rejectNextEntries(1);

    const results = await publisher.publish([stageChanged('e1', 'act'), stageChanged('e2', 'act')]);

    expect(results).toEqual([
      { ok: false, code: 'InternalFailure', message: expect.any(String) },
      { ok: true, busEventId: expect.any(String) },
    ]);
  });

  it('rejects entries for another bus instead of losing them on a default bus', async () => {
    const elsewhere = new EventBridgePublisher(createEventBridgeClient(bus.endpoint), 'default');

    const [result] = await elsewhere.publish([stageChanged('e1', 'act')]);

    expect(result).toMatchObject({ ok: false, code: 'ResourceNotFoundException' });
    expect(bus.events).toEqual([]);
  });

  it('refuses more than 10 entries, as PutEvents does', async () => {
    const client = createEventBridgeClient(bus.endpoint);
    const entry = { Source: EVENT_SOURCE, DetailType: 'X', Detail: '{}', EventBusName: bus.name };

    await expect(client.send(new PutEventsCommand({ Entries: Array(11).fill(entry) }))).rejects.toMatchObject(
      {
        name: 'ValidationException',
      },
    );
  });

  it('replays archived events to the rules registered now', async () => {
    await publisher.publish([stageChanged('e1', 'act')]);
    const later: EventEnvelope[] = [];
    bus.addRule('late', { source: [EVENT_SOURCE] }, (event) => {
      later.push(event);
    });

    expect(bus.replay()).toBe(1);
    await bus.idle();

    expect(later).toEqual([expect.objectContaining({ id: bus.events[0].id, 'replay-name': 'local' })]);
  });

  it('refuses a rule whose pattern the local matcher cannot evaluate', () => {
    expect(() => bus.addRule('bad', { detail: { to: [{ wildcard: 'a*' }] } }, () => {})).toThrow(
      UnsupportedPatternError,
    );
  });
});
