import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { CounterItem, CounterSource } from './ports.js';

const RESERVED = new Set(['pk', 'sk', 'entity', 'campaignId', 'day', 'step']);

/**
 * Reads the counter items (`M#<day>#<step>#<shard>`) of one partition for the days
 * [from, to): one Query on a sort-key range, so its cost follows days × steps × shards.
 * Attributes it does not know are kept as counters too; the report picks what it shows.
 */
export class DynamoDbCounters implements CounterSource {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async counters(pk: string, range: { from?: string; to?: string }): Promise<CounterItem[]> {
    // `M#<to>` sorts before every `M#<to>#…`, so BETWEEN leaves the day `to` out (exclusive).
    const lo = `M#${range.from ?? '0000-00-00'}`;
    const hi = `M#${range.to ?? '9999-99-99'}`;
    const out: CounterItem[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
          ExpressionAttributeValues: marshall({ ':pk': pk, ':lo': lo, ':hi': hi }),
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const raw of page.Items ?? []) {
        const item = unmarshall(raw);
        const [, day, step] = String(item.sk).split('#');
        const counters: Record<string, number> = {};
        for (const [name, value] of Object.entries(item)) {
          if (!RESERVED.has(name) && typeof value === 'number') counters[name] = value;
        }
        out.push({ day, step, counters });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
