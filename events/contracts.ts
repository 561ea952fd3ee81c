import * as z from 'zod';
import { DetailType, EVENT_SCHEMAS, EVENT_SOURCE, eventFileName } from './index.js';

/** An EventBridge event as targets receive it. */
export interface EventEnvelope<D = Record<string, unknown>> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
}

export const DETAIL_TYPES = Object.values(DetailType);

/** Relative paths of the generated files, from the repository root. */
export const contractFiles = (detailType: DetailType) => ({
  schema: `events/schemas/${eventFileName(detailType)}.json`,
  sample: `events/samples/${eventFileName(detailType)}.json`,
});

/**
 * The JSON Schema of an event's detail. Generated from the input side of the zod schema, so it
 * leaves out `additionalProperties: false`: consumers are tolerant readers, and a new optional
 * field must not make an old consumer's validation fail.
 */
export function detailJsonSchema(detailType: DetailType): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(EVENT_SCHEMAS[detailType], { io: 'input' }) as Record<
    string,
    unknown
  >;
  return {
    $schema,
    title: detailType,
    description: `The detail of the EventBridge event with source "${EVENT_SOURCE}" and detail-type "${detailType}".`,
    ...rest,
  };
}

const SAMPLE_IDS: Record<DetailType, string> = {
  [DetailType.CustomerStageChanged]: '0c7b3e5a-1d2f-4f2d-9a61-5e8c1d7b2f40',
  [DetailType.CustomerComplaintRaised]: '6a1f9e27-83b4-4c5d-b0e2-7f3a8d91c6e5',
  [DetailType.ReferralConverted]: 'b5d0c3e8-2a7f-4e91-8c64-1f0b9a3d5e72',
  [DetailType.RewardIssued]: 'f2e8a4b1-6c3d-4a7e-9b05-d8c1e7f3a296',
};

const SAMPLE_DETAILS: { [T in DetailType]: z.input<(typeof EVENT_SCHEMAS)[T]> } = {
  [DetailType.CustomerStageChanged]: {
    eventId: 'evt_3f6c2a9e8b1d4c07',
    customerId: 'user-1842',
    from: 'decide',
    to: 'act',
    at: '2026-03-14T09:26:53.589Z',
    touchpointId: 'msg-7d1e5b2c',
    orderId: 'order-50017',
    modelVersion: 'social-customer-journey@1',
  },
  [DetailType.CustomerComplaintRaised]: {
    eventId: 'evt_91a0c4d7e2f35b68',
    customerId: 'user-1842',
    at: '2026-03-21T18:02:11.000Z',
    touchpointId: 'msg-c2a94f10',
    event: 'Product Reviewed',
    rating: 1,
    orderId: 'order-50017',
    productIds: ['sku-tea-042'],
  },
  [DetailType.ReferralConverted]: {
    eventId: 'evt_5b7e0d3a1c9f2864',
    referrerId: 'user-1842',
    friendId: 'user-2210',
    orderId: 'order-50231',
    at: '2026-04-02T12:45:00.000Z',
    touchpointId: 'msg-0e6f3a91',
  },
  [DetailType.RewardIssued]: {
    eventId: 'evt_e4d2b8a6c0f17395',
    customerId: 'user-1842',
    role: 'referrer',
    referrerId: 'user-1842',
    friendId: 'user-2210',
    orderId: 'order-50231',
    at: '2026-04-02T12:45:03.000Z',
    reward: '10 EUR voucher',
  },
};

/** One complete example event per detail type, as a rule target would receive it. */
export function sampleEvent(detailType: DetailType): EventEnvelope {
  const detail = SAMPLE_DETAILS[detailType] as Record<string, unknown>;
  return {
    version: '0',
    id: SAMPLE_IDS[detailType],
    'detail-type': detailType,
    source: EVENT_SOURCE,
    account: '123456789012',
    time: (detail.at as string).replace(/\.\d+Z$/, 'Z'),
    region: 'eu-central-1',
    resources: [],
    detail,
  };
}
