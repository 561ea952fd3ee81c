import { type FieldError, formatPath } from './errors.js';

/**
 * What every JSON request body must satisfy before anything serialises, stores or hashes it
 * (docs/security.md, "Input limits"). Checked on the raw text, because `JSON.parse` already
 * loses what matters: `12345678901234567890` comes back as 12345678901234567000, `1e400` as
 * Infinity, and a body nested 10,000 deep crashes the first `JSON.stringify` after it.
 */
export const JSON_LIMITS = {
  /** Levels of nesting in a whole body (`{"batch":[{"properties":{…}}]}` is 3 levels to `properties`). */
  depth: 64,
  /**
   * Numbers: at most 2^53 - 1 in magnitude (the AWS SDK refuses to write larger ones as
   * imprecise), at least 1e-130 unless zero (DynamoDB's smallest), and exact as written.
   */
  numberMax: Number.MAX_SAFE_INTEGER,
  numberMin: 1e-130,
  /** Free-form objects (`properties`, `traits`, `context`, `integrations`): levels, counting the field itself. */
  freeFormDepth: 16,
  /** Keys per object in a free-form field. */
  freeFormKeys: 256,
  /** Characters per key in a free-form field; DynamoDB refuses empty ones and fails on very long ones. */
  keyChars: 256,
} as const;

/** Keys that reach `Object.prototype` when code merges or indexes objects by client text. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonPath = (string | number)[];

/** A problem with one value of an otherwise well-formed body, located by its path. */
export interface JsonIssue {
  path: JsonPath;
  message: string;
}

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const hasLoneSurrogate = (s: string): boolean => SURROGATE.test(s) && LONE_SURROGATE.test(s);

/** A mantissa of at most 15 characters (sign and dot included, so it only errs towards the full check). */
const isShortNumber = (literal: string): boolean => {
  const e = literal.search(/[eE]/);
  return (e < 0 ? literal.length : e) <= 15;
};

/** Sign, significant digits and decimal exponent of a number literal; zero has no digits. */
function decimal(literal: string): { negative: boolean; digits: string; exponent: number } {
  let s = literal;
  const negative = s.startsWith('-');
  if (negative) s = s.slice(1);
  let exponent = 0;
  const e = s.search(/[eE]/);
  if (e >= 0) {
    exponent = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  const dot = s.indexOf('.');
  if (dot >= 0) {
    exponent -= s.length - dot - 1;
    s = s.slice(0, dot) + s.slice(dot + 1);
  }
  s = s.replace(/^0+/, '');
  const trimmed = s.replace(/0+$/, '');
  exponent += s.length - trimmed.length;
  return { negative, digits: trimmed, exponent };
}

/**
 * Why a number literal cannot be stored as sent, or null. Kept: any finite value in DynamoDB's
 * range whose decimal value the JavaScript number holds exactly as written (`0.1`, `1e20`,
 * `129.90`). Refused: `1e400` (not finite), `1e200` and `1e-200` (beyond DynamoDB's range), and
 * `12345678901234567890` or `0.30000000000000000001` (more digits than a double keeps).
 */
export function numberProblem(literal: string): string | null {
  const value = Number(literal);
  // Up to 15 significant digits a double always keeps exactly (DBL_DIG): only the range is left.
  if (isShortNumber(literal) && value !== Number.POSITIVE_INFINITY) {
    const magnitude = Math.abs(value);
    if (magnitude <= JSON_LIMITS.numberMax && magnitude >= JSON_LIMITS.numberMin) return null;
  }
  const shown = literal.length > 40 ? `${literal.slice(0, 37)}...` : literal;
  const hint = `; send it as a string ("${shown}") to keep it as written`;
  if (!Number.isFinite(value)) return `${shown} is not a finite number${hint}`;
  const sent = decimal(literal);
  const kept = decimal(String(value));
  // Zero written as zero (`0`, `-0`, `0.0e5`) is exact; `1e-400` underflows to 0 and is not.
  if (sent.digits === '' && kept.digits === '') return null;
  if (sent.negative !== kept.negative || sent.digits !== kept.digits || sent.exponent !== kept.exponent) {
    return `${shown} has more precision than a number keeps (it would become ${String(value)})${hint}`;
  }
  const magnitude = Math.abs(value);
  if (magnitude > JSON_LIMITS.numberMax || magnitude < JSON_LIMITS.numberMin) {
    return `${shown} is outside the storable range (1e-130 to 2^53 - 1 in magnitude)${hint}`;
  }
  return null;
}

/** Issues as field errors, each path prefixed like zod's (`batch[2].properties.total`). */
export const issueErrors = (issues: readonly JsonIssue[]): FieldError[] =>
  issues.map((i) => ({ path: formatPath(i.path), pointer: jsonPointer(i.path), message: i.message }));

/** RFC 6901 pointer of a path; keys may hold `.`, `/` or `~`. */
export const jsonPointer = (path: readonly (string | number)[]): string =>
  path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/**
 * Why a free-form object (`properties`, `traits`, `context`, `integrations`) cannot be stored
 * as sent, each with its path below the field: nested deeper than JSON_LIMITS.freeFormDepth,
 * more than JSON_LIMITS.freeFormKeys keys in one object, or an empty or over-long key. The
 * parser has bounded the total depth already, so the walk is bounded too.
 */
export function freeFormIssues(value: unknown): JsonIssue[] {
  const issues: JsonIssue[] = [];
  const walk = (v: unknown, path: JsonPath, level: number) => {
    if (v === null || typeof v !== 'object') return;
    if (level > JSON_LIMITS.freeFormDepth) {
      issues.push({ path, message: `nests deeper than ${JSON_LIMITS.freeFormDepth} levels` });
      return;
    }
    if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(item, [...path, i], level + 1);
      return;
    }
    const entries = Object.entries(v);
    if (entries.length > JSON_LIMITS.freeFormKeys) {
      issues.push({ path, message: `has more than ${JSON_LIMITS.freeFormKeys} keys (${entries.length})` });
    }
    for (const [key, item] of entries) {
      if (key.length === 0) issues.push({ path: [...path, key], message: 'is an empty key' });
      else if (key.length > JSON_LIMITS.keyChars) {
        issues.push({
          path: [...path, `${key.slice(0, 32)}...`],
          message: `is a key longer than ${JSON_LIMITS.keyChars} characters`,
        });
      } else walk(item, [...path, key], level + 1);
    }
  };
  walk(value, [], 1);
  return issues;
}

// C0 and C1 controls and DEL; U+FFFD is what a lenient decoder leaves of bytes that were not UTF-8.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const NOT_ID_TEXT = /[\u0000-\u001f\u007f-\u009f\ufffd]/;

/**
 * Why a string cannot be an id (userId, anonymousId, messageId, orderId, a campaign's name), or
 * null. Ids are keys and hash inputs (lib/events/stable-id.ts joins parts with NUL), so they
 * hold printable Unicode only: no control character, no lone surrogate, no U+FFFD.
 */
export function idTextProblem(value: string): string | null {
  if (NOT_ID_TEXT.test(value)) {
    return 'must not contain control characters (U+0000-U+001F, U+007F-U+009F) or U+FFFD';
  }
  if (hasLoneSurrogate(value)) return 'must not contain a lone UTF-16 surrogate';
  return null;
}
