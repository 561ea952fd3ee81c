import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { EventPattern } from '../lib/events/pattern.js';

/** The local stream relay's options and its per-shard state (local/stream-relay.ts). */

/** What the relay counts (LocalStreamRelay.stats). */
export interface RelayStats {
  invocations: number;
  failedInvocations: number;
  records: number;
  filteredOut: number;
}

/** A Lambda handler for DynamoDB stream events, as functions/relay-outbox.ts exports. */
export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | null | undefined>;

export interface StreamRelayOptions {
  /** Client of the DynamoDB Local holding the table (for DescribeTable). */
  dynamodb: DynamoDBClient;
  endpoint: string;
  tableName: string;
  handler: StreamHandler;
  /** The event-source filter (FilterCriteria); records it rejects count as processed. */
  filter?: EventPattern;
  /** Records per invocation, as the event source's BatchSize. */
  batchSize?: number;
  /**
   * As the event source's MaximumBatchingWindowInSeconds: records wait until a batch is full,
   * the first of them has waited this long, or someone waits in `settled()` (bench (f) prices
   * what such batches cost). Without it, whatever has been read is handed on at once (the
   * local stack: tests stay quick).
   */
  batchingWindowMs?: number;
  pollIntervalMs?: number;
  /** Backoff between retries of a failed batch: doubles from `initialMs` up to `maxMs`. */
  retry?: { initialMs?: number; maxMs?: number; maxAttempts?: number };
  /** Keeps each shard's position here, so a restarted `npm start` does not publish everything again. */
  checkpointFile?: string;
  functionName?: string;
  log?: (line: string) => void;
  /** Called with a copy of `stats` after each poll that changed them (the flows worker posts it). */
  onStats?: (stats: RelayStats) => void;
}

/** Records given up on after `retry.maxAttempts` (the on-failure destination's counterpart). */
export interface StreamDeadLetter {
  shardId: string;
  sequenceNumbers: string[];
  error: string;
}

export interface Pending {
  sequenceNumber: string;
  record: DynamoDBRecord;
  /** When the change reached the stream (its ApproximateCreationDateTime, else when it was read), epoch ms. */
  createdAt: number;
}

export interface ShardState {
  shardId: string;
  parentShardId?: string;
  iterator?: string;
  /** The last sequence number read from the shard (handed on or filtered out). */
  lastRead?: string;
  /** Filtered records read but not yet handled successfully, in order. */
  pending: Pending[];
  /** When the oldest pending record was read (the batching window runs from it). */
  pendingSince?: number;
  /**
   * When the last read began, if it reached the shard's end (less than a full page; unset after
   * a full page or a failed read): a record read later was written after it (DynamoDB Local's
   * ApproximateCreationDateTime is rounded down to the minute).
   */
  caughtUpAt?: number;
  closed: boolean;
  done: boolean;
  attempts: number;
  retryAt: number;
}
