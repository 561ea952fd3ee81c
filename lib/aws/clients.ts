import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { config } from '../config.js';

let dynamo: DynamoDBClient | undefined;

/** One DynamoDB client per process, pointed at DynamoDB Local when DYNAMODB_ENDPOINT is set. */
export function dynamoClient(): DynamoDBClient {
  dynamo ??= createDynamoClient(config().dynamodbEndpoint);
  return dynamo;
}

export function createDynamoClient(endpoint?: string): DynamoDBClient {
  return new DynamoDBClient({
    ...(endpoint
      ? { endpoint, region: process.env.AWS_REGION ?? 'us-east-1', credentials: localCredentials }
      : {}),
    maxAttempts: 5,
  });
}

/** DynamoDB Local accepts any credentials; fixed ones keep every process on the same database. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
