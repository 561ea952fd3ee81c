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
 * Links a customer to the referrer whose code a touchpoint carries (first link wins; self-
 * referral and cycles are refused), and raises Referral Converted on the friend's first
 * purchase. Mutates `next`; returns the outbox record to write, if any.
 */
export async function referral(
  store: Pick<JourneyStore, 'referralOwner' | 'profile'>,
  model: CompiledModel,
  customerId: string,
  next: Profile,
  chunk: Touchpoint[],
  history: Touchpoint[],
): Promise<OutboxRecord | null> {
  if (customerId.startsWith('anon:')) return null; // linked when the visitor is identified
  const considered = [...history, ...chunk].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  if (!next.referredBy) {
    const code = considered
      .map((tp) => tp.properties?.referralCode)
      .find((c): c is string => typeof c === 'string' && c.length > 0);
    if (code) {
      const referrer = await store.referralOwner(code);
      if (referrer && (await acceptsReferral(store, customerId, referrer))) next.referredBy = referrer;
    }
  }
  if (!next.referredBy || next.referralConvertedAt || next.state.counts.purchases === 0) return null;
  const purchase = considered.find((tp) => classify(model, toEngineTouchpoint(tp)).effect === 'purchase');
  if (!purchase) return null;
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
