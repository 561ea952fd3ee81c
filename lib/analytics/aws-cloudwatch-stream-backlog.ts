import {
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { StreamBacklogUnavailableError } from './errors.js';
import type { StreamBacklog } from './ports.js';

/** The one call this adapter makes: a CloudWatchClient, or a fake of it in the unit test. */
export interface MetricDataClient {
  send(
    command: GetMetricDataCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<GetMetricDataCommandOutput>;
}

export interface CloudWatchStreamBacklogOptions {
  /**
   * An iterator age at or below this means the projector kept up: the event source waits up to
   * its batching window (3 s, infra/analytics-pipeline.ts) to fill a batch on purpose, so a
   * healthy projector's IteratorAge is never quite 0. Default: the window plus 2 s.
   */
  keepingUpMs?: number;
  /** How far back to look for datapoints (Lambda publishes them 1–3 minutes late). Default 5 minutes. */
  lookbackMs?: number;
  /** One GetMetricData per this long at most; the metric moves once a minute. Default 30 s. */
  cacheMs?: number;
  /** A failed read is retried after this long at the earliest. Default 10 s. */
  failureCacheMs?: number;
}

const MINUTE = 60_000;
/** A GetMetricData still unanswered after this is abandoned (reports wait 2 s for the backlog). */
const CALL_TIMEOUT_MS = 1_800;

/**
 * The deployed stream backlog: how far behind the stream the projector is, from the AWS/Lambda
 * `IteratorAge` metric of the projectAnalytics function (docs/analytics.md, "Freshness").
 *
 * IteratorAge is emitted once per invocation by the event source: the time between a batch's
 * newest record reaching the stream and the batch being handed to the function. The adapter
 * reads its per-minute Maximum over the last 5 minutes and takes the **newest** minute (not the
 * largest: a backlog that has since drained must not linger for five minutes). What follows:
 *
 * - Resolution: one minute, published 1–3 minutes late. It sees a projector that falls behind
 *   by more than the batching window, not each change; a change younger than that, or written
 *   since the newest datapoint, is invisible here (the in-flight marks cover a batch once it is
 *   handed).
 * - At or below `keepingUpMs` the projector kept up: 0.
 * - No datapoint at all in 5 minutes: the event source handed nothing, so no profile change
 *   reached it (filtered-out records invoke nothing): 0. Unless the function was throttled in
 *   that time (the `Throttles` metric, read in the same call): then records wait unseen and the
 *   lag is unknown. A disabled event source emits nothing either; the lag alarm cannot see that
 *   and neither can this.
 */
export class CloudWatchStreamBacklog implements StreamBacklog {
  private cached?: { at: number; seconds?: number; error?: StreamBacklogUnavailableError };
  /** The call in progress: concurrent reports share it rather than each starting one. */
  private inflight?: Promise<number>;
  private readonly keepingUpMs: number;
  private readonly lookbackMs: number;
  private readonly cacheMs: number;
  private readonly failureCacheMs: number;

  constructor(
    private readonly cloudwatch: MetricDataClient,
    private readonly functionName: string,
    options: CloudWatchStreamBacklogOptions = {},
  ) {
    this.keepingUpMs = options.keepingUpMs ?? 5_000;
    this.lookbackMs = options.lookbackMs ?? 5 * MINUTE;
    this.cacheMs = options.cacheMs ?? 30_000;
    this.failureCacheMs = options.failureCacheMs ?? 10_000;
  }

  async oldestPendingAgeSeconds(now: number): Promise<number> {
    const hit = this.cached;
    if (hit && now - hit.at < (hit.error ? this.failureCacheMs : this.cacheMs) && now >= hit.at) {
      if (hit.error) throw hit.error;
      return hit.seconds ?? 0;
    }
    this.inflight ??= this.readAndCache(now).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async readAndCache(now: number): Promise<number> {
    // A late answer never replaces a newer one in the cache.
    const keep = (entry: NonNullable<typeof this.cached>) => {
      if (!this.cached || this.cached.at <= entry.at) this.cached = entry;
    };
    try {
      const seconds = await this.read(now);
      keep({ at: now, seconds });
      return seconds;
    } catch (error) {
      const unavailable =
        error instanceof StreamBacklogUnavailableError
          ? error
          : new StreamBacklogUnavailableError(`CloudWatch GetMetricData failed: ${(error as Error).name}`, {
              cause: error,
            });
      keep({ at: now, error: unavailable });
      throw unavailable;
    }
  }

  private async read(now: number): Promise<number> {
    const metric = (id: string, name: string, stat: string) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: name,
          Dimensions: [{ Name: 'FunctionName', Value: this.functionName }],
        },
        Period: 60,
        Stat: stat,
      },
      ReturnData: true,
    });
    const out = await this.cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: [metric('age', 'IteratorAge', 'Maximum'), metric('throttles', 'Throttles', 'Sum')],
        // CloudWatch rounds the start down to the minute; the end is exclusive.
        StartTime: new Date(now - this.lookbackMs),
        EndTime: new Date(now + MINUTE),
        ScanBy: 'TimestampDescending',
      }),
      { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) },
    );
    const results = out.MetricDataResults ?? [];
    const age = complete(results.find((r) => r.Id === 'age'));
    const throttles = complete(results.find((r) => r.Id === 'throttles'));
    const newest = newestValue(age);
    if (newest === undefined) {
      if ((throttles.Values ?? []).some((v) => v > 0))
        throw new StreamBacklogUnavailableError(
          'the projector was throttled and handed no batch in the last minutes: its backlog has no age to read',
        );
      return 0;
    }
    return newest <= this.keepingUpMs ? 0 : Math.ceil(newest / 1000);
  }
}

/** A result that is there and whole; a partial or failed one would understate the age. */
function complete(result: MetricDataResult | undefined): MetricDataResult {
  if (!result)
    throw new StreamBacklogUnavailableError('CloudWatch returned no result for a metric it was asked for');
  if (result.StatusCode !== 'Complete')
    throw new StreamBacklogUnavailableError(
      `CloudWatch returned ${result.StatusCode ?? 'no status'} for ${result.Id}`,
    );
  return result;
}

/** The value of the newest timestamp (whatever order CloudWatch used). */
function newestValue(result: MetricDataResult): number | undefined {
  const timestamps = result.Timestamps ?? [];
  const values = result.Values ?? [];
  let at = -Infinity;
  let value: number | undefined;
  for (let i = 0; i < Math.min(timestamps.length, values.length); i++) {
    const t = new Date(timestamps[i]).getTime();
    if (t > at) {
      at = t;
      value = values[i];
    }
  }
  return value;
}
