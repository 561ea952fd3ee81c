import type { JourneyStore, Profile } from '../ingest/index.js';
import { fieldErrors, NotFoundError, ValidationError } from '../shared/errors.js';
import * as z from '../shared/zod.js';
import { anonymousIdOf, ITEM_PREFIX } from '../storage/table.js';
import type { CustomerBody, TouchpointPageBody, TransitionListBody } from './http-schemas.js';

/** The public view of a customer's journey. */
export function customerView(profile: Profile): CustomerBody {
  const { state } = profile;
  return {
    customerId: profile.customerId,
    stage: state.stage,
    stageSince: state.stageSince,
    // DynamoDB keeps no key order in a map: list the stages in the order they were reached.
    stagesReached: Object.fromEntries(
      Object.entries(state.stagesReached).sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ),
    traits: state.traits,
    counts: state.counts,
    anonymousIds: profile.anonymousIds,
    // A copy: the contract's open record type takes an object literal, not the named interface.
    acquisition: state.acquisition && { ...state.acquisition },
    referralCode: profile.referralCode ?? null,
    referredBy: profile.referredBy ?? null,
    modelVersion: profile.modelVersion,
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
  };
}

export const PageQuery = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(500)), 100),
  cursor: z.optional(z.string().check(z.minLength(1))),
});

const encodeCursor = (sk: string) => Buffer.from(sk, 'utf8').toString('base64url');
const decodeCursor = (cursor: string): string => {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!sk.startsWith(ITEM_PREFIX.touchpoint)) {
    throw new ValidationError([
      { path: 'cursor', pointer: '/cursor', message: 'is not a cursor this API returned' },
    ]);
  }
  return sk;
};

/** Read side of the journey context: profile, history and transitions. */
export class ReadCustomers {
  constructor(private readonly store: JourneyStore) {}

  /**
   * Finds a customer. User ids and anonymous ids are separate namespaces: a bare id is a user
   * id and only ever that user; `anon:<id>` is the anonymous visitor, which is the user it is
   * linked to once an identify linked them. A bare id never falls back to an anonymous id of
   * the same text: `bob` linked as alice's anonymous id is not the user `bob`.
   */
  async profile(customerId: string): Promise<Profile> {
    const direct = await this.store.profile(customerId);
    if (direct) return direct;
    const anonymousId = anonymousIdOf(customerId);
    const owner = anonymousId === null ? undefined : await this.store.alias(anonymousId);
    const linked = owner ? await this.store.profile(owner) : null;
    if (linked) return linked;
    throw new NotFoundError(`No customer "${customerId}"`);
  }

  async touchpoints(
    customerId: string,
    query: Record<string, string | undefined>,
  ): Promise<TouchpointPageBody> {
    const parsed = PageQuery.safeParse(query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid query');
    const profile = await this.profile(customerId);
    const cursor = parsed.data.cursor ? decodeCursor(parsed.data.cursor) : null;
    const page = await this.store.touchpoints(profile.customerId, parsed.data.limit, cursor);
    return {
      items: page.items.map((tp) => ({ ...tp })),
      nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null,
    };
  }

  async transitions(customerId: string): Promise<TransitionListBody> {
    const profile = await this.profile(customerId);
    return { items: await this.store.transitions(profile.customerId) };
  }
}
