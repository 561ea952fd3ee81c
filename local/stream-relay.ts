import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context } from 'aws-lambda';
import { localEndpoint } from '../lib/aws/clients.js';
import { assertValidPattern, matchesPattern } from '../lib/events/pattern.js';
import { lambdaContext } from './lambda-context.js';
import { RelayWaiters } from './relay-waiters.js';
import { type ShardPosition, StreamCheckpoints } from './stream-checkpoints.js';
import { toLambdaRecord } from './stream-records.js';
import type { RelayStats, ShardState, StreamDeadLetter, StreamRelayOptions } from './stream-relay-types.js';

export type { StreamDeadLetter, StreamHandler, StreamRelayOptions } from './stream-relay-types.js';

const SHARD_REFRESH_MS = 1_000;
const READ_LIMIT = 1000;
/** Pages one pass reads from a shard with no change waiting (each up to READ_LIMIT records). */
const MAX_PAGES = 10;

/**
 * Does locally what Lambda's DynamoDB event source mapping does: polls the table's stream
 * (every shard, parents before children, TRIM_HORIZON first), applies the filter, invokes the
 * handler with Lambda-shaped batches and honours `batchItemFailures`: it retries from the
 * first failed record, with backoff, so records are neither lost nor reordered. Unlike the
 * deployed mapping it retries forever unless `retry.maxAttempts` is set.
 */
