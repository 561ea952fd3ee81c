import * as z from 'zod';

/** The shapes of the three report answers, for the OpenAPI document. */

const Freshness = {
  asOf: z.string().describe('When the figures were read (ISO 8601)'),
  lagSeconds: z
    .number()
    .int()
    .nullable()
    .describe(
      'Age in seconds of the oldest profile change not yet counted (handed to the projector, or still in the ' +
        'table stream); 0 when every change is in. null when the stream backlog could not be read: the ' +
        'figures are still the counted ones, and lagUnknown says why',
    ),
  lagAtLeastSeconds: z
    .number()
    .int()
    .optional()
    .describe(
      'Only with lagSeconds null: the age of the oldest change the projector has been handed and not yet counted',
    ),
  lagUnknown: z
    .string()
    .optional()
    .describe('Only with lagSeconds null: why the lag is unknown (for example CloudWatch unreachable)'),
};
const Money = z.record(z.string(), z.number()).describe('Amount per ISO 4217 currency, exact to 1e-6');
const Ratio = z.number().nullable().describe('null when the denominator is 0');

export const StagesReport = z.object({
  ...Freshness,
  stalledAfterDays: z.number().int(),
  total: z.number().int().describe('Every customer, with or without a stage'),
  stages: z.array(
    z.object({
      stage: z.string(),
      customers: z.number().int(),
      stalled: z
        .number()
        .int()
        .describe(
          'In the stage longer than stalledAfterDays, by whole UTC days: entered before the start of the UTC day holding now − stalledAfterDays',
        ),
      medianDaysInStage: z.number().nullable().describe('Over entry days, exact to ±12 hours'),
    }),
  ),
});

export const FunnelReport = z.object({
  from: z.string(),
  to: z.string(),
  windowDays: z.number().int(),
  steps: z.array(z.string()),
  ...Freshness,
  groups: z.array(
    z.object({
      key: z
        .record(z.string(), z.string())
        .nullable()
        .describe('null for by=none; {"channel": …}, {"campaign": …} or {"cohort": "2026-W47"}'),
      customers: z.number().int().describe('Customers whose first touchpoint is in [from, to)'),
      steps: z.array(
        z.object({
          stage: z.string(),
          reached: z.number().int(),
          dropOff: z.number().int(),
          conversionFromPrevious: Ratio,
          conversionFromFirst: Ratio,
          medianHoursToReach: z
            .number()
            .nullable()
            .describe(
              'Median of bucket midpoints: buckets of 1 h up to 2 h, then 2–4, 4–8, 8–12, 12–18, 18–24, 24–36, 36–48 h, then whole days',
            ),
        }),
      ),
    }),
  ),
});

const ByModel = <T extends z.ZodType>(t: T) =>
  z.object({ first: t, last: t, linear: t, position: t, 'time-decay': t });

export const AttributionReport = z.object({
  from: z.string(),
  to: z.string(),
  model: z.enum(['first', 'last', 'linear', 'position', 'time-decay', 'all']),
  lookbackDays: z.number().int(),
  ...Freshness,
  conversions: z.number().int().describe('Orders in [from, to), refunded or cancelled ones left out'),
  revenue: Money,
  rows: z.array(
    z.object({
      key: z.record(z.string(), z.string()).describe('{"channel": …} or {"campaign": …}'),
      label: z
        .string()
        .optional()
        .describe(
          'by=campaign, when the key is the id of a Stageflow campaign (an email click carries it as its utm campaign): the campaign’s name',
        ),
      conversions: z.union([z.number(), ByModel(z.number())]).describe('One model, or all five side by side'),
      revenue: z.union([Money, ByModel(Money)]),
    }),
  ),
});
