import * as z from 'zod';

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

export const ReferralConverted = z.object({
  eventId: z.string().min(1).describe('Stable id of this fact; consumers dedupe on it'),
  referrerId: z.string().min(1).describe('The customer whose referral code brought the friend'),
  friendId: z.string().min(1).describe('The referred customer who just bought for the first time'),
  orderId: z.string().nullable().describe("The friend's first order, if the purchase named one"),
  at: IsoDateTime.describe('Event time of the purchase touchpoint'),
  touchpointId: z.string().min(1).describe('messageId of that touchpoint; also the correlation id'),
});
export type ReferralConverted = z.infer<typeof ReferralConverted>;

export const RewardIssued = z.object({
  eventId: z.string().min(1).describe('Stable id of this fact; consumers dedupe on it'),
  customerId: z.string().min(1).describe('Who receives the reward'),
  role: z.enum(['referrer', 'friend']).describe('Which side of the referral the recipient is'),
  referrerId: z.string().min(1),
  friendId: z.string().min(1),
  orderId: z.string().nullable().describe("The friend's order that converted the referral, if any"),
  at: IsoDateTime.describe('When the reward was issued'),
  reward: z
    .string()
    .min(1)
    .optional()
    .describe('What the shop should grant, as the campaign names it (the shop fulfils it)'),
});
export type RewardIssued = z.infer<typeof RewardIssued>;

/** Every published event's detail schema, by detail type: the contract tests and generated files come from here. */
export const EVENT_SCHEMAS = {
  [DetailType.CustomerStageChanged]: CustomerStageChanged,
  [DetailType.CustomerComplaintRaised]: CustomerComplaintRaised,
  [DetailType.ReferralConverted]: ReferralConverted,
  [DetailType.RewardIssued]: RewardIssued,
} as const satisfies Record<DetailType, z.ZodType>;

/** The file name an event's generated schema and sample use: `Customer Stage Changed` → `customer-stage-changed`. */
export const eventFileName = (detailType: DetailType): string =>
  detailType.toLowerCase().replaceAll(' ', '-');
