import * as z from 'zod';
import { defaultModel } from '../journey/index.js';
import { idTextProblem } from '../shared/json-values.js';
import {
  EXIT_CONDITIONS,
  FLOW_CATALOGUE,
  FLOW_TYPES,
  type FlowType,
  STEP_CATEGORIES,
} from './flow-catalogue.js';

export const FlowTypeSchema = z.enum(FLOW_TYPES);

/** A wait as parts; ISO 8601 durations are also accepted by the API layer and converted. */
export const Wait = z
  .object(
    {
      days: z.number().min(0).max(365).optional(),
      hours: z
        .number()
        .min(0)
        .max(24 * 365)
        .optional(),
      minutes: z
        .number()
        .min(0)
        .max(60 * 24 * 365)
        .optional(),
    },
    {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? 'must be {days, hours, minutes} or an ISO 8601 duration such as P7D or PT1H'
          : undefined,
    },
  )
  .strict();
export type Wait = z.infer<typeof Wait>;

const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * `P7D`, `PT1H`, `P1DT12H`, `PT30M`, `P2W`, `PT0S`, `PT90S` as wait parts (seconds become
 * fractional minutes); anything else is left for the schema to refuse.
 */
export function parseIsoWait(value: string): Wait | null {
  const m = ISO_DURATION.exec(value.trim().toUpperCase());
  if (!m || value.trim().toUpperCase() === 'P' || value.trim().toUpperCase().endsWith('T')) return null;
  const [, weeks, days, hours, minutes, seconds] = m.map((v) => (v === undefined ? undefined : Number(v)));
  const out: Wait = {};
  const d = (weeks ?? 0) * 7 + (days ?? 0);
  const min = (minutes ?? 0) + (seconds ?? 0) / 60;
  if (d) out.days = d;
  if (hours) out.hours = hours;
  if (min) out.minutes = min;
  return out;
}

/** A wait as parts or as an ISO 8601 duration string (converted to parts). */
export const WaitInput = z.preprocess((v) => (typeof v === 'string' ? (parseIsoWait(v) ?? v) : v), Wait);

export const waitMs = (w: Wait | undefined): number =>
  w ? ((w.days ?? 0) * 24 * 60 + (w.hours ?? 0) * 60 + (w.minutes ?? 0)) * 60_000 : 0;

export const Step = z
  .object({
    /** Wait before this step, counted from the previous step (or the trigger for the first). */
    wait: WaitInput.default({}),
    /** Template base name; the customer's locale picks the SES template (`thank-you` → `<prefix>thank-you_de`). */
    template: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a template name (a-z, 0-9, -)'),
    category: z.enum(STEP_CATEGORIES),
  })
  .strict();
export type Step = z.infer<typeof Step>;

export const Trigger = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('stage'),
      /** Stages whose entry starts the campaign. */
      enters: z.array(z.string()).min(1),
      /** Optionally only when the customer left one of these stages. */
      from: z.array(z.string()).optional(),
    })
    .strict(),
  z.object({ type: z.literal('event'), detailType: z.string().min(1) }).strict(),
]);
export type Trigger = z.infer<typeof Trigger>;

