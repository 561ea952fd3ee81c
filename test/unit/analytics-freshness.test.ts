import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ReadAnalytics,
  type StreamBacklog,
  StreamBacklogUnavailableError,
} from '../../lib/analytics/index.js';
import { defaultModel } from '../../lib/journey/index.js';
import { MemoryAnalyticsStore } from '../support/memory-analytics-store.js';

/**
 * `lagSeconds` of every report: the older of the in-flight marks (batches the projector has been
 * handed) and the stream backlog (changes not yet handed), read before the figures; unknown
 * (null, with the reason) when the backlog cannot be read, never a failed report.
 */

const NOW = Date.parse('2026-11-30T12:00:00Z');
const backlogOf = (answer: () => Promise<number>): StreamBacklog => ({ oldestPendingAgeSeconds: answer });

const reads = (store: MemoryAnalyticsStore, backlog: StreamBacklog, onError?: (e: unknown) => void) =>
  new ReadAnalytics(
    store,
    defaultModel,
    () => NOW,
    async () => new Map(),
    backlog,
    onError,
  );

const REPORTS = [
  ['stages', (r: ReadAnalytics) => r.stages({})],
  ['funnel', (r: ReadAnalytics) => r.funnel({ from: '2026-11-01', to: '2026-12-01' })],
  ['attribution', (r: ReadAnalytics) => r.attribution({ from: '2026-11-01', to: '2026-12-01' })],
] as const;

afterEach(() => {
  vi.useRealTimers();
});

describe('Class: ReadAnalytics, freshness', () => {
  it.each(REPORTS)(
    '%s: lagSeconds is the stream backlog when it is older than every in-flight mark',
    async (_, report) => {
      // Prepare
      const store = new MemoryAnalyticsStore();
      await store.markInFlight('b1', new Date(NOW - 4_000).toISOString());

      // Act
      const answer = await report(
        reads(
          store,
          backlogOf(async () => 42),
        ),
      );

      // Assess
      expect(answer).toMatchObject({ asOf: new Date(NOW).toISOString(), lagSeconds: 42 });
      expect(answer).not.toHaveProperty('lagUnknown');
    },
  );

  it.each(REPORTS)(
    '%s: lagSeconds is the oldest in-flight mark when it is older than the backlog',
    async (_, report) => {
      // Prepare
      const store = new MemoryAnalyticsStore();
      await store.markInFlight('b1', new Date(NOW - 90_500).toISOString());

      // Act
      const answer = await report(
        reads(
          store,
          backlogOf(async () => 3),
        ),
      );

      // Assess
      expect(answer.lagSeconds).toBe(91);
    },
  );

  it('answers 0 only when nothing is in flight and nothing waits in the stream', async () => {
    // Prepare
    const store = new MemoryAnalyticsStore();

    // Act + Assess
    expect(
      (
        await reads(
          store,
          backlogOf(async () => 0),
        ).stages({})
      ).lagSeconds,
    ).toBe(0);
    expect(
      (
        await reads(
          store,
          backlogOf(async () => 1),
        ).stages({})
      ).lagSeconds,
    ).toBe(1);
  });

  it.each(REPORTS)(
    '%s: still answers when the backlog fails, with lagSeconds null and why',
    async (_, report) => {
      // Prepare
      const store = new MemoryAnalyticsStore();
      await store.markInFlight('b1', new Date(NOW - 7_000).toISOString());
      const errors: unknown[] = [];
      const failing = backlogOf(async () => {
        throw new StreamBacklogUnavailableError('CloudWatch GetMetricData failed: AccessDeniedException');
      });

      // Act
      const answer = await report(reads(store, failing, (e) => errors.push(e)));

      // Assess
      expect(answer).toMatchObject({
        lagSeconds: null,
        lagAtLeastSeconds: 7,
        lagUnknown:
          'the stream backlog could not be read (CloudWatch GetMetricData failed: AccessDeniedException); ' +
          'changes not yet handed to the projector are not in lagAtLeastSeconds',
      });
      expect(errors).toHaveLength(1);
    },
  );

  it('names an unexpected error of the backlog by its name, and a negative or NaN age is unknown too', async () => {
    // Prepare
    const store = new MemoryAnalyticsStore();

    // Act
    const thrown = await reads(
      store,
      backlogOf(async () => {
        throw new TypeError('fetch failed');
      }),
    ).stages({});
    const nonsense = await reads(
      store,
      backlogOf(async () => Number.NaN),
    ).stages({});

    // Assess
    expect(thrown).toMatchObject({ lagSeconds: null, lagAtLeastSeconds: 0 });
    expect(thrown.lagSeconds === null && thrown.lagUnknown).toContain('(TypeError: fetch failed)');
    expect(nonsense.lagSeconds).toBeNull();
  });

  it('gives up on a backlog that does not answer within 2 s and answers with the lag unknown', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const store = new MemoryAnalyticsStore();
    const hanging = backlogOf(() => new Promise<number>(() => {}));

    // Act
    const pending = reads(store, hanging).stages({});
    await vi.advanceTimersByTimeAsync(2_000);
    const answer = await pending;

    // Assess
    expect(answer.lagSeconds).toBeNull();
    expect(answer.lagSeconds === null && answer.lagUnknown).toContain('(no answer within 2000 ms)');
  });

  it.each(REPORTS)('%s: reads the lag before the figures, never beside them', async (_, report) => {
    // Prepare: record the order of the reads
    const order: string[] = [];
    const store = new MemoryAnalyticsStore();
    const aggregates = store.aggregates.bind(store);
    store.aggregates = async (...args) => {
      order.push('figures');
      return aggregates(...args);
    };
    const backlog = backlogOf(async () => {
      // Let anything started beside it run first
      await new Promise((resolve) => setImmediate(resolve));
      order.push('backlog');
      return 0;
    });

    // Act
    await report(reads(store, backlog));

    // Assess: a change counted after the figures were read cannot hide behind lagSeconds 0
    expect(order).toEqual(['backlog', 'figures']);
  });
});
