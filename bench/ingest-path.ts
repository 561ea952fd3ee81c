import type { IncomingMessage } from 'node:http';
import {
  type DynamoDBClient,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ROUTES } from '../lib/http/routes.js';
import { keys } from '../lib/storage/table.js';
import { toEvent } from '../local/api-server.js';
import { pool, touchpointBody } from './workload.js';

// biome-ignore lint/suspicious/noExplicitAny: the handler is called the way API Gateway calls it
export type Handler = (event: any, context: Context) => Promise<any>;

export const API_KEY_LOOKUP = 'GetItem (API key, cached per process)';

/** Counts every command a client sends, by name, and can record TransactWriteItems inputs. */
export class Probe {
  readonly sent = new Map<string, number>();
  /** Per command: total ms from send to result (retries included) and HTTP attempts. */
  readonly timing = new Map<string, { ms: number; attempts: number }>();
  capturing = false;
  captured: TransactWriteItemsCommandInput[] = [];

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        // The API key lookup is cached per process (30 s); it is named apart from the journey's requests.
        const key = (args.input as { Key?: { pk?: { S?: string } } }).Key?.pk?.S;
        const name = key === keys.apiKeys ? API_KEY_LOOKUP : (context.commandName ?? '?');
        this.sent.set(name, (this.sent.get(name) ?? 0) + 1);
        if (this.capturing && name === 'TransactWriteItemsCommand') {
          this.captured.push(args.input as TransactWriteItemsCommandInput);
        }
        const started = performance.now();
        let attempts = 1;
        try {
          const out = await next(args);
          attempts = (out.output as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
          return out;
        } catch (error) {
          attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
          throw error;
        } finally {
          const t = this.timing.get(name) ?? { ms: 0, attempts: 0 };
          t.ms += performance.now() - started;
          t.attempts += attempts;
          this.timing.set(name, t);
        }
      },
      { step: 'initialize', name: 'benchProbe' },
    );
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.sent);
  }

  /** Mean latency and HTTP attempts per command since the last call, e.g. `TransactWriteItems 41.2 ms ×1.00`. */
  drain(): string {
    const parts = [...this.timing].map(([name, t]) => {
      const n = this.sent.get(name)! - (this.drained.get(name) ?? 0);
      this.drained.set(name, this.sent.get(name)!);
      return `${name.replace(/Command$/, '')} ${(t.ms / n).toFixed(1)} ms ×${(t.attempts / n).toFixed(2)}`;
    });
    this.timing.clear();
    return parts.join(', ');
  }

  private readonly drained = new Map<string, number>();
}

export const diffCounts = (after: Record<string, number>, before: Record<string, number>) => {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
};

const ROUTE = ROUTES.find((r) => r.method === 'POST' && r.path === '/v1/touchpoints')!;

/** An API Gateway v2 event for `POST /v1/touchpoints`, built by the local API server's own code. */
export function touchpointEvent(body: unknown, key: string): APIGatewayProxyEventV2 {
  const text = JSON.stringify(body);
  const req = {
    headers: {
      host: 'localhost:3000',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      authorization: `Bearer ${key}`,
      'user-agent': 'stageflow-bench',
    },
    httpVersion: '1.1',
    socket: { remoteAddress: '127.0.0.1' },
  } as unknown as IncomingMessage;
  return toEvent(req, new URL(ROUTE.path, 'http://localhost'), 'POST', ROUTE, {}, text);
}

export const lambdaContext = (): Context =>
  ({
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'stageflow-bench-ingest',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:stageflow-bench-ingest',
    memoryLimitInMB: '1024',
    awsRequestId: 'bench',
    logGroupName: '/aws/lambda/stageflow-bench-ingest',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 29_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }) as Context;

export interface RunResult {
  touchpoints: number;
  ms: number;
  perSecond: number;
  failures: number;
  firstFailure?: string;
}

/**
 * Sends `perCustomer` touchpoints for each customer through the handler, `concurrency`
 * customers at a time, each customer's touchpoints in order (the common, in-order path).
 */
export async function runHandler(
  handler: Handler,
  key: string,
  customers: readonly string[],
  perCustomer: number,
  concurrency: number,
): Promise<RunResult> {
  // API Gateway builds the event before the function runs; so does the bench, outside the clock.
  const events = customers.map((c) =>
    Array.from({ length: perCustomer }, (_, i) => touchpointEvent(touchpointBody(c, i), key)),
  );
  const context = lambdaContext();
  let failures = 0;
  let firstFailure: string | undefined;
  const started = performance.now();
  await pool(events, concurrency, async (list) => {
    for (const event of list) {
      const result = await handler(event, context);
      if (result?.statusCode !== 200) {
        failures++;
        firstFailure ??= `${result?.statusCode} ${result?.body}`;
      }
    }
  });
  const ms = performance.now() - started;
  const touchpoints = customers.length * perCustomer;
  return { touchpoints, ms, perSecond: (touchpoints / ms) * 1000, failures, firstFailure };
}

/** The captured transactions retargeted at another table, grouped by customer in commit order. */
export function retarget(
  captured: readonly TransactWriteItemsCommandInput[],
  tableName: string,
): TransactWriteItemsCommandInput[][] {
  const byCustomer = new Map<string, TransactWriteItemsCommandInput[]>();
  for (const input of captured) {
    const items = (input.TransactItems ?? []).map((item): TransactWriteItem => {
      const [kind, op] = Object.entries(item)[0] as [keyof TransactWriteItem, { TableName?: string }];
      return { [kind]: { ...op, TableName: tableName } } as TransactWriteItem;
    });
    const customer = items[0]?.Put?.Item?.pk?.S ?? '?';
    const list = byCustomer.get(customer) ?? [];
    list.push({ ...input, TransactItems: items });
    byCustomer.set(customer, list);
  }
  return [...byCustomer.values()];
}

/** Raw TransactWriteItems of exactly those items, at the same concurrency and per-customer order. */
export async function runRaw(
  client: DynamoDBClient,
  transactions: readonly TransactWriteItemsCommandInput[][],
  touchpoints: number,
  concurrency: number,
): Promise<RunResult & { transactions: number; consumedWcu: number }> {
  let failures = 0;
  let firstFailure: string | undefined;
  let consumedWcu = 0;
  const started = performance.now();
  await pool(transactions, concurrency, async (list) => {
    for (const input of list) {
      try {
        const out = await client.send(new TransactWriteItemsCommand(input));
        for (const c of out.ConsumedCapacity ?? [])
          consumedWcu += c.WriteCapacityUnits ?? c.CapacityUnits ?? 0;
      } catch (error) {
        failures++;
        firstFailure ??= (error as Error).message;
      }
    }
  });
  const ms = performance.now() - started;
  return {
    touchpoints,
    transactions: transactions.reduce((n, l) => n + l.length, 0),
    ms,
    perSecond: (touchpoints / ms) * 1000,
    failures,
    firstFailure,
    consumedWcu,
  };
}
