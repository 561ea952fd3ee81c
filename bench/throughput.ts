import { readFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalDynamo } from '../local/dynamodb.js';
import {
  diffCounts,
  type Handler,
  type Probe,
  type RunResult,
  retarget,
  runHandler,
  runRaw,
} from './ingest-path.js';

export interface Bench {
  handler: Handler;
  key: string;
  /** On the handler's DynamoDB client. */
  probe: Probe;
  /** A client configured as the handler's, for the raw baseline, and its probe. */
  raw: DynamoDBClient;
  rawProbe: Probe;
  rawTable: string;
  dynamo: LocalDynamo;
  progress: (line: string) => void;
}

export interface ThroughputOptions {
  concurrency: number;
  /** One whole journey cycle per customer, sent in order. */
  perCustomer: number;
  warmupCustomers: number;
  /** Customers per slice; one per worker keeps all of them busy to the end of the slice. */
  sliceCustomers: number;
  maxSlices: number;
  /** Run another slice only while this is true (two always run). */
  more: () => boolean;
}

interface Side extends RunResult {
  cpuMs: number;
  dynamoCpuMs: number;
  latency: string;
}

export interface Throughput {
  handlerPerSecond: number;
  rawPerSecond: number;
  ratio: number;
  touchpoints: number;
  /** Touchpoints sent through the handler to warm up, before the slices. */
  warmup: number;
  slices: { handler: Side; raw: Side }[];
  /** Node CPU (this process) and DynamoDB Local CPU per touchpoint, each side. */
  cpuPerTouchpoint: { handler: number; raw: number; dynamoHandler: number; dynamoRaw: number };
  requestsPerTouchpoint: number;
  failures: number;
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/** CPU the DynamoDB Local JVM has used so far (Linux /proc; 0 elsewhere), to see which side is busy. */
function dynamoCpuMs(dynamo: LocalDynamo): number {
  try {
    const stat = readFileSync(`/proc/${dynamo.process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ ticks
  } catch {
    return 0;
  }
}

const customers = (label: string, n: number) => Array.from({ length: n }, (_, i) => `bench-${label}-c${i}`);

/** Runs `work` and accounts the CPU both processes spent on it. */
async function accounted<T extends RunResult>(
  b: Bench,
  probe: Probe,
  work: () => Promise<T>,
): Promise<T & Side> {
  const cpu = process.cpuUsage();
  const db = dynamoCpuMs(b.dynamo);
  const result = await work();
  return {
    ...result,
    cpuMs: cpuMs(process.cpuUsage(cpu)),
    dynamoCpuMs: dynamoCpuMs(b.dynamo) - db,
    latency: probe.drain(),
  };
}

/**
 * (a) Touchpoints per second through the handler vs raw TransactWriteItems of exactly the
 * transactions the handler committed, replayed at the same concurrency in the same
 * per-customer order. Short slices alternate the two, so load that comes and goes on a shared
 * machine hits both alike.
 */
export async function compareWithRaw(b: Bench, o: ThroughputOptions): Promise<Throughput> {
  const handlerSide = (label: string, n: number) =>
    accounted(b, b.probe, async () => {
      b.probe.capturing = true;
      try {
        return await runHandler(b.handler, b.key, customers(label, n), o.perCustomer, o.concurrency);
      } finally {
        b.probe.capturing = false;
      }
    });
  const rawSide = (touchpoints: number) => {
    const transactions = retarget(b.probe.captured, b.rawTable);
    b.probe.captured = [];
    return accounted(b, b.rawProbe, () => runRaw(b.raw, transactions, touchpoints, o.concurrency));
  };

  b.progress(`(a) warm-up: ${o.warmupCustomers * o.perCustomer} touchpoints through the handler and raw`);
  const warm = await handlerSide('warm', o.warmupCustomers);
  const warmRaw = await rawSide(warm.touchpoints);
  b.progress(`(a) warm-up done: handler ${warm.latency}; raw ${warmRaw.latency}`);

  const slices: { handler: Side; raw: Side }[] = [];
  let requests = 0;
  for (let s = 0; s < o.maxSlices && (s < 2 || o.more()); s++) {
    const before = b.probe.counts();
    const handler = await handlerSide(`s${s}`, o.sliceCustomers);
    requests += Object.values(diffCounts(b.probe.counts(), before)).reduce((n, v) => n + v, 0);
    const raw = await rawSide(handler.touchpoints);
    slices.push({ handler, raw });
    const failed = handler.failures + raw.failures;
    b.progress(
      `(a) slice ${s + 1}/${o.maxSlices}: handler ${Math.round(handler.perSecond)}/s (${handler.latency}), ` +
        `raw ${Math.round(raw.perSecond)}/s (${raw.latency}), ${failed} failed` +
        (failed ? ` (${handler.firstFailure ?? raw.firstFailure})` : ''),
    );
  }

  const sum = (f: (s: { handler: Side; raw: Side }) => number) => slices.reduce((n, s) => n + f(s), 0);
  const touchpoints = sum((s) => s.handler.touchpoints);
  const handlerPerSecond = (touchpoints / sum((s) => s.handler.ms)) * 1000;
  const rawPerSecond = (touchpoints / sum((s) => s.raw.ms)) * 1000;
  return {
    handlerPerSecond,
    rawPerSecond,
    ratio: handlerPerSecond / rawPerSecond,
    touchpoints,
    warmup: warm.touchpoints,
    slices,
    cpuPerTouchpoint: {
      handler: sum((s) => s.handler.cpuMs) / touchpoints,
      raw: sum((s) => s.raw.cpuMs) / touchpoints,
      dynamoHandler: sum((s) => s.handler.dynamoCpuMs) / touchpoints,
      dynamoRaw: sum((s) => s.raw.dynamoCpuMs) / touchpoints,
    },
    requestsPerTouchpoint: requests / touchpoints,
    failures: sum((s) => s.handler.failures + s.raw.failures),
  };
}
