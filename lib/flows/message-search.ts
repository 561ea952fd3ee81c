import * as z from 'zod';
import { ListIndexUnavailableError, ListNotReadyError } from '../customers/index.js';
import { fieldErrors, ValidationError } from '../shared/errors.js';
import type { MessageRecord } from './message-log.js';

/** Send claim statuses and engagement headlines a message can be filtered by. */
export const MESSAGE_STATUSES = [
  'sending',
  'retrying',
  'sent',
  'suppressed',
  'failed',
  'unknown',
  'held-out',
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'complained',
  'rejected',
] as const;

const Time = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'must be a date (2026-11-01) or an ISO 8601 date-time with a time zone',
});

/** The query of GET /v1/messages. */
export const MessageSearchQuery = z.strictObject({
  campaignId: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(256, 'must be at most 256 characters')
    .optional()
    .describe('Only this campaign’s messages'),
  status: z
    .enum(MESSAGE_STATUSES, `must be one of ${MESSAGE_STATUSES.join(', ')}`)
    .optional()
    .describe(
      'The send claim’s status (`sent`, `suppressed`, …) or the engagement headline (`clicked`, `bounced`, …)',
    ),
  reasonCode: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, 'must be a lower-kebab reason code such as suppressed')
    .optional()
    .describe('Only messages with this reasonCode'),
  from: Time.optional().describe('From this time (a date: its start, UTC)'),
  to: Time.optional().describe('Up to this time (a date: its end, UTC)'),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .default(100)
    .describe('Items per page (1 to 500)'),
  cursor: z.string().min(1).optional().describe('`nextCursor` of the previous page'),
});

/** A log item across customers: the per-customer shape plus the customer it belongs to. */
export type LoggedMessage = MessageRecord & { customerId: string };

export interface MessageSearchFilter {
  campaignId?: string;
  status?: (typeof MESSAGE_STATUSES)[number];
  reasonCode?: string;
  /** `msgAt` bounds (ISO times; `to` inclusive). */
  from?: string;
  to?: string;
}

/** Port: the message log index (`messages-by-campaign`), newest first. */
export interface MessageIndex {
  /** Up to `limit` messages before `after` (an index sort key), newest first, and the next position. */
  search(
    filter: MessageSearchFilter,
    limit: number,
    after: string | null,
  ): Promise<{ items: LoggedMessage[]; after: string | null }>;
}

const fieldError = (path: string, message: string) => ({ path, pointer: `/${path}`, message });

/** One message log across customers: GET /v1/messages. */
export class SearchMessages {
  constructor(private readonly index: MessageIndex) {}

  async execute(query: Record<string, string | undefined>) {
    const parsed = MessageSearchQuery.safeParse(query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid query');
    const q = parsed.data;
    const from =
      q.from && (q.from.length === 10 ? `${q.from}T00:00:00.000Z` : new Date(q.from).toISOString());
    const to = q.to && (q.to.length === 10 ? `${q.to}T23:59:59.999Z` : new Date(q.to).toISOString());
    if (from && to && from > to)
      throw new ValidationError([fieldError('to', 'must not be before from')], 'Invalid query');
    const filter: MessageSearchFilter = {
      campaignId: q.campaignId,
      status: q.status,
      reasonCode: q.reasonCode,
      from,
      to,
    };
    const after = q.cursor ? decodeCursor(q.cursor, filter) : null;
    const page = await this.index.search(filter, q.limit, after).catch((error: unknown) => {
      throw error instanceof ListIndexUnavailableError ? new ListNotReadyError(error) : error;
    });
    return { items: page.items, nextCursor: page.after ? encodeCursor(filter, page.after) : null };
  }
}

/** A cursor carries the position and the filter it belongs to (base64url JSON, opaque). */
const filterKey = (f: MessageSearchFilter) => [f.campaignId, f.status, f.reasonCode, f.from, f.to].join('|');
const encodeCursor = (filter: MessageSearchFilter, after: string) =>
  Buffer.from(JSON.stringify({ v: 1, f: filterKey(filter), after }), 'utf8').toString('base64url');

function decodeCursor(cursor: string, filter: MessageSearchFilter): string {
  let body: { v?: number; f?: string; after?: string } | null;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    body = null;
  }
  if (body?.v !== 1 || typeof body.after !== 'string' || !body.after) {
    throw new ValidationError([fieldError('cursor', 'is not a cursor this API returned')], 'Invalid query');
  }
  if (body.f !== filterKey(filter)) {
    throw new ValidationError(
      [
        fieldError(
          'cursor',
          'belongs to another query: pass the same filters as the request that returned it',
        ),
      ],
      'Invalid query',
    );
  }
  return body.after;
}
