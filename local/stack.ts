import type { Server } from 'node:http';
import { join } from 'node:path';
import { DynamoDbKeyStore, hashKey, keyIdOf, type Scope } from '../lib/auth/api-keys.js';
import { createDynamoClient } from '../lib/aws/clients.js';
import { OUTBOX_FILTER_PATTERN } from '../lib/events/outbox-filter.js';
import { AUTHORIZER, FUNCTIONS } from '../lib/http/routes.js';
import type { FaultKind } from '../lib/messaging/fault-injecting-sender.js';
import { type LambdaHandler, startApiServer } from './api-server.js';
import { serveConsole } from './console.js';
import { ensureTable, type LocalDynamo, startDynamoDbLocal } from './dynamodb.js';
import { type LocalEventBus, startLocalEventBus } from './event-bus.js';
import { startLocalFlows } from './flows.js';
import { type LocalSes, startLocalSes } from './ses.js';
import type { LocalStepFunctions } from './step-functions.js';
import { type LocalStreamRelay, type StreamHandler, startStreamRelay } from './stream-relay.js';

/** Keys the local stack accepts unless STAGEFLOW_API_KEY / STAGEFLOW_ADMIN_KEY say otherwise. */
export const DEFAULT_LOCAL_KEYS = {
  ingest: 'sf_local_ingest_key',
  admin: 'sf_local_admin_key',
} as const;

export interface LocalStackOptions {
  host?: string;
  port?: number;
  /** Use a running DynamoDB Local instead of starting one (tests share one). */
  dynamodbEndpoint?: string;
  /** Keep DynamoDB data here between runs; omit for in-memory. */
  dataDir?: string;
  tableName?: string;
  apiKey?: string;
  adminKey?: string;
  /** aws-ses-v2-local's port (default STAGEFLOW_SES_PORT or 8005); 0 picks a free one (tests). */
  sesPort?: number;
  log?: (line: string) => void;
}

export interface LocalStack {
  url: string;
  dynamodbEndpoint: string;
  tableName: string;
  keys: { ingest: string; admin: string };
  /** aws-ses-v2-local: captured mail at `storeUrl`; `failNext` fails the next sends before SES. */
  ses: Omit<LocalSes, 'stop'> & { failNext(n: number, kind?: FaultKind): void };
  /** The local EventBridge bus: `bus.events`, `bus.addRule(name, pattern, target)`, fault injection. */
  bus: LocalEventBus;
  /** Relays the table's stream to the outbox relay handler, as the event source mapping does. */
  streamRelay: LocalStreamRelay;
  /** The local Step Functions running the five flows: `executions`, `idle()`. */
  stepFunctions: LocalStepFunctions;
  stop(): Promise<void>;
}

