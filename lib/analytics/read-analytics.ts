import type * as z from 'zod';
import type { CompiledModel } from '../journey/index.js';
import { fieldErrors, ValidationError } from '../shared/errors.js';
import { monthsBetween } from './calendar.js';
import { AGG } from './cells.js';
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
  ) {}

  /** `asOf` is when the figures were read; `lagSeconds` the age of the oldest change not yet counted. */
  private async freshness() {
    const now = this.clock();
    const oldest = await this.store.oldestInFlight();
    const lagSeconds = oldest ? Math.max(1, Math.ceil((now - Date.parse(oldest)) / 1000)) : 0;
    return { asOf: new Date(now).toISOString(), lagSeconds, now };
  }

  async stages(query: Query) {
    const q = parse(StagesQuery, query);
    const [{ now, ...fresh }, items] = await Promise.all([
      this.freshness(),
      this.store.aggregates([AGG.stages]),
    ]);
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
    const pks = monthsBetween(q.from, q.to).map(AGG.funnel);
    const [{ now: _, ...fresh }, items] = await Promise.all([
      this.freshness(),
      this.store.aggregates(pks, { fromSk: q.from, toSk: q.to }),
    ]);
    const groups = funnelReport(this.cm, items, { ...q, steps: steps.steps });
    return { from: q.from, to: q.to, windowDays: q.windowDays, steps: steps.steps, ...fresh, groups };
  }

  async attribution(query: Query) {
    const q = parse(AttributionQuery, query);
    const pks = monthsBetween(q.from, q.to).map(AGG.credit);
    const [{ now: _, ...fresh }, items, names] = await Promise.all([
      this.freshness(),
      this.store.aggregates(pks, { fromSk: q.from, toSk: q.to }, attributionCounters(q.lookbackDays)),
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
