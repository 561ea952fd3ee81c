import { type FieldError, fieldErrors, StageflowError, ValidationError } from '../shared/errors.js';
import * as z from '../shared/zod.js';
import type { CustomerListBody } from './http-schemas.js';
import { type CustomerFilter, type CustomerLists, ListIndexUnavailableError } from './ports.js';

/** The filters of GET /v1/customers; a request names at most one. */
export const LIST_FILTERS = ['stage', 'channel', 'campaign', 'email'] as const;
type FilterName = (typeof LIST_FILTERS)[number];

const value = (what: string, max: number) =>
  z.optional(
    z
      .string()
      .check(
        z.trim(),
        z.minLength(1, 'must not be empty'),
        z.maxLength(max, `must be at most ${max} characters`),
        z.describe(what),
      ),
  );

/** One reason for every way a number parameter can be wrong: what a caller must send. */
const DAYS = { error: 'must be a whole number of days from 1 to 3650' };
const LIMIT = { error: 'must be a whole number from 1 to 500' };

/** The query of GET /v1/customers: one filter or none (the most recently active customers), and a page. */

export const CustomerListQuery = z.strictObject({
  stage: value('Customers in this journey stage, most recently active first', 64),
  channel: value(
    'Customers acquired through this channel (`direct`: without one), most recently acquired first',
    64,
  ),
  campaign: value(
    'Customers acquired by this utm campaign name (`(none)`: without one), most recently acquired first',
    256,
  ),
  email: value('The customers with this email address (exact, case-insensitive)', 320),
  stalledAfterDays: z
    .optional(z.coerce.number(DAYS).check(z.int(DAYS), z.gte(1, DAYS), z.lte(3650, DAYS)))
    .check(
      z.describe(
        'With `stage` only: the customers stalled in it, in the stage longer than this many days ' +
          '(1 to 3650): entered before the start of the UTC day holding now − this many days, ' +
          'the same rule as `stalled` in GET /v1/analytics/stages',
      ),
    ),
  limit: z
    ._default(z.coerce.number(LIMIT).check(z.int(LIMIT), z.gte(1, LIMIT), z.lte(500, LIMIT)), 100)
    .check(z.describe('Items per page (1 to 500)')),
  cursor: z.optional(z.string().check(z.minLength(1))).check(z.describe('`nextCursor` of the previous page')),
});

const fieldError = (path: string, message: string): FieldError => ({ path, pointer: `/${path}`, message });

/**
 * A cursor names the list it belongs to and the position after the last item it returned:
 * base64url JSON, opaque to clients, checked on the way back in.
 */
interface CursorBody {
  v: 1;
  by: CustomerFilter['by'];
  /** The filter value as given, for every filter but email (an address never goes into a URL). */
  f?: string;
  /** `stalledAfterDays`, when the list is a stage's stalled customers. */
  s?: number;
  after: string;
}

const encodeCursor = (body: CursorBody) => Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');

function decodeCursor(cursor: string, filter: CustomerFilter, stalledDays: number | undefined): string {
  let body: Partial<CursorBody> | null = null;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorBody>;
  } catch {
    body = null;
  }
  if (!body || typeof body !== 'object' || body.v !== 1 || typeof body.after !== 'string' || !body.after) {
    throw new ValidationError([fieldError('cursor', 'is not a cursor this API returned')], 'Invalid query');
  }
  if (body.by !== filter.by || body.f !== filterValueInCursor(filter) || body.s !== stalledDays) {
    throw new ValidationError(
      [fieldError('cursor', 'belongs to another list: pass the same filter as the request that returned it')],
      'Invalid query',
    );
  }
  return body.after;
}

const DAY = 86_400_000;

/**
 * The instant before which a customer must have entered the stage to be stalled after `days`:
 * the start of the UTC day holding now − days. The analytics report keeps entry times per UTC
 * day (lib/analytics/reports.ts stagesReport) and counts the days before that one, so the list
 * holds exactly the customers the report counts: each in the stage at least `days` days.
 */
export function stalledBefore(now: number, days: number): string {
  const cutoff = now - days * DAY;
  return new Date(Math.floor(cutoff / DAY) * DAY).toISOString();
}

const filterValueInCursor = (filter: CustomerFilter): string | undefined =>
  filter.by === 'recent' || filter.by === 'email' ? undefined : filter.value;

/** Lists customers by stage, acquisition channel or campaign, email, or recent activity. */
export class ListCustomers {
  constructor(
    private readonly lists: CustomerLists,
    private readonly stages: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  async execute(query: Record<string, string | undefined>): Promise<CustomerListBody> {
    const parsed = CustomerListQuery.safeParse(query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid query');
    const q = parsed.data;
    const given = LIST_FILTERS.filter((name) => q[name] !== undefined);
    if (given.length > 1) {
      const message = `only one of ${LIST_FILTERS.join(', ')} per request (got ${given.join(' and ')})`;
      throw new ValidationError(
        given.map((name) => fieldError(name, message)),
        'Invalid query',
      );
    }
    if (q.stalledAfterDays !== undefined && q.stage === undefined) {
      throw new ValidationError(
        [fieldError('stalledAfterDays', 'needs stage: only a stage has stalled customers')],
        'Invalid query',
      );
    }
    const filter = this.filterOf(given[0], q);
    const after = q.cursor ? decodeCursor(q.cursor, filter, q.stalledAfterDays) : null;
    const page = await this.lists.list(filter, q.limit, after).catch((error: unknown) => {
      throw error instanceof ListIndexUnavailableError ? new ListNotReadyError(error) : error;
    });
    return {
      items: page.items,
      nextCursor: page.after
        ? encodeCursor({
            v: 1,
            by: filter.by,
            f: filterValueInCursor(filter),
            s: q.stalledAfterDays,
            after: page.after,
          })
        : null,
    };
  }

  private filterOf(name: FilterName | undefined, q: z.infer<typeof CustomerListQuery>): CustomerFilter {
    if (name === undefined) return { by: 'recent' };
    const value = q[name]!;
    if (name === 'stage' && !this.stages.includes(value)) {
      throw new ValidationError(
        [fieldError('stage', `must be one of ${this.stages.join(', ')}`)],
        'Invalid query',
      );
    }
    if (name === 'email' && !value.includes('@')) {
      throw new ValidationError([fieldError('email', 'must be an email address')], 'Invalid query');
    }
    if (name === 'stage' && q.stalledAfterDays !== undefined) {
      return { by: name, value, enteredBefore: stalledBefore(this.now(), q.stalledAfterDays) };
    }
    return { by: name, value };
  }
}

/**
 * 503 while the table lacks the list's index: an upgraded stack gains its indexes one deploy
 * at a time, and a new index backfills for a while. Says so, rather than a bare 500.
 */
export class ListNotReadyError extends StageflowError {
  constructor(cause: ListIndexUnavailableError) {
    super(
      'unavailable',
      'list-not-ready',
      'List not ready',
      `This list needs the table index ${cause.indexName}, which is not there yet or still being built ` +
        '(README: Upgrading). Retry later.',
      // Nothing internal in it, and it tells operators what to do: shown despite being a 5xx.
      { retryAfterSeconds: 60, cause, expose: true },
    );
    this.name = 'ListNotReadyError';
  }
}
