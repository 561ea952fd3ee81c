import type { JsonIssue } from './json-values.js';

/**
 * The bounds on a customer's traits. Traits from every identify are merged into the profile,
 * one DynamoDB item of at most 400 KB that every touchpoint of the customer rewrites: without a
 * bound, a shop sending new trait keys (a timestamp as key, a growing list) makes the profile
 * grow until every write for that customer fails. 100 keys of at most 1 KB each (plus keys of at
 * most 256 characters) keep the traits under about 130 KB, whatever arrives and in which order.
 */
export const TRAIT_LIMITS = {
  /** Trait keys in one touchpoint, and on a profile. */
  keys: 100,
  /** UTF-8 bytes of one trait's value written as JSON (`"ada@example.com"` is 17). */
  valueBytes: 1024,
} as const;

/**
 * Consent traits a shop may send with identify: `marketingConsent: false` opts out of
 * marketing mail, `emailConsent: false` withdraws consent to any mail (transactional too).
 */
export const CONSENT_TRAITS = { marketing: 'marketingConsent', email: 'emailConsent' } as const;

/**
 * The trait keys Stageflow itself reads from a profile: consent (lib/consent, the send step),
 * the address and name a mail goes to and greets by, the locale and time zone it is written and
 * timed in. They are admitted outside the TRAIT_LIMITS.keys count, so a profile full of a shop's
 * own keys can never drop an opt-out or a new address. A fixed, small set (values still bounded
 * by TRAIT_LIMITS.valueBytes), so the profile stays bounded.
 */
export const SYSTEM_TRAITS: ReadonlySet<string> = new Set([
  CONSENT_TRAITS.marketing,
  CONSENT_TRAITS.email,
  'trackingConsent',
  'email',
  'firstName',
  'first_name',
  'lastName',
  'last_name',
  'name',
  'locale',
  'timezone',
]);

const countedKeys = (traits: Record<string, unknown>): number =>
  Object.keys(traits).filter((key) => !SYSTEM_TRAITS.has(key)).length;

const valueBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/** Why a touchpoint's `traits` cannot be taken, each with its path below `traits`. */
export function traitIssues(traits: Record<string, unknown>): JsonIssue[] {
  const issues: JsonIssue[] = [];
  const keys = Object.keys(traits);
  const counted = countedKeys(traits);
  if (counted > TRAIT_LIMITS.keys) {
    issues.push({
      path: [],
      message: `has ${counted} keys; a customer keeps at most ${TRAIT_LIMITS.keys} traits (besides the ones Stageflow reads: consent, email, name, locale, timezone)`,
    });
  }
  for (const key of keys) {
    const bytes = valueBytes(traits[key]);
    if (bytes > TRAIT_LIMITS.valueBytes) {
      issues.push({
        path: [key],
        message: `is ${bytes} bytes as JSON; a trait value may be at most ${TRAIT_LIMITS.valueBytes} bytes`,
      });
    }
  }
  return issues;
}

/**
 * `incoming` merged into `current`, bounded: a key the profile has is always updated (the
 * newest value in event time wins); a new key is added only while the profile has fewer than
 * TRAIT_LIMITS.keys of its own (SYSTEM_TRAITS are always admitted and not counted); a value
 * over TRAIT_LIMITS.valueBytes (stored before the limit) is left out. The fold applies it in
 * event-time order, so the keys kept are the first ones the customer's history brought, the
 * same in any arrival order and after any merge of profiles.
 */
export function mergeTraits(
  current: Record<string, unknown>,
  incoming: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  let count = countedKeys(merged);
  for (const [key, value] of Object.entries(incoming)) {
    if (valueBytes(value) > TRAIT_LIMITS.valueBytes) continue;
    if (!Object.hasOwn(merged, key) && !SYSTEM_TRAITS.has(key)) {
      if (count >= TRAIT_LIMITS.keys) continue;
      count++;
    }
    merged[key] = value;
  }
  return merged;
}
