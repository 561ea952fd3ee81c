/** An EventBridge event pattern (the same shape CDK deploys and `flowRulePattern` returns). */
export type EventPattern = Record<string, unknown>;

/** A pattern uses syntax the local matcher does not implement; failing beats never matching. */
export class UnsupportedPatternError extends Error {
  override name = 'UnsupportedPatternError';
}

type Matcher = (value: unknown, present: boolean) => boolean;

/**
 * Whether an event matches an EventBridge event pattern, with EventBridge's semantics for the
 * subset Stageflow uses: literal lists (string, number, boolean, null), nested objects, event
 * arrays that match when any element does, `prefix`, `suffix`, `equals-ignore-case`,
 * `anything-but` (value, list or prefix), `exists`, `numeric` ranges and `$or`. Throws
 * UnsupportedPatternError for anything else.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return compile(pattern, '$')(event);
}

/** Checks a pattern once, when a rule is registered, so a typo fails there and not silently. */
export function assertValidPattern(pattern: EventPattern): void {
  compile(pattern, '$');
}

function compile(pattern: EventPattern, path: string): (event: unknown) => boolean {
  if (!isPlainObject(pattern)) throw new UnsupportedPatternError(`${path}: a pattern must be an object`);
  const checks: ((event: Record<string, unknown> | undefined) => boolean)[] = [];
  for (const [key, spec] of Object.entries(pattern)) {
    const at = `${path}.${key}`;
    if (key === '$or') {
      if (!Array.isArray(spec) || spec.length < 2) {
        throw new UnsupportedPatternError(`${at}: $or needs a list of at least two patterns`);
      }
      const alternatives = spec.map((p, i) => compile(p as EventPattern, `${at}[${i}]`));
      checks.push((event) => alternatives.some((alt) => alt(event)));
    } else if (Array.isArray(spec)) {
      const matchers = spec.map((m, i) => leafMatcher(m, `${at}[${i}]`));
      checks.push((event) => matchLeaf(matchers, event, key));
    } else if (isPlainObject(spec)) {
      const nested = compile(spec, at);
      checks.push((event) => {
        const value = event?.[key];
        // An absent object still matches a nested pattern made only of `exists: false`.
        if (Array.isArray(value)) return value.some((v) => nested(isPlainObject(v) ? v : undefined));
        return nested(isPlainObject(value) ? value : undefined);
      });
    } else {
      throw new UnsupportedPatternError(`${at}: a pattern value must be a list or an object`);
    }
  }
  return (event) => {
    const object = isPlainObject(event) ? event : undefined;
    return checks.every((check) => check(object));
  };
}

function matchLeaf(matchers: Matcher[], event: Record<string, unknown> | undefined, key: string): boolean {
  const present = event !== undefined && key in event && event[key] !== undefined;
  const value = present ? event[key] : undefined;
  if (Array.isArray(value)) {
    // `exists` asks about the field, not its elements.
    return matchers.some((m) => m(value, true)) || value.some((v) => matchers.some((m) => m(v, true)));
  }
  return matchers.some((m) => m(value, present));
}

function leafMatcher(spec: unknown, path: string): Matcher {
  if (spec === null || typeof spec === 'string' || typeof spec === 'boolean') {
    return (value, present) => present && !Array.isArray(value) && value === spec;
  }
  if (typeof spec === 'number')
    return (value, present) => present && typeof value === 'number' && value === spec;
  if (!isPlainObject(spec)) throw new UnsupportedPatternError(`${path}: unsupported matcher`);
  const entries = Object.entries(spec);
  if (entries.length !== 1) throw new UnsupportedPatternError(`${path}: a matcher has exactly one operator`);
  const [op, arg] = entries[0];
  switch (op) {
    case 'exists':
      if (typeof arg !== 'boolean') throw new UnsupportedPatternError(`${path}: exists takes true or false`);
      return (value, present) => (arg ? present && !isPlainObject(value) : !present);
    case 'prefix':
    case 'suffix': {
      const test = stringTest(op, arg, path);
      return (value, present) => present && typeof value === 'string' && test(value);
    }
    case 'equals-ignore-case': {
      if (typeof arg !== 'string') throw new UnsupportedPatternError(`${path}: ${op} takes a string`);
      const wanted = arg.toLowerCase();
      return (value, present) => present && typeof value === 'string' && value.toLowerCase() === wanted;
    }
    case 'anything-but':
      return anythingBut(arg, path);
    case 'numeric':
      return numeric(arg, path);
    default:
      throw new UnsupportedPatternError(`${path}: the operator "${op}" is not supported locally`);
  }
}

function stringTest(op: 'prefix' | 'suffix', arg: unknown, path: string): (value: string) => boolean {
  if (typeof arg === 'string') return op === 'prefix' ? (v) => v.startsWith(arg) : (v) => v.endsWith(arg);
  if (isPlainObject(arg) && typeof arg['equals-ignore-case'] === 'string') {
    const wanted = (arg['equals-ignore-case'] as string).toLowerCase();
    return op === 'prefix'
      ? (v) => v.toLowerCase().startsWith(wanted)
      : (v) => v.toLowerCase().endsWith(wanted);
  }
  throw new UnsupportedPatternError(`${path}: ${op} takes a string`);
}

function anythingBut(arg: unknown, path: string): Matcher {
  if (isPlainObject(arg)) {
    const [[op, inner] = []] = Object.entries(arg);
    if ((op === 'prefix' || op === 'suffix') && Object.keys(arg).length === 1) {
      const test = stringTest(op, inner, path);
      return (value, present) => present && typeof value === 'string' && !test(value);
    }
    throw new UnsupportedPatternError(`${path}: anything-but takes a value, a list or a prefix`);
  }
  const excluded = Array.isArray(arg) ? arg : [arg];
  if (!excluded.every((v) => typeof v === 'string' || typeof v === 'number')) {
    throw new UnsupportedPatternError(`${path}: anything-but lists strings or numbers`);
  }
  // Like EventBridge, a missing field is not "anything but" a value: it does not match.
  return (value, present) =>
    present && (typeof value === 'string' || typeof value === 'number') && !excluded.some((v) => v === value);
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
};

function numeric(arg: unknown, path: string): Matcher {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0) {
    throw new UnsupportedPatternError(`${path}: numeric takes operator/number pairs`);
  }
  const tests: ((n: number) => boolean)[] = [];
  for (let i = 0; i < arg.length; i += 2) {
    const compare = COMPARE[arg[i] as string];
    const bound = arg[i + 1];
    if (!compare || typeof bound !== 'number') {
      throw new UnsupportedPatternError(`${path}: numeric takes operator/number pairs`);
    }
    tests.push((n) => compare(n, bound));
  }
  return (value, present) => present && typeof value === 'number' && tests.every((t) => t(value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
