import { freeFormIssues, idTextProblem } from '../shared/json-values.js';
import { TRAIT_LIMITS, traitIssues } from '../shared/trait-limits.js';
import * as z from '../shared/zod.js';

/** Segment's limits, which Stageflow applies to every route; JSON_LIMITS bound the values inside. */
export const LIMITS = {
  eventBytes: 32 * 1024,
  requestBytes: 500 * 1024,
  batchItems: 500,
  futureSkewMs: 24 * 60 * 60 * 1000,
} as const;

/**
 * Messages that read as a sentence after the field path (`messageId is required`, `userId must
 * be a string`); checks with their own message keep it.
 */
const typed = (expected: string) => ({
  error: (issue: { code?: string; input?: unknown }) =>
    issue.code === 'invalid_type'
      ? issue.input === undefined
        ? 'is required'
        : `must be ${expected}`
      : undefined,
});

const text = (max: number) =>
  z
    .string(typed('a string'))
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(max, `must be at most ${max} characters`),
    );

/** Refuses text that is not an id: control characters, lone surrogates, U+FFFD (idTextProblem). */
const idText = (value: string, ctx: z.core.$RefinementCtx<string>) => {
  const problem = idTextProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};

const Id = text(256).check(z.superRefine(idText));

/**
 * A user id must not look like an anonymous visitor's customer id (`anon:<anonymousId>`,
 * lib/storage/table.ts): it would be stored in that visitor's profile and merged into whoever
 * the visitor later identifies as.
 */
const UserId = Id.check(
  z.regex(/^(?!anon:)/, 'must not start with "anon:", the prefix of anonymous visitors'),
);

/** ISO 8601 with a zone (Z or ±hh:mm); no more than 24 h ahead of the receiving clock. */
export const Timestamp = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 date-time with a time zone',
});

/** Free-form objects are stored as DynamoDB maps: bounded depth, keys and key length (JSON_LIMITS). */
const freeForm = (value: Record<string, unknown>, ctx: z.core.$RefinementCtx<Record<string, unknown>>) => {
  for (const issue of freeFormIssues(value)) {
    ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  }
};

const Json = z.record(z.string(), z.unknown(), typed('an object')).check(z.superRefine(freeForm));

/**
 * `properties`. Some of its fields are ids Stageflow keys or hashes by: transitions and flow
 * runs by the order id, an alias by `previousId` (Stageflow format), the referral link by the
 * code. As strings they follow the id rules; a 30 KB code would exceed DynamoDB's key size.
 */
