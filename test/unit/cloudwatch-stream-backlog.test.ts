import type {
  GetMetricDataCommand,
  GetMetricDataCommandOutput,
  MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import {
  CloudWatchStreamBacklog,
  type MetricDataClient,
} from '../../lib/analytics/aws-cloudwatch-stream-backlog.js';
import { StreamBacklogUnavailableError } from '../../lib/analytics/index.js';

/**
 * The deployed stream backlog's mapping of the projector's IteratorAge to `lagSeconds`, against
 * an in-memory fake of the one SDK call it makes (GetMetricData): the adapter layer is the only
 * place a fake stands in for AWS.
 */

const NOW = Date.parse('2026-11-30T12:00:30Z');
const minute = (m: number) => new Date(Date.parse('2026-11-30T12:00:00Z') - m * 60_000);

/** Answers GetMetricData with the given series (or throws), and keeps every request. */
function fakeCloudWatch(answer: () => MetricDataResult[] | Error) {
  const requests: GetMetricDataCommand['input'][] = [];
  const client: MetricDataClient = {
    async send(command: GetMetricDataCommand): Promise<GetMetricDataCommandOutput> {
      requests.push(command.input);
      const out = answer();
      if (out instanceof Error) throw out;
      return { MetricDataResults: out, $metadata: {} };
    },
  };
  return { client, requests };
}

const series = (id: string, points: [Date, number][], status = 'Complete'): MetricDataResult => ({
  Id: id,
  Timestamps: points.map(([t]) => t),
  Values: points.map(([, v]) => v),
  StatusCode: status as MetricDataResult['StatusCode'],
});

describe('Class: CloudWatchStreamBacklog', () => {
  it('asks for the function’s IteratorAge Maximum and Throttles Sum per minute over the last 5 minutes', async () => {
    // Prepare
    const cw = fakeCloudWatch(() => [series('age', []), series('throttles', [])]);

    // Act
    await new CloudWatchStreamBacklog(cw.client, 'stageflow-prod-projector').oldestPendingAgeSeconds(NOW);

    // Assess
    expect(cw.requests).toHaveLength(1);
    const [input] = cw.requests;
    const metric = (id: string, name: string, stat: string) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: name,
          Dimensions: [{ Name: 'FunctionName', Value: 'stageflow-prod-projector' }],
        },
        Period: 60,
        Stat: stat,
      },
      ReturnData: true,
    });
    expect(input.MetricDataQueries).toEqual([
      metric('age', 'IteratorAge', 'Maximum'),
      metric('throttles', 'Throttles', 'Sum'),
    ]);
    expect(input.StartTime).toEqual(new Date(NOW - 5 * 60_000));
    expect(input.EndTime).toEqual(new Date(NOW + 60_000));
    expect(input.ScanBy).toBe('TimestampDescending');
  });

  it('answers the newest minute’s maximum iterator age in whole seconds, rounded up', async () => {
    // Prepare: far behind three minutes ago, still 95.2 s behind in the newest minute
    const cw = fakeCloudWatch(() => [
      series('age', [
        [minute(0), 95_200],
        [minute(3), 600_000],
      ]),
      series('throttles', []),
    ]);

    // Act
    const seconds = await new CloudWatchStreamBacklog(cw.client, 'fn').oldestPendingAgeSeconds(NOW);

    // Assess
    expect(seconds).toBe(96);
  });

  it('takes the newest minute whatever order the datapoints come in, so a drained backlog does not linger', async () => {
    // Prepare: ascending order, the backlog drained in the newest minute
    const cw = fakeCloudWatch(() => [
      series('age', [
        [minute(4), 900_000],
        [minute(2), 300_000],
        [minute(1), 1_200],
      ]),
      series('throttles', []),
    ]);

    // Act
    const seconds = await new CloudWatchStreamBacklog(cw.client, 'fn').oldestPendingAgeSeconds(NOW);

    // Assess: 1.2 s is within the batching window: the projector keeps up
    expect(seconds).toBe(0);
  });

  it('counts an age up to the batching window plus 2 s as keeping up, and one beyond it as lag', async () => {
    // Prepare
    const backlogAt = (ms: number) =>
      new CloudWatchStreamBacklog(
        fakeCloudWatch(() => [series('age', [[minute(0), ms]]), series('throttles', [])]).client,
        'fn',
      ).oldestPendingAgeSeconds(NOW);

    // Act + Assess
    expect(await backlogAt(5_000)).toBe(0);
    expect(await backlogAt(5_001)).toBe(6);
  });

  it('answers 0 without datapoints: the event source handed the projector nothing in 5 minutes', async () => {
    // Prepare
    const cw = fakeCloudWatch(() => [series('age', []), series('throttles', [[minute(1), 0]])]);

    // Act + Assess
    expect(await new CloudWatchStreamBacklog(cw.client, 'fn').oldestPendingAgeSeconds(NOW)).toBe(0);
  });

  it('is unavailable without iterator-age datapoints while the projector was throttled', async () => {
    // Prepare: records wait in the stream, but no invocation reported their age
    const cw = fakeCloudWatch(() => [series('age', []), series('throttles', [[minute(1), 4]])]);

    // Act
    const error = await new CloudWatchStreamBacklog(cw.client, 'fn')
      .oldestPendingAgeSeconds(NOW)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(StreamBacklogUnavailableError);
    expect((error as Error).message).toBe(
      'the projector was throttled and handed no batch in the last minutes: its backlog has no age to read',
    );
  });

  it('is unavailable when CloudWatch fails, names the SDK error, and retries only after 10 s', async () => {
    // Prepare
    let calls = 0;
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    const cw = fakeCloudWatch(() => {
      calls++;
      return calls === 1 ? denied : [series('age', [[minute(0), 20_000]]), series('throttles', [])];
    });
    const backlog = new CloudWatchStreamBacklog(cw.client, 'fn');

    // Act
    const first = await backlog.oldestPendingAgeSeconds(NOW).catch((e: unknown) => e);
    const again = await backlog.oldestPendingAgeSeconds(NOW + 9_999).catch((e: unknown) => e);
    const later = await backlog.oldestPendingAgeSeconds(NOW + 10_000);

    // Assess
    expect(first).toBeInstanceOf(StreamBacklogUnavailableError);
    expect((first as Error).message).toBe('CloudWatch GetMetricData failed: AccessDeniedException');
    expect((first as Error).cause).toBe(denied);
    expect(again).toBe(first);
    expect(later).toBe(20);
    expect(calls).toBe(2);
  });

  it('is unavailable when a series is partial, failed or missing, instead of understating the age', async () => {
    // Prepare
    const read = (results: MetricDataResult[]) =>
      new CloudWatchStreamBacklog(fakeCloudWatch(() => results).client, 'fn')
        .oldestPendingAgeSeconds(NOW)
        .catch((e: unknown) => (e as Error).message);

    // Act + Assess
    expect(await read([series('age', [[minute(0), 1]], 'PartialData'), series('throttles', [])])).toBe(
      'CloudWatch returned PartialData for age',
    );
    expect(await read([series('age', []), series('throttles', [], 'InternalError')])).toBe(
      'CloudWatch returned InternalError for throttles',
    );
    expect(await read([series('throttles', [])])).toBe(
      'CloudWatch returned no result for a metric it was asked for',
    );
  });

  it('reads CloudWatch at most every 30 s: the metric moves once a minute', async () => {
    // Prepare
    let calls = 0;
    const cw = fakeCloudWatch(() => {
      calls++;
      return [series('age', [[minute(0), calls * 10_000]]), series('throttles', [])];
    });
    const backlog = new CloudWatchStreamBacklog(cw.client, 'fn');

    // Act
    const first = await backlog.oldestPendingAgeSeconds(NOW);
    const cached = await backlog.oldestPendingAgeSeconds(NOW + 29_999);
    const fresh = await backlog.oldestPendingAgeSeconds(NOW + 30_000);

    // Assess
    expect([first, cached, fresh]).toEqual([10, 10, 20]);
    expect(calls).toBe(2);
  });

  it('shares one call among concurrent reports and gives it a deadline inside their 2 s', async () => {
    // Prepare: a CloudWatch that answers only when released
    const signals: (AbortSignal | undefined)[] = [];
    let release: () => void = () => {};
    const client: MetricDataClient = {
      send: (_command, options) => {
        signals.push(options?.abortSignal);
        return new Promise((resolve) => {
          release = () =>
            resolve({
              MetricDataResults: [series('age', [[minute(0), 30_000]]), series('throttles', [])],
              $metadata: {},
            });
        });
      },
    };
    const backlog = new CloudWatchStreamBacklog(client, 'fn');

    // Act: three reports ask while the first call is out
    const answers = [0, 1, 2].map((i) => backlog.oldestPendingAgeSeconds(NOW + i));
    release();

    // Assess
    expect(await Promise.all(answers)).toEqual([30, 30, 30]);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toBeInstanceOf(AbortSignal);
  });
});
