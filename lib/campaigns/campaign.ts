import { z } from 'zod';
import { FLOW_TRIGGERS, FLOW_TYPES, type FlowType } from '../flows/flow-types.js';

export const FlowTypeSchema = z.enum(FLOW_TYPES);

/** A wait as parts; ISO 8601 durations are also accepted by the API layer and converted. */
export const Wait = z
  .object({
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
  })
  .strict();
export type Wait = z.infer<typeof Wait>;

export const waitMs = (w: Wait | undefined): number =>
  w ? ((w.days ?? 0) * 24 * 60 + (w.hours ?? 0) * 60 + (w.minutes ?? 0)) * 60_000 : 0;

export const Step = z
  .object({
    /** Wait before this step, counted from the previous step (or the trigger for the first). */
    wait: Wait.default({}),
    /** Template base name; the customer's locale picks the variant (e.g. `thank-you` → `thank-you.de`). */
    template: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a template name (a-z, 0-9, -)'),
    category: z.enum(['marketing', 'transactional']),
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
export const ExitCondition = z.enum(['none', 'stage-left', 'order-reviewed', 'purchased']);
export type ExitCondition = z.infer<typeof ExitCondition>;

export const CampaignStatus = z.enum(['draft', 'active', 'paused']);
export type CampaignStatus = z.infer<typeof CampaignStatus>;

/** What a marketer sends to create or replace a campaign. */
export const CampaignInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    flow: FlowTypeSchema,
    trigger: Trigger,
    steps: z.array(Step).min(1).max(10),
    audience: Audience.default({}),
    exit: ExitCondition.default('none'),
    holdoutPercent: z.number().min(0).max(100).default(0),
  })
  .strict()
  .superRefine((c, ctx) => {
    const allowed = FLOW_TRIGGERS[c.flow as FlowType];
    if (c.trigger.type === 'stage') {
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

/** A stored campaign version. Versions are immutable; a running flow keeps the one it started with. */
export interface Campaign extends CampaignInput {
  campaignId: string;
  version: number;
  status: CampaignStatus;
  createdAt: string;
  updatedAt: string;
}
