import * as z from 'zod';
import { FLOW_TYPES } from '../campaigns/index.js';

/**
 * The state one campaign run carries through its state machine: who, which campaign
 * version, which order, where it is in the steps and when it may go on.
 */
export const CampaignRun = z.object({
  runId: z.string(),
  flow: z.enum(FLOW_TYPES),
  campaignId: z.string(),
  version: z.number().int(),
  customerId: z.string(),
  eventId: z.string(),
  /** The touchpoint that caused it all: the id logs carry from the API through the flow. */
  correlationId: z.string().default(''),
  trigger: z.object({
    stage: z.string().nullable(),
    at: z.string(),
    startedAt: z.string(),
  }),
  orderId: z.string().nullable(),
  productIds: z.array(z.string()),
  role: z.enum(['customer', 'referrer', 'friend']).default('customer'),
  step: z.number().int().min(0),
  /** When the next step may run (ISO); the state machine's Wait state reads it. */
  waitUntil: z.string(),
  /** The current step was already held back for quiet hours once; it goes out now. */
  quietDelayed: z.boolean().default(false),
  /** When marketing was first found paused for the current step; it waits, then gives up. */
  pausedSince: z.string().nullable().default(null),
  next: z.enum(['wait', 'done']).default('wait'),
  /**
   * The customer's arm in this campaign, once the run reached its first send step with the exit
   * condition not met (lib/measurement/assignment.ts); null before that.
   */
  arm: z.enum(['treatment', 'control']).nullable().default(null),
});
export type CampaignRun = z.infer<typeof CampaignRun>;
