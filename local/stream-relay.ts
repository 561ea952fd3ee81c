import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { localEndpoint } from '../lib/aws/clients.js';
import { assertValidPattern, type EventPattern, matchesPattern } from '../lib/events/pattern.js';
import { lambdaContext } from './lambda-context.js';
import { type ShardPosition, StreamCheckpoints } from './stream-checkpoints.js';
import { toLambdaRecord } from './stream-records.js';

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
  onStats?: (stats: LocalStreamRelay['stats']) => void;
}

/** Records given up on after `retry.maxAttempts` (the on-failure destination's counterpart). */
export interface StreamDeadLetter {
  shardId: string;
  sequenceNumbers: string[];
  error: string;
}

interface Pending {
  sequenceNumber: string;
  record: DynamoDBRecord;
}

interface ShardState {
  shardId: string;
  parentShardId?: string;
  iterator?: string;
  /** The last sequence number read from the shard (handed on or filtered out). */
  lastRead?: string;
  /** Filtered records read but not yet handled successfully, in order. */
  pending: Pending[];
  /** When the oldest pending record was read (the batching window runs from it). */
  pendingSince?: number;
  closed: boolean;
  done: boolean;
  attempts: number;
  retryAt: number;
}

const SHARD_REFRESH_MS = 1_000;

/**
 * Does locally what Lambda's DynamoDB event source mapping does: polls the table's stream
 * (every shard, parents before children, TRIM_HORIZON first), applies the filter, invokes the
 * handler with Lambda-shaped batches and honours `batchItemFailures`: it retries from the
 * first failed record, with backoff, so records are neither lost nor reordered. Unlike the
 * deployed mapping it retries forever unless `retry.maxAttempts` is set.
 */
export class LocalStreamRelay {
  readonly stats = { invocations: 0, failedInvocations: 0, records: 0, filteredOut: 0 };
  readonly deadLetters: StreamDeadLetter[] = [];
  private readonly streams: DynamoDBStreamsClient;
  private readonly shards = new Map<string, ShardState>();
  private readonly settleWaiters: { afterCycle: number; resolve: () => void }[] = [];
  private streamArn = '';
  private readonly checkpoints: StreamCheckpoints;
  private lastShardRefresh = 0;
  private cycle = 0;
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private reported = '';

  constructor(private readonly options: StreamRelayOptions) {
    if (options.filter) assertValidPattern(options.filter);
    this.streams = new DynamoDBStreamsClient(localEndpoint(options.endpoint));
    this.checkpoints = new StreamCheckpoints(options.checkpointFile);
  }

  async start(): Promise<this> {
    const table = await this.options.dynamodb.send(
      new DescribeTableCommand({ TableName: this.options.tableName }),
    );
    const arn = table.Table?.LatestStreamArn;
    if (!arn) throw new Error(`table ${this.options.tableName} has no stream`);
    this.streamArn = arn;
    this.checkpoints.open(this.streamArn);
    this.loop = this.run();
    return this;
  }

