/**
 * The flows worker: a worker thread that runs everything after the API's answer, so a busy
 * flow never slows ingest: the table's stream relayed to the outbox relay handler, the local
 * Step Functions with the flow task handlers, and the sweeper of expired send claims. The API
 * thread keeps the HTTP server, the bus and the flow starter. Messages: see FlowsWorkerCall.
 */
import './polyfills.js';
import { parentPort, workerData } from 'node:worker_threads';
import { ANALYTICS_FILTER_PATTERN } from '../lib/analytics/stream-filter.js';
import { createDynamoClient } from '../lib/aws/clients.js';
import { OUTBOX_FILTER_PATTERN } from '../lib/events/outbox-filter.js';
import { FUNCTIONS } from '../lib/http/routes.js';
import { shareFaultState } from '../lib/messaging/fault-injecting-sender.js';
import type { LambdaHandler } from './api-server.js';
import { startLocalFlows } from './flows.js';
import type { FlowsWorkerCall, FlowsWorkerData, FlowsWorkerMessage } from './flows-worker-protocol.js';
import { sweepExpiredSends } from './send-sweeper.js';
import { type StreamHandler, startStreamRelay } from './stream-relay.js';

const data = workerData as FlowsWorkerData;
const port = parentPort!;
const post = (message: FlowsWorkerMessage) => port.postMessage(message);
const log = data.log ? (line: string) => post({ type: 'log', line }) : undefined;

shareFaultState(data.sesFaults);
// The flow handlers here print their send decisions through the API thread's log.
if (log) (await import('../lib/flows/trace.js')).setFlowTraceSink(log);
const handlers: Record<string, LambdaHandler> = {};
for (const name of ['flowPlan', 'flowSend', 'issueRewards', 'relayOutbox', 'projectAnalytics'] as const) {
  handlers[name] = (await import(`../${FUNCTIONS[name].entry.replace(/\.ts$/, '.js')}`)).handler;
}
const client = createDynamoClient(data.dynamodbEndpoint);
const flows = await startLocalFlows({ handlers, log, definitions: data.flowDefinitions });
const relayStream = () =>
  startStreamRelay({
    dynamodb: client,
    endpoint: data.dynamodbEndpoint,
    tableName: data.tableName,
    handler: handlers.relayOutbox as StreamHandler,
    filter: OUTBOX_FILTER_PATTERN,
    checkpointFile: data.checkpointFile,
    log,
    onStats: (stats) => post({ type: 'relay-stats', stats }),
  });
// The stream's second reader, as deployed: the analytics projector.
const relayAnalytics = () =>
  startStreamRelay({
    dynamodb: client,
    endpoint: data.dynamodbEndpoint,
    tableName: data.tableName,
    handler: handlers.projectAnalytics as StreamHandler,
    filter: ANALYTICS_FILTER_PATTERN,
    functionName: 'projectAnalytics',
    checkpointFile: data.analyticsCheckpointFile,
    log,
    onStats: (stats) => post({ type: 'analytics-stats', stats }),
  });
let streamRelay = await relayStream();
let analyticsRelay = await relayAnalytics();

// Claims left `sending` by a stack that was killed: now, and whenever a lease can have run out.
const { flowDeps } = await import('../lib/runtime/flows.js');
const sweep = () => sweepExpiredSends({ client, tableName: data.tableName, deps: flowDeps(), log });
let sweeping = sweep().catch((error: Error) => log?.(`send sweeper: ${error.message}`));
const sweeper = setInterval(() => {
  sweeping = sweeping.then(sweep).catch((error: Error) => log?.(`send sweeper: ${error.message}`));
}, data.sweepEveryMs);

port.on('message', async (call: FlowsWorkerCall) => {
  try {
    const result = await answer(call);
    post({ type: 'reply', id: call.id, result });
  } catch (error) {
    post({ type: 'reply', id: call.id, error: (error as Error).message });
  }
});

async function answer(call: FlowsWorkerCall): Promise<unknown> {
  switch (call.call) {
    case 'idle':
      return flows.stepFunctions.idle();
    case 'settled':
      return streamRelay.settled();
    case 'analytics-settled':
      return analyticsRelay.settled();
    case 'analytics-backlog':
      return analyticsRelay.backlog();
    case 'restart-relay':
      // DynamoDB Local came back (local/dynamodb-watch.ts): its stream is a new one.
      await streamRelay.stop();
      await analyticsRelay.stop();
      streamRelay = await relayStream();
      analyticsRelay = await relayAnalytics();
      return undefined;
    case 'executions':
      return [...flows.stepFunctions.executions.values()];
    case 'sweep':
      await sweeping;
      return sweep();
    case 'stop':
      clearInterval(sweeper);
      await streamRelay.stop();
      await analyticsRelay.stop();
      await flows.stop();
      client.destroy();
      return undefined;
  }
}

post({ type: 'ready', endpoint: flows.endpoint, arnPrefix: flows.arnPrefix });
