import type * as z from 'zod';
import type { CompiledModel } from '../journey/index.js';
import { fieldErrors, ValidationError } from '../shared/errors.js';
import { AGG } from './cells.js';
import { AnalyticsRebuildRequiredError } from './errors.js';
import { rangeItems } from './month-rollups.js';
import type { AnalyticsStore } from './ports.js';
import { AttributionQuery, FunnelQuery, funnelSteps, StagesQuery } from './queries.js';
import { attributionCounters, attributionReport, funnelReport, stagesReport } from './reports.js';

type Query = Record<string, string | undefined>;

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
    /** A month's rollups could not be stored (best-effort: the answer stands); the wiring logs it. */
    private readonly onRollupStoreError: (error: unknown, pk: string) => void = () => {},
  ) {}

  /**
   * `asOf` is when the figures were read; `lagSeconds` the age of the oldest change not yet
   * counted. Refuses to answer (503) while the aggregates are on an earlier layout that no
   * rebuild has moved yet: the figures would silently count only the customers moved so far.
   */
  private async freshness(now = this.clock()) {
    const [oldest, outdated] = await Promise.all([this.store.oldestInFlight(), this.store.layoutOutdated()]);
    if (outdated) throw new AnalyticsRebuildRequiredError();
    const lagSeconds = oldest ? Math.max(1, Math.ceil((now - Date.parse(oldest)) / 1000)) : 0;
    return { asOf: new Date(now).toISOString(), lagSeconds };
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