  /**
   * Resolves after a full poll that started after this call and found nothing new and nothing
   * left to retry: everything written before the call has been handed to the handler.
   */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.settleWaiters.push({ afterCycle: this.cycle, resolve });
      this.wake?.();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.checkpoints.flush();
    this.streams.destroy();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const cycle = ++this.cycle;
      let busy = false;
      try {
        busy = await this.pollOnce();
      } catch (error) {
        this.options.log?.(`stream relay: ${(error as Error).name}: ${(error as Error).message}`);
      }
      this.checkpoints.flush();
      this.reportStats();
      const waiting = [...this.shards.values()].some((s) => s.pending.length > 0);
      if (!busy && !waiting) {
        for (const w of this.settleWaiters.filter((w) => w.afterCycle < cycle)) w.resolve();
        this.settleWaiters.splice(
          0,
          this.settleWaiters.length,
          ...this.settleWaiters.filter((w) => w.afterCycle >= cycle),
        );
      }
      if (!busy) await this.sleep(this.options.pollIntervalMs ?? 100);
    }
    for (const w of this.settleWaiters.splice(0)) w.resolve();
  }

  /** One pass over every readable shard; true if it read or handled anything. */
  private async pollOnce(): Promise<boolean> {
    const now = Date.now();
    if (now - this.lastShardRefresh >= SHARD_REFRESH_MS || this.shards.size === 0) await this.refreshShards();
    let busy = false;
    for (const shard of this.shards.values()) {
      if (this.stopped) break;
      if (shard.done) continue;
      const parent = shard.parentShardId ? this.shards.get(shard.parentShardId) : undefined;
      if (parent && !parent.done) continue; // a key's older records are in the parent
      if (shard.retryAt > Date.now()) continue;
      const size = this.options.batchSize ?? 100;
      const window = this.options.batchingWindowMs ?? 0;
      if (shard.pending.length === 0 || (window > 0 && shard.pending.length < size)) {
        const before = shard.pending.length;
        busy = (await this.read(shard)) || busy;
        if (before === 0 && shard.pending.length > 0) shard.pendingSince = Date.now();
      }
      const due =
        window === 0 ||
        shard.pending.length >= size ||
        shard.closed ||
        this.settleWaiters.length > 0 ||
        Date.now() - (shard.pendingSince ?? 0) >= window;
      if (shard.pending.length > 0 && due) {
        await this.invoke(shard);
        if (shard.pending.length === 0) shard.pendingSince = undefined;
        busy = true;
      }
      if (shard.closed && shard.pending.length === 0 && !shard.iterator) {
        shard.done = true;
        this.checkpoint(shard, { done: true });
        this.lastShardRefresh = 0; // its children may be new
      }
    }
    return busy;
  }

  private async refreshShards(): Promise<void> {
    this.lastShardRefresh = Date.now();
    let start: string | undefined;
    do {
      const out = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }),
      );
      for (const s of out.StreamDescription?.Shards ?? []) {
        if (!s.ShardId || this.shards.has(s.ShardId)) continue;
        const saved = this.checkpoints.get(s.ShardId);
        this.shards.set(s.ShardId, {
          shardId: s.ShardId,
          parentShardId: s.ParentShardId,
          lastRead: saved?.sequenceNumber,
          pending: [],
          closed: saved?.done === true,
          done: saved?.done === true,
          attempts: 0,
          retryAt: 0,
        });
      }
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }

  private async read(shard: ShardState): Promise<boolean> {
    if (shard.closed && !shard.iterator) return false;
    shard.iterator ??= await this.iteratorFor(shard);
    if (!shard.iterator) {
      shard.closed = true;
      return false;
    }
    let out: Awaited<ReturnType<typeof this.getRecords>>;
    try {
      out = await this.getRecords(shard.iterator);
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ExpiredIteratorException') {
        shard.iterator = undefined; // start again after the last record read
        return true;
      }
      if (name === 'TrimmedDataAccessException') {
        this.options.log?.(
          `stream relay: shard ${shard.shardId} trimmed past our position; from its oldest record`,
        );
        shard.lastRead = undefined;
        shard.iterator = undefined;
        return true;
      }
      throw error;
    }
    shard.iterator = out.NextShardIterator;
    if (!out.NextShardIterator) shard.closed = true;
    const records = out.Records ?? [];
    for (const r of records) {
      const record = toLambdaRecord(r, this.streamArn);
      const sequenceNumber = r.dynamodb?.SequenceNumber ?? '';
      shard.lastRead = sequenceNumber;
      if (this.options.filter && !matchesPattern(this.options.filter, record)) {
        this.stats.filteredOut++;
        continue;
      }
      shard.pending.push({ sequenceNumber, record });
    }
    // With nothing pending, every record read is processed (filtered out ones included).
    if (shard.pending.length === 0 && shard.lastRead)
      this.checkpoint(shard, { sequenceNumber: shard.lastRead });
    return records.length > 0;
  }

  private getRecords(iterator: string) {
    return this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
  }

  private async iteratorFor(shard: ShardState): Promise<string | undefined> {
    const out = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shard.shardId,
        ...(shard.lastRead
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastRead }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return out.ShardIterator;
  }

  private async invoke(shard: ShardState): Promise<void> {
    const batch = shard.pending.slice(0, this.options.batchSize ?? 100);
    this.stats.invocations++;
    let failedFrom: number;
    let reason: string;
    try {
      const result = await this.options.handler({ Records: batch.map((p) => p.record) }, this.context());
      const failures = result?.batchItemFailures ?? [];
      if (failures.length === 0) {
        shard.pending.splice(0, batch.length);
        shard.attempts = 0;
        this.stats.records += batch.length;
        this.checkpoint(shard, {
          sequenceNumber:
            shard.pending.length === 0 ? shard.lastRead : batch[batch.length - 1].sequenceNumber,
        });
        return;
      }
      // As Lambda does: resume from the lowest reported sequence number; an unknown one fails it all.
      const indexes = failures.map((f) => batch.findIndex((p) => p.sequenceNumber === f.itemIdentifier));
      failedFrom = indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
      reason = `${failures.length} batch item failure(s)`;
    } catch (error) {
      failedFrom = 0;
      reason = `${(error as Error).name}: ${(error as Error).message}`;
    }
    this.stats.failedInvocations++;
    if (failedFrom > 0) {
      shard.pending.splice(0, failedFrom);
      this.stats.records += failedFrom;
      this.checkpoint(shard, { sequenceNumber: batch[failedFrom - 1].sequenceNumber });
      shard.attempts = 0;
    }
    shard.attempts++;
    const retry = this.options.retry ?? {};
    if (retry.maxAttempts !== undefined && shard.attempts >= retry.maxAttempts) {
      const given = shard.pending.splice(0, batch.length - failedFrom);
      this.checkpoint(shard, { sequenceNumber: given[given.length - 1].sequenceNumber });
      this.deadLetters.push({
        shardId: shard.shardId,
        sequenceNumbers: given.map((p) => p.sequenceNumber),
        error: reason,
      });
      this.options.log?.(
        `stream relay: gave up on ${given.length} record(s) after ${shard.attempts} attempts: ${reason}`,
      );
      shard.attempts = 0;
      return;
    }
    const delay = Math.min((retry.initialMs ?? 100) * 2 ** (shard.attempts - 1), retry.maxMs ?? 2_000);
    shard.retryAt = Date.now() + delay;
    this.options.log?.(`stream relay: retrying ${shard.pending.length} record(s) in ${delay} ms (${reason})`);
  }

  private reportStats(): void {
    if (!this.options.onStats) return;
    const now = JSON.stringify(this.stats);
    if (now === this.reported) return;
    this.reported = now;
    this.options.onStats({ ...this.stats });
  }

  private checkpoint(shard: ShardState, position: ShardPosition): void {
    this.checkpoints.set(shard.shardId, position);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private context(): Context {
    return lambdaContext(this.options.functionName ?? 'relayOutbox');
  }
}

/** Starts relaying the table's stream to the handler. */
export function startStreamRelay(options: StreamRelayOptions): Promise<LocalStreamRelay> {
  return new LocalStreamRelay(options).start();
}
