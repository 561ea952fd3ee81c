/**
 * `npm run bench`: the ingest path's figures as ratios against baselines measured in the same
 * process, on the same machine, against one in-memory DynamoDB Local started here. Prints
 * progress, a table with each target, and writes bench/results/latest.json. A missed target is
 * reported, never an error: the exit code is non-zero only when the bench itself crashes.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createKey } from '../lib/auth/api-keys.js';
import { DynamoDbKeyStore } from '../lib/auth/dynamodb-key-store.js';
import { createDynamoClient } from '../lib/aws/clients.js';
import { defaultModel } from '../lib/journey/index.js';
import { ensureTable, type LocalDynamo, startDynamoDbLocal } from '../local/dynamodb.js';
import { type ReportCost, reportCost, type WriteCost, writeCost } from './analytics.js';
import { coldStart, figuresD } from './cold-start.js';
import { benchEngine } from './engine.js';
import { CONCURRENCY, figuresA, figuresB, figuresC, figuresE, figuresF, figuresG } from './figures.js';
import type { FlowsIngest } from './flows-ingest.js';
import { type Handler, Probe } from './ingest-path.js';
import { type LogSink, sinkJsonLogs } from './log-sink.js';
import { type Figure, formatValue, table } from './report.js';
import { CASES, singleTouchpoints } from './round-trips.js';
import { type Bench, compareWithRaw } from './throughput.js';

const HANDLER_TABLE = 'bench-handler';
const RAW_TABLE = 'bench-raw';
/** Slices of (a) stop once the bench has run this long (two always run), so it ends well inside 2 min. */
const A_DEADLINE_MS = 60_000;

