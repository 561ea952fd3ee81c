import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { hashKey, keyIdOf, type Scope } from '../lib/auth/api-keys.js';
import { DynamoDbKeyStore } from '../lib/auth/dynamodb-key-store.js';
import { createDynamoClient } from '../lib/aws/clients.js';
import { config } from '../lib/config.js';
import { engagementRulePattern } from '../lib/engagement/ses-event.js';
import { AUTHORIZER, FUNCTIONS } from '../lib/http/routes.js';
import { type FaultKind, newFaultState, shareFaultState } from '../lib/messaging/fault-injecting-sender.js';
import { type LambdaHandler, startApiServer } from './api-server.js';
import { serveConsole } from './console.js';
import { ensureTable, freePort, type LocalDynamo, startDynamoDbLocal } from './dynamodb.js';
import { watchDynamoDbLocal } from './dynamodb-watch.js';
import { type LocalEventBus, startLocalEventBus } from './event-bus.js';
import type { FlowDefinitions } from './flow-definitions.js';
import { connectFlowRules } from './flows.js';
import {
  type FlowsAnalyticsRelay,
  type FlowsStepFunctions,
  type FlowsStreamRelay,
  type FlowsWorker,
  startFlowsWorker,
} from './flows-host.js';
import { lambdaContext } from './lambda-context.js';
import { type LocalSes, startLocalSes } from './ses.js';
import { LocalStreamBacklog } from './stream-backlog.js';

/** The local SES's configuration sets: with open and click tracking, and without. */
export const LOCAL_CONFIGURATION_SETS = {
  tracked: 'stageflow-local',
  untracked: 'stageflow-local-untracked',
} as const;

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
  /**
   * The flows' definitions as synthesizeFlowDefinitions() (local/flow-synth.ts) returns them.
   * Omitted, the stack synthesizes them (seconds: aws-cdk-lib); the tests do it once per run.
   */
  flowDefinitions?: FlowDefinitions;
  /**
   * DynamoDB Local (started by the stack) died and could not be restarted: the stack is unusable.
   * Default: print why and exit the process with code 1.
   */
  onFatal?: (error: Error) => void;
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
  /** Relays the table's stream to the outbox relay handler, as the event source mapping does (flows worker). */
  streamRelay: FlowsStreamRelay;
  /** Relays the same stream to the analytics projector: the stream's second reader, as deployed. */
  analyticsRelay: FlowsAnalyticsRelay;
  /** The local Step Functions running the five flows (flows worker): `idle()`, `executions()`. */
  stepFunctions: FlowsStepFunctions;
  /** Resolves send claims whose lease ran out (the flows worker also does so on a timer). */
  sweepExpiredSends: FlowsWorker['sweepExpiredSends'];
  stop(): Promise<void>;
}

