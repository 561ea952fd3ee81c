import { createHash } from 'node:crypto';
import { CONSENT_TRAITS } from '../shared/trait-limits.js';
import { recipientAddress } from './address.js';

export type Category = 'marketing' | 'transactional';
export type SendBlock = 'unsubscribed' | 'opted-out' | 'suppressed' | 'no-address' | 'invalid-address';
export type SendDecision = { ok: true } | { ok: false; reason: SendBlock };

/** The consent traits live in lib/shared, where the trait cap always admits them. */
export { CONSENT_TRAITS };

/** An address as the suppression list knows it: the bare address, trimmed and lowercase. */
export function normaliseAddress(address: string): string {
  const angle = /<([^>]+)>/.exec(address);
  return (angle ? angle[1] : address).trim().toLowerCase();
}

/** The suppression key of an address: no plain address is ever part of a key. */
export const addressHash = (address: string): string =>
  createHash('sha256').update(normaliseAddress(address), 'utf8').digest('hex');

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
