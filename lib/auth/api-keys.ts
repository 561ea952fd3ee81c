import { createHash, randomBytes } from 'node:crypto';
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { queryPartition } from '../storage/dynamodb-io.js';
import { keys } from '../storage/table.js';

/**
 * Ingest keys write touchpoints and read customers; admin keys can do everything; read keys
 * (the console's viewers) make every GET an admin key can and write nothing.
 */
export type Scope = 'ingest' | 'admin' | 'read';

export const SCOPES = ['ingest', 'admin', 'read'] as const satisfies readonly Scope[];

export interface ApiKeyRecord {
  /** Public, non-secret id: the first 12 hex digits of the hash. */
  keyId: string;
  hash: string;
  name: string;
  scope: Scope;
  createdAt: string;
  revokedAt?: string;
  /** Requests per second this key may make; 0 means the deployment default. */
  rateLimit?: number;
}

/** Keys are stored and compared only as SHA-256 hex digests. */
export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');
export const keyIdOf = (hash: string): string => hash.slice(0, 12);

/** A new random key with a prefix that says its scope (`sf_ingest_…`, `sf_admin_…`). */
export const generateKey = (scope: Scope): string => `sf_${scope}_${randomBytes(24).toString('base64url')}`;

/**
 * The key from `Authorization: Bearer <key>` or `Basic base64(<key>:)` (what
 * @segment/analytics-node sends with its write key). Null when absent or unparseable.
 */
export function keyFromAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, ...rest] = header.trim().split(/\s+/);
  const value = rest.join(' ');
  if (!value) return null;
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
    return user || null;
  }
  return null;
}

/** Port for key storage. */
export interface KeyStore {
  get(hash: string): Promise<ApiKeyRecord | null>;
  put(record: ApiKeyRecord): Promise<void>;
  list(): Promise<ApiKeyRecord[]>;
  revoke(keyId: string, at: string): Promise<boolean>;
}

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

  async revoke(keyId: string, at: string): Promise<boolean> {
    const record = (await this.list()).find((r) => r.keyId === keyId);
    if (!record) return false;
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: keys.apiKeys, sk: keys.apiKeySk(record.hash) }),
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
        ExpressionAttributeValues: marshall({ ':at': at }),
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
    ...(item.revokedAt ? { revokedAt: item.revokedAt as string } : {}),
    ...(item.rateLimit ? { rateLimit: item.rateLimit as number } : {}),
  };
}

/** Creates a key, stores only its hash, and returns the plain key once. */
export async function createKey(
  store: KeyStore,
  input: { name: string; scope: Scope; key?: string; rateLimit?: number },
): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = input.key ?? generateKey(input.scope);
  const hash = hashKey(key);
  const record: ApiKeyRecord = {
    keyId: keyIdOf(hash),
    hash,
    name: input.name,
    scope: input.scope,
    createdAt: new Date().toISOString(),
    ...(input.rateLimit ? { rateLimit: input.rateLimit } : {}),
  };
  await store.put(record);
  return { key, record };
}