/**
 * Runs the whole backend on this machine: DynamoDB Local, the table as CDK defines it, the
 * same Lambda handlers behind an API-Gateway-shaped HTTP server, and the outbox path: the
 * table's stream relayed to the relay handler, which publishes to a local EventBridge bus.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const tableName = options.tableName ?? 'stageflow-local';
  let dynamo: LocalDynamo | undefined;
  let endpoint = options.dynamodbEndpoint;
  if (!endpoint) {
    dynamo = await startDynamoDbLocal({ dataDir: options.dataDir });
    endpoint = dynamo.endpoint;
  }
  const client = dynamo?.client ?? createDynamoClient(endpoint);
  await ensureTable(client, tableName);

  // The handlers read their configuration from the environment at first use, as in Lambda.
  process.env.TABLE_NAME = tableName;
  process.env.DYNAMODB_ENDPOINT = endpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.STAGEFLOW_AUTH_CACHE_MS ??= '1000';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const ses = await startLocalSes({
    host,
    port: options.sesPort ?? Number(process.env.STAGEFLOW_SES_PORT ?? 8005),
  });
  process.env.SES_ENDPOINT = ses.endpoint;
  process.env.STAGEFLOW_SES_FAULTS = 'on';
  // A fixed dev secret: deployed stacks read theirs from Secrets Manager (…_SECRET_ARN).
  process.env.STAGEFLOW_UNSUBSCRIBE_SECRET ??= 'stageflow-local-unsubscribe-secret';

  // Before the handlers load: the relay's EventBridge client only has its endpoint changed.
  const bus = await startLocalEventBus({ name: 'stageflow-local', log: options.log });
  process.env.EVENT_BUS_NAME = bus.name;
  process.env.EVENTBRIDGE_ENDPOINT = bus.endpoint;

  const keys = {
    ingest: options.apiKey ?? process.env.STAGEFLOW_API_KEY ?? DEFAULT_LOCAL_KEYS.ingest,
    admin: options.adminKey ?? process.env.STAGEFLOW_ADMIN_KEY ?? DEFAULT_LOCAL_KEYS.admin,
  };
  const keyStore = new DynamoDbKeyStore(client, tableName);
  for (const [scope, key] of Object.entries(keys) as [Scope, string][]) {
    const hash = hashKey(key);
    if (!(await keyStore.get(hash))) {
      await keyStore.put({
        keyId: keyIdOf(hash),
        hash,
        name: `local ${scope} key (from ${scope === 'ingest' ? 'STAGEFLOW_API_KEY' : 'STAGEFLOW_ADMIN_KEY'})`,
        scope,
        createdAt: new Date().toISOString(),
      });
    }
  }

  // The flows' state machines, as synthesized, behind a local Step Functions endpoint; their
  // tasks run the handlers loaded below. The starter's SFN client only has its endpoint changed.
  const handlers: Record<string, LambdaHandler> = {};
  const flows = await startLocalFlows({ handlers, log: options.log });
  process.env.STEPFUNCTIONS_ENDPOINT = flows.endpoint;
  process.env.FLOW_STATE_MACHINE_ARN_PREFIX = flows.arnPrefix;

  // The same handler modules CDK bundles, one per entry in FUNCTIONS.
  for (const [name, fn] of Object.entries(FUNCTIONS)) {
    handlers[name] = (await import(`../${fn.entry.replace(/\.ts$/, '.js')}`)).handler;
  }
  flows.connect(bus, handlers.startFlow);
  const server: Server = await startApiServer({
    host,
    port: options.port ?? 3000,
    handlers,
    // The Lambda authorizer before every non-public route, as API Gateway runs it deployed.
    authorizer: { handler: handlers[AUTHORIZER.function] },
    // The console (web/dist) from the same origin, as CloudFront serves it deployed.
    staticFiles: serveConsole,
    log: options.log,
  });
  const streamRelay = await startStreamRelay({
    dynamodb: client,
    endpoint,
    tableName,
    handler: handlers.relayOutbox as StreamHandler,
    filter: OUTBOX_FILTER_PATTERN,
    checkpointFile: options.dataDir ? join(options.dataDir, 'stream-relay-checkpoints.json') : undefined,
    log: options.log,
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host}:${port}`;
  process.env.STAGEFLOW_PUBLIC_URL = url; // unsubscribe links point at this API
  const { messaging } = await import('../lib/runtime/messaging.js');
  const { seedDefaults } = await import('../lib/runtime/seed-defaults.js');
  await seedDefaults(messaging());
  return {
    url,
    dynamodbEndpoint: endpoint,
    tableName,
    keys,
    ses: {
      endpoint: ses.endpoint,
      storeUrl: ses.storeUrl,
      mails: ses.mails,
      failNext: (n, kind) => messaging().sesFaults?.failNext(n, kind),
    },
    bus,
    streamRelay,
    stepFunctions: flows.stepFunctions,
    stop: async () => {
      await streamRelay.stop();
      await flows.stop();
      await bus.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await ses.stop();
      await dynamo?.stop();
    },
  };
}
