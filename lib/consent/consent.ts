import { addressHash, normaliseAddress } from '../shared/address-hash.js';
import { CONSENT_TRAITS } from '../shared/trait-limits.js';
import { recipientAddress } from './address.js';

export type Category = 'marketing' | 'transactional';
export type SendBlock = 'unsubscribed' | 'opted-out' | 'suppressed' | 'no-address' | 'invalid-address';
export type SendDecision = { ok: true } | { ok: false; reason: SendBlock };

/**
 * The consent traits live in lib/shared, where the trait cap always admits them; so do the
 * suppression key of an address and its normal form, which ingest's list keys use too.
 */
export { addressHash, CONSENT_TRAITS, normaliseAddress };

/** A consent trait counts as withdrawn only when it clearly says no. */
export function withdrawn(value: unknown): boolean {
  if (value === false || value === 0) return true;
  return typeof value === 'string' && ['false', 'no', 'off', '0', 'n'].includes(value.trim().toLowerCase());
}

export interface ConsentFacts {
  traits: Record<string, unknown>;
  unsubscribedAt?: string;
  suppressed: boolean;
}

/**
 * The send rule, in order: an address, and one a mail can go to (a single RFC 5322 addr-spec,
 * never a list or anything carrying CR or LF); not suppressed (bounces and complaints stop
 * every mail); consent to email at all; then, for marketing only, no unsubscribe and no opt-out.
 */
export function decide(category: Category, email: string | undefined, facts: ConsentFacts): SendDecision {
  if (email === undefined || email.trim() === '') return { ok: false, reason: 'no-address' };
  if (recipientAddress(email) === null) return { ok: false, reason: 'invalid-address' };
  if (facts.suppressed) return { ok: false, reason: 'suppressed' };
  if (withdrawn(facts.traits[CONSENT_TRAITS.email])) return { ok: false, reason: 'opted-out' };
  if (category === 'marketing') {
    if (facts.unsubscribedAt) return { ok: false, reason: 'unsubscribed' };
    if (withdrawn(facts.traits[CONSENT_TRAITS.marketing])) return { ok: false, reason: 'opted-out' };
  }
  return { ok: true };
}
