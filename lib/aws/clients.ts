import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { config, eventsConfig } from '../config.js';

let dynamo: DynamoDBClient | undefined;
let ses: SESv2Client | undefined;

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

/** One SES v2 client per process, pointed at aws-ses-v2-local when SES_ENDPOINT is set. */
export function sesClient(): SESv2Client {
  ses ??= createSesClient(config().sesEndpoint);
  return ses;
}

export function createSesClient(endpoint?: string): SESv2Client {
  return new SESv2Client({
    ...(endpoint
      ? { endpoint, region: process.env.AWS_REGION ?? 'us-east-1', credentials: localCredentials }
      : {}),
    // The SDK retries throttling itself a few times; what is left is classified and rethrown.
    maxAttempts: 3,
  });
}

let eventBridge: EventBridgeClient | undefined;

/** One EventBridge client per process, pointed at the local bus when EVENTBRIDGE_ENDPOINT is set. */
export function eventBridgeClient(): EventBridgeClient {
  eventBridge ??= createEventBridgeClient(eventsConfig().eventbridgeEndpoint);
  return eventBridge;
}

export function createEventBridgeClient(endpoint?: string): EventBridgeClient {
  return new EventBridgeClient({
    ...(endpoint
      ? { endpoint, region: process.env.AWS_REGION ?? 'us-east-1', credentials: localCredentials }
      : {}),
    // Throttling and 5xx are retried by the SDK; what is left fails the batch, which the
    // stream retries from the first unpublished record.
    maxAttempts: 3,
  });
}
