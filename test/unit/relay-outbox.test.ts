import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, AttributeValue as StreamAttributeValue } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { EventPublisher, OutboundEvent, PublishResult } from '../../lib/events/publisher.js';
import { OutboxRelay, type RelayLogger } from '../../lib/events/relay.js';

/** The in-memory stand-in for the bus: records every call, fails where told to. */
class FakePublisher implements EventPublisher {
  readonly calls: OutboundEvent[][] = [];
  readonly published: OutboundEvent[] = [];
  throwOnCall: number | null = null;
  rejectEventIds = new Set<string>();

  async publish(events: OutboundEvent[]): Promise<PublishResult[]> {
    this.calls.push(events);
    if (this.calls.length === this.throwOnCall) throw new Error('bus down');
    return events.map((e, i) => {
      if (this.rejectEventIds.has(e.eventId))
        return { ok: false, code: 'InternalFailure', message: 'try again' };
      this.published.push(e);
      return { ok: true, busEventId: `bus-${this.calls.length}-${i}` };
    });
  }
}

const silent: RelayLogger = { info: () => {}, warn: () => {}, error: () => {} };

let sequence = 100;
function outboxRecord(eventId: string, overrides: Record<string, unknown> = {}): DynamoDBRecord {
  const image = {
    pk: 'C#u1',
    sk: `O#2026-01-01T00:00:00.000Z#${eventId}`,
    entity: 'outbox',
    customerId: 'u1',
    eventId,
    detailType: 'Customer Stage Changed',
    detail: { eventId, customerId: 'u1', from: null, to: 'research', orderId: null },
    correlationId: `tp-${eventId}`,
    ...overrides,
  };
  return {
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: String(sequence++).padStart(21, '0'),
      NewImage: marshall(image, { removeUndefinedValues: true }) as Record<string, StreamAttributeValue>,
    },
  };
}

const ids = (n: number, prefix = 'e') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const sequenceNumbers = (records: DynamoDBRecord[]) =>
  records.map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! }));

describe('Class: OutboxRelay', () => {
  it('publishes every outbox record in stream order, at most 10 per call', async () => {
    // Prepare
    const publisher = new FakePublisher();
    const records = ids(23).map((id) => outboxRecord(id));

    // Act
    const result = await new OutboxRelay(publisher, silent).relay(records);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(publisher.calls.map((c) => c.length)).toEqual([10, 10, 3]);
    expect(publisher.published.map((e) => e.eventId)).toEqual(ids(23));
  });

  it('publishes the stored detail with its detail type and correlation id', async () => {
    const publisher = new FakePublisher();

    await new OutboxRelay(publisher, silent).relay([outboxRecord('e1')]);

    expect(publisher.published).toEqual([
      {
        eventId: 'e1',
        detailType: 'Customer Stage Changed',
        detail: { eventId: 'e1', customerId: 'u1', from: null, to: 'research', orderId: null },
        correlationId: 'tp-e1',
      },
    ]);
  });

  it('reports the rejected record and every later one, and makes no further call', async () => {
    // Prepare
    const publisher = new FakePublisher();
    publisher.rejectEventIds.add('e13');
    const records = ids(25).map((id) => outboxRecord(id));

    // Act
    const result = await new OutboxRelay(publisher, silent).relay(records);

    // Assess
    expect(result.batchItemFailures).toEqual(sequenceNumbers(records.slice(13)));
    expect(publisher.calls).toHaveLength(2);
    // PutEvents is not atomic: the bus kept the entries after e13 in the same call. They are
    // sent again on the retry, and consumers dedupe them by eventId.
    expect(publisher.published.map((e) => e.eventId)).toEqual(ids(20).filter((id) => id !== 'e13'));
  });

  it('reports the whole call and the rest of the batch when PutEvents throws', async () => {
    const publisher = new FakePublisher();
    publisher.throwOnCall = 2;
    const records = ids(25).map((id) => outboxRecord(id));

    const result = await new OutboxRelay(publisher, silent).relay(records);

    expect(result.batchItemFailures).toEqual(sequenceNumbers(records.slice(10)));
    expect(publisher.calls).toHaveLength(2);
    expect(publisher.published.map((e) => e.eventId)).toEqual(ids(10));
  });

  it('publishes every event at least once when the stream retries from the reported record', async () => {
    // Prepare
    const publisher = new FakePublisher();
    publisher.rejectEventIds.add('e4');
    const records = ids(8).map((id) => outboxRecord(id));
    const relay = new OutboxRelay(publisher, silent);

    // Act: what the event source does with batch item failures
    const first = await relay.relay(records);
    publisher.rejectEventIds.clear();
    const from = records.findIndex(
      (r) => r.dynamodb!.SequenceNumber === first.batchItemFailures[0].itemIdentifier,
    );
    const second = await relay.relay(records.slice(from));

    // Assess
    expect(from).toBe(4);
    expect(second.batchItemFailures).toEqual([]);
    expect(new Set(publisher.published.map((e) => e.eventId))).toEqual(new Set(ids(8)));
  });

  it('skips records that are not outbox inserts', async () => {
    const publisher = new FakePublisher();
    const modify = { ...outboxRecord('e1'), eventName: 'MODIFY' as const };
    const touchpoint = outboxRecord('e2', { entity: 'touchpoint' });

    const result = await new OutboxRelay(publisher, silent).relay([modify, touchpoint, outboxRecord('e3')]);

    expect(result.batchItemFailures).toEqual([]);
    expect(publisher.published.map((e) => e.eventId)).toEqual(['e3']);
  });

  it('logs and skips a malformed outbox item instead of blocking the shard', async () => {
    const publisher = new FakePublisher();
    const errors: Record<string, unknown>[] = [];
    const logger = { ...silent, error: (_: string, extra: Record<string, unknown>) => errors.push(extra) };

    const result = await new OutboxRelay(publisher, logger).relay([
      outboxRecord('e1', { detailType: undefined }),
      outboxRecord('e2'),
    ]);

    expect(result.batchItemFailures).toEqual([]);
    expect(publisher.published.map((e) => e.eventId)).toEqual(['e2']);
    expect(errors).toEqual([expect.objectContaining({ reason: 'no detailType' })]);
  });

  it('splits calls by size as well as count', async () => {
    const publisher = new FakePublisher();
    const big = 'x'.repeat(100 * 1024);
    const records = ids(3).map((id) => outboxRecord(id, { detail: { eventId: id, blob: big } }));

    await new OutboxRelay(publisher, silent).relay(records);

    expect(publisher.calls.map((c) => c.length)).toEqual([2, 1]);
  });

  it('logs each published event with its correlation id and no customer data', async () => {
    const publisher = new FakePublisher();
    const infos: Record<string, unknown>[] = [];
    const logger = { ...silent, info: (_: string, extra: Record<string, unknown>) => infos.push(extra) };

    await new OutboxRelay(publisher, logger).relay([outboxRecord('e1')]);

    expect(infos).toEqual([
      { correlationId: 'tp-e1', eventId: 'e1', detailType: 'Customer Stage Changed', busEventId: 'bus-1-0' },
    ]);
  });
});
