import * as z from 'zod';
import { FieldError, Problem } from '../http/edge-schemas.js';
import { TouchpointInput } from '../touchpoints/index.js';

/**
 * The ingest routes' contract: what POST /v1/touchpoints and the Segment routes answer.
 * http-ingest.ts builds its results as these types; api/openapi.ts documents them and the
 * integration tests check every response against them.
 */

export const Stage = z
  .string()
  .describe('Journey stage: consider, research, decide, act, enjoy, refer or repeat');

export const IngestResult = z.object({
  customerId: z
    .string()
    .describe('The customer the touchpoint was stored under (the user, or `anon:<anonymousId>`)'),
  stage: Stage.nullable(),
  previousStage: Stage.nullable(),
  changed: z.boolean(),
  duplicate: z.boolean().describe('True when this messageId was stored before; nothing was changed'),
});

export const BatchItemResult = z.object({
  index: z.number().int(),
  messageId: z.string().nullable(),
  status: z
    .enum(['accepted', 'duplicate', 'rejected', 'failed'])
    .describe(
      '`failed`: a transient storage failure hit this item (only in a 503 answer); resend it, it is safe',
    ),
  error: z
    .object({ status: z.number().int(), title: z.string(), detail: z.string(), errors: z.array(FieldError) })
    .optional(),
});

export const BatchResult = z.object({
  accepted: z.number().int(),
  duplicate: z.number().int(),
  rejected: z.number().int(),
  failed: z.number().int().describe('Items a transient failure hit; more than 0 only in a 503 answer'),
  results: z.array(BatchItemResult),
});

/** A batch some items of which a transient failure hit: a 503 problem with the per-item results. */
export const BatchUnavailable = Problem.extend(BatchResult.shape).meta({
  description:
    'Retry after `Retry-After` seconds. The `failed` items were not stored; the others were. ' +
    'Resending the whole batch is safe (what was stored comes back as `duplicate`).',
});

export const SegmentSuccess = z.object({ success: z.literal(true) });
export const SegmentBatchResult = SegmentSuccess.extend(BatchResult.shape);

/** The batch form of POST /v1/touchpoints (http-ingest.ts reads it item by item). */
export const TouchpointBatch = z.object({
  batch: z.array(TouchpointInput).min(1).max(500),
});

export type IngestResultBody = z.input<typeof IngestResult>;
export type BatchItemResultBody = z.input<typeof BatchItemResult>;
export type SegmentSuccessBody = z.input<typeof SegmentSuccess>;
export type SegmentBatchResultBody = z.input<typeof SegmentBatchResult>;
export type BatchResultBody = z.input<typeof BatchResult>;
export type BatchUnavailableBody = z.input<typeof BatchUnavailable>;
