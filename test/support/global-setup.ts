import type { TestProject } from 'vitest/node';
import { ensureConsoleBuilt } from '../../local/console.js';
import { startDynamoDbLocal } from '../../local/dynamodb.js';
import type { FlowDefinitions } from '../../local/flow-definitions.js';
import { synthesizeFlowDefinitions } from '../../local/flow-synth.js';

/**
 * One DynamoDB Local per integration worker (files run STAGEFLOW_TEST_WORKERS, default 2, at a
 * time; see vitest.config.ts): each file makes its own table, and the files a worker runs share
 * its instance, so two busy files never wait on one instance's lock. The console is built
 * once here, so the browser tests and `npm start` in its own test never build it at once.
 * The flows are synthesized once here too (the same synthesizeFlowDefinitions() `npm start`
 * runs) and handed to every test stack: aws-cdk-lib costs each stack seconds to load.
 */
export default async function setup(project: TestProject) {
  ensureConsoleBuilt();
  const workers = Math.max(1, Number(process.env.STAGEFLOW_TEST_WORKERS || 2));
  const instances = await Promise.all(Array.from({ length: workers }, () => startDynamoDbLocal()));
  project.provide('flowDefinitions', synthesizeFlowDefinitions());
  project.provide(
    'dynamodbEndpoints',
    instances.map((d) => d.endpoint),
  );
  return async () => {
    await Promise.all(instances.map((d) => d.stop()));
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoints: string[];
    flowDefinitions: FlowDefinitions;
  }
}
