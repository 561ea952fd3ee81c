import { createHash, randomUUID } from 'node:crypto';
import { type FieldError, fieldErrors, formatPath, toPointer } from '../shared/errors.js';
import type * as z from '../shared/zod.js';
import {
  LIMITS,
  SegmentAlias,
  SegmentGroup,
  SegmentIdentify,
  SegmentPage,
  SegmentTrack,
  SegmentType,
  type Touchpoint,
  TouchpointInput,
} from './schema.js';

export type TouchpointFormat = 'stageflow' | SegmentType;

export type ParseResult =
  | { ok: true; touchpoint: Touchpoint }
  | { ok: false; status: 400 | 413; errors: FieldError[]; messageId?: string };

export interface ParseOptions {
  /** Where the item sits in the request, e.g. `['batch', 3]`. */
  prefix?: readonly PropertyKey[];
  receivedAt: Date;
}

/**
 * Traits that only Stageflow sets. A client sending them is ignored, not trusted: stage,
 * unsubscribe and suppression state and referral results are derived, never ingested. Consent
 * traits (`marketingConsent`, `emailConsent`) are the shop's to send: `false` is an opt-out
 * (lib/consent/consent.ts); an unsubscribe via link is stored apart and a trait never undoes it.
 */
export const PROTECTED_TRAITS = [
  'stage',
  'stagesReached',
  'referralCode',
  'referredBy',
  'unsubscribed',
  'consent',
  'suppressed',
  'rewardIssued',
] as const;

const SEGMENT_SCHEMAS = {
  track: SegmentTrack,
  identify: SegmentIdentify,
  alias: SegmentAlias,
  page: SegmentPage,
  screen: SegmentPage,
  group: SegmentGroup,
} as const satisfies Record<SegmentType, z.ZodMiniType>;

// Segment's own `channel` says where the call came from (server, browser), not the marketing channel.
const SEGMENT_SOURCE_CHANNELS = new Set(['server', 'browser', 'mobile', 'client']);

const byteLength = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

const stripProtected = (traits: Record<string, unknown> | undefined): Record<string, unknown> | undefined => {
  if (!traits) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(traits)) {
    if (!(PROTECTED_TRAITS as readonly string[]).includes(k)) out[k] = v;
  }
  return out;
};

const lowerOrUndefined = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim().toLowerCase() : undefined;

const messageIdOf = (raw: unknown): string | undefined =>
  raw && typeof raw === 'object' && typeof (raw as { messageId?: unknown }).messageId === 'string'
    ? (raw as { messageId: string }).messageId
    : undefined;

function checkTimestamp(
  timestamp: string | undefined,
  receivedAt: Date,
  prefix: readonly PropertyKey[],
): { ok: true; value: string } | { ok: false; error: FieldError } {
  if (timestamp === undefined) return { ok: true, value: receivedAt.toISOString() };
  const ms = Date.parse(timestamp);
  const path = formatPath([...prefix, 'timestamp']);
  if (Number.isNaN(ms)) {
    return { ok: false, error: { path, pointer: toPointer(path), message: 'is not a valid date-time' } };
  }
  if (ms > receivedAt.getTime() + LIMITS.futureSkewMs) {
    return {
      ok: false,
      error: { path, pointer: toPointer(path), message: 'must not be more than 24 h in the future' },
    };
  }
  return { ok: true, value: new Date(ms).toISOString() };
}

/**
 * Validates one raw touchpoint (Stageflow's format or a Segment call) and turns it into the
 * stored form: timestamps normalised to UTC milliseconds, aliases kept as sent, protected
 * traits dropped.
 */