export const Audience = z
  .object({
    /** Acquisition channels (instagram, google, email, …); any of them matches. */
    channels: z.array(z.string().min(1)).optional(),
    /** utm campaign names (acquisition); any matches. */
    utmCampaigns: z.array(z.string().min(1)).optional(),
    /** Trait equality conditions; all must hold. */
    traits: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .strict();
export type Audience = z.infer<typeof Audience>;

/**
 * When a running campaign stops before its next send:
 * - `stage-left`: the customer is no longer in the stage that triggered it;
 * - `order-reviewed`: the order that started it has been reviewed;
 * - `purchased`: the customer bought again after the trigger;
 * - `none`: only consent and suppression stop it.
 */
export const ExitCondition = z.enum(EXIT_CONDITIONS);
export type ExitCondition = z.infer<typeof ExitCondition>;

export const CampaignStatus = z.enum(['draft', 'active', 'paused']);
export type CampaignStatus = z.infer<typeof CampaignStatus>;

/** What a campaign counts as a conversion (docs/measurement.md). */
export const GOALS = ['purchase', 'review', 'none'] as const;
export type Goal = (typeof GOALS)[number];

/** The goal a campaign measures when it names none. */
export const FLOW_GOALS: Record<FlowType, Goal> = {
  nurture: 'purchase',
  'repeat-purchase': 'purchase',
  'review-request': 'review',
  'thank-you': 'none',
  'referral-reward': 'none',
};

/** A campaign's goal: its own, else its flow's. */
export const goalOf = (c: { flow: FlowType; goal?: Goal }): Goal => c.goal ?? FLOW_GOALS[c.flow];

/** What a marketer sends to create or replace a campaign. */
export const CampaignInput = z
  .object({
    // A name is shown in lists and logs: printable text only (idTextProblem, lib/http/json-input.ts).
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine((name) => idTextProblem(name) === null, {
        message: 'must not contain control characters, lone surrogates or U+FFFD',
      }),
    flow: FlowTypeSchema,
    trigger: Trigger,
    steps: z.array(Step).min(1).max(10),
    audience: Audience.default({}),
    exit: ExitCondition.default('none'),
    /** Percent of assigned customers held out as the campaign's control group (docs/measurement.md). */
    holdoutPercent: z.number().min(0).max(100).default(0),
    /**
     * What counts as a conversion: `purchase`, `review`, or `none`. Left out: the flow's goal
     * (FLOW_GOALS: nurture and repeat-purchase a purchase, review-request a review,
     * thank-you and referral-reward none).
     */
    goal: z.enum(GOALS).optional(),
    /** Days after a customer's assignment in which the goal counts as a conversion. */
    conversionWindowDays: z.number().int().min(1).max(90).default(7),
    /**
     * History is not news: a trigger whose event time is more than this many hours old starts
     * no run (counted as `stale`). Absent: the flow's default (freshnessMs).
     */
    freshnessHours: z
      .number()
      .positive()
      .max(24 * 365)
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const allowed = FLOW_CATALOGUE[c.flow as FlowType];
    const rules = FLOW_CATALOGUE[c.flow as FlowType];
    if (FLOW_GOALS[c.flow as FlowType] === 'none') {
      // Transactional flows are owed to the customer: nobody may be held out of them.
      if (c.holdoutPercent !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['holdoutPercent'],
          message: `flow "${c.flow}" sends mail the customer is owed: it has no holdout (must be 0)`,
        });
      }
      if (c.goal !== undefined && c.goal !== 'none') {
        ctx.addIssue({
          code: 'custom',
          path: ['goal'],
          message: `flow "${c.flow}" has no goal (must be "none")`,
        });
      }
    }
    if (!rules.exits.includes(c.exit)) {
      ctx.addIssue({
        code: 'custom',
        path: ['exit'],
        message: `flow "${c.flow}" can exit on ${rules.exits.join(', ')}, not "${c.exit}"`,
      });
    }
    c.steps.forEach((step, i) => {
      if (!rules.categories.includes(step.category)) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'category'],
          message: `flow "${c.flow}" sends ${rules.categories.join(' or ')} mail only`,
        });
      }
    });
    if (c.trigger.type === 'stage') {
      c.trigger.from?.forEach((stage, i) => {
        if (!defaultModel.stages.has(stage)) {
          ctx.addIssue({
            code: 'custom',
            path: ['trigger', 'from', i],
            message: `must be a stage (${[...defaultModel.stages.keys()].join(', ')})`,
          });
        }
      });
      c.trigger.enters.forEach((stage, i) => {
        if (!allowed.stages.includes(stage)) {
          ctx.addIssue({
            code: 'custom',
            path: ['trigger', 'enters', i],
            message: `flow "${c.flow}" can be triggered by entering ${allowed.stages.join(', ') || 'no stage'}, not "${stage}"`,
          });
        }
      });
    } else if (!allowed.events.includes(c.trigger.detailType)) {
      ctx.addIssue({
        code: 'custom',
        path: ['trigger', 'detailType'],
        message: `flow "${c.flow}" can be triggered by ${allowed.events.join(', ') || 'stage entries only'}`,
      });
    }
  });
export type CampaignInput = z.infer<typeof CampaignInput>;

/** Horizons that are not the first step's wait: mail about an order is news for two days. */
export const DEFAULT_FRESHNESS_HOURS: Partial<Record<FlowType, number>> = {
  'thank-you': 48,
  'referral-reward': 48,
};
/** The shortest default horizon, so batching and clock skew never make a trigger stale. */
export const MIN_FRESHNESS_HOURS = 1;

/**
 * How old a trigger may be and still start a run: the campaign's `freshnessHours`, else the
 * flow's default (48 h for thank-you and referral-reward), else the first step's own wait
 * (a review request 7 days after delivery is not sent for a delivery older than 7 days), at
 * least an hour.
 */
export function freshnessMs(campaign: Pick<CampaignInput, 'flow' | 'steps' | 'freshnessHours'>): number {
  const hours = campaign.freshnessHours ?? DEFAULT_FRESHNESS_HOURS[campaign.flow];
  if (hours !== undefined) return hours * 3600_000;
  return Math.max(waitMs(campaign.steps[0]?.wait), MIN_FRESHNESS_HOURS * 3600_000);
}

/** A stored campaign version. Versions are immutable; a running flow keeps the one it started with. */
export interface Campaign extends CampaignInput {
  campaignId: string;
  version: number;
  status: CampaignStatus;
  createdAt: string;
  updatedAt: string;
  /** Who made this version or the head's last status change: the key's name. */
  updatedBy?: string;
}
