import {
  hasLoneSurrogate,
  JSON_LIMITS,
  type JsonIssue,
  type JsonPath,
  numberProblem,
  RESERVED_KEYS,
} from '../shared/json-values.js';

// The strict body decoder and parser of the HTTP edge; what a value may be (JSON_LIMITS, ids,
// free-form objects) is in lib/shared/json-values.ts, which domain schemas check too.

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

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

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
