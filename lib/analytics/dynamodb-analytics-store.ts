import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { EngineTouchpoint } from '../journey/index.js';
import { batchGetItems, batchWrite, type OnRequest, queryPartition } from '../storage/dynamodb-io.js';
import { keys } from '../storage/table.js';
import {
  LAYOUT,
  MAX_TRANSACTION_ITEMS,
  mergeDeltas,
  OLDER_LAYOUT_PROBES,
  splitItemKey,
  VERSION_ATTR,
  VERSION_SK,
} from './cells.js';
import { ContributionTooLargeError } from './errors.js';
import type { CustomerFacts } from './facts.js';
import type {
  AggregateRead,
  AnalyticsStore,
  ContributionChange,
  CustomerPage,
  StoredContribution,
} from './ports.js';
import type { AggregateItem } from './reports.js';

const CONTRIBUTION_SK = 'AN';
const LAG_PK = 'AGG#lag';
/** Written by the rebuild when every customer is on this layout (`layout`: the layout it reached). */
const LAYOUT_MARKER = { pk: 'AGG#layout', sk: 'REBUILT' };
const m = (value: Record<string, unknown>) => marshall(value, { removeUndefinedValues: true });

/**
 * The contribution item: apart from the customer partition, so erasing that partition leaves it
 * for the projector to zero. Keyed by a hash and holding no id, so no item names an erased
 * customer while the projector catches up.
 */
export const contributionKey = (customerId: string) => ({
  pk: `AN#${createHash('sha256').update(customerId).digest('hex')}`,
  sk: CONTRIBUTION_SK,
});

/** The stored contribution item of a change (facts as one string: the item stays close to their size). */
export const contributionItem = (change: ContributionChange) => ({
  ...contributionKey(change.customerId),
  entity: 'analytics',
  rev: change.expectedRev + 1,
  layout: LAYOUT,
  profileVersion: change.profileVersion,
  facts: JSON.stringify(change.facts),
});

/** Requests and capacity the adapter used, for tests and the bench. */
export interface AnalyticsStoreStats {
  requests: number;
  /** Aggregate counters read: what a report's time follows on DynamoDB Local. */
  countersRead: number;
  consumedWcu: number;
  consumedRcu: number;
}

/** The AnalyticsStore on the Stageflow table (docs/storage.md, "Analytics"). */
export class DynamoDbAnalyticsStore implements AnalyticsStore {
  readonly stats: AnalyticsStoreStats = { requests: 0, countersRead: 0, consumedWcu: 0, consumedRcu: 0 };

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async load(customerId: string) {
    const [items, [contribution]] = await Promise.all([
      queryPartition(this.client, this.tableName, keys.customer(customerId), { onRequest: this.count }),
      batchGetItems(this.client, this.tableName, [contributionKey(customerId)], { onRequest: this.count }),
    ]);
    const profile = items.find((i) => i.sk === keys.profileSk);
    const stored: StoredContribution = contribution
      ? {
          facts: JSON.parse(contribution.facts as string) as CustomerFacts | null,
          rev: contribution.rev as number,
          layout: (contribution.layout as number | undefined) ?? 1,
        }
      : { facts: null, rev: 0, layout: LAYOUT };
    if (!profile) return { snapshot: null, profileVersion: null, stored };
    const state = profile.state as {
      stage: string | null;
      stageSince: string | null;
      stagesReached: Record<string, string>;
    };
    const touchpoints = items
      .filter((i) => i.entity === 'touchpoint')
      .map(
        (i): EngineTouchpoint => ({
          messageId: i.messageId as string,
          timestamp: i.timestamp as string,
          event: i.event as string,
          properties: i.properties as Record<string, unknown> | undefined,
          channel: i.channel as string | undefined,
          campaign: (i.context as { campaign?: Record<string, string> } | undefined)?.campaign,
        }),
      );
    return {
      snapshot: {
        createdAt: profile.createdAt as string,
        stage: state.stage ?? null,
        stageSince: state.stageSince ?? null,
        stagesReached: state.stagesReached ?? {},
        touchpoints,
      },
      profileVersion: profile.version as number,
      stored,
    };
  }