export function parseTouchpoint(raw: unknown, format: TouchpointFormat, options: ParseOptions): ParseResult {
  const prefix = options.prefix ?? [];
  const messageId = messageIdOf(raw);
  const size = byteLength(raw);
  if (size > LIMITS.eventBytes) {
    const path = formatPath(prefix);
    return {
      ok: false,
      status: 413,
      messageId,
      errors: [
        { path, pointer: toPointer(path), message: `exceeds ${LIMITS.eventBytes} bytes (got ${size})` },
      ],
    };
  }
  const schema = format === 'stageflow' ? TouchpointInput : SEGMENT_SCHEMAS[format];
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    return { ok: false, status: 400, messageId, errors: fieldErrors(parsed.error, prefix) };
  const input = parsed.data as Record<string, unknown> & {
    timestamp?: string;
    properties?: Record<string, unknown>;
    context?: Touchpoint['context'];
    traits?: Record<string, unknown>;
  };
  const ts = checkTimestamp(input.timestamp, options.receivedAt, prefix);
  if (!ts.ok) return { ok: false, status: 400, messageId, errors: [ts.error] };

  const campaign = input.context?.campaign;
  const base = {
    userId: input.userId as string | undefined,
    anonymousId: input.anonymousId as string | undefined,
    timestamp: ts.value,
    receivedAt: options.receivedAt.toISOString(),
    properties: input.properties,
    context: input.context,
    traits: stripProtected(input.traits),
  };

  if (format === 'stageflow') {
    const tp = input as unknown as TouchpointInput;
    return {
      ok: true,
      touchpoint: clean({
        ...base,
        messageId: tp.messageId,
        event: tp.event,
        type: tp.event === 'identify' ? 'identify' : tp.event === 'alias' ? 'alias' : 'track',
        channel: lowerOrUndefined(tp.channel) ?? lowerOrUndefined(campaign?.source),
        previousId: typeof tp.properties?.previousId === 'string' ? tp.properties.previousId : undefined,
      }),
    };
  }

  const sentChannel = lowerOrUndefined(input.channel);
  const channel =
    (sentChannel && !SEGMENT_SOURCE_CHANNELS.has(sentChannel) ? sentChannel : undefined) ??
    lowerOrUndefined(input.properties?.channel) ??
    lowerOrUndefined(campaign?.source);
  const event =
    format === 'track'
      ? (input.event as string)
      : format === 'page'
        ? 'page_view'
        : format === 'screen'
          ? 'screen_view'
          : format;
  const properties =
    (format === 'page' || format === 'screen') && (input.name || input.category)
      ? {
          ...(input.name ? { name: input.name } : {}),
          ...(input.category ? { category: input.category } : {}),
          ...input.properties,
        }
      : input.properties;
  return {
    ok: true,
    touchpoint: clean({
      ...base,
      properties,
      messageId: messageId ?? derivedMessageId(raw, input.timestamp),
      event,
      type: format,
      channel,
      previousId: input.previousId as string | undefined,
      traits: format === 'group' ? undefined : base.traits,
    }),
  };
}

/**
 * Segment generates a messageId when a caller leaves it out. A content hash does the same job
 * and keeps retries of a timestamped call idempotent; an untimed call gets a fresh id.
 */
function derivedMessageId(raw: unknown, timestamp: string | undefined): string {
  if (timestamp === undefined) return `sf-${randomUUID()}`;
  return `sf-${createHash('sha256').update(JSON.stringify(raw)).digest('hex').slice(0, 32)}`;
}

function clean(tp: Touchpoint): Touchpoint {
  for (const key of Object.keys(tp) as (keyof Touchpoint)[]) {
    if (tp[key] === undefined) delete tp[key];
  }
  return tp;
}

/** Picks the Segment call type of a batch item; unknown types are reported on `type`. */
export function segmentTypeOf(raw: unknown, prefix: readonly PropertyKey[]): SegmentType | FieldError {
  const type = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
  const parsed = SegmentType.safeParse(type);
  if (parsed.success) return parsed.data;
  const path = formatPath([...prefix, 'type']);
  return {
    path,
    pointer: toPointer(path),
    message: `must be one of ${SegmentType.options.join(', ')}`,
  };
}
