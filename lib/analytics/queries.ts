import * as z from 'zod';
import type { CompiledModel } from '../journey/index.js';
import { MODELS } from './attribution-models.js';
import { daysBetween, isCalendarDay } from './calendar.js';
import { LOOKBACK_DAYS } from './facts.js';

const Day = z
  .string()
  .refine(isCalendarDay, 'must be a calendar day as YYYY-MM-DD')
  .describe('YYYY-MM-DD in the report time zone');
const MAX_RANGE_DAYS = 400;

const range = <T extends { from: string; to: string }>(q: T, ctx: z.RefinementCtx) => {
  if (q.to <= q.from)
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from (to is exclusive)' });
  else if (daysBetween(q.from, q.to) > MAX_RANGE_DAYS)
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `the range may span at most ${MAX_RANGE_DAYS} days`,
    });
};

export const StagesQuery = z.object({
  stalledAfterDays: z.coerce.number().int().min(1).max(3650).default(14),
});
export type StagesQuery = z.infer<typeof StagesQuery>;

/** The funnel query; `steps` is checked against the journey model by `funnelQuery`. */
export const FunnelQuery = z
  .object({
    from: Day,
    to: Day,
    windowDays: z.coerce.number().int().min(1).max(365).default(30),
    steps: z.string().optional().describe('Comma-separated stages in the model’s order; default all seven'),
    by: z.enum(['none', 'channel', 'campaign', 'cohort']).default('none'),
    cohort: z.enum(['week', 'month']).default('week'),
  })
  .superRefine(range);
export type FunnelQuery = z.infer<typeof FunnelQuery>;

/** Resolves `steps` against the model: known stages, no repeats, in the model's order. */
export function funnelSteps(
  cm: CompiledModel,
  raw: string | undefined,
): { steps: string[] } | { error: string } {
  const order = [...cm.stages.keys()];
  if (raw === undefined || raw.trim() === '') return { steps: order };
  const steps = raw.split(',').map((s) => s.trim());
  for (const s of steps)
    if (!cm.stages.has(s)) return { error: `unknown stage "${s}"; stages are ${order.join(', ')}` };
  if (new Set(steps).size !== steps.length) return { error: 'names a stage twice' };
  const idx = steps.map((s) => order.indexOf(s));
  if (idx.some((v, i) => i > 0 && v < idx[i - 1]))
    return { error: `must follow the model’s order: ${order.join(', ')}` };
  return { steps };
}

export const AttributionQuery = z
  .object({
    from: Day,
    to: Day,
    model: z.enum([...MODELS, 'all']).default('all'),
    by: z.enum(['channel', 'campaign']).default('channel'),
    lookbackDays: z.coerce
      .number()
      .refine((v) => (LOOKBACK_DAYS as readonly number[]).includes(v), {
        message: `must be one of ${LOOKBACK_DAYS.join(', ')}`,
      })
      .default(30),
  })
  .superRefine(range);
export type AttributionQuery = z.infer<typeof AttributionQuery>;
