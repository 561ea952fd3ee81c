import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { keys } from '../storage/table.js';
import { type MarketingSwitchState, type MarketingSwitchStore, marketingPaused } from './marketing-switch.js';
import type { MarketingGate } from './ports.js';

const KEY = { pk: keys.settings, sk: keys.marketingSk };

/** The switch item in the Stageflow table (GetItem, PutItem). */
export class DynamoDbMarketingSwitch implements MarketingSwitchStore, MarketingGate {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async read(): Promise<{ state: MarketingSwitchState; version: number } | null> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall(KEY), ConsistentRead: true }),
    );
    if (!out.Item) return null;
    const item = unmarshall(out.Item);
    return {
      state: {
        paused: item.paused === true,
        reason: String(item.reason ?? ''),
        at: String(item.at ?? ''),
        alarms: (item.alarms as MarketingSwitchState['alarms'] | undefined) ?? {},
        ...(item.manual ? { manual: item.manual as MarketingSwitchState['manual'] } : {}),
      },
      version: Number(item.version ?? 0),
    };
  }

  async write(state: MarketingSwitchState, expectedVersion: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall(
            { ...KEY, entity: 'settings', ...state, version: expectedVersion + 1 },
            { removeUndefinedValues: true },
          ),
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
          ...(expectedVersion === 0
            ? {}
            : { ExpressionAttributeValues: marshall({ ':v': expectedVersion }) }),
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async isMarketingPaused(): Promise<boolean> {
    return marketingPaused((await this.read())?.state);
  }
}

/**
 * Whether marketing mail is paused (SES reputation alarm): one consistent GetItem of
 * `SETTINGS`/`MARKETING`. No item means not paused.
 */
export function isMarketingPaused(client: DynamoDBClient, tableName: string): Promise<boolean> {
  return new DynamoDbMarketingSwitch(client, tableName).isMarketingPaused();
}