const t0 = performance.now();
let logSink: LogSink = { lines: 0, bytes: 0 };
const progress = (line: string) =>
  console.log(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}`);

async function main() {
  // `npm run bench -- --cold-start` runs (d) alone; it needs no DynamoDB Local.
  if (process.argv.includes('--cold-start')) {
    report(figuresD(await coldStart(progress)));
    return;
  }
  progress('starting DynamoDB Local (in memory)');
  let dynamo: LocalDynamo | undefined;
  try {
    dynamo = await startDynamoDbLocal();
    // `npm run bench -- --analytics` runs (e) and (f) alone.
    if (process.argv.includes('--analytics')) {
      const { e, f } = await analyticsBench(dynamo);
      report([...figuresE(e), ...figuresF(f)]);
      return;
    }
    const bench = await setUp(dynamo);
    const { journeyStore } = (await import('../lib/runtime/container.js')).container();

    const logged = { ...logSink };
    const a = await compareWithRaw(bench, {
      concurrency: CONCURRENCY,
      perCustomer: 10, // one whole journey cycle; 9 of 10 touchpoints hit an existing customer
      warmupCustomers: 16,
      sliceCustomers: CONCURRENCY,
      maxSlices: 6, // up to 1,920 touchpoints each way
      more: () => performance.now() - t0 < A_DEADLINE_MS,
    });

    const logLines = (logSink.lines - logged.lines) / (a.touchpoints + a.warmup);
    progress('(b) single touchpoints: new and existing customers, and an anonymous visitor who signs up');
    const b = await singleTouchpoints(bench, journeyStore.stats, 10);
    progress(`(b) ${CASES.map((c) => `${c.name}: ${b[c.name].requests} requests`).join('; ')}`);

    progress('(c) engine: applyTouchpoint on the state folded from 10 and from 10,000 touchpoints');
    const [short, long] = benchEngine(defaultModel, [10, 10_000]);
    progress(
      `(c) ${Math.round(short.evaluationsPerSecond)}/s at 10, ${Math.round(long.evaluationsPerSecond)}/s at 10,000`,
    );

    const d = await coldStart(progress);

    progress('(g) HTTP ingest on the local stack while flows run, against ingest alone (own process)');
    const g = await flowsIngest(dynamo.endpoint);
    progress(
      g
        ? `(g) ${g.withFlowsPerSecond.toFixed(0)}/s with flows vs ${g.alonePerSecond.toFixed(0)}/s alone; ` +
            `${g.executionsDuringFlows} executions, ${g.mailsDuringFlows} mails meanwhile`
        : '(g) failed, see above',
    );

    const { e, f } = await analyticsBench(dynamo);
    const figures = [
      ...figuresA(a, logLines),
      ...figuresB(b),
      ...figuresC(short, long),
      ...figuresD(d),
      ...figuresG(g),
      ...figuresE(e),
      ...figuresF(f),
    ];
    const seconds = (performance.now() - t0) / 1000;
    const dir = join(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const results = {
      startedAt: new Date(Date.now() - seconds * 1000).toISOString(),
      seconds,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      figures,
      a: { concurrency: CONCURRENCY, ...a, logLinesPerTouchpoint: logLines },
      b,
      c: { short, long },
      d,
      g,
      e,
      f,
    };
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);

    console.log(`\n${table(figures)}\n`);
    for (const f of figures.filter((f) => f.detail))
      console.log(`${f.id}  ${f.name}: ${formatValue(f)} — ${f.detail}`);
    const missed = figures.filter((f) => f.pass === false);
    console.log(
      `\n${missed.length ? `${missed.length} target(s) missed` : 'all targets met'}; ` +
        `${seconds.toFixed(1)} s; written to bench/results/latest.json`,
    );
  } finally {
    await dynamo?.stop();
  }
}

function report(figures: Figure[]) {
  console.log(`\n${table(figures)}\n`);
  for (const fig of figures.filter((x) => x.detail))
    console.log(`${fig.id}  ${fig.name}: ${formatValue(fig)} — ${fig.detail}`);
}

async function analyticsBench(dynamo: LocalDynamo): Promise<{ e: ReportCost[]; f: WriteCost }> {
  const e: ReportCost[] = [];
  for (const customers of [1_000, 100_000]) {
    progress(`(e) reports over ${customers.toLocaleString('en')} customers`);
    e.push(await reportCost(dynamo.client, customers, progress));
  }
  progress('(f) analytics WCU per touchpoint: the journey mix through ingest and the projector');
  const f = await writeCost(dynamo.client, 60);
  progress(`(f) ${f.touchpoints} touchpoints, ${f.transactions} contribution transactions`);
  return { e, f };
}

/** Tables, a real hashed key, and the handler imported after its environment is set, as in Lambda. */
async function setUp(dynamo: LocalDynamo): Promise<Bench> {
  await ensureTable(dynamo.client, HANDLER_TABLE);
  await ensureTable(dynamo.client, RAW_TABLE);
  process.env.TABLE_NAME = HANDLER_TABLE;
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO'; // as deployed; the lines go to logSink
  logSink = sinkJsonLogs();
  const { key } = await createKey(new DynamoDbKeyStore(dynamo.client, HANDLER_TABLE), {
    name: 'bench ingest key',
    scope: 'ingest',
    // The per-key token bucket stays on the path; its limit must not be what is measured.
    rateLimit: 1_000_000,
  });
  const { handler } = (await import('../functions/ingest.js')) as { handler: Handler };
  const { dynamoClient } = await import('../lib/aws/clients.js');
  const raw = createDynamoClient(dynamo.endpoint); // configured exactly as the handler's client
  progress(`DynamoDB Local at ${dynamo.endpoint}; tables ${HANDLER_TABLE}, ${RAW_TABLE}; key seeded`);
  return {
    handler,
    key,
    probe: new Probe(dynamoClient()),
    raw,
    rawProbe: new Probe(raw),
    rawTable: RAW_TABLE,
    dynamo,
    progress,
  };
}

/**
 * (g) runs in a child process: the local stack sets the handlers' environment for itself,
 * which this process's handlers already read for (a). Same DynamoDB Local, same machine.
 */
function flowsIngest(endpoint: string): Promise<FlowsIngest | null> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'flows-ingest.ts'), endpoint],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('exit', () => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as FlowsIngest);
      } catch {
        resolve(null);
      }
    });
  });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
