import type { DynamoDBClient as SdkClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as lean from '../../lib/aws/lean-dynamodb/index.js';
import { isTransientDependencyError } from '../../lib/shared/transient.js';
import { testTable, uid } from '../support/local.js';

/**
 * The lean DynamoDB client (lib/aws/lean-dynamodb, the ingest bundle's) against DynamoDB Local
 * beside the real SDK: the same answers and the same errors for the failures ingest handles
 * (a failed condition, a cancelled transaction with its reasons and the old item), and the
 * journey store and transaction helper, with the lean client standing in for the SDK module as
 * in the bundle, taking the same branches.
 */
vi.mock('@aws-sdk/client-dynamodb', async (importOriginal) => {
  // The adapters see the lean module's commands and exceptions, as in the ingest bundle; the
  // client class stays the SDK's, so the table setup (CreateTable, which the lean client does
  // not carry) works, and this file builds its lean client itself. __real: the SDK's own.
  const real = await importOriginal<typeof import('@aws-sdk/client-dynamodb')>();
  const { DynamoDBClient: _client, ...leanModule } = await import('../../lib/aws/lean-dynamodb/index.js');
  return { ...real, ...leanModule, __real: real };
});

let tableName: string;
let endpoint: string;
let sdkClient: SdkClient;
let leanClient: lean.DynamoDBClient;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

beforeAll(async () => {
  const t = await testTable('lean-dynamodb');
  tableName = t.tableName;
  endpoint = t.endpoint;
  const real = (await import('@aws-sdk/client-dynamodb')) as unknown as {
    __real: typeof import('@aws-sdk/client-dynamodb');
  };
  sdkClient = new real.__real.DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  leanClient = new lean.DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
});
afterAll(() => {
  sdkClient?.destroy();
  leanClient?.destroy();
});

const realSdk = async () =>
  (
    (await import('@aws-sdk/client-dynamodb')) as unknown as {
      __real: typeof import('@aws-sdk/client-dynamodb');
    }
  ).__real;

type Failure = Error & { Item?: unknown; $fault?: string };

describe('lean DynamoDB client against DynamoDB Local', () => {
  it('answers and fails a conditional put as the SDK does', async () => {
    const sdk = await realSdk();
    const item = marshall({ pk: uid('LEAN#'), sk: 'A', bin: new Uint8Array([1, 2, 3]), n: 5 });
    const put = {
      TableName: tableName,
      Item: item,
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
    const first = await leanClient.send(new lean.PutItemCommand(put));
    expect(first.$metadata.httpStatusCode).toBe(200);
    const sdkError = (await sdkClient.send(new sdk.PutItemCommand(put)).catch((e: unknown) => e)) as Failure;
    const leanError = (await leanClient
      .send(new lean.PutItemCommand(put))
      .catch((e: unknown) => e)) as Failure;
    expect(sdkError).toBeInstanceOf(sdk.ConditionalCheckFailedException);
    expect(leanError).toBeInstanceOf(lean.ConditionalCheckFailedException);
    expect([leanError.name, leanError.message, leanError.$fault]).toEqual([
      sdkError.name,
      sdkError.message,
      sdkError.$fault,
    ]);
    expect(leanError.Item).toEqual(sdkError.Item);
    expect((leanError.Item as { bin: { B: Uint8Array } }).bin.B).toEqual(new Uint8Array([1, 2, 3]));
    expect(isTransientDependencyError(leanError)).toBe(false);
  });

  it('cancels a transaction with the same reasons', async () => {
    const sdk = await realSdk();
    const pk = uid('LEAN#');
    await leanClient.send(
      new lean.PutItemCommand({ TableName: tableName, Item: marshall({ pk, sk: 'B', v: 1 }) }),
    );
    const input = {
      TransactItems: [
        { Put: { TableName: tableName, Item: marshall({ pk, sk: 'C' }) } },
        {
          Put: {
            TableName: tableName,
            Item: marshall({ pk, sk: 'B', v: 2 }),
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
          },
        },
      ],
    };
    const sdkError = (await sdkClient
      .send(new sdk.TransactWriteItemsCommand(input))
      .catch((e: unknown) => e)) as InstanceType<typeof sdk.TransactionCanceledException>;
    const leanError = (await leanClient
      .send(new lean.TransactWriteItemsCommand(input))
      .catch((e: unknown) => e)) as lean.TransactionCanceledException;
    expect(sdkError).toBeInstanceOf(sdk.TransactionCanceledException);
    expect(leanError).toBeInstanceOf(lean.TransactionCanceledException);
    expect(leanError.message).toBe(sdkError.message);
    expect(leanError.CancellationReasons).toEqual(sdkError.CancellationReasons);
    expect(leanError.CancellationReasons?.[1]?.Code).toBe('ConditionalCheckFailed');
    expect(isTransientDependencyError(leanError)).toBe(isTransientDependencyError(sdkError));
  });

  it('drives the journey store and the transaction helper down their conflict branches', async () => {
    const { DynamoDbJourneyStore } = await import('../../lib/ingest/dynamodb-journey-store.js');
    const { transactWhileCustomerExists } = await import('../../lib/storage/dynamodb-io.js');
    const store = new DynamoDbJourneyStore(leanClient as never, tableName);
    const anonymousId = uid('anon');
    // claimAlias: the second claim fails its condition (ConditionalCheckFailedException by name) and reads the owner.
    expect(await store.claimAlias(anonymousId, 'first-user')).toBe('first-user');
    expect(await store.claimAlias(anonymousId, 'second-user')).toBe('first-user');
    // A transaction whose customer does not exist: TransactionCanceledException, first reason failed → 'gone'.
    const item = { Put: { TableName: tableName, Item: marshall({ pk: uid('LEAN#'), sk: 'X' }) } };
    expect(await transactWhileCustomerExists(leanClient as never, tableName, uid('nobody'), [item])).toBe(
      'gone',
    );
  });
});
