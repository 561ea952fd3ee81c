import {
  ThrottlingException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../lib/aws/clients.js';
import { DynamoDbJourneyStore } from '../../lib/ingest/dynamodb-journey-store.js';
import { ingestRequest } from '../../lib/ingest/http-ingest.js';
import { IngestTouchpoints } from '../../lib/ingest/ingest-touchpoints.js';
import { defaultModel } from '../../lib/journey/index.js';
import { isTransientDependencyError } from '../../lib/shared/transient.js';
import { keys } from '../../lib/storage/table.js';
import { expectContract } from '../support/contract.js';
import { testTable, uid } from '../support/local.js';

/**
 * The DynamoDB adapter on DynamoDB Local with a fault injected in the SDK client (what the SDK
 * throws once its own retries give up under load): a batch import stores every customer but
 * the throttled one, answers 503 with the failed items marked, and a resend completes it.
 */

let table: Awaited<ReturnType<typeof testTable>>;
beforeAll(async () => {
  table = await testTable('dependency-faults');
});

/**
 * A client on the same DynamoDB Local that fails every transaction touching `customerId`'s
 * partition (the first `times` of them, if given); `fault` sees the transaction's item count.
 */
function faultyClient(customerId: string, fault: (items: number) => Error, times = Number.POSITIVE_INFINITY) {
  const client = createDynamoClient(table.endpoint);
  const state = { failing: true, injected: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = JSON.stringify((args as { input?: unknown }).input ?? {});
      if (
        state.failing &&
        state.injected < times &&
        context.commandName === 'TransactWriteItemsCommand' &&
        input.includes(keys.customer(customerId))
      ) {
        state.injected++;
        throw fault((args as { input: { TransactItems: unknown[] } }).input.TransactItems.length);
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectFault' },
  );
  return { client, state };
}

const T0 = Date.now() - 60_000;
const track = (userId: string, messageId: string) => ({
  type: 'track',
  userId,
  messageId,
  event: 'Product Viewed',
  timestamp: new Date(T0).toISOString(),
});

describe('a throttled dependency during /v1/import', () => {
  it('is a 503 naming only the failed items; the rest is stored and a resend completes it', async () => {
    const [ok, hot] = [uid('u-ok'), uid('u-hot')];
    const { client, state } = faultyClient(
      hot,
      () => new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
    );
    const store = new DynamoDbJourneyStore(client, table.tableName);
    const ingest = new IngestTouchpoints(store, defaultModel);
    const body = { batch: [track(ok, uid('m')), track(hot, uid('m'))] };

    const first = await ingestRequest('batch', body, ingest, new Date());
    expect(state.injected).toBeGreaterThan(0);
    expect(first.statusCode).toBe(503);
    expect(first.headers?.['retry-after']).toBeDefined();
    const answer = JSON.parse(first.body as string);
    expectContract('POST', '/v1/import', 503, 'application/problem+json', answer);
    expect(answer).toMatchObject({ accepted: 1, failed: 1, rejected: 0 });
    expect(answer.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'failed']);
    expect(await store.profile(ok)).not.toBeNull();
    expect(await store.profile(hot)).toBeNull();

    state.failing = false;
    const again = await ingestRequest('batch', body, ingest, new Date());
    expect(again.statusCode).toBe(200);
    const second = JSON.parse(again.body as string);
    expectContract('POST', '/v1/import', 200, 'application/json', second);
    expect(second).toMatchObject({ accepted: 1, duplicate: 1, failed: 0 });
    expect((await store.history(hot)).touchpoints).toHaveLength(1);
    expect((await store.history(ok)).touchpoints).toHaveLength(1);
  });

  it('throws a single touchpoint’s conflict as transient (the edge answers 503)', async () => {
    const hot = uid('u-hot');
    const { client } = faultyClient(
      hot,
      () => new TransactionConflictException({ message: 'conflict', $metadata: { httpStatusCode: 400 } }),
    );
    const ingest = new IngestTouchpoints(new DynamoDbJourneyStore(client, table.tableName), defaultModel);
    const failure = await ingestRequest('track', track(hot, uid('m')), ingest, new Date()).catch((e) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(isTransientDependencyError(failure)).toBe(true);
  });
});

/** What DynamoDB answers when the transaction was cancelled: one reason per item, `None` for the rest. */
const cancelledBy = (code: string) => (items: number) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${code}]`,
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: Array.from({ length: items }, (_, i) => ({ Code: i === items - 1 ? code : 'None' })),
  });

describe('a cancelled transaction, as the DynamoDB adapter classifies it', () => {
  it('retries a cancel whose reasons are contention, and the touchpoint is stored', async () => {
    const hot = uid('u-hot');
    const { client, state } = faultyClient(hot, cancelledBy('TransactionConflict'), 3);
    const store = new DynamoDbJourneyStore(client, table.tableName);
    const res = await ingestRequest(
      'track',
      track(hot, uid('m')),
      new IngestTouchpoints(store, defaultModel),
      new Date(),
    );
    expect(state.injected).toBe(3);
    expect(res.statusCode).toBe(200);
    expect((await store.history(hot)).touchpoints).toHaveLength(1);
  });

  it('throws any other reason at once (an item over 400 KB is no hiccup): no retries, no 503', async () => {
    const hot = uid('u-hot');
    const { client, state } = faultyClient(hot, cancelledBy('ValidationError'));
    const ingest = new IngestTouchpoints(new DynamoDbJourneyStore(client, table.tableName), defaultModel);
    const failure = await ingestRequest('track', track(hot, uid('m')), ingest, new Date()).catch((e) => e);
    expect(failure).toBeInstanceOf(TransactionCanceledException);
    expect(state.injected).toBe(1);
    expect(isTransientDependencyError(failure)).toBe(false);
  });
});
