import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { FUNCTIONS, type FunctionSpec } from '../lib/http/routes.js';

/**
 * The Lambda context the local stack hands a handler: named like the deployed function, with
 * the memory and the deadline its FUNCTIONS entry gives it (so middy's timeout logic and
 * Powertools see what they would see in Lambda).
 */
export function lambdaContext(name: string): Context {
  const spec = (FUNCTIONS as Record<string, FunctionSpec>)[name];
  const deadline = Date.now() + (spec?.timeoutSeconds ?? 60) * 1000;
  const functionName = `stageflow-local-${name}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(spec?.memoryMb ?? 512),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
