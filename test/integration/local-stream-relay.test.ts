import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_FILTER_PATTERN } from '../../lib/events/outbox-filter.js';
import { type LocalStreamRelay, type StreamHandler, startStreamRelay } from '../../local/stream-relay.js';
import { eventually } from '../support/eventually.js';
import { testTable, uid } from '../support/local.js';

let table: { client: DynamoDBClient; tableName: string; endpoint: string };
const dir = mkdtempSync(join(tmpdir(), 'stream-relay-'));

beforeAll(async () => {
  table = await testTable('stream-relay');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const putOutbox = (eventId: string, entity = 'outbox') =>
  table.client.send(
    new PutItemCommand({
      TableName: table.tableName,
      Item: marshall({ pk: `C#${uid('c')}`, sk: `O#${eventId}`, entity, eventId }),
    }),
  );

/** A handler that records what it is given and answers what the test says. */
function recorder(
  answer: (records: DynamoDBRecord[]) => DynamoDBBatchResponse = () => ({ batchItemFailures: [] }),
) {
  const batches: string[][] = [];
  const handler: StreamHandler = async (event) => {
    batches.push(event.Records.map((r) => r.dynamodb!.NewImage!.eventId.S!));
    return answer(event.Records);
  };
  return { batches, handler, seen: () => batches.flat() };
}

async function relayWith(handler: StreamHandler, checkpointFile?: string): Promise<LocalStreamRelay> {
  return startStreamRelay({
    dynamodb: table.client,
    endpoint: table.endpoint,
    tableName: table.tableName,
    handler,
    filter: OUTBOX_FILTER_PATTERN,
    retry: { initialMs: 5, maxMs: 20 },
    pollIntervalMs: 20,
    checkpointFile,
  });
}

describe('Class: LocalStreamRelay', () => {
  it('hands the handler Lambda-shaped batches of new outbox items only, in stream order', async () => {
    // Prepare
    const handler = recorder();
    const relay = await relayWith(handler.handler);
    const ids = Array.from({ length: 5 }, () => uid('e'));

    // Act
    for (const id of ids) await putOutbox(id);
    await putOutbox(uid('t'), 'touchpoint');
    const key = marshall({ pk: 'C#x', sk: 'O#modified' });
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: { ...key, ...marshall({ entity: 'touchpoint' }) },
      }),
    );
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: key,
        UpdateExpression: 'SET entity = :e, eventId = :id',
        ExpressionAttributeValues: marshall({ ':e': 'outbox', ':id': 'modified' }),
      }),
    );
    await relay.settled();
    await relay.stop();

    // Assess: two touchpoint INSERTs and one MODIFY into an outbox item are filtered out
    expect(handler.seen()).toEqual(ids);
    expect(handler.batches.flat()).not.toContain('modified');
    expect(relay.stats.filteredOut).toBe(3);
  });

  it('with a batching window, holds records until the window ends or a caller settles, in one batch', async () => {
    // Prepare: a window far longer than the test, as the bench uses it
    const handler = recorder();
    const relay = await startStreamRelay({
      dynamodb: table.client,
      endpoint: table.endpoint,
      tableName: table.tableName,
      handler: handler.handler,
      filter: OUTBOX_FILTER_PATTERN,
      batchSize: 1000,
      batchingWindowMs: 600_000,
      pollIntervalMs: 20,
    });
    const ids = Array.from({ length: 5 }, () => uid('w'));

    // Act: written one by one, while the relay polls every 20 ms
    for (const id of ids) await putOutbox(id);
    await relay.settled();
    await relay.stop();

    // Assess: all five in the same invocation, in order
    const batch = handler.batches.find((b) => b.includes(ids[0]));
    expect(batch?.filter((id) => ids.includes(id))).toEqual(ids);
  });

  it('retries from the first reported failure, so nothing is lost or reordered', async () => {
    // Prepare: fail once on the third record of whatever batch holds it
    const ids = Array.from({ length: 6 }, () => uid('e'));
    let failed = false;
    const handler = recorder((records) => {
      const third = records.find((r) => r.dynamodb!.NewImage!.eventId.S === ids[2]);
      if (!third || failed) return { batchItemFailures: [] };
      failed = true;
      return { batchItemFailures: [{ itemIdentifier: third.dynamodb!.SequenceNumber! }] };
    });
    const relay = await relayWith(handler.handler, join(dir, 'retry.json'));
    await relay.settled(); // past what earlier tests wrote

    // Act
    handler.batches.length = 0;
    for (const id of ids) await putOutbox(id);
    // However the records fall into batches, once the failure happened the retry must bring the
    // failed record and everything after it again, in order.
    await eventually(() => {
      expect(failed).toBe(true);
      const seen = handler.seen();
      expect(seen.slice(seen.lastIndexOf(ids[2]))).toEqual(ids.slice(2));
    });
    await relay.settled();
    await relay.stop();

    // Assess: the records from the failed one on came again, in order, and none before it
    const seen = handler.seen();
    expect(seen.slice(seen.lastIndexOf(ids[2]))).toEqual(ids.slice(2));
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(seen.filter((id) => id === ids[0])).toHaveLength(1);
    expect(seen.filter((id) => id === ids[1])).toHaveLength(1);
  });

  it('retries a batch whose handler throws, until it succeeds', async () => {
    let throws = 2;
    const handler = recorder(() => {
      if (throws-- > 0) throw new Error('relay crashed');
      return { batchItemFailures: [] };
    });
    const relay = await relayWith(handler.handler, join(dir, 'throws.json'));
    await relay.settled();

    const id = uid('e');
    throws = 2;
    await putOutbox(id);
    await eventually(() => expect(relay.stats.failedInvocations).toBeGreaterThanOrEqual(2));
    await relay.settled();
    await relay.stop();

    expect(handler.seen().filter((x) => x === id)).toHaveLength(3);
  });

  it('resumes after a restart from its checkpoint instead of the start of the stream', async () => {
    // Prepare: a first run that has seen everything so far
    const file = join(dir, 'restart.json');
    const first = recorder();
    const relay1 = await relayWith(first.handler, file);
    const before = uid('e');
    await putOutbox(before);
    await eventually(() => expect(first.seen()).toContain(before));
    await relay1.settled();
    await relay1.stop();

    // Act: written while stopped, then a new relay with the same checkpoint file
    const during = uid('e');
    await putOutbox(during);
    const second = recorder();
    const relay2 = await relayWith(second.handler, file);
    await eventually(() => expect(second.seen()).toContain(during));
    await relay2.settled();
    await relay2.stop();

    // Assess
    expect(second.seen()).toEqual([during]);
  });
});
