import type { TestProject } from 'vitest/node';
import { ensureConsoleBuilt } from '../../local/console.js';
import { startDynamoDbLocal } from '../../local/dynamodb.js';

/**
 * One DynamoDB Local for the whole run; every test file makes its own table in it. The console
 * is built once here, so the browser tests and `npm start` in its own test never build it at once.
 */
export default async function setup(project: TestProject) {
  ensureConsoleBuilt();
  const dynamo = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}
