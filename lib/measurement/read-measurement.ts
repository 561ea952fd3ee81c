import type * as z from 'zod';
import { type Campaign, goalOf } from '../campaigns/index.js';
import { fieldErrors, ValidationError } from '../shared/errors.js';
import { GLOBAL_WINDOW_DAYS } from './assignment.js';
import { campaignCounterPk, GLOBAL_STATS } from './counters.js';
import { campaignMetrics, globalControlReport } from './metrics.js';
import type { CounterSource } from './ports.js';
import { MetricsQuery } from './queries.js';

type Query = Record<string, string | undefined>;

const parse = <T extends z.ZodType>(schema: T, query: Query): z.infer<T> => {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid query');
  return parsed.data;
};

export interface MeasurementReadDeps {
  counters: CounterSource;
  campaigns: {
    get(campaignId: string): Promise<Campaign>;
    list(query: Query): Promise<{ items: Campaign[] }>;
  };
  /** The oldest profile change not yet counted (the stream consumer's in-flight mark), or null. */
  oldestInFlight(): Promise<string | null>;
  clock?: () => number;
}

/** Campaign metrics and the global control report, summed from counters (docs/measurement.md). */
export class ReadMeasurement {
  constructor(private readonly deps: MeasurementReadDeps) {}

  private async freshness() {
    const now = (this.deps.clock ?? Date.now)();
    const oldest = await this.deps.oldestInFlight();
    const lagSeconds = oldest ? Math.max(1, Math.ceil((now - Date.parse(oldest)) / 1000)) : 0;
    return { asOf: new Date(now).toISOString(), lagSeconds };
  }

  private async one(campaign: Campaign, q: MetricsQuery) {
    const items = await this.deps.counters.counters(campaignCounterPk(campaign.campaignId), q);
    return campaignMetrics(
      {
        campaignId: campaign.campaignId,
        name: campaign.name,
        goal: goalOf(campaign),
        windowDays: campaign.conversionWindowDays ?? 7,
        holdoutPercent: campaign.holdoutPercent ?? 0,
        templates: campaign.steps.map((s) => s.template),
      },
      items,
    );
  }

  async campaign(campaignId: string, query: Query) {
    const q = parse(MetricsQuery, query);
    const campaign = await this.deps.campaigns.get(campaignId);
    const [fresh, metrics] = await Promise.all([this.freshness(), this.one(campaign, q)]);
    return { ...metrics, ...fresh };
  }

  async campaigns(query: Query) {
    const q = parse(MetricsQuery, query);
    const [fresh, { items }] = await Promise.all([this.freshness(), this.deps.campaigns.list({})]);
    const metrics = await Promise.all(items.map((c) => this.one(c, q)));
    return { items: metrics.map((m) => ({ ...m, ...fresh })), ...fresh };
  }

  async globalControl(query: Query) {
    const q = parse(MetricsQuery, query);
    const [fresh, items] = await Promise.all([
      this.freshness(),
      this.deps.counters.counters(GLOBAL_STATS, q),
    ]);
    return { ...globalControlReport(items, GLOBAL_WINDOW_DAYS), ...fresh };
  }
}
