import * as z from '../lib/shared/zod.js';

/** Every event Stageflow publishes has this source. */
export const EVENT_SOURCE = 'stageflow';

export const DetailType = {
  CustomerStageChanged: 'Customer Stage Changed',
  CustomerComplaintRaised: 'Customer Complaint Raised',
  ReferralConverted: 'Referral Converted',
  RewardIssued: 'Reward Issued',
} as const;
export type DetailType = (typeof DetailType)[keyof typeof DetailType];

/**
 * Builds a contract's schema (or the map of them). The calls are marked pure, so a bundle that
 * reads none of a contract (ingest publishes stage changes and complaints, not referrals or
 * rewards) leaves it out instead of building it at every cold start: esbuild drops an unused
 * pure call whose arguments, here a function, have no side effects.
 */
const contract = <T>(build: () => T): T => build();

const IsoDateTime = z.iso.datetime({ offset: true });
const nonEmpty = (description?: string) =>
  z.string().check(z.minLength(1), ...(description ? [z.describe(description)] : []));
const nullableString = (description?: string) =>
  description ? z.nullable(z.string()).check(z.describe(description)) : z.nullable(z.string());
const at = (description: string) => IsoDateTime.check(z.describe(description));

export const CustomerStageChanged = /* @__PURE__ */ contract(() =>
  z.object({
    eventId: nonEmpty('Stable id of this fact; consumers dedupe on it'),
    customerId: nonEmpty(),
    from: nullableString('The stage left; null for a customer seen for the first time'),
    to: nonEmpty('The stage entered'),
    at: at('Event time of the touchpoint that caused the transition'),
    touchpointId: nonEmpty('messageId of that touchpoint; also the correlation id'),
    orderId: nullableString('The order the stage was entered for, if any'),
    modelVersion: nonEmpty(),
  }),
);
export type CustomerStageChanged = z.infer<typeof CustomerStageChanged>;

export const CustomerComplaintRaised = /* @__PURE__ */ contract(() =>
  z.object({
    eventId: nonEmpty(),
    customerId: nonEmpty(),
    at: IsoDateTime,
    touchpointId: nonEmpty(),
    event: nonEmpty('The touchpoint event, e.g. Product Reviewed'),
    rating: z.nullable(z.number()),
    orderId: nullableString(),
    productIds: z.array(z.string()),
  }),
);
export type CustomerComplaintRaised = z.infer<typeof CustomerComplaintRaised>;

export const ReferralConverted = /* @__PURE__ */ contract(() =>
  z.object({
    eventId: nonEmpty('Stable id of this fact; consumers dedupe on it'),
    referrerId: nonEmpty('The customer whose referral code brought the friend'),
    friendId: nonEmpty('The referred customer who just bought for the first time'),
    orderId: nullableString("The friend's first order, if the purchase named one"),
    at: at('Event time of the purchase touchpoint'),
    touchpointId: nonEmpty('messageId of that touchpoint; also the correlation id'),
  }),
);
export type ReferralConverted = z.infer<typeof ReferralConverted>;

export const RewardIssued = /* @__PURE__ */ contract(() =>
  z.object({
    eventId: nonEmpty('Stable id of this fact; consumers dedupe on it'),
    customerId: nonEmpty('Who receives the reward'),
    role: z.enum(['referrer', 'friend']).check(z.describe('Which side of the referral the recipient is')),
    referrerId: nonEmpty(),
    friendId: nonEmpty(),
    orderId: nullableString("The friend's order that converted the referral, if any"),
    at: at('When the reward was issued'),
    reward: z
      .optional(nonEmpty())
      .check(z.describe('What the shop should grant, as the campaign names it (the shop fulfils it)')),
  }),
);
export type RewardIssued = z.infer<typeof RewardIssued>;

/** Every published event's detail schema, by detail type: the contract tests and generated files come from here. */
export const EVENT_SCHEMAS = /* @__PURE__ */ contract(
  () =>
    ({
      [DetailType.CustomerStageChanged]: CustomerStageChanged,
      [DetailType.CustomerComplaintRaised]: CustomerComplaintRaised,
      [DetailType.ReferralConverted]: ReferralConverted,
      [DetailType.RewardIssued]: RewardIssued,
    }) as const satisfies Record<DetailType, z.ZodMiniType>,
);

/** The file name an event's generated schema and sample use: `Customer Stage Changed` → `customer-stage-changed`. */
export const eventFileName = (detailType: DetailType): string =>
  detailType.toLowerCase().replaceAll(' ', '-');
