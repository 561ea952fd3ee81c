import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type ConsumedCapacity,
  type DynamoDBClient,
  QueryCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { backoff } from './backoff.js';
import { keys } from './table.js';

/**
 * The paging and batching every DynamoDB adapter needs, once: a whole partition (or a sort-key
 * prefix of it), any number of keys, any number of writes, with unprocessed items retried.
 */

export type Item = Record<string, unknown>;
export type ItemKey = { pk: string; sk: string };

/** Called once per request sent, with what DynamoDB said it consumed (adapters count these). */
export type OnRequest = (consumed?: ConsumedCapacity[]) => void;

/** Every item of partition `pk` (with a sort-key prefix, only those), strongly consistent. */
export async function queryPartition(
  client: DynamoDBClient,
  tableName: string,
  pk: string,
  options: { prefix?: string; onRequest?: OnRequest } = {},
): Promise<Item[]> {
  const { prefix } = options;
  const out: Item[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    options.onRequest?.();
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
        ExpressionAttributeValues: marshall(prefix ? { ':pk': pk, ':prefix': prefix } : { ':pk': pk }),
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) out.push(unmarshall(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** The items that exist among `keys` (any number; duplicates read once), strongly consistent. */
export async function batchGetItems(
  client: DynamoDBClient,
  tableName: string,
  keys: ItemKey[],
  options: { onRequest?: OnRequest } = {},
): Promise<Item[]> {
  const unique = [...new Map(keys.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
  const chunks: ItemKey[][] = [];
  for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
  const results = await Promise.all(
    chunks.map(async (chunk) => {
      const found: Item[] = [];
      let pending: Record<string, AttributeValue>[] = chunk.map((k) => marshall(k));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await backoff(attempt);
        const out = await client.send(
          new BatchGetItemCommand({
            RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } },
            ReturnConsumedCapacity: options.onRequest ? 'TOTAL' : undefined,
          }),
        );
        options.onRequest?.(out.ConsumedCapacity);
        for (const item of out.Responses?.[tableName] ?? []) found.push(unmarshall(item));
        pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
      return found;
    }),
  );
  return results.flat();
}

/** Puts and deletes in batches of 25, retrying what DynamoDB left unprocessed. */
export async function batchWrite(
  client: DynamoDBClient,
  tableName: string,
  requests: WriteRequest[],
  options: { onRequest?: OnRequest } = {},
): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending = requests.slice(i, i + 25);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt);
      options.onRequest?.();
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
      pending = out.UnprocessedItems?.[tableName] ?? [];
    }
  }
}

/** Delete requests for items or keys. */
export const deleteRequests = (items: ItemKey[]): WriteRequest[] =>
  items.map((k) => ({ DeleteRequest: { Key: marshall({ pk: k.pk, sk: k.sk }) } }));

/**
 * Writes `items` in one transaction with a check that the customer's profile still exists, so
 * a write racing an erasure cannot bring personal data back (erasure wins every race).
 * 'gone' when the customer no longer exists; 'condition' when one of the items' own conditions
 * failed; any other failure is thrown.
 */
export async function transactWhileCustomerExists(
  client: DynamoDBClient,
  tableName: string,
  customerId: string,
  items: TransactWriteItem[],
): Promise<'ok' | 'gone' | 'condition'> {
  try {
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: tableName,
              Key: marshall({ pk: keys.customer(customerId), sk: keys.profileSk }),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          ...items,
        ],
      }),
    );
    return 'ok';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [profile, ...rest] = error.CancellationReasons ?? [];
    if (profile?.Code === 'ConditionalCheckFailed') return 'gone';
    if (rest.some((r) => r?.Code === 'ConditionalCheckFailed')) return 'condition';
    throw error;
  }
}
