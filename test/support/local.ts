import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createDynamoClient } from '../../lib/aws/clients.js';
import { ensureTable, freePort } from '../../local/dynamodb.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import { expectContract } from './contract.js';

/** A fresh table name per test file, so files never see each other's data. */
export const uniqueTable = (label: string) => `test-${label}-${randomUUID().slice(0, 8)}`;

/** A unique id for a test's customers and messages. */
export const uid = (label = 'id') => `${label}-${randomUUID().slice(0, 12)}`;

/**
 * This worker's DynamoDB Local. Global setup starts one per worker (files run two at a time):
 * DynamoDB Local serialises writes behind one lock per database, so two busy files on one
 * instance time out each other's transactions ("too long waiting for a lock").
 * VITEST_POOL_ID (1, 2, …) tells the workers apart.
 */
export function dynamodbEndpoint(): string {
  const endpoints = inject('dynamodbEndpoints');
  const worker = Number(process.env.VITEST_POOL_ID ?? 1);
  return endpoints[(Math.max(1, worker) - 1) % endpoints.length];
}

/** A DynamoDB client and a new table in this worker's DynamoDB Local. */
export async function testTable(label: string) {
  const endpoint = dynamodbEndpoint();
  const client = createDynamoClient(endpoint);
  const tableName = uniqueTable(label);
  await ensureTable(client, tableName);
  return { client, tableName, endpoint };
}

/** The whole local stack (same handlers as Lambda) on a free port, over the shared DynamoDB Local. */
export async function testStack(label: string): Promise<LocalStack> {
  // A test customer is never held out of a seeded campaign by chance (its id is random);
  // tests of the holdout make their own campaigns.
  process.env.STAGEFLOW_SEED_HOLDOUT_PERCENT ??= '0';
  return startLocalStack({
    dynamodbEndpoint: dynamodbEndpoint(),
    tableName: uniqueTable(label),
    port: await freePort(),
    sesPort: 0,
    // Synthesized once by global setup (the same function the stack would call).
    flowDefinitions: inject('flowDefinitions'),
  });
}

/** fetch with a key and JSON; every response is checked against its route's contract (contract.ts). */
export function api(stack: LocalStack, key = stack.keys.ingest) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(stack.url + path, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    expectContract(method, path, res.status, res.headers.get('content-type'), json);
    // biome-ignore lint/suspicious/noExplicitAny: test helper returns loosely typed JSON
    return { status: res.status, headers: res.headers, body: json as any };
  };
}
