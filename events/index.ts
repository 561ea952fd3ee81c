import { z } from 'zod';

/** Every event Stageflow publishes has this source. */
export const EVENT_SOURCE = 'stageflow';

export const DetailType = {
  CustomerStageChanged: 'Customer Stage Changed',
  CustomerComplaintRaised: 'Customer Complaint Raised',
  ReferralConverted: 'Referral Converted',
  RewardIssued: 'Reward Issued',
} as const;
export type DetailType = (typeof DetailType)[keyof typeof DetailType];

const IsoDateTime = z.iso.datetime({ offset: true });

export const CustomerStageChanged = z.object({
  eventId: z.string().min(1).describe('Stable id of this fact; consumers dedupe on it'),
  customerId: z.string().min(1),
  from: z.string().nullable().describe('The stage left; null for a customer seen for the first time'),
  to: z.string().min(1).describe('The stage entered'),
  at: IsoDateTime.describe('Event time of the touchpoint that caused the transition'),
  touchpointId: z.string().min(1).describe('messageId of that touchpoint; also the correlation id'),
  orderId: z.string().nullable().describe('The order the stage was entered for, if any'),
  modelVersion: z.string().min(1),
});
export type CustomerStageChanged = z.infer<typeof CustomerStageChanged>;

export const CustomerComplaintRaised = z.object({
  eventId: z.string().min(1),
  customerId: z.string().min(1),
  at: IsoDateTime,
  touchpointId: z.string().min(1),
  event: z.string().min(1).describe('The touchpoint event, e.g. Product Reviewed'),
  rating: z.number().nullable(),
  orderId: z.string().nullable(),
  productIds: z.array(z.string()),
});
export type CustomerComplaintRaised = z.infer<typeof CustomerComplaintRaised>;