/**
 * Runs the whole backend on this machine: DynamoDB Local, the table as CDK defines it, the
 * same Lambda handlers behind an API-Gateway-shaped HTTP server, and the outbox path: the
 * table's stream relayed to the relay handler, which publishes to a local EventBridge bus.
 *
 * Two threads: this one serves the API, holds the bus and starts flows; the flows worker
 * (local/flows-worker.ts) relays the stream and runs the flows, so ingest stays fast while
 * flows are busy. The API listens last, once everything is configured: a request served
 * earlier would make the handlers read an incomplete environment for good.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const tableName = options.tableName ?? 'stageflow-local';
  // The API listens last (ready means seeded), so a taken port must fail before anything starts.
  const port = options.port ? await assertPortFree(host, options.port) : await freePort();
  const url = `http://${host}:${port}`;
  let dynamo: LocalDynamo | undefined;
  let endpoint = options.dynamodbEndpoint;
  if (!endpoint) {
    dynamo = await startDynamoDbLocal({ dataDir: options.dataDir });
    endpoint = dynamo.endpoint;
  }
  const client = dynamo?.client ?? createDynamoClient(endpoint);
  await ensureTable(client, tableName);
  const bus = await startLocalEventBus({ name: 'stageflow-local', log: options.log });
  // SES publishes its events to the default bus; locally the one bus stands in for both.
  const ses = await startLocalSes({
    host,
    port: options.sesPort ?? Number(process.env.STAGEFLOW_SES_PORT ?? 8005),
    publish: (event) => bus.publishServiceEvent(event),
    trackedConfigurationSets: [LOCAL_CONFIGURATION_SETS.tracked],
  });
  configureEnvironment({ tableName, endpoint, url, ses, bus });
  const keys = await seedKeys(client, tableName, options);

  // SES faults injected from either thread fail the next sends in both.
  const sesFaults = newFaultState();
  shareFaultState(sesFaults);
  const flows = await startFlowsWorker({
    dynamodbEndpoint: endpoint,
    tableName,
    checkpointFile: options.dataDir ? join(options.dataDir, 'stream-relay-checkpoints.json') : undefined,
    analyticsCheckpointFile: options.dataDir
      ? join(options.dataDir, 'analytics-relay-checkpoints.json')
      : undefined,
    sesFaults,
    flowDefinitions: options.flowDefinitions,
    sweepEveryMs: Math.min(60_000, Number(process.env.STAGEFLOW_SEND_LEASE_SECONDS ?? 300) * 1000),
    log: options.log !== undefined,
    onLog: options.log,
  });
  // The starter's SFN client only has its endpoint changed.
  process.env.STEPFUNCTIONS_ENDPOINT = flows.stepFunctions.endpoint;
  process.env.FLOW_STATE_MACHINE_ARN_PREFIX = flows.arnPrefix;

  // The same handler modules CDK bundles, one per entry in FUNCTIONS, read their settings now.
  const handlers: Record<string, LambdaHandler> = {};
  for (const [name, fn] of Object.entries(FUNCTIONS)) {
    handlers[name] = (await import(`../${fn.entry.replace(/\.ts$/, '.js')}`)).handler;
  }
  assertConfigured(url);
  // The reports' stream backlog is the analytics relay's position (there is no CloudWatch here).
  const { useLocalStreamBacklog } = await import('../lib/runtime/analytics-reports.js');
  const backlog = new LocalStreamBacklog(flows.analyticsRelay);
  useLocalStreamBacklog(backlog);
  const { messaging } = await import('../lib/runtime/messaging.js');
  const { seedDefaults } = await import('../lib/runtime/seed-defaults.js');
  await seedDefaults(messaging());
  // One line per campaign run started here (the starter); the worker prints its send decisions.
  // Imported here, not on top: the logger it uses reads POWERTOOLS_LOG_LEVEL when it loads.
  (await import('../lib/flows/trace.js')).setFlowTraceSink(options.log);
  connectFlowRules(bus, handlers.startFlow);
  // Every SES event of the two configuration sets to the same consumer as deployed.
  bus.addRule(
    'stageflow-local-ses-events',
    engagementRulePattern(Object.values(LOCAL_CONFIGURATION_SETS)),
    async (event) => {
      await handlers.sesEvents(event, lambdaContext('sesEvents'));
    },
  );
  const server: Server = await startApiServer({
    host,
    port,
    handlers,
    // The Lambda authorizer before every non-public route, as API Gateway runs it deployed.
    authorizer: { handler: handlers[AUTHORIZER.function] },
    // The console (web/dist) from the same origin, as CloudFront serves it deployed.
    staticFiles: serveConsole,
    log: options.log,
  });
  if (dynamo) {
    watchDynamoDbLocal(dynamo, options, async (restarted) => {
      dynamo = restarted;
      // In memory, the table went with the process; with a data dir these are no-ops.
      await ensureTable(client, tableName);
      await seedKeys(client, tableName, options);
      await seedDefaults(messaging());
      await flows.restartStreamRelay();
    });
  }
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
    streamRelay: flows.streamRelay,
    analyticsRelay: flows.analyticsRelay,
    stepFunctions: flows.stepFunctions,
    sweepExpiredSends: flows.sweepExpiredSends,
    stop: async () => {
      useLocalStreamBacklog(undefined, backlog);
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

/** The handlers read their configuration from the environment at first use, as in Lambda. */
function configureEnvironment(at: {
  tableName: string;
  endpoint: string;
  url: string;
  ses: LocalSes;
  bus: LocalEventBus;
}): void {
  process.env.TABLE_NAME = at.tableName;
  process.env.DYNAMODB_ENDPOINT = at.endpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.STAGEFLOW_AUTH_CACHE_MS ??= '1000';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.SES_ENDPOINT = at.ses.endpoint;
  process.env.SES_CONFIGURATION_SET = LOCAL_CONFIGURATION_SETS.tracked;
  process.env.SES_UNTRACKED_CONFIGURATION_SET = LOCAL_CONFIGURATION_SETS.untracked;
  process.env.STAGEFLOW_SES_FAULTS = 'on';
  // A fixed dev secret: deployed stacks read theirs from Secrets Manager (…_SECRET_ARN).
  process.env.STAGEFLOW_UNSUBSCRIBE_SECRET ??= 'stageflow-local-unsubscribe-secret';
  process.env.STAGEFLOW_PUBLIC_URL = at.url; // unsubscribe links point at this API
  // The relay's EventBridge client only has its endpoint changed.
  process.env.EVENT_BUS_NAME = at.bus.name;
  process.env.EVENTBRIDGE_ENDPOINT = at.bus.endpoint;
}

/**
 * Fails the start, loudly, when the configuration is invalid or was read before it was
 * complete: a handler that cached it then would fail every mail it sends.
 */
function assertConfigured(url: string): void {
  const read = config();
  if (read.publicUrl !== url) {
    throw new Error(
      `the configuration was read before the stack set it (STAGEFLOW_PUBLIC_URL ${read.publicUrl ?? 'unset'}, expected ${url})`,
    );
  }
}

/** The local keys, stored once (hashed, as `npm run keys` stores them). */
async function seedKeys(
  client: ReturnType<typeof createDynamoClient>,
  tableName: string,
  options: LocalStackOptions,
): Promise<{ ingest: string; admin: string }> {
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
  return keys;
}

/** Resolves with `port` if nothing listens on it, or fails with EADDRINUSE as listen() would. */
function assertPortFree(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve(port)));
  });
}
