import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { config, localRegion } from '../config.js';

let dynamo: DynamoDBClient | undefined;

/**
 * The DynamoDB client. SES and EventBridge clients live in ses.ts and eventbridge.ts, so a
 * function loads only the SDK clients it uses (module init time is cold-start time).
 */

/** One DynamoDB client per process, pointed at DynamoDB Local when DYNAMODB_ENDPOINT is set. */
export function dynamoClient(): DynamoDBClient {
  dynamo ??= createDynamoClient(config().dynamodbEndpoint);
  return dynamo;
}

export function createDynamoClient(endpoint?: string): DynamoDBClient {
  return new DynamoDBClient({
    ...localEndpoint(endpoint),
    maxAttempts: 5,
  });
}

/** DynamoDB Local accepts any credentials; fixed ones keep every process on the same database. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Client settings for a local stand-in (DynamoDB Local, aws-ses-v2-local, the local bus and
 * Step Functions): its endpoint, a region and fixed credentials. Nothing when deployed.
 */
export const localEndpoint = (endpoint: string | undefined) =>
  endpoint ? { endpoint, region: localRegion(), credentials: localCredentials } : {};
