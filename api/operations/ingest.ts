import * as z from 'zod';
import { Problem } from '../../lib/http/edge-schemas.js';
import {
  BatchResult,
  BatchUnavailable,
  IngestResult,
  SegmentBatchResult,
  SegmentSuccess,
  TouchpointBatch,
} from '../../lib/ingest/http-schemas.js';
import {
  SegmentAlias,
  SegmentBatch,
  SegmentGroup,
  SegmentIdentify,
  SegmentPage,
  SegmentTrack,
  TouchpointInput,
} from '../../lib/touchpoints/schema.js';
import { type Operations, oneOf } from '../operation.js';

const segmentNote =
  'Segment HTTP Tracking API compatible: send the ingest key as Basic auth user name ' +
  '(what `@segment/analytics-node` does with its writeKey). Oversize or malformed requests get 400, as at Segment.';

/** A batch some items of which a transient storage failure hit (lib/ingest/http-ingest.ts). */
const batchUnavailable = {
  description:
    'A storage failure that passes (throttling, a conflict, a timeout). When it hit some items of a batch, ' +
    '`results` marks them `failed` and the others were stored; otherwise (a single touchpoint, or a failure ' +
    'outside the items) a plain problem, after which part of the request may have been stored. Resend the ' +
    'failed items, or the whole request (safe: stored ones come back as `duplicate`), after `Retry-After` seconds',
  headers: { 'Retry-After': { schema: { type: 'string' as const } } },
  body: { schema: z.union([BatchUnavailable, Problem]), contentType: 'application/problem+json' },
};

/** The operations of touchpoint ingest, in Stageflow's own format and Segment's: one entry per route in ROUTES (lib/http/routes.ts). */
export const ingestOperations = {
  'POST /v1/touchpoints': {
    operationId: 'ingestTouchpoints',
    summary: 'Record one touchpoint or a batch',
    description:
      'A single touchpoint returns the customer’s stage after it; `{"batch": [...]}` (up to 500) ' +
      'reports each item. `messageId` makes retries safe: a second send is a duplicate and changes nothing. ' +
      'Fields a client may not set are ignored: unknown top-level fields (such as `stage`) and the traits ' +
      '`stage`, `stagesReached`, `referralCode`, `referredBy`, `unsubscribed`, `consent`, `suppressed`, `rewardIssued`.',
    tag: 'Touchpoints',
    body: {
      schema: oneOf(TouchpointInput, TouchpointBatch),
      example: {
        messageId: 'm-0001',
        anonymousId: 'a-42',
        event: 'Ad Clicked',
        timestamp: '2026-05-01T10:00:00Z',
        context: { campaign: { source: 'instagram', medium: 'paid_social', name: 'spring_launch' } },
      },
    },
    responses: {
      200: {
        description: 'Stored (or a duplicate); for a batch, one result per item',
        body: { schema: oneOf(IngestResult, BatchResult) },
      },
      503: batchUnavailable,
    },
    errors: { 413: 'The body exceeds 500 KB or a touchpoint 32 KB' },
  },
  'POST /v1/track': {
    operationId: 'segmentTrack',
    summary: 'Segment track',
    description: segmentNote,
    tag: 'Segment',
    body: {
      schema: SegmentTrack,
      example: { userId: 'u-1', event: 'Order Completed', properties: { order_id: 'o-1', total: 129 } },
    },
    responses: { 200: { description: 'Stored', body: { schema: SegmentSuccess } } },
  },
  'POST /v1/identify': {
    operationId: 'segmentIdentify',
    summary: 'Segment identify: link an anonymous id to a user and set traits',
    description: segmentNote,
    tag: 'Segment',
    body: {
      schema: SegmentIdentify,
      example: { userId: 'u-1', anonymousId: 'a-42', traits: { email: 'ada@example.com', firstName: 'Ada' } },
    },
    responses: { 200: { description: 'Stored', body: { schema: SegmentSuccess } } },
  },
  'POST /v1/alias': {
    operationId: 'segmentAlias',
    summary: 'Segment alias: link previousId to userId',
    description: segmentNote,
    tag: 'Segment',
    body: { schema: SegmentAlias, example: { userId: 'u-1', previousId: 'a-42' } },
    responses: { 200: { description: 'Stored', body: { schema: SegmentSuccess } } },
  },
  'POST /v1/page': {
    operationId: 'segmentPage',
    summary: 'Segment page (stored as event `page_view`)',
    description: segmentNote,
    tag: 'Segment',
    body: { schema: SegmentPage, example: { anonymousId: 'a-42', name: 'Trail shoes' } },
    responses: { 200: { description: 'Stored', body: { schema: SegmentSuccess } } },
  },
  'POST /v1/screen': {
    operationId: 'segmentScreen',
    summary: 'Segment screen (stored as event `screen_view`)',
    description: segmentNote,
    tag: 'Segment',
    body: { schema: SegmentPage, example: { userId: 'u-1', name: 'Checkout' } },
    responses: { 200: { description: 'Stored', body: { schema: SegmentSuccess } } },
  },
  'POST /v1/group': {
    operationId: 'segmentGroup',
    summary: 'Segment group',
    description: segmentNote,
    tag: 'Segment',
    body: { schema: SegmentGroup, example: { userId: 'u-1', groupId: 'g-1' } },
    responses: { 200: { description: 'Stored', body: { schema: SegmentSuccess } } },
  },
  'POST /v1/batch': {
    operationId: 'segmentBatch',
    summary: 'Segment batch (what analytics-node sends)',
    description: `${segmentNote} Each item needs a \`type\`.`,
    tag: 'Segment',
    body: {
      schema: SegmentBatch,
      example: { batch: [{ type: 'track', userId: 'u-1', event: 'Product Viewed', messageId: 'm-2' }] },
    },
    responses: {
      200: { description: 'One result per item', body: { schema: SegmentBatchResult } },
      503: batchUnavailable,
    },
  },
  'POST /v1/import': {
    operationId: 'segmentImport',
    summary: 'Segment import (same as batch)',
    description: segmentNote,
    tag: 'Segment',
    body: { schema: SegmentBatch },
    responses: {
      200: { description: 'One result per item', body: { schema: SegmentBatchResult } },
      503: batchUnavailable,
    },
  },
} satisfies Operations;
