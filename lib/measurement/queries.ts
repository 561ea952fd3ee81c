import * as z from 'zod';
import { isCalendarDay } from '../analytics/index.js';

const Day = z
  .string()
  .refine(isCalendarDay, 'must be a calendar day as YYYY-MM-DD')
  .describe('YYYY-MM-DD in the report time zone');

/**
 * `from` (inclusive) and `to` (exclusive) days in the report time zone; both optional. Message
 * counters fall on the day the message was sent, assignment and conversion counters on the day
 * the customer was assigned (a conversion counts with its assignment's day).
 */
export const MetricsQuery = z
  .object({ from: Day.optional(), to: Day.optional() })
  .strict()
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.to <= q.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from (to is exclusive)' });
    }
  });
export type MetricsQuery = z.infer<typeof MetricsQuery>;

/** The highest global control group a deployment may set: more would cost too much revenue. */
export const MAX_GLOBAL_CONTROL_PERCENT = 15;

/**
 * A PATCH /v1/settings body (RFC 7396 merge patch): `null` returns a member to its default.
 * `marketing.paused` pauses or resumes marketing by hand (an alarm's pause stays until the
 * alarm clears); `tracking` is read-only (the STAGEFLOW_TRACKING setting).
 */
export const SettingsPatch = z
  .object({
    globalControlPercent: z.number().min(0).max(MAX_GLOBAL_CONTROL_PERCENT).nullable().optional(),
    marketing: z
      .object({
        paused: z.boolean().optional(),
        reason: z.string().trim().min(1).max(500).optional(),
      })
      .strict()
      .nullable()
      .optional(),
    tracking: z.enum(['on', 'off']).optional(),
  })
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;
