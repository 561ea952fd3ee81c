import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { addressHash } from '../consent/index.js';
import { NO_STAGE } from '../ingest/index.js';
import type { Acquisition } from '../journey/index.js';
import { TABLE_INDEXES, type TableIndexName } from '../storage/table.js';
import {
  type CustomerFilter,
  type CustomerListItem,
  type CustomerListPage,
  type CustomerLists,
  ListIndexUnavailableError,
} from './ports.js';

/** The most 1 MB pages a filtered list reads per request (a few thousand entries each). */
export const FILTERED_PAGES = 3;

type Index = (typeof TABLE_INDEXES)[number];
const index = (name: TableIndexName): Index => TABLE_INDEXES.find((i) => i.name === name)!;

/** The index partitions a list reads, and which way its sort key runs (newest first, or by id). */
interface ListPlan {
  index: Index;
  partitions: string[];
  newestFirst: boolean;
  /** Keep only items whose `stageSince` is before this (the stalled customers of a stage). */
  enteredBefore?: string;
}

/**
 * The customer lists on the table's indexes (lib/storage/table.ts, docs/storage.md): every
 * list is one Query per index partition, never a Scan. The unfiltered list reads every stage's
 * partition of `customers-by-stage` and merges them, so its cost depends on the page size and
 * the number of stages, not on the number of customers.
 */
export class DynamoDbCustomerLists implements CustomerLists {
  /** Queries sent, for tests and the bench. */
  readonly stats = { requests: 0 };

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly stages: readonly string[],
    /** How a filtered list reads: entries per page and pages per request (tests shrink them). */
    private readonly filteredRead: { pageSize?: number; pages: number } = { pages: FILTERED_PAGES },
  ) {}

  /** The index partition a filter value names (channels are stored lowercase, addresses hashed). */
  static partitionOf(filter: Exclude<CustomerFilter, { by: 'recent' }>): string {
    if (filter.by === 'channel') return filter.value.trim().toLowerCase();
    if (filter.by === 'email') return addressHash(filter.value);
    return filter.value;
  }

  async list(filter: CustomerFilter, limit: number, after: string | null): Promise<CustomerListPage> {
    const plan = this.plan(filter);
    const pages = await Promise.all(
      plan.partitions.map((p) => this.queryPartition(plan, p, limit + 1, after)),
    );
    const sk = plan.index.sortKey;
    const merged = pages
      .flatMap((p) => p.items)
      .sort((a, b) => compare(a[sk] as string, b[sk] as string) * (plan.newestFirst ? -1 : 1))
      .slice(0, limit + 1);
    const page = merged.slice(0, limit);
    if (merged.length > limit)
      return { items: page.map(toListItem), after: page[page.length - 1][sk] as string };
    // A filtered list stopped at its read cap: a short page (even an empty one) and a cursor at
    // the last entry read, so a long partition costs a bounded read per request.
    return {
      items: page.map(toListItem),
      after: pages.find((p) => p.resumeAfter !== null)?.resumeAfter ?? null,
    };
  }

  private plan(filter: CustomerFilter): ListPlan {
    switch (filter.by) {
      case 'recent':
        return {
          index: index('customers-by-stage'),
          partitions: [...this.stages, NO_STAGE],
          newestFirst: true,
        };
      case 'stage':
        return {
          index: index('customers-by-stage'),
          partitions: [filter.value],
          newestFirst: true,
          enteredBefore: filter.enteredBefore,
        };
      case 'channel':
        return {
          index: index('customers-by-channel'),
          partitions: [DynamoDbCustomerLists.partitionOf(filter)],
          newestFirst: true,
        };
      case 'campaign':
        return {
          index: index('customers-by-campaign'),
          partitions: [DynamoDbCustomerLists.partitionOf(filter)],
          newestFirst: true,
        };
      case 'email':
        return {
          index: index('customers-by-email'),
          partitions: [DynamoDbCustomerLists.partitionOf(filter)],
          newestFirst: false,
        };
    }
  }

  /**
   * Up to `wanted` entries of one partition after the position, following DynamoDB's own pages.
   * A filtered read (the stalled customers of a stage, who sit at the old end of a partition
   * sorted newest first) reads whole 1 MB pages and stops after `filteredRead.pages` of them: then
   * `resumeAfter` is the sort key of the last entry read, where the next request goes on.
   */
  private async queryPartition(
    plan: ListPlan,
    partition: string,
    wanted: number,
    after: string | null,
  ): Promise<{ items: Record<string, unknown>[]; resumeAfter: string | null }> {
    const { index: ix, newestFirst, enteredBefore } = plan;
    // ISO 8601 instants in UTC compare as strings; a customer without a stageSince never matches.
    const since: Record<string, string> = enteredBefore === undefined ? {} : { '#since': 'stageSince' };
    const sinceValue: Record<string, string> =
      enteredBefore === undefined ? {} : { ':before': enteredBefore };
    const filtered = enteredBefore !== undefined;
    const out: Record<string, unknown>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    let pagesRead = 0;
    do {
      pagesRead++;
      this.stats.requests++;
      let page: QueryCommandOutput;
      try {
        page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: ix.name,
            KeyConditionExpression:
              after === null ? '#pk = :pk' : `#pk = :pk AND #sk ${newestFirst ? '<' : '>'} :after`,
            FilterExpression: enteredBefore === undefined ? undefined : '#since < :before',
            ExpressionAttributeNames: {
              '#pk': ix.partitionKey,
              ...(after === null ? {} : { '#sk': ix.sortKey }),
              ...since,
            },
            ExpressionAttributeValues: marshall({
              ':pk': partition,
              ...(after === null ? {} : { ':after': after }),
              ...sinceValue,
            }),
            ScanIndexForward: !newestFirst,
            // A filter is applied after the read: a Limit would count entries read, not kept.
            Limit: filtered ? this.filteredRead.pageSize : wanted - out.length,
            ExclusiveStartKey: start,
          }),
        );
      } catch (error) {
        // Querying an index the table lacks (or one still backfilling) is a ValidationException.
        if ((error as Error).name === 'ValidationException' && /index/i.test((error as Error).message)) {
          throw new ListIndexUnavailableError(ix.name, { cause: error });
        }
        throw error;
      }
      for (const item of page.Items ?? []) out.push(unmarshall(item));
      start = page.LastEvaluatedKey;
    } while (start && out.length < wanted && !(filtered && pagesRead >= this.filteredRead.pages));
    const capped = start !== undefined && out.length < wanted;
    return { items: out, resumeAfter: capped ? (unmarshall(start!)[ix.sortKey] as string) : null };
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function toListItem(item: Record<string, unknown>): CustomerListItem {
  return {
    customerId: item.customerId as string,
    stage: (item.stage as string | null | undefined) ?? null,
    stageSince: (item.stageSince as string | undefined) ?? null,
    email: (item.email as string | undefined) ?? null,
    firstName: (item.firstName as string | undefined) ?? null,
    acquisition: (item.acquisition as Acquisition | undefined) ?? null,
  };
}
