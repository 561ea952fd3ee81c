import {
  type AttributeValue,
  type DynamoDBClient,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { toProfile } from '../ingest/dynamodb-journey-store.js';
import { listAttributes } from '../ingest/index.js';
import { keys } from '../storage/table.js';

export interface ReindexProgress {
  scanned: number;
  profiles: number;
  updated: number;
  /** Changed by ingest meanwhile: that write carried the list keys already. */
  skipped: number;
}

/**
 * Writes the list keys (lib/ingest/customer-list-keys.ts) onto every stored profile, so
 * customers stored before the lists existed appear in them (`npm run customers:reindex`, an
 * upgrade step). A maintenance job, so it scans; the API never does. Idempotent: a profile
 * that already has the right keys is written the same again, and a run cut short is simply
 * run again. Each update is conditional on the profile's version, so it never overwrites what
 * ingest wrote meanwhile (ingest writes the keys itself).
 */
export async function reindexCustomerLists(
  client: DynamoDBClient,
  tableName: string,
  onProgress: (p: ReindexProgress) => void = () => {},
): Promise<ReindexProgress> {
  const progress: ReindexProgress = { scanned: 0, profiles: 0, updated: 0, skipped: 0 };
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'entity = :profile AND sk = :sk',
        ExpressionAttributeValues: marshall({ ':profile': 'profile', ':sk': keys.profileSk }),
        ExclusiveStartKey: start,
      }),
    );
    progress.scanned += page.ScannedCount ?? 0;
    for (const raw of page.Items ?? []) {
      const item = unmarshall(raw);
      progress.profiles++;
      const attributes = Object.entries(listAttributes(toProfile(item))).filter(([, v]) => v !== undefined);
      const names = Object.fromEntries(attributes.map(([name], i) => [`#a${i}`, name]));
      const values = Object.fromEntries(attributes.map(([, value], i) => [`:a${i}`, value]));
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: marshall({ pk: item.pk, sk: item.sk }),
            UpdateExpression: `SET ${attributes.map((_, i) => `#a${i} = :a${i}`).join(', ')}`,
            ConditionExpression: 'version = :version',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: marshall(
              { ...values, ':version': item.version },
              { removeUndefinedValues: true },
            ),
          }),
        );
        progress.updated++;
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        progress.skipped++;
      }
    }
    onProgress({ ...progress });
    start = page.LastEvaluatedKey;
  } while (start);
  return progress;
}
