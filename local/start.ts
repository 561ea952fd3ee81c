import { LOCAL_STATE_FILE, removeLocalState, writeLocalState } from '../lib/auth/aws-key-admin.js';
import { CONSOLE_PATH, ensureConsoleBuilt } from './console.js';
import { startLocalStack } from './stack.js';

const args = new Set(process.argv.slice(2));
if (args.has('--help') || args.has('-h')) {
  console.log(`Usage: npm start [-- --in-memory] [-- --quiet]

Runs Stageflow locally: DynamoDB Local, the table, and the API on 127.0.0.1:$PORT (default 3000).
  --in-memory   keep nothing between runs (default: data in .stageflow/)
  --quiet       do not log each request, flow run and send decision
Environment: PORT, STAGEFLOW_API_KEY, STAGEFLOW_ADMIN_KEY, STAGEFLOW_SES_PORT (default 8005),
  STAGEFLOW_TIME_SCALE (default 1: real time; 0.00001 makes a flow's day last about a second)`);
  process.exit(0);
}

const inMemory = args.has('--in-memory');
const port = Number(process.env.PORT ?? 3000);
const step = (message: string) => console.log(`stageflow: ${message}`);

try {
  ensureConsoleBuilt(step);
} catch (error) {
  console.error(`stageflow: ${(error as Error).message}`);
  process.exit(1);
}
step(`starting DynamoDB Local (${inMemory ? 'in memory' : 'data in .stageflow/dynamodb'})…`);
const stack = await startLocalStack({
  port,
  dataDir: inMemory ? undefined : '.stageflow/dynamodb',
  log: args.has('--quiet') ? undefined : (line) => console.log(`  ${line}`),
}).catch((error: Error) => {
  console.error(`stageflow: could not start: ${error.message}`);
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`stageflow: port ${port} is in use; set PORT to another port`);
  }
  process.exit(1);
});

// `npm run keys` and other tools find this running stack (its DynamoDB Local port is random) here.
writeLocalState({
  url: stack.url,
  dynamodbEndpoint: stack.dynamodbEndpoint,
  tableName: stack.tableName,
  sesStoreUrl: stack.ses.storeUrl,
  pid: process.pid,
  startedAt: new Date().toISOString(),
});
process.on('exit', () => removeLocalState());

console.log(`
Stageflow is running.

  Console      ${stack.url}${CONSOLE_PATH}   (sign in with the admin key below)
  API          ${stack.url}
  Health       ${stack.url}/health
  DynamoDB     ${stack.dynamodbEndpoint} (table ${stack.tableName})
  Mail (SES)   ${stack.ses.endpoint}   (inbox; JSON at ${stack.ses.storeUrl})
  Event bus    ${stack.bus.endpoint} (${stack.bus.name}; the table's stream is relayed to it)
  Flows        ${stack.stepFunctions.endpoint} (local Step Functions, 5 state machines)
  Time scale   ${process.env.STAGEFLOW_TIME_SCALE ?? '1'} (STAGEFLOW_TIME_SCALE; 1 is real time)
  Ingest key   ${stack.keys.ingest}   (STAGEFLOW_API_KEY)
  Admin key    ${stack.keys.admin}   (STAGEFLOW_ADMIN_KEY)

Try:
  curl -s -X POST ${stack.url}/v1/touchpoints -H 'authorization: Bearer ${stack.keys.ingest}' \\
    -H 'content-type: application/json' \\
    -d '{"messageId":"m1","userId":"u1","event":"Product Viewed"}'
  npm run keys -- create --name my-shop --scope ingest   (this stack, via ${LOCAL_STATE_FILE})
  API docs: ${stack.url}/v1/openapi.json

Ctrl-C stops everything.`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  step(`${signal}: stopping…`);
  await stack.stop();
  step('stopped');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGHUP', () => void stop('SIGHUP'));
// A SIGTERM to `npm start`'s own process reaches the shell npm runs the script in, which dies
// without passing it on: this process is orphaned. It notices by its parent changing and stops,
// so DynamoDB Local goes with it and the ports are freed.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop('parent process gone');
}, 250).unref();
