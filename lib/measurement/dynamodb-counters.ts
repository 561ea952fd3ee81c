import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type Update,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { localDay } from '../analytics/index.js';
import { type CounterTarget, metricSk, metricStep } from './counters.js';
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

/** One transaction item adding `counts` to the counter item of `target` (day, step, shard). */
export function counterUpdate(
  tableName: string,
  target: CounterTarget,
  counts: Record<string, number>,
): Update {
  const day = localDay(target.at, target.timeZone);
  const names: Record<string, string> = { '#e': 'entity', '#c': 'campaignId', '#d': 'day', '#s': 'step' };
  const values: Record<string, unknown> = {
    ':e': 'campaignMetric',
    ':c': target.campaignId,
    ':d': day,
    ':s': metricStep(target.step),
  };
  const adds = Object.entries(counts).map(([name, n], i) => {
    names[`#n${i}`] = name;
    values[`:n${i}`] = n;
    return `#n${i} :n${i}`;
  });
  return {
    TableName: tableName,
    Key: marshall({ pk: target.pk, sk: metricSk(day, target.step, target.customerId) }),
    UpdateExpression: `ADD ${adds.join(', ')} SET #e = :e, #c = :c, #d = :d, #s = :s`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: marshall(values),
  };
}
