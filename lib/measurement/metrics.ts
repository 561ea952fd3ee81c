import type { Goal } from '../campaigns/index.js';
import { CAMPAIGN_LEVEL } from './counters.js';
import type { CounterItem } from './ports.js';
import {
  type CustomersNeeded,
  compareMeans,
  compareProportions,
  customersNeeded,
  type Moments,
} from './statistics.js';

/** Engagement per step and per campaign (counted by the SES events side of the contract). */
interface Engagement {
  sent: number;
  delivered: number;
  opened: { unique: number; machine: number };
  clicked: { unique: number; total: number };
}

export interface StepMetrics extends Engagement {
  step: number;
  template: string | null;
}

export interface ArmMetrics {
  customers: number;
  converted: number;
  rate: number | null;
}

export interface CampaignMetrics extends Engagement {
  campaignId: string;
  name: string;
  entered: number;
  heldOut: number;
  bounced: number;
  complained: number;
  rejected: number;
  failed: number;
  suppressed: Record<string, number>;
  unsubscribed: number;
  openRate: number | null;
  clickRate: number | null;
  steps: StepMetrics[];
  conversion: {
    goal: Goal;
    windowDays: number;
    treatment: ArmMetrics;
    control: ArmMetrics;
    lift: number | null;
    difference: number | null;
    interval95: [number, number] | null;
    pValue: number | null;
    significant: boolean | null;
    /** The campaign's current holdout: at 0 the held-out group cannot grow, so no count is `needed`. */
    holdoutPercent: number;
    /** More customers per arm before a verdict (the 30-per-arm rule); null once judged, without a goal, or without a holdout. */
    needed: CustomersNeeded | null;
  };
  /** Revenue of goal purchases within the window, per currency, in currency units. */
  revenue: { treatment: Record<string, number>; control: Record<string, number> };
}

export interface CampaignFacts {
  campaignId: string;
  name: string;
  goal: Goal;
  windowDays: number;
  /** The current version's holdout percentage. */
  holdoutPercent: number;
  /** The template of each step of the current version. */
  templates: string[];
}

const sumInto = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

const engagementOf = (c: Record<string, number>): Engagement => ({
  sent: c.sent ?? 0,
  delivered: c.delivered ?? 0,
  opened: { unique: c.openedUnique ?? 0, machine: c.openedMachine ?? 0 },
  clicked: { unique: c.clickedUnique ?? 0, total: c.clickedTotal ?? 0 },
});

const arm = (customers: number, converted: number): ArmMetrics => ({
  customers,
  converted,
  rate: customers > 0 ? converted / customers : null,
});

/** Revenue counters (`revenueTreatment#EUR`, micro-units) as currency amounts per arm. */
function revenueOf(c: Record<string, number>, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, micros] of Object.entries(c)) {
    if (name.startsWith(`${prefix}#`)) out[name.slice(prefix.length + 1)] = micros / 1_000_000;
  }
  return out;
}

/**
 * A campaign's report from its counter items (sums over days and shards). Rates are per
 * delivered mail: human unique opens and unique clicks. Conversion is intent-to-treat: every
 * assigned customer counts in their arm, whatever happened to their mail.
 */
