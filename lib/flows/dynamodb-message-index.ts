import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ListIndexUnavailableError } from '../customers/index.js';
import { queryPartition } from '../storage/dynamodb-io.js';
import { keys, TABLE_INDEXES } from '../storage/table.js';
import { readableRecord } from './dynamodb-message-log.js';
import type { LoggedMessage, MessageIndex, MessageSearchFilter } from './message-search.js';

const INDEX = TABLE_INDEXES.find((i) => i.name === 'messages-by-campaign')!;
/** Engagement headlines live in `engagement.status`; the send claim's in `status`. */
const HEADLINES = new Set(['delivered', 'opened', 'clicked', 'bounced', 'complained', 'rejected']);

/**
 * GET /v1/messages on the `messages-by-campaign` index: one query per campaign partition (one
 * for a campaignId filter, else every campaign ever created, deleted ones too), each newest
 * first and filtered by status and reasonCode, merged by the index sort key.
 */
export class DynamoDbMessageIndex implements MessageIndex {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async search(filter: MessageSearchFilter, limit: number, after: string | null) {
    const campaigns = filter.campaignId ? [filter.campaignId] : await this.campaignIds();
    const pages = await Promise.all(campaigns.map((c) => this.queryCampaign(c, filter, limit + 1, after)));
    const merged = pages
      .flat()
      .sort((a, b) => (a.msgAt < b.msgAt ? 1 : a.msgAt > b.msgAt ? -1 : 0))
      .slice(0, limit + 1);
    const page = merged.slice(0, limit);
    return {
      items: page.map(({ item }) => item),
      after: merged.length > limit ? page[page.length - 1].msgAt : null,
    };
  }

  private async query(command: QueryCommand) {
    try {
      return await this.client.send(command);
    } catch (error) {
      // Querying an index the table lacks (an upgrade adds one per deploy) is a ValidationException.
      if ((error as Error).name === 'ValidationException' && /index/i.test((error as Error).message)) {
        throw new ListIndexUnavailableError(INDEX.name, { cause: error });
      }
      throw error;
    }
  }

  private async campaignIds(): Promise<string[]> {
    const heads = await queryPartition(this.client, this.tableName, keys.campaigns, { prefix: 'H#' });
    return heads.map((h) => String(h.campaignId ?? String(h.sk).slice(2)));
  }

  private async queryCampaign(
    campaignId: string,
    filter: MessageSearchFilter,
    wanted: number,
    after: string | null,
  ): Promise<{ msgAt: string; item: LoggedMessage }[]> {
    const names: Record<string, string> = { '#pk': INDEX.partitionKey };
    const values: Record<string, unknown> = { ':pk': campaignId };
    // Sort keys start with the time: `<at>#…`; `~` sorts after every `#…` suffix of `to`.
    const upper = [after, filter.to ? `${filter.to}~` : undefined].filter((v): v is string => !!v).sort()[0];
    const conditions = ['#pk = :pk'];
    if (filter.from && upper) {
      conditions.push('#sk BETWEEN :from AND :upper');
      Object.assign(values, { ':from': filter.from, ':upper': upper });
    } else if (filter.from) {
      conditions.push('#sk >= :from');
      values[':from'] = filter.from;
    } else if (upper) {
      conditions.push('#sk < :upper');
      values[':upper'] = upper;
    }
    if (conditions.length > 1) names['#sk'] = INDEX.sortKey;
    const filters: string[] = [];
    if (filter.status) {
      names['#st'] = 'status';
      values[':st'] = filter.status;
      filters.push(HEADLINES.has(filter.status) ? 'engagement.#st = :st' : '#st = :st');
    }
    if (filter.reasonCode) {
      values[':rc'] = filter.reasonCode;
      filters.push('reasonCode = :rc');
    }
    const out: { msgAt: string; item: LoggedMessage }[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.query(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX.name,
          KeyConditionExpression: conditions.join(' AND '),
          ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: marshall(values),
          ScanIndexForward: false,
          Limit: Math.max(wanted - out.length, 25),
          ExclusiveStartKey: start,
        }),
      );
      for (const raw of page.Items ?? []) {
        // BETWEEN is inclusive; the cursor's own item was on the last page.
        const { pk: _pk, sk: _sk, msgCampaign: _m, msgAt, entity: _e, ...rest } = unmarshall(raw);
        if (after && msgAt >= after) continue;
        const { customerId, ...record } = rest;
        out.push({ msgAt, item: { customerId: String(customerId), ...readableRecord(record) } });
        if (out.length >= wanted) return out;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
