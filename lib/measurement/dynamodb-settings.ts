import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { keys } from '../storage/table.js';
import type { MeasurementSettings, SettingsStore } from './ports.js';

const KEY = { pk: keys.settings, sk: 'MEASUREMENT' };
const DEFAULTS: MeasurementSettings = { globalControlPercent: 0 };

/** The measurement settings item, `SETTINGS`/`MEASUREMENT` (no item: the defaults). */
export class DynamoDbSettings implements SettingsStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async read(): Promise<MeasurementSettings> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall(KEY), ConsistentRead: true }),
    );
    const item = out.Item ? unmarshall(out.Item) : {};
    return {
      globalControlPercent:
        typeof item.globalControlPercent === 'number'
          ? item.globalControlPercent
          : DEFAULTS.globalControlPercent,
      ...(typeof item.changedAt === 'string' ? { changedAt: item.changedAt } : {}),
      ...(typeof item.changedBy === 'string' ? { changedBy: item.changedBy } : {}),
    };
  }

  async write(settings: MeasurementSettings): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall(KEY),
        UpdateExpression: `SET entity = :e, globalControlPercent = :g, changedAt = :at${settings.changedBy ? ', changedBy = :by' : ''}${settings.changedBy ? '' : ' REMOVE changedBy'}`,
        ExpressionAttributeValues: marshall(
          {
            ':e': 'settings',
            ':g': settings.globalControlPercent,
            ':at': settings.changedAt ?? new Date().toISOString(),
            ':by': settings.changedBy,
          },
          { removeUndefinedValues: true },
        ),
      }),
    );
  }
}
