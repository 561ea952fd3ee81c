import type { FlowDefinitions } from './flow-definitions.js';
import type { SweepResult } from './send-sweeper.js';
import type { LocalExecution } from './step-functions.js';
import type { LocalStreamRelay } from './stream-relay.js';

/** What the API thread hands the flows worker at its start (its environment is a copy of ours). */
export interface FlowsWorkerData {
  entry: string;
  dynamodbEndpoint: string;
  tableName: string;
  checkpointFile?: string;
  analyticsCheckpointFile?: string;
  sesFaults: SharedArrayBuffer;
  sweepEveryMs: number;
  log: boolean;
  /** The flows, synthesized already (LocalStackOptions.flowDefinitions); else the worker does it. */
  flowDefinitions?: FlowDefinitions;
}

/** A request to the worker; each is answered by a `reply` with the same id. */
export type FlowsWorkerCall = { id: number } & (
  | { call: 'idle' }
  | { call: 'settled' }
  | { call: 'analytics-settled' }
  | { call: 'analytics-backlog' }
  | { call: 'restart-relay' }
  | { call: 'executions' }
  | { call: 'sweep' }
  | { call: 'stop' }
);

export type RelayStats = LocalStreamRelay['stats'];

/** What the worker tells the API thread. */
export type FlowsWorkerMessage =
  | { type: 'ready'; endpoint: string; arnPrefix: string }
  | { type: 'log'; line: string }
  | { type: 'relay-stats'; stats: RelayStats }
  | { type: 'analytics-stats'; stats: RelayStats }
  | { type: 'reply'; id: number; result?: unknown; error?: string };

export type { LocalExecution, SweepResult };
