import type * as z from 'zod';
import type { CompiledModel } from '../journey/index.js';
import { fieldErrors, ValidationError } from '../shared/errors.js';
import { AGG } from './cells.js';
import { AnalyticsRebuildRequiredError, StreamBacklogUnavailableError } from './errors.js';
import { rangeItems } from './month-rollups.js';
import { type AnalyticsStore, NO_STREAM, type StreamBacklog } from './ports.js';
import { AttributionQuery, FunnelQuery, funnelSteps, StagesQuery } from './queries.js';
import { attributionCounters, attributionReport, funnelReport, stagesReport } from './reports.js';

type Query = Record<string, string | undefined>;

/** How long a report waits for the stream backlog before it answers with the lag unknown. */
const BACKLOG_TIMEOUT_MS = 2_000;

/** Whole seconds since `since`, at least 1: a change not yet counted is never "0 s old". */
const ageSeconds = (now: number, since: number) => Math.max(1, Math.ceil((now - since) / 1000));

/**
 * How fresh an answer is. `lagSeconds` is null when the stream backlog could not be read:
 * `lagAtLeastSeconds` is then what the in-flight marks alone show, and `lagUnknown` says why.
 */
export type Freshness =
  | { asOf: string; lagSeconds: number }
  | { asOf: string; lagSeconds: null; lagAtLeastSeconds: number; lagUnknown: string };

const parse = <T extends z.ZodType>(schema: T, query: Query): z.infer<T> => {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid query');
  return parsed.data;
};

/** The three reports, read from the aggregate items; each answer says how fresh it is. */
export class ReadAnalytics {
  constructor(
    private readonly store: AnalyticsStore,
    private readonly cm: CompiledModel,
    private readonly clock: () => number = Date.now,
    /** Stageflow's campaigns, id → name: attribution rows keyed by a campaign id get its name as `label`. */
    private readonly campaignNames: () => Promise<ReadonlyMap<string, string>> = async () => new Map(),
    /** Changes still in the table's stream; none when the projector runs in process (tests, bench). */
    private readonly backlog: StreamBacklog = NO_STREAM,
    private readonly onBacklogError: (error: unknown) => void = () => {},
    /** A month's rollups could not be stored (best-effort: the answer stands); the wiring logs it. */
    private readonly onRollupStoreError: (error: unknown, pk: string) => void = () => {},
  ) {}

  /**
   * `asOf` is when the figures were read; `lagSeconds` the age of the oldest change not yet
   * counted: the older of the oldest in-flight mark (a batch the projector has been handed) and
   * the stream backlog (changes not yet handed). Read **before** the aggregates, never beside
   * them: a change counted between an aggregate read and a later freshness check would be
   * missing from figures that say `lagSeconds: 0`. A backlog that cannot be read makes the lag
   * unknown (null), not the report fail. Refuses to answer (503) while the aggregates are on an
   * earlier layout that no rebuild has moved yet: the figures would silently count only the
   * customers moved so far.
   */
  private async freshness(now = this.clock()): Promise<Freshness> {
    const [oldest, outdated, backlog] = await Promise.all([
      this.store.oldestInFlight(),
      this.store.layoutOutdated(),
      this.backlogAge(now),
    ]);
    if (outdated) throw new AnalyticsRebuildRequiredError();
    const inFlight = oldest ? ageSeconds(now, Date.parse(oldest)) : 0;
    const asOf = new Date(now).toISOString();
    if (typeof backlog === 'string')
      return { asOf, lagSeconds: null, lagAtLeastSeconds: inFlight, lagUnknown: backlog };
    return { asOf, lagSeconds: Math.max(inFlight, backlog) };
  }

  /** The backlog's age in seconds, or why it is unknown (a failure, or no answer in 2 s). */
  private async backlogAge(now: number): Promise<number | string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StreamBacklogUnavailableError(`no answer within ${BACKLOG_TIMEOUT_MS} ms`)),
        BACKLOG_TIMEOUT_MS,
      );
    });
    try {
      const seconds = await Promise.race([this.backlog.oldestPendingAgeSeconds(now), timeout]);
      if (!Number.isFinite(seconds) || seconds < 0) throw new StreamBacklogUnavailableError(`${seconds}`);
      return Math.ceil(seconds);
    } catch (error) {
      this.onBacklogError(error);
      const why =
        error instanceof StreamBacklogUnavailableError
          ? error.message
          : `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
      return `the stream backlog could not be read (${why}); changes not yet handed to the projector are not in lagAtLeastSeconds`;
    } finally {
      clearTimeout(timer);
    }
  }

  async stages(query: Query) {
    const q = parse(StagesQuery, query);
    const now = this.clock();
    // The stage partition holds one item per month and the customers without a stage: a fixed
    // number of items whatever the number of customers (docs/analytics.md, "Cost").
    const fresh = await this.freshness(now);
    const items = await this.store.aggregates([{ pk: AGG.stages }]);
    return {
      ...fresh,
      stalledAfterDays: q.stalledAfterDays,
      ...stagesReport(this.cm, items, now, q.stalledAfterDays),
    };
  }

  async funnel(query: Query) {
    const q = parse(FunnelQuery, query);
    const steps = funnelSteps(this.cm, q.steps);
    if ('error' in steps)
      throw new ValidationError(
        [{ path: 'steps', pointer: '/steps', message: steps.error }],
        'Invalid query',
      );
    // A month rollup cannot be split into ISO weeks; weekly cohorts read the day items.
    const rollups = !(q.by === 'cohort' && q.cohort === 'week');
    // The layout check first: a 503 sums no month.
    const fresh = await this.freshness();
    const items = await rangeItems(this.store, AGG.funnel, {
      from: q.from,
      to: q.to,
      now: this.clock(),
      rollups,
      onStoreError: this.onRollupStoreError,
    });
    const groups = funnelReport(this.cm, items, { ...q, steps: steps.steps });
    return { from: q.from, to: q.to, windowDays: q.windowDays, steps: steps.steps, ...fresh, groups };
  }

  async attribution(query: Query) {
    const q = parse(AttributionQuery, query);
    const fresh = await this.freshness();
    const [items, names] = await Promise.all([
      rangeItems(this.store, AGG.credit, {
        from: q.from,
        to: q.to,
        now: this.clock(),
        rollups: true,
        counters: attributionCounters(q.lookbackDays),
        onStoreError: this.onRollupStoreError,
      }),
      // An email click's utm campaign is the Stageflow campaign's id (issue 8): name it.
      q.by === 'campaign' ? this.campaignNames() : new Map<string, string>(),
    ]);
    const report = attributionReport(items, q);
    return {
      from: q.from,
      to: q.to,
      model: q.model,
      lookbackDays: q.lookbackDays,
      ...fresh,
      ...report,
      rows: report.rows.map((row) => {
        const label = names.get(row.key.campaign);
        return label === undefined ? row : { ...row, label };
      }),
    };
  }
}