  async apply(changes: readonly ContributionChange[]): Promise<boolean> {
    const writes: TransactWriteItem[] = changes.map((change) => this.contributionWrite(change));
    for (const [itemKey, attrs] of mergeDeltas(changes)) {
      const names: Record<string, string> = {};
      const values: Record<string, number> = {};
      const parts: string[] = [];
      let i = 0;
      for (const [attr, amount] of attrs) {
        names[`#a${i}`] = attr;
        values[`:v${i}`] = amount;
        parts.push(`#a${i} :v${i}`);
        i++;
      }
      writes.push({
        Update: {
          TableName: this.tableName,
          Key: m(splitItemKey(itemKey)),
          UpdateExpression: `ADD ${parts.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: m(values),
        },
      });
    }
    if (writes.length === 0) return true;
    if (writes.length > MAX_TRANSACTION_ITEMS)
      throw new ContributionTooLargeError(changes[0].customerId, writes.length);
    try {
      this.stats.requests++;
      const out = await this.client.send(
        new TransactWriteItemsCommand({ TransactItems: writes, ReturnConsumedCapacity: 'TOTAL' }),
      );
      for (const c of out.ConsumedCapacity ?? []) this.stats.consumedWcu += c.CapacityUnits ?? 0;
      return true;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      // A contribution's condition failed: someone else replaced it; the caller re-reads.
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
      if (reasons.some((r) => r.Code === 'TransactionConflict')) return false;
      throw error;
    }
  }

  private contributionWrite(change: ContributionChange): TransactWriteItem {
    const key = contributionKey(change.customerId);
    const condition =
      change.expectedRev === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: 'rev = :rev',
            ExpressionAttributeValues: m({ ':rev': change.expectedRev }),
          };
    if (change.facts === null) return { Delete: { TableName: this.tableName, Key: m(key), ...condition } };
    return {
      Put: {
        TableName: this.tableName,
        Item: m(contributionItem(change)),
        ...condition,
      },
    };
  }

  async aggregates(reads: readonly AggregateRead[], counters?: readonly string[]): Promise<AggregateItem[]> {
    const pages = await Promise.all(
      reads.map(({ pk, range, consistent }) => this.queryAggregates(pk, range, counters, consistent)),
    );
    return pages.flat();
  }

  async version(pk: string): Promise<number> {
    this.stats.requests++;
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: m({ pk, sk: VERSION_SK }),
        ConsistentRead: true,
        ProjectionExpression: '#v',
        ExpressionAttributeNames: { '#v': VERSION_ATTR },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.stats.consumedRcu += out.ConsumedCapacity?.CapacityUnits ?? 0;
    return Number(out.Item?.[VERSION_ATTR]?.N ?? 0);
  }

  async putRollups(pk: string, version: number, items: readonly AggregateItem[]): Promise<void> {
    const last = items[items.length - 1];
    if (!last) return;
    await Promise.all(items.slice(0, -1).map((item) => this.putRollup(pk, version, item)));
    await this.putRollup(pk, version, last);
  }

  /** One labelled rollup put; false when a writer with a newer label was first (its sums stand). */
  protected async putRollup(pk: string, version: number, item: AggregateItem): Promise<boolean> {
    this.stats.requests++;
    try {
      const out = await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: m({ ...item.counters, pk, sk: item.sk, [VERSION_ATTR]: version }),
          ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
          ExpressionAttributeNames: { '#v': VERSION_ATTR },
          ExpressionAttributeValues: m({ ':v': version }),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.stats.consumedWcu += out.ConsumedCapacity?.CapacityUnits ?? 0;
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return false;
    }
  }

  async layoutOutdated(): Promise<boolean> {
    const [marker, ...older] = await Promise.all([
      batchGetItems(this.client, this.tableName, [LAYOUT_MARKER], { onRequest: this.count }),
      ...OLDER_LAYOUT_PROBES.map(async (pk) => {
        this.stats.requests++;
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: m({ ':pk': pk }),
            ProjectionExpression: 'pk',
            Limit: 1,
          }),
        );
        return (out.Items ?? []).length > 0;
      }),
    ]);
    const rebuilt = (marker[0]?.layout as number | undefined) ?? 0;
    return rebuilt < LAYOUT && older.some(Boolean);
  }

  async markLayoutRebuilt(): Promise<void> {
    await batchWrite(
      this.client,
      this.tableName,
      [
        {
          PutRequest: { Item: m({ ...LAYOUT_MARKER, layout: LAYOUT, rebuiltAt: new Date().toISOString() }) },
        },
      ],
      { onRequest: this.count },
    );
  }

  private async queryAggregates(
    pk: string,
    range?: { fromSk: string; toSk: string },
    counters?: readonly string[],
    consistent = false,
  ): Promise<AggregateItem[]> {
    const out: AggregateItem[] = [];
    const projection = counters
      ? {
          ProjectionExpression: ['pk', 'sk', ...counters.map((_, i) => `#c${i}`)].join(', '),
          ExpressionAttributeNames: Object.fromEntries(counters.map((c, i) => [`#c${i}`, c])),
        }
      : {};
    let start: Record<string, AttributeValue> | undefined;
    do {
      this.stats.requests++;
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: range ? 'pk = :pk AND sk BETWEEN :from AND :to' : 'pk = :pk',
          // `to` is exclusive: BETWEEN is inclusive, so stop just below it.
          ExpressionAttributeValues: m(
            range ? { ':pk': pk, ':from': range.fromSk, ':to': `${range.toSk}\u0000` } : { ':pk': pk },
          ),
          ...projection,
          ExclusiveStartKey: start,
          ConsistentRead: consistent,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.stats.consumedRcu += page.ConsumedCapacity?.CapacityUnits ?? 0;
      // Read straight from the wire format: a full item holds hundreds of counters, and the
      // generic unmarshall costs more than the report's own summing.
      for (const raw of page.Items ?? []) {
        const sk = raw.sk?.S ?? '';
        if (range && sk >= range.toSk) continue;
        const counters: Record<string, number> = {};
        for (const k in raw) {
          const n = raw[k].N;
          if (n !== undefined) counters[k] = Number(n);
        }
        this.stats.countersRead += Object.keys(counters).length;
        out.push({ pk: raw.pk?.S ?? '', sk, counters });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async markInFlight(id: string, since: string): Promise<void> {
    await batchWrite(
      this.client,
      this.tableName,
      [
        {
          PutRequest: {
            // A mark left by a crashed batch goes after a day; its retry removes it sooner.
            Item: m({ pk: LAG_PK, sk: id, since, expiresAt: Math.floor(Date.now() / 1000) + 86_400 }),
          },
        },
      ],
      { onRequest: this.count },
    );
  }

  async clearInFlight(id: string): Promise<void> {
    await batchWrite(this.client, this.tableName, [{ DeleteRequest: { Key: m({ pk: LAG_PK, sk: id }) } }], {
      onRequest: this.count,
    });
  }

  async oldestInFlight(): Promise<string | null> {
    const items = await queryPartition(this.client, this.tableName, LAG_PK, { onRequest: this.count });
    const since = items.map((i) => i.since as string).sort();
    return since[0] ?? null;
  }

  async customers(cursor: string | null, segment?: { index: number; total: number }): Promise<CustomerPage> {
    this.stats.requests++;
    const out = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        // Profiles only: a contribution without a profile is zeroed by the projector on the removal.
        FilterExpression: 'sk = :profile',
        ExpressionAttributeValues: m({ ':profile': keys.profileSk }),
        ProjectionExpression: 'pk',
        ExclusiveStartKey: cursor ? (JSON.parse(cursor) as Record<string, AttributeValue>) : undefined,
        ...(segment ? { Segment: segment.index, TotalSegments: segment.total } : {}),
      }),
    );
    const ids = (out.Items ?? []).map((i) => {
      const pk = unmarshall(i).pk as string;
      return pk.slice(2);
    });
    return {
      customerIds: [...new Set(ids)],
      cursor: out.LastEvaluatedKey ? JSON.stringify(out.LastEvaluatedKey) : null,
    };
  }

  private readonly count: OnRequest = (consumed) => {
    this.stats.requests++;
    for (const c of consumed ?? []) this.stats.consumedRcu += c.CapacityUnits ?? 0;
  };
}
