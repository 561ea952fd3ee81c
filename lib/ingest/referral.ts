import { randomBytes } from 'node:crypto';
import { DetailType } from '../../events/index.js';
import { stableId } from '../events/index.js';
import { type CompiledModel, classify, orderIdOf, sortKey } from '../journey/index.js';
import type { Touchpoint } from '../touchpoints/index.js';
import { toEngineTouchpoint } from '../touchpoints/index.js';
import type { JourneyStore, OutboxRecord, Profile } from './ports.js';

// Crockford base32 without look-alikes: 12 characters carry 60 random bits.
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

/** An unguessable code a customer shares; friends who arrive with it are linked to them. */
export const newReferralCode = (): string =>
  [...randomBytes(12)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');

/**
 * How long after the referral a friend's first purchase still earns the rewards: the usual
 * span of a referral link's attribution, and long enough for a considered purchase.
 */
export const REFERRAL_WINDOW_DAYS = 30;
const DAY_MS = 24 * 3600_000;

/**
 * Links a customer to the referrer whose code a touchpoint carries (first link wins; self-
 * referral and cycles are refused) and records when (`referredAt`, the touchpoint's event
 * time). Raises Referral Converted once, for the friend's **first purchase ever**, and only when
 * it happened at or after the referral and within REFERRAL_WINDOW_DAYS of it: a customer who had
 * bought before the referral was no new customer (a late or replayed old order included), and a
 * purchase months later owes nothing to it (docs/flows.md, Referrals). `previous` is the
 * profile before this commit; `history` the whole stored history on a replay, else empty.
 * Mutates `next`; returns the outbox record to write, if any.
 */
export async function referral(
  store: Pick<JourneyStore, 'referralOwner' | 'profile' | 'history'>,
  model: CompiledModel,
  customerId: string,
  next: Profile,
  chunk: Touchpoint[],
  history: Touchpoint[],
  previous: Profile | null = null,
): Promise<OutboxRecord | null> {
  if (customerId.startsWith('anon:')) return null; // linked when the visitor is identified
  const considered = [...history, ...chunk].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  if (!next.referredBy) {
    const linking = considered.find(carriesCode);
    if (linking) {
      const referrer = await store.referralOwner(linking.properties!.referralCode as string);
      if (referrer && (await acceptsReferral(store, customerId, referrer))) {
        next.referredBy = referrer;
        next.referredAt = linking.timestamp;
      }
    }
  }
  if (!next.referredBy || next.referralConvertedAt) return null;
  // In order, the history before this chunk is older than all of it: a purchase there was the
  // first, and it did not convert the referral then, so nothing after it can.
  if (history.length === 0 && hadPurchase(previous)) return null;
  const purchase = considered.find((tp) => classify(model, toEngineTouchpoint(tp)).effect === 'purchase');
  if (!purchase) return null;
  next.referredAt ??= await referredAtFromHistory(store, customerId, considered);
  if (!withinWindow(next.referredAt, purchase.timestamp)) return null;
  next.referralConvertedAt = purchase.timestamp;
  const eventId = stableId(customerId, 'referral-converted');
  return {
    eventId,
    detailType: DetailType.ReferralConverted,
    detail: {
      eventId,
      referrerId: next.referredBy,
      friendId: customerId,
      orderId: orderIdOf(toEngineTouchpoint(purchase)),
      at: purchase.timestamp,
      touchpointId: purchase.messageId,
    },
    at: purchase.timestamp,
    correlationId: purchase.messageId,
  };
}

const carriesCode = (tp: Touchpoint) => {
  const code = tp.properties?.referralCode;
  return typeof code === 'string' && code.length > 0;
};

/** Whether a stored state holds a purchase (refunded ones included: the friend had bought). */
const hadPurchase = (profile: Profile | null) => {
  const state = profile?.state;
  if (!state) return false;
  return state.counts.purchases > 0 || (state.activeOrders?.length ?? 0) > 0 || !!state.lastOrder;
};

/** `purchaseAt` in [referredAt, referredAt + REFERRAL_WINDOW_DAYS), event time. */
export function withinWindow(referredAt: string | undefined, purchaseAt: string): boolean {
  if (!referredAt) return false;
  const since = Date.parse(purchaseAt) - Date.parse(referredAt);
  return since >= 0 && since < REFERRAL_WINDOW_DAYS * DAY_MS;
}

/**
 * When a customer linked before `referredAt` was recorded was referred: their first touchpoint
 * with a code (read once; the commit then stores it).
 */
async function referredAtFromHistory(
  store: Pick<JourneyStore, 'history'>,
  customerId: string,
  considered: Touchpoint[],
): Promise<string | undefined> {
  const all = [...(await store.history(customerId)).touchpoints, ...considered].sort((a, b) =>
    sortKey(a) < sortKey(b) ? -1 : 1,
  );
  return all.find(carriesCode)?.timestamp;
}

/** Refuses self-referral and referral cycles (A refers B refers … A). */
async function acceptsReferral(
  store: Pick<JourneyStore, 'profile'>,
  customerId: string,
  referrer: string,
): Promise<boolean> {
  let current: string | undefined = referrer;
  for (let hops = 0; current && hops < 50; hops++) {
    if (current === customerId) return false;
    current = (await store.profile(current))?.referredBy;
  }
  return true;
}