const ID_PROPERTIES = ['order_id', 'orderId', 'previousId', 'referralCode'] as const;
const Properties = Json.check(
  z.superRefine((value: Record<string, unknown>, ctx) => {
    for (const key of ID_PROPERTIES) {
      const id = value[key];
      if (typeof id !== 'string') continue;
      const problem = id.length > 256 ? 'must be at most 256 characters' : idTextProblem(id);
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
  }),
);
/** `traits`: merged into the customer's profile, so bounded in keys and value size (TRAIT_LIMITS). */
const Traits = Json.check(
  z.superRefine((value: Record<string, unknown>, ctx) => {
    for (const issue of traitIssues(value)) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  }),
  z.describe(
    `Merged into the customer's traits: at most ${TRAIT_LIMITS.keys} keys, each value at most ` +
      `${TRAIT_LIMITS.valueBytes} bytes as JSON; a profile keeps at most ${TRAIT_LIMITS.keys} traits ` +
      '(new keys beyond that are dropped, known ones still updated); the keys Stageflow reads ' +
      '(consent, email, name, locale, timezone) are always kept and not counted',
  ),
);

const optionalText = (max: number) =>
  z.optional(z.string(typed('a string')).check(z.maxLength(max, `must be at most ${max} characters`)));

export const Campaign = z
  .looseObject(
    {
      source: optionalText(256),
      medium: optionalText(256),
      name: optionalText(256),
      content: optionalText(256),
      term: optionalText(256),
    },
    typed('an object'),
  )
  .check(z.describe('utm campaign fields'));

export const Context = z
  .looseObject({ campaign: z.optional(Campaign) }, typed('an object'))
  .check(z.superRefine(freeForm));

const identity = {
  userId: z.optional(UserId),
  anonymousId: z.optional(Id),
};

const needsIdentity = <T extends { userId?: string; anonymousId?: string }>(
  value: T,
  ctx: z.core.$RefinementCtx<T>,
) => {
  if (value.userId === undefined && value.anonymousId === undefined) {
    ctx.addIssue({ code: 'custom', path: ['userId'], message: 'userId or anonymousId is required' });
  }
};

/** Stageflow's own touchpoint format: `POST /v1/touchpoints`. */
export const TouchpointInput = z
  .object(
    {
      messageId: Id,
      ...identity,
      event: text(200),
      timestamp: z.optional(Timestamp),
      channel: z.optional(text(64)),
      properties: z.optional(Properties),
      context: z.optional(Context),
      traits: z.optional(Traits),
    },
    typed('a JSON object'),
  )
  .check(z.superRefine(needsIdentity));
export type TouchpointInput = z.infer<typeof TouchpointInput>;

export const TouchpointBatchInput = z.object({
  batch: z
    .array(z.unknown(), typed('an array'))
    .check(
      z.minLength(1, 'must hold at least one touchpoint'),
      z.maxLength(LIMITS.batchItems, `must hold at most ${LIMITS.batchItems} touchpoints`),
    ),
});

// Segment HTTP Tracking API payloads, accepted unchanged.
const segmentCommon = {
  ...identity,
  messageId: z.optional(Id),
  timestamp: z.optional(Timestamp),
  context: z.optional(Context),
  integrations: z.optional(Json),
  sentAt: z.optional(z.string(typed('a string'))),
  channel: optionalText(64),
};

export const SegmentTrack = z
  .looseObject(
    {
      type: z.optional(z.literal('track')),
      event: text(200),
      properties: z.optional(Properties),
      traits: z.optional(Traits),
      ...segmentCommon,
    },
    typed('a JSON object'),
  )
  .check(z.superRefine(needsIdentity));

export const SegmentIdentify = z
  .looseObject(
    { type: z.optional(z.literal('identify')), traits: z.optional(Traits), ...segmentCommon },
    typed('a JSON object'),
  )
  .check(z.superRefine(needsIdentity));

export const SegmentAlias = z.looseObject(
  {
    type: z.optional(z.literal('alias')),
    ...segmentCommon,
    userId: UserId,
    previousId: Id,
    traits: z.optional(Traits),
  },
  typed('a JSON object'),
);

export const SegmentPage = z
  .looseObject(
    {
      type: z.optional(z.enum(['page', 'screen'])),
      name: optionalText(200),
      category: optionalText(200),
      properties: z.optional(Properties),
      traits: z.optional(Traits),
      ...segmentCommon,
    },
    typed('a JSON object'),
  )
  .check(z.superRefine(needsIdentity));

export const SegmentGroup = z
  .looseObject(
    { type: z.optional(z.literal('group')), groupId: Id, traits: z.optional(Json), ...segmentCommon },
    typed('a JSON object'),
  )
  .check(z.superRefine(needsIdentity));

export const SegmentBatch = z.looseObject({
  batch: z
    .array(z.unknown(), typed('an array'))
    .check(
      z.minLength(1, 'must hold at least one message'),
      z.maxLength(LIMITS.batchItems, `must hold at most ${LIMITS.batchItems} messages`),
    ),
  context: z.optional(Context),
  integrations: z.optional(Json),
});

export const SegmentType = z.enum(['track', 'identify', 'alias', 'page', 'screen', 'group']);
export type SegmentType = z.infer<typeof SegmentType>;

/** The stored form of every touchpoint, whichever route it came through. */
export interface Touchpoint {
  messageId: string;
  userId?: string;
  anonymousId?: string;
  /** Event name as sent (`Order Completed`, `purchase`); page and identify calls get `page_view`, `identify`. */
  event: string;
  type: SegmentType;
  timestamp: string;
  receivedAt: string;
  channel?: string;
  properties?: Record<string, unknown>;
  context?: Record<string, unknown> & { campaign?: Record<string, unknown> };
  traits?: Record<string, unknown>;
  /** For alias calls: the id being linked to userId. */
  previousId?: string;
}
