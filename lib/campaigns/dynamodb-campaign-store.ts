import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { queryPartition } from '../storage/dynamodb-io.js';
import { ITEM_PREFIX, keys } from '../storage/table.js';
import type { Campaign, CampaignStatus } from './campaign.js';
import type { CampaignHead, CampaignStatusChange, CampaignStore, WriteOutcome } from './ports.js';

type Item = Record<string, AttributeValue>;
const m = (value: Record<string, unknown>): Item => marshall(value, { removeUndefinedValues: true });
const headKeyOf = (campaignId: string) => ({ pk: keys.campaigns, sk: keys.campaignHeadSk(campaignId) });
const headKey = (campaignId: string) => m(headKeyOf(campaignId));
const versionKey = (campaignId: string, version: number) =>
  m({ pk: keys.campaigns, sk: keys.campaignVersionSk(campaignId, version) });

const isConditionFailure = (error: unknown) =>
  (error as Error).name === 'ConditionalCheckFailedException' ||
  (error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed'));

/**
 * Campaigns in one `CAMPAIGNS` partition: `H#<id>` is the head (the current version, copied,
 * plus status and deletion) and `V#<id>#<000001>` each immutable version. See docs/storage.md.
 */
export class DynamoDbCampaignStore implements CampaignStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async create(campaign: Campaign): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: m({ ...headKeyOf(campaign.campaignId), ...headItem(campaign) }),
                ConditionExpression: 'attribute_not_exists(sk)',
              },
            },
            { Put: { TableName: this.tableName, Item: versionItem(campaign) } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async head(campaignId: string): Promise<CampaignHead | null> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: headKey(campaignId), ConsistentRead: true }),
    );
    return out.Item ? toCampaign(unmarshall(out.Item)) : null;
  }

  async heads(): Promise<CampaignHead[]> {
    const items = await queryPartition(this.client, this.tableName, keys.campaigns, {
      prefix: ITEM_PREFIX.campaignHead,
    });
    return items.map(toCampaign);
  }

  async version(campaignId: string, version: number): Promise<Campaign | null> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: versionKey(campaignId, version) }),
    );
    return out.Item ? toCampaign(unmarshall(out.Item)) : null;
  }

  async headAndVersion(campaignId: string, version: number) {
    const out = await this.client.send(
      new BatchGetItemCommand({
        RequestItems: {
          [this.tableName]: {
            Keys: [headKey(campaignId), versionKey(campaignId, version)],
            ConsistentRead: true,
          },
        },
      }),
    );
    const items = (out.Responses?.[this.tableName] ?? []).map((i) => unmarshall(i));
    const head = items.find((i) => i.entity === 'campaign');
    const found = items.find((i) => i.entity === 'campaignVersion');
    // Two small keys never come back unprocessed in practice; if they do, read them one by one.
    if (out.UnprocessedKeys?.[this.tableName]?.Keys?.length) {
      return { head: await this.head(campaignId), version: await this.version(campaignId, version) };
    }
    return { head: head ? toCampaign(head) : null, version: found ? toCampaign(found) : null };
  }

  async addVersion(next: Campaign): Promise<WriteOutcome> {
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: m({ ...headKeyOf(next.campaignId), ...headItem(next) }),
                ConditionExpression:
                  'attribute_exists(sk) AND attribute_not_exists(deletedAt) AND version = :v',
                ExpressionAttributeValues: m({ ':v': next.version - 1 }),
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: versionItem(next),
                ConditionExpression: 'attribute_not_exists(sk)',
              },
            },
          ],
        }),
      );
      return 'ok';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const head = await this.head(next.campaignId);
      return !head || head.deletedAt ? 'missing' : 'conflict';
    }
  }

  async setStatus(
    campaignId: string,
    from: CampaignStatus,
    to: CampaignStatus,
    at: string,
    by?: string,
  ): Promise<WriteOutcome> {
    const values = by
      ? { ':to': to, ':from': from, ':at': at, ':by': by }
      : { ':to': to, ':from': from, ':at': at };
    const change: CampaignStatusChange = { at, from, to, ...(by ? { by } : {}) };
    try {
      // The head and the change record together: a pause the history does not show cannot happen.
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: headKey(campaignId),
                UpdateExpression: by
                  ? 'SET #status = :to, updatedAt = :at, updatedBy = :by'
                  : 'SET #status = :to, updatedAt = :at',
                ConditionExpression:
                  'attribute_exists(sk) AND attribute_not_exists(deletedAt) AND #status = :from',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: m(values),
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: m({
                  pk: keys.campaigns,
                  sk: keys.campaignStatusSk(campaignId, at),
                  entity: 'campaignStatusChange',
                  campaignId,
                  ...change,
                }),
                // Two changes in the same millisecond: the second retries with a later clock.
                ConditionExpression: 'attribute_not_exists(sk)',
              },
            },
          ],
        }),
      );
      return 'ok';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const head = await this.head(campaignId);
      return !head || head.deletedAt ? 'missing' : 'conflict';
    }
  }

  async statusChanges(campaignId: string): Promise<CampaignStatusChange[]> {
    const items = await queryPartition(this.client, this.tableName, keys.campaigns, {
      prefix: `${ITEM_PREFIX.campaignStatus}${campaignId}#`,
    });
    return items.map((i) => ({
      at: i.at as string,
      from: i.from as CampaignStatus,
      to: i.to as CampaignStatus,
      ...(typeof i.by === 'string' ? { by: i.by } : {}),
    }));
  }

  async markDeleted(campaignId: string, at: string) {
    return this.conditionalUpdate(
      campaignId,
      'SET deletedAt = :at, updatedAt = :at',
      'attribute_exists(sk) AND attribute_not_exists(deletedAt)',
      { ':at': at },
    );
  }

  private async conditionalUpdate(
    campaignId: string,
    update: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<WriteOutcome> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: headKey(campaignId),
          UpdateExpression: update,
          ConditionExpression: condition,
          ...(update.includes('#status') ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: m(values),
        }),
      );
      return 'ok';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const head = await this.head(campaignId);
      return !head || head.deletedAt ? 'missing' : 'conflict';
    }
  }
}

function headItem(c: Campaign): Record<string, unknown> {
  return { entity: 'campaign', ...c };
}

function versionItem(c: Campaign): Item {
  const { status: _status, ...definition } = c;
  return m({
    pk: keys.campaigns,
    sk: keys.campaignVersionSk(c.campaignId, c.version),
    entity: 'campaignVersion',
    ...definition,
  });
}

function toCampaign(item: Record<string, unknown>): CampaignHead {
  const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
  return rest as unknown as CampaignHead;
}
