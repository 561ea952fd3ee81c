import { Worker } from 'node:worker_threads';
import type {
  FlowsWorkerCall,
  FlowsWorkerData,
  FlowsWorkerMessage,
  LocalExecution,
  RelayStats,
  SweepResult,
} from './flows-worker-protocol.js';

/** The local Step Functions in the flows worker, as the API thread sees it. */
export interface FlowsStepFunctions {
  /** Its endpoint: the SDK's SFN client (the flow starter's) talks to it. */
  endpoint: string;
  /** Resolves once no execution is running (waits can make that a while). */
  idle(): Promise<void>;
  /** The running executions and the most recent finished ones. */
  executions(): Promise<LocalExecution[]>;
}

/** The stream relay in the flows worker, as the API thread sees it. */
export interface FlowsStreamRelay {
  /** Counters as the worker last reported them (after each poll that changed them). */
  readonly stats: RelayStats;
  /** Resolves once everything written before the call was handed to the relay handler. */
  settled(): Promise<void>;
}

/** The analytics relay also tells how far behind the stream it is (LocalStreamRelay.backlog). */
export interface FlowsAnalyticsRelay extends FlowsStreamRelay {
  /** When the oldest change not yet finished by the projector reached the stream (epoch ms), or null. */
  backlog(): Promise<number | null>;
}

export interface FlowsWorker {
  stepFunctions: FlowsStepFunctions;
  streamRelay: FlowsStreamRelay;
  /** The same stream relayed to the analytics projector. */
  analyticsRelay: FlowsAnalyticsRelay;
  arnPrefix: string;
  /** Resolves expired send claims now (the worker also does so on a timer). */
  sweepExpiredSends(): Promise<SweepResult>;
  /** Relays the stream of a restarted DynamoDB Local (a new stream) from its start. */
  restartStreamRelay(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the flows worker (local/flows-worker.ts) and waits until its Step Functions endpoint
 * listens. The environment must be complete before: the worker gets a copy of it.
 */
export async function startFlowsWorker(
  options: Omit<FlowsWorkerData, 'entry'> & { onLog?: (line: string) => void },
): Promise<FlowsWorker> {
  const { onLog, ...data } = options;
  const worker = new Worker(new URL('./flows-worker-boot.mjs', import.meta.url), {
    workerData: {
      ...data,
      entry: new URL('./flows-worker.ts', import.meta.url).href,
    } satisfies FlowsWorkerData,
  });
  const stats: RelayStats = { invocations: 0, failedInvocations: 0, records: 0, filteredOut: 0 };
  const analyticsStats: RelayStats = { invocations: 0, failedInvocations: 0, records: 0, filteredOut: 0 };
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;
  const ready = new Promise<{ endpoint: string; arnPrefix: string }>((resolve, reject) => {
    worker.on('message', (message: FlowsWorkerMessage) => {
      if (message.type === 'ready') resolve(message);
      else if (message.type === 'log') onLog?.(message.line);
      else if (message.type === 'relay-stats') Object.assign(stats, message.stats);
      else if (message.type === 'analytics-stats') Object.assign(analyticsStats, message.stats);
      else if (message.type === 'reply') {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) waiter?.reject(new Error(message.error));
        else waiter?.resolve(message.result);
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      exited = true;
      const error = new Error(`the flows worker exited (code ${code})`);
      reject(error);
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    });
  });
  // A crash of the worker after its start is the stack's crash: say so loudly.
  worker.on('error', (error) => console.error(`stageflow: the flows worker failed: ${error.stack ?? error}`));
  const call = <T>(request: Omit<FlowsWorkerCall, 'id'>): Promise<T> => {
    if (exited) return Promise.reject(new Error('the flows worker has stopped'));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  };
  const { endpoint, arnPrefix } = await ready;
  return {
    arnPrefix,
    stepFunctions: {
      endpoint,
      idle: () => call({ call: 'idle' }),
      executions: async () =>
        (await call<LocalExecution[]>({ call: 'executions' })).map((e) => ({
          ...e,
          startDate: new Date(e.startDate),
          ...(e.stopDate ? { stopDate: new Date(e.stopDate) } : {}),
        })),
    },
    streamRelay: { stats, settled: () => call({ call: 'settled' }) },
    analyticsRelay: {
      stats: analyticsStats,
      settled: () => call({ call: 'analytics-settled' }),
      backlog: () => call<number | null>({ call: 'analytics-backlog' }),
    },
    sweepExpiredSends: () => call({ call: 'sweep' }),
    restartStreamRelay: () => call({ call: 'restart-relay' }),
    stop: async () => {
      if (exited) return;
      await call({ call: 'stop' });
      await worker.terminate();
    },
  };
}
