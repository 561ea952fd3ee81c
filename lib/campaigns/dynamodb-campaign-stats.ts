import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { stableId } from '../events/index.js';
import { queryPartition } from '../storage/dynamodb-io.js';
import { keys } from '../storage/table.js';
import type { CampaignStats, SkipReason } from './ports.js';

/**
 * An import of a million customers skips a million starts of the same campaign: the counter is
 * spread over SHARDS items so the writes do not all land on one item, and summed on read.
 */
const SHARDS = 8;

/** Skip counters in the campaign's own `STATS#<campaignId>` partition, updated with ADD. */
export class DynamoDbCampaignStats implements CampaignStats {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async countSkip(campaignId: string, reason: SkipReason, spread: string): Promise<void> {
    const shard = Number.parseInt(stableId(spread).slice(0, 8), 16) % SHARDS;
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: keys.campaignStats(campaignId), sk: keys.skipSk(reason, shard) }),
        UpdateExpression: 'ADD #n :one SET #e = :entity, #c = :campaignId, #r = :reason',
        ExpressionAttributeNames: { '#n': 'count', '#e': 'entity', '#c': 'campaignId', '#r': 'reason' },
        ExpressionAttributeValues: marshall({
          ':one': 1,
          ':entity': 'campaignSkip',
          ':campaignId': campaignId,
          ':reason': reason,
        }),
      }),
    );
  }

  async skipped(campaignId: string): Promise<Partial<Record<SkipReason, number>>> {
    const items = await queryPartition(this.client, this.tableName, keys.campaignStats(campaignId), {
      prefix: 'SKIP#',
    });
    const out: Partial<Record<SkipReason, number>> = {};
    for (const item of items) {
      const reason = item.reason as SkipReason;
      out[reason] = (out[reason] ?? 0) + Number(item.count ?? 0);
    }
    return out;
  }
}