export class LocalStreamRelay {
  readonly stats: RelayStats = { invocations: 0, failedInvocations: 0, records: 0, filteredOut: 0 };
  readonly deadLetters: StreamDeadLetter[] = [];
  private readonly streams: DynamoDBStreamsClient;
  private readonly shards = new Map<string, ShardState>();
  private readonly settleWaiters = new RelayWaiters<void>();
  private readonly backlogWaiters = new RelayWaiters<number | null>();
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
    const settled = this.settleWaiters.add(this.cycle);
    this.wake?.();
    return settled;
  }

  /**
   * When the oldest change this relay has not yet seen its handler finish reached the stream
   * (epoch ms), or null when there is none: what the handler's in-flight marks cannot see.
   *
   * A change counts from the moment it is in the stream until the handler returned for it (or
   * it was dead-lettered). With nothing waiting, the answer comes from a pass begun after this
   * call that read every shard to its end (shards refreshed first), so everything written
   * before the call; with records waiting, at once, the oldest of them (never 0, though an
   * unread shard may hold an older one). Rejects when the relay stops or a pass fails.
   */
  backlog(): Promise<number | null> {
    if (this.stopped) return Promise.reject(new Error('the stream relay has stopped'));
    const waiting = this.oldestPending();
    if (waiting !== null) return Promise.resolve(waiting);
    const answer = this.backlogWaiters.add(this.cycle);
    this.lastShardRefresh = 0; // a shard opened since the last refresh may hold records
    this.wake?.();
    return answer;
  }

  /** The oldest record read and not yet handled, over every shard; null when none waits. */
  private oldestPending(): number | null {
    let oldest: number | null = null;
    for (const shard of this.shards.values()) {
      for (const p of shard.pending) if (oldest === null || p.createdAt < oldest) oldest = p.createdAt;
    }
    return oldest;
  }

  /** Answers the backlog callers whose call came before this pass began its reads. */
  private answerBacklog(cycle: number, error?: Error): void {
    const stopped = this.stopped ? new Error('the stream relay has stopped') : undefined;
    this.backlogWaiters.answer(cycle, () => this.oldestPending(), error ?? stopped);
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
        busy = await this.pollOnce(cycle);
      } catch (error) {
        this.options.log?.(`stream relay: ${(error as Error).name}: ${(error as Error).message}`);
        this.answerBacklog(cycle, error as Error);
      }
      this.checkpoints.flush();
      this.reportStats();
      const waiting = [...this.shards.values()].some((s) => s.pending.length > 0);
      if (!busy && !waiting) this.settleWaiters.answer(cycle, () => undefined);
      // A caller that came during this pass needs the next one now, not after a poll interval.
      const asked = this.backlogWaiters.size > 0 || this.settleWaiters.size > 0;
      if (!busy && !asked && !this.stopped) await this.sleep(this.options.pollIntervalMs ?? 100);
    }
    this.settleWaiters.endAll({ value: undefined });
    this.backlogWaiters.endAll({ error: new Error('the stream relay has stopped') });
  }

  /** One pass: read every shard, answer the backlog callers, hand on what is due; true if busy. */
  private async pollOnce(cycle: number): Promise<boolean> {
    const now = Date.now();
    if (now - this.lastShardRefresh >= SHARD_REFRESH_MS || this.shards.size === 0) await this.refreshShards();
    const read = await this.readShards();
    let busy = read.busy;
    // A pass that could not account for every shard (an unread page, a lost iterator, a stop)
    // answers nobody: its callers wait for the next pass (or their own timeout), never get a 0.
    if (read.complete) this.answerBacklog(cycle);
    const size = this.options.batchSize ?? 100;
    const window = this.options.batchingWindowMs ?? 0;
    for (const shard of this.shards.values()) {
      if (this.stopped) break;
      if (shard.done || shard.pending.length === 0 || shard.retryAt > Date.now()) continue;
      const due =
        window === 0 ||
        shard.pending.length >= size ||
        shard.closed ||
        // Only a caller that came before this pass's reads: one that came during them may have
        // written records this pass did not read, and a batch handed on now would split them.
        this.settleWaiters.anyBefore(cycle) ||
        Date.now() - (shard.pendingSince ?? 0) >= window;
      if (due) {
        await this.invoke(shard);
        if (shard.pending.length === 0) shard.pendingSince = undefined;
        busy = true;
      }
      this.finishIfDone(shard);
    }
    return busy;
  }

  /**
   * Reads every shard that may be read (its parent done, not backing off, nothing waiting, or
   * room in a batch that waits for its window). A closed parent that finishes here lets its
   * children be read in the same pass, so a pass has read every shard (`backlog()`).
   */
  private async readShards(): Promise<{ busy: boolean; complete: boolean }> {
    const size = this.options.batchSize ?? 100;
    const window = this.options.batchingWindowMs ?? 0;
    const seen = new Set<ShardState>();
    let busy = false;
    let complete = true;
    for (let again = true; again && !this.stopped; ) {
      again = false;
      for (const shard of this.shards.values()) {
        if (this.stopped) break;
        if (shard.done || seen.has(shard)) continue;
        const parent = shard.parentShardId ? this.shards.get(shard.parentShardId) : undefined;
        if (parent && !parent.done) continue; // a key's older records are in the parent
        seen.add(shard);
        if (shard.retryAt > Date.now()) continue; // its records are waiting, so counted
        if (shard.pending.length === 0 || (window > 0 && shard.pending.length < size)) {
          const before = shard.pending.length;
          // Pages of records the filter drops can hide a change behind them: read on (up to
          // MAX_PAGES a pass) until a change waits or the shard's end is reached.
          for (let page = 0; page < MAX_PAGES && !this.stopped; page++) {
            busy = (await this.read(shard)) || busy;
            if (shard.pending.length > 0 || shard.caughtUpAt !== undefined || !shard.iterator) break;
          }
          if (before === 0 && shard.pending.length > 0) shard.pendingSince = Date.now();
        }
        const accounted =
          shard.pending.length > 0 || shard.caughtUpAt !== undefined || (shard.closed && !shard.iterator);
        if (!accounted) complete = false;
        if (this.finishIfDone(shard)) again = true;
      }
      if (again) await this.refreshShards(); // the finished shard's children may be new
    }
    return { busy, complete: complete && !this.stopped };
  }

  /** A closed shard read to its end with nothing waiting is done; true if it just became so. */
  private finishIfDone(shard: ShardState): boolean {
    if (shard.done || !shard.closed || shard.pending.length > 0 || shard.iterator) return false;
    shard.done = true;
    this.checkpoint(shard, { done: true });
    this.lastShardRefresh = 0; // its children may be new
    return true;
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
    const readAt = Date.now();
    try {
      out = await this.getRecords(shard.iterator);
    } catch (error) {
      const name = (error as Error).name;
      shard.caughtUpAt = undefined; // this read reached nothing: not caught up
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
    const after = shard.caughtUpAt ?? 0;
    shard.caughtUpAt = records.length < READ_LIMIT ? readAt : undefined;
    for (const r of records) {
      const record = toLambdaRecord(r, this.streamArn);
      const sequenceNumber = r.dynamodb?.SequenceNumber ?? '';
      shard.lastRead = sequenceNumber;
      if (this.options.filter && !matchesPattern(this.options.filter, record)) {
        this.stats.filteredOut++;
        continue;
      }
      const createdAt = Math.max(r.dynamodb?.ApproximateCreationDateTime?.getTime() ?? readAt, after);
      shard.pending.push({ sequenceNumber, record, createdAt });
    }
    // With nothing pending, every record read is processed (filtered out ones included).
    if (shard.pending.length === 0 && shard.lastRead)
      this.checkpoint(shard, { sequenceNumber: shard.lastRead });
    return records.length > 0;
  }

  private getRecords(iterator: string) {
    return this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: READ_LIMIT }));
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