export function campaignMetrics(facts: CampaignFacts, items: readonly CounterItem[]): CampaignMetrics {
  const total: Record<string, number> = {};
  const perStep = new Map<number, Record<string, number>>();
  for (const item of items) {
    sumInto(total, item.counters);
    if (item.step === CAMPAIGN_LEVEL) continue;
    const step = Number.parseInt(item.step, 10);
    if (!Number.isInteger(step)) continue;
    const into = perStep.get(step) ?? {};
    sumInto(into, item.counters);
    perStep.set(step, into);
  }
  const suppressed: Record<string, number> = {};
  for (const [name, n] of Object.entries(total)) {
    if (name.startsWith('suppressed#') && n > 0) suppressed[name.slice('suppressed#'.length)] = n;
  }
  const stepCount = Math.max(facts.templates.length, ...[...perStep.keys()].map((s) => s + 1), 0);
  const steps: StepMetrics[] = [];
  for (let s = 0; s < stepCount; s++) {
    steps.push({ step: s, template: facts.templates[s] ?? null, ...engagementOf(perStep.get(s) ?? {}) });
  }
  const engagement = engagementOf(total);
  const treatment = arm(total.treatment ?? 0, total.convertedTreatment ?? 0);
  const control = arm(total.control ?? 0, total.convertedControl ?? 0);
  const measured = facts.goal !== 'none' && treatment.customers > 0 && control.customers > 0;
  const stats = measured
    ? compareProportions(treatment, control)
    : { lift: null, difference: null, interval95: null, pValue: null, significant: null };
  const rate = (n: number) => (engagement.delivered > 0 ? n / engagement.delivered : null);
  return {
    campaignId: facts.campaignId,
    name: facts.name,
    entered: total.entered ?? 0,
    heldOut: total.heldOut ?? 0,
    ...engagement,
    bounced: total.bounced ?? 0,
    complained: total.complained ?? 0,
    rejected: total.rejected ?? 0,
    failed: total.failed ?? 0,
    suppressed,
    unsubscribed: total.unsubscribed ?? 0,
    openRate: rate(engagement.opened.unique),
    clickRate: rate(engagement.clicked.unique),
    steps,
    conversion: {
      goal: facts.goal,
      windowDays: facts.windowDays,
      treatment,
      control,
      lift: stats.lift,
      difference: stats.difference,
      interval95: stats.interval95,
      pValue: stats.pValue,
      significant: stats.significant,
      holdoutPercent: facts.holdoutPercent,
      // With no holdout the held-out group never grows: "30 more held-out customers" would be a
      // wait for ever, so nothing is needed that more traffic could bring.
      needed:
        facts.goal === 'none' || facts.holdoutPercent === 0 ? null : customersNeeded(treatment, control),
    },
    revenue: { treatment: revenueOf(total, 'revenueTreatment'), control: revenueOf(total, 'revenueControl') },
  };
}

/** Per-customer revenue moments of one arm and currency from the global counters. */
const momentsOf = (
  c: Record<string, number>,
  armName: 'Treatment' | 'Control',
  currency: string,
  n: number,
): Moments => ({
  n,
  sum: (c[`revenue${armName}#${currency}`] ?? 0) / 1_000_000,
  // Squares are counted in units of 1/100 of the currency (see DynamoDbAssignments).
  sumSquares: (c[`revenueSq${armName}#${currency}`] ?? 0) / 10_000,
});

/** The global control report: purchase rate per arm with Newcombe's interval and test, revenue per customer with Welch. */
export function globalControlReport(items: readonly CounterItem[], windowDays: number) {
  const total: Record<string, number> = {};
  for (const item of items) sumInto(total, item.counters);
  const treatment = arm(total.treatment ?? 0, total.convertedTreatment ?? 0);
  const control = arm(total.control ?? 0, total.convertedControl ?? 0);
  const stats = compareProportions(treatment, control);
  const currencies = new Set(
    Object.keys(total)
      .filter((k) => /^revenue(Treatment|Control)#/.test(k))
      .map((k) => k.split('#')[1]),
  );
  const revenuePerCustomer: Record<string, ReturnType<typeof compareMeans>> = {};
  for (const currency of [...currencies].sort()) {
    revenuePerCustomer[currency] = compareMeans(
      momentsOf(total, 'Treatment', currency, treatment.customers),
      momentsOf(total, 'Control', currency, control.customers),
    );
  }
  const measured = treatment.customers > 0 && control.customers > 0;
  return {
    windowDays,
    purchase: {
      treatment,
      control,
      lift: measured ? stats.lift : null,
      difference: measured ? stats.difference : null,
      interval95: stats.interval95,
      pValue: stats.pValue,
      significant: stats.significant,
    },
    revenuePerCustomer,
  };
}
