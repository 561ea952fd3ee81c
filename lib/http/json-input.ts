import { type FieldError, formatPath } from './problem.js';

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

export interface ParsedJson {
  value: unknown;
  /** Values that cannot be accepted as sent; empty when the whole body is fine. */
  issues: JsonIssue[];
}

export class JsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export class InvalidUtf8Error extends Error {
  constructor(readonly offset: number) {
    super(`the body is not valid UTF-8 (invalid bytes at or after byte ${offset})`);
    this.name = 'InvalidUtf8Error';
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The body as text, refusing bytes that are not UTF-8 instead of replacing them with U+FFFD (a
 * lenient decode turned `m-\xFF` and `m-\xFE` into the same messageId). API Gateway hands a
 * body base64-encoded when it treats its content type as binary and as text otherwise; the
 * local API server passes any body that is not valid UTF-8 base64-encoded, so it is refused here.
 */
export function decodeBody(body: string | undefined, isBase64Encoded: boolean | undefined): string {
  if (!body) return '';
  if (!isBase64Encoded) return body;
  const bytes = Buffer.from(body, 'base64');
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new InvalidUtf8Error(firstInvalidUtf8(bytes));
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  // The longest valid prefix, by bisection; a cut inside a sequence reads as invalid too.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      strictUtf8.decode(bytes.subarray(0, mid));
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return lo;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const ESCAPE_OR_CONTROL = /[\\\u0000-\u001f]/;
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const hasLoneSurrogate = (s: string): boolean => SURROGATE.test(s) && LONE_SURROGATE.test(s);

/** A mantissa of at most 15 characters (sign and dot included, so it only errs towards the full check). */
const isShortNumber = (literal: string): boolean => {
  const e = literal.search(/[eE]/);
  return (e < 0 ? literal.length : e) <= 15;
};
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

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

interface Frame {
  /** null while skipping a container nested beyond the depth limit. */
  container: Record<string, unknown> | unknown[] | null;
  isArray: boolean;
  /** The key or index the next value is stored under. */
  key: string | number;
  /** A reserved key whose value is parsed but never set. */
  dropKey: boolean;
}

/**
 * A strict JSON parser: syntax exactly as `JSON.parse` (the unit tests compare the two on
 * arbitrary input), iterative, so no nesting depth can overflow the stack. It builds the value
 * down to JSON_LIMITS.depth and reports, by path, every value that cannot be accepted as sent:
 * containers nested deeper (replaced by null), numbers that cannot be stored as written,
 * reserved keys (`__proto__`, `constructor`, `prototype`, never set) and strings or keys with a
 * lone UTF-16 surrogate. Throws JsonSyntaxError for text that is not JSON.
 */
export function parseJson(text: string, maxDepth: number = JSON_LIMITS.depth): ParsedJson {
  const issues: JsonIssue[] = [];
  const stack: Frame[] = [];
  let pos = 0;
  const n = text.length;

  const fail = (what: string): never => {
    if (pos >= n) throw new JsonSyntaxError(`Unexpected end of JSON input`);
    throw new JsonSyntaxError(`${what} at position ${pos}`);
  };
  const ws = () => {
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };
  const pathHere = (extra?: string | number): JsonPath => {
    const path: JsonPath = stack.map((f) => f.key);
    if (extra !== undefined) path.push(extra);
    return path;
  };
  const skipping = () => {
    const top = stack[stack.length - 1];
    return top !== undefined && (top.container === null || top.dropKey);
  };
  const issue = (path: JsonPath, message: string) => {
    if (!skipping()) issues.push({ path, message });
  };

  const readString = (): string => {
    const start = pos;
    let end = text.indexOf('"', pos + 1);
    // Most strings hold no escape and no control character: one slice, no per-character loop.
    if (end > 0 && !ESCAPE_OR_CONTROL.test(text.slice(start + 1, end))) {
      pos = end + 1;
      return text.slice(start + 1, end);
    }
    pos++;
    for (;;) {
      if (pos >= n) fail('Unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (c < 0x20) fail(`Bad control character in string literal`);
      if (c === 0x5c) {
        const next = text[pos + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) fail('Bad Unicode escape');
          pos += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) pos += 2;
        else fail('Bad escaped character');
      } else pos++;
    }
    end = pos;
    pos++;
    return JSON.parse(text.slice(start, end + 1)) as string;
  };

  /** Stores a finished value in the enclosing container, or returns it as the whole document. */
  let result: unknown;
  let done = false;
  const store = (value: unknown) => {
    const top = stack[stack.length - 1];
    if (!top) {
      result = value;
      done = true;
      return;
    }
    if (top.container === null || top.dropKey) return;
    if (top.isArray) (top.container as unknown[]).push(value);
    else (top.container as Record<string, unknown>)[top.key as string] = value;
  };

  /** Reads `"key":` in an object and points the frame at it. */
  const readKey = (top: Frame) => {
    ws();
    if (text.charCodeAt(pos) !== 0x22) fail(`Expected property name`);
    const key = readString();
    ws();
    if (text.charCodeAt(pos) !== 0x3a) fail(`Expected ':' after property name`);
    pos++;
    top.key = key;
    top.dropKey = false;
    if (top.container === null) return;
    if (RESERVED_KEYS.has(key)) {
      top.dropKey = true;
      issues.push({ path: pathHere(), message: `is a reserved key (${[...RESERVED_KEYS].join(', ')})` });
    } else if (hasLoneSurrogate(key)) {
      issues.push({
        path: pathHere(),
        message: 'is a key with a lone UTF-16 surrogate; text must be Unicode',
      });
    }
  };

  /** Opens a container; true when it was empty and is closed already. */
  const open = (isArray: boolean): boolean => {
    const parent = stack[stack.length - 1];
    const parentLive = parent === undefined || (parent.container !== null && !parent.dropKey);
    const tooDeep = stack.length + 1 > maxDepth;
    if (tooDeep && parentLive)
      issues.push({ path: pathHere(), message: `nests deeper than ${maxDepth} levels` });
    stack.push({
      container: parentLive && !tooDeep ? (isArray ? [] : {}) : null,
      isArray,
      key: isArray ? 0 : '',
      dropKey: false,
    });
    pos++;
    ws();
    if (text.charCodeAt(pos) === (isArray ? 0x5d : 0x7d)) {
      pos++;
      closeTop();
      return true;
    }
    if (!isArray) readKey(stack[stack.length - 1]);
    return false;
  };

  const closeTop = () => {
    const frame = stack.pop()!;
    store(frame.container);
  };

  /** After a value: `,` for the next one or the closing bracket(s). */
  const afterValue = () => {
    for (;;) {
      if (done) return;
      ws();
      const top = stack[stack.length - 1];
      const c = text.charCodeAt(pos);
      if (c === 0x2c) {
        pos++;
        if (top.isArray) top.key = (top.key as number) + 1;
        else readKey(top);
        return;
      }
      if (c === (top.isArray ? 0x5d : 0x7d)) {
        pos++;
        closeTop();
        continue;
      }
      fail(`Unexpected token ${text[pos] ?? ''}`);
    }
  };

  ws();
  while (!done) {
    ws();
    const c = text.charCodeAt(pos);
    if (c === 0x7b || c === 0x5b) {
      if (open(c === 0x5b)) afterValue();
      continue;
    }
    let value: unknown;
    if (c === 0x22) {
      value = readString();
      if (hasLoneSurrogate(value as string)) {
        issue(pathHere(), 'holds a lone UTF-16 surrogate; text must be Unicode');
      }
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = pos;
      const m = NUMBER.exec(text);
      if (!m) fail(`Unexpected token ${text[pos]}`);
      const literal = m![0];
      pos += literal.length;
      value = Number(literal);
      if (!skipping()) {
        const problem = numberProblem(literal);
        if (problem) issues.push({ path: pathHere(), message: problem });
      }
    } else if (text.startsWith('true', pos)) {
      value = true;
      pos += 4;
    } else if (text.startsWith('false', pos)) {
      value = false;
      pos += 5;
    } else if (text.startsWith('null', pos)) {
      value = null;
      pos += 4;
    } else {
      fail(`Unexpected token ${text[pos] ?? ''}`);
    }
    store(value);
    afterValue();
  }
  ws();
  if (pos < n) fail(`Unexpected non-whitespace character after JSON`);
  return { value: result, issues };
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
