import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { queryPartition } from '../storage/dynamodb-io.js';
import { keys } from '../storage/table.js';
import type { ApiKeyRecord, KeyStore, Scope } from './api-keys.js';

export class DynamoDbKeyStore implements KeyStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(hash: string): Promise<ApiKeyRecord | null> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: keys.apiKeys, sk: keys.apiKeySk(hash) }),
        ConsistentRead: true,
      }),
    );
    return out.Item ? toRecord(unmarshall(out.Item)) : null;
  }

  async put(record: ApiKeyRecord): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(
          { pk: keys.apiKeys, sk: keys.apiKeySk(record.hash), entity: 'apiKey', ...record },
          { removeUndefinedValues: true },
        ),
      }),
    );
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (await queryPartition(this.client, this.tableName, keys.apiKeys)).map(toRecord);
  }

  async revoke(keyId: string, at: string, by?: string): Promise<boolean> {
    const record = (await this.list()).find((r) => r.keyId === keyId);
    if (!record) return false;
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: keys.apiKeys, sk: keys.apiKeySk(record.hash) }),
        UpdateExpression: `SET revokedAt = if_not_exists(revokedAt, :at)${by ? ', revokedBy = if_not_exists(revokedBy, :by)' : ''}`,
        ExpressionAttributeValues: marshall(by ? { ':at': at, ':by': by } : { ':at': at }),
      }),
    );
    return true;
  }
}

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  return {
    keyId: item.keyId as string,
    hash: item.hash as string,
    name: item.name as string,
    scope: item.scope as Scope,
    createdAt: item.createdAt as string,
    ...(item.createdBy ? { createdBy: item.createdBy as string } : {}),
    ...(item.revokedAt ? { revokedAt: item.revokedAt as string } : {}),
    ...(item.revokedBy ? { revokedBy: item.revokedBy as string } : {}),
    ...(item.rateLimit ? { rateLimit: item.rateLimit as number } : {}),
  };
}
