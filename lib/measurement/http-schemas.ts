import * as z from 'zod';
import { GOALS } from '../campaigns/index.js';
import { REASON_CODES } from './reason-codes.js';

/** Response schemas of the measurement routes, for docs/openapi.json (lib/http/openapi.ts). */

const Interval = z.tuple([z.number(), z.number()]).nullable();
const PerCurrency = z
  .record(z.string(), z.number())
  .describe('Per ISO 4217 currency code, e.g. {"EUR": 1234.5}');
const Opened = z.object({
  unique: z
    .number()
    .int()
    .describe('Human unique opens (machine opens, such as Apple MPP prefetches, not counted)'),
  machine: z.number().int().describe('Opens flagged as made by a privacy proxy'),
});
const Clicked = z.object({ unique: z.number().int(), total: z.number().int() });
const ArmMetrics = z.object({
  customers: z.number().int(),
  converted: z.number().int(),
  rate: z.number().nullable(),
});

export const CampaignMetrics = z.object({
  campaignId: z.string(),
  name: z.string(),
  entered: z
    .number()
    .int()
    .describe('Customers assigned (treatment and control): reached the first send step, exit not met'),
  heldOut: z.number().int().describe('Customers assigned to the control group'),
  sent: z.number().int(),
  delivered: z.number().int(),
  bounced: z.number().int(),
  complained: z.number().int(),
  rejected: z.number().int(),
  failed: z.number().int(),
  suppressed: z
    .partialRecord(z.enum(REASON_CODES), z.number().int())
    .describe('Messages not sent, by reasonCode (docs/flows.md lists them)'),
  opened: Opened,
  clicked: Clicked,
  unsubscribed: z.number().int(),
  openRate: z.number().nullable().describe('Human unique opens / delivered'),
  clickRate: z.number().nullable().describe('Unique clicks / delivered'),
  steps: z.array(
    z.object({
      step: z.number().int(),
      template: z.string().nullable(),
      sent: z.number().int(),
      delivered: z.number().int(),
      opened: Opened,
      clicked: Clicked,
    }),
  ),
  conversion: z.object({
    goal: z.enum(GOALS),
    windowDays: z.number().int(),
    treatment: ArmMetrics,
    control: ArmMetrics,
    lift: z.number().nullable().describe('difference / control rate; null when the control rate is 0'),
    difference: z.number().nullable().describe('treatment rate − control rate'),
    interval95: Interval.describe(
      "95% interval of the difference: Newcombe's hybrid score interval (method 10, Wilson-based)",
    ),
    pValue: z
      .number()
      .nullable()
      .describe(
        'Two-sided p-value of the test inverting the Newcombe interval: < 0.05 exactly when interval95 excludes 0',
      ),
    significant: z
      .boolean()
      .nullable()
      .describe('interval95 excludes 0 (pValue < 0.05); null while either arm has fewer than 30 customers'),
    holdoutPercent: z
      .number()
      .describe(
        "The campaign's current holdout; at 0 nobody new is held out, so the lift cannot be measured",
      ),
    needed: z
      .object({
        treatment: z.number().int().describe('More treated (mailed) customers needed'),
        control: z.number().int().describe('More held-out customers needed'),
      })
      .nullable()
      .describe(
        'While `significant` is null: how many more customers each arm needs before a verdict, ' +
          'max(0, 30 − customers) (the rule that withholds one); null once both arms have 30, without a goal, ' +
          'or while holdoutPercent is 0 (the held-out group cannot grow)',
      ),
  }),
  revenue: z.object({ treatment: PerCurrency, control: PerCurrency }),
  asOf: z.string(),
  lagSeconds: z
    .number()
    .int()
    .describe(
      'Age of the oldest stream batch the projector has been handed and not yet counted; changes still waiting in the table stream are not seen (unlike the analytics reports)',
    ),
});

export const CampaignMetricsList = z.object({
  items: z.array(CampaignMetrics),
  asOf: z.string(),
  lagSeconds: z.number().int(),
});

export const GlobalControlReport = z.object({
  windowDays: z.number().int().describe('A purchase counts within this many days after the assignment'),
  purchase: z.object({
    treatment: ArmMetrics,
    control: ArmMetrics,
    lift: z.number().nullable(),
    difference: z.number().nullable(),
    interval95: Interval,
    pValue: z.number().nullable(),
    significant: z.boolean().nullable(),
  }),
  revenuePerCustomer: z.record(
    z.string(),
    z.object({
      treatment: z.number().nullable(),
      control: z.number().nullable(),
      difference: z.number().nullable(),
      interval95: Interval.describe("Welch's 95% interval of the difference of means"),
    }),
  ),
  asOf: z.string(),
  lagSeconds: z.number().int(),
});

export const Settings = z.object({
  globalControlPercent: z.number().min(0).max(15),
  globalControlChange: z
    .object({
      at: z.string(),
      by: z.string().nullable().describe('The key name or user; null if not recorded'),
    })
    .nullable()
    .describe('The last change of the percentage through the API; null while it is the default'),
  marketing: z.object({
    paused: z.boolean().describe('Marketing mail paused now, by an SES reputation alarm or by hand'),
    reason: z.string(),
    since: z.string().nullable(),
    alarms: z.record(
      z.string(),
      z.object({ state: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']), at: z.string() }),
    ),
    manual: z
      .object({ paused: z.boolean(), reason: z.string(), at: z.string(), by: z.string().nullable() })
      .nullable()
      .describe('The last pause or resume by hand, and who made it'),
  }),
  tracking: z.enum(['on', 'off']).describe('Read-only: the STAGEFLOW_TRACKING setting'),
});
