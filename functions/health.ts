import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from '../lib/aws/clients.js';
import { config } from '../lib/config.js';
import type { HttpResult } from '../lib/http/middleware.js';
import { logger } from '../lib/runtime/container.js';
import { httpHandler } from '../lib/runtime/handlers.js';
import { TABLE } from '../lib/storage/table.js';

/** A health check must answer well within the function's 3 s timeout, even while DynamoDB hangs. */
const CHECK_TIMEOUT_MS = 1_000;
/** /health needs no key: a healthy answer is reused briefly, so callers cannot drive table reads. */
const HEALTHY_FOR_MS = 2_000;
let healthyUntil = 0;

const answer = (statusCode: number, body: unknown, headers: Record<string, string> = {}) => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});
const HEALTHY = { status: 'ok', service: 'stageflow' } as const;

/**
 * GET /health: no key. Healthy means the table answers: one GetItem of a key nothing writes
 * (the cheapest read there is). A table that does not answer is a 503 problem, so a load
 * balancer, an uptime check or `npm start`'s own readiness never calls a dead backend healthy.
 */
export const handler = httpHandler(
  async (): Promise<HttpResult> => {
    if (Date.now() < healthyUntil) return answer(200, HEALTHY);
    try {
      await dynamoClient().send(
        new GetItemCommand({
          TableName: config().tableName,
          Key: { [TABLE.partitionKey]: { S: 'HEALTH' }, [TABLE.sortKey]: { S: 'HEALTH' } },
          ProjectionExpression: '#pk',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
        { abortSignal: AbortSignal.timeout(CHECK_TIMEOUT_MS) },
      );
    } catch (error) {
      logger.error('health check: the table does not answer', { error: (error as Error).name });
      const problem = {
        type: 'https://stageflow.dev/problems/unavailable',
        title: 'Service unavailable',
        status: 503,
        detail: 'The table does not answer; retry later',
      };
      return answer(503, problem, { 'content-type': 'application/problem+json', 'retry-after': '5' });
    }
    healthyUntil = Date.now() + HEALTHY_FOR_MS;
    return answer(200, HEALTHY);
  },
  { scope: 'public' },
);
