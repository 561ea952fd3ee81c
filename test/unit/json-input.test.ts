import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBody, InvalidUtf8Error, JsonSyntaxError, parseJson } from '../../lib/http/json-input.js';
import {
  freeFormIssues,
  idTextProblem,
  issueErrors,
  JSON_LIMITS,
  numberProblem,
} from '../../lib/shared/json-values.js';

const deep = (levels: number, leaf = '1') => '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);

describe('parseJson', () => {
  it('parses exactly what JSON.parse parses, and refuses what it refuses', () => {
    // Prepare: JSON text from values, and arbitrary (mostly broken) text
    const texts = fc.oneof(
      fc.tuple(fc.jsonValue({ maxDepth: 6 }), fc.nat(2)).map(([v, space]) => JSON.stringify(v, null, space)),
      fc.string({ unit: 'binary' }),
      fc.jsonValue({ maxDepth: 3 }).chain((v) =>
        fc
          .tuple(fc.nat(), fc.constantFrom('', ',', ']', '}', '"', '\\', ':', 'x', '\u0001', '-', '.e'))
          .map(([at, junk]) => {
            const s = JSON.stringify(v);
            const i = at % (s.length + 1);
            return s.slice(0, i) + junk + s.slice(i);
          }),
      ),
    );
    // Act + Assess
    fc.assert(
      fc.property(texts, (text) => {
        let expected: { ok: true; value: unknown } | { ok: false };
        try {
          expected = { ok: true, value: JSON.parse(text) };
        } catch {
          expected = { ok: false };
        }
        let actual: { ok: true; value: unknown; clean: boolean } | { ok: false };
        try {
          const parsed = parseJson(text);
          actual = { ok: true, value: parsed.value, clean: parsed.issues.length === 0 };
        } catch (error) {
          expect(error).toBeInstanceOf(JsonSyntaxError);
          actual = { ok: false };
        }
        expect(actual.ok).toBe(expected.ok);
        // Values with no issue come back exactly as JSON.parse gives them.
        if (actual.ok && expected.ok && actual.clean) expect(actual.value).toStrictEqual(expected.value);
      }),
      { seed: 12, numRuns: 600 },
    );
  });

  it('names JSON nested 10,000 deep by path instead of building it', () => {
    // Act
    const parsed = parseJson(deep(10_000));
    // Assess
    expect(parsed.issues).toHaveLength(1);
    expect(parsed.issues[0].path).toEqual(Array(JSON_LIMITS.depth).fill('a'));
    expect(parsed.issues[0].message).toBe(`nests deeper than ${JSON_LIMITS.depth} levels`);
    expect(() => JSON.stringify(parsed.value)).not.toThrow();
  });

  it('reports every number that cannot be stored as sent, with its path and a hint to send a string', () => {
    // Act
    const parsed = parseJson(
      '{"p":{"a":1e400,"b":1e200,"c":1e-200,"d":12345678901234567890,"e":-1e400,"ok":[0.1,129.90,1e-5,-0,9007199254740991,1.5e3,0.000001]}}',
    );
    // Assess
    expect(issueErrors(parsed.issues)).toEqual([
      { path: 'p.a', pointer: '/p/a', message: expect.stringContaining('1e400 is not a finite number') },
      { path: 'p.b', pointer: '/p/b', message: expect.stringContaining('outside the storable range') },
      { path: 'p.c', pointer: '/p/c', message: expect.stringContaining('outside the storable range') },
      {
        path: 'p.d',
        pointer: '/p/d',
        message: expect.stringContaining('more precision than a number keeps'),
      },
      { path: 'p.e', pointer: '/p/e', message: expect.stringContaining('not a finite number') },
    ]);
    for (const issue of parsed.issues) expect(issue.message).toMatch(/send it as a string/);
  });

  it('keeps any number whose written decimal value a double holds exactly', () => {
    // Prepare: every safe integer and every double's shortest form is exact
    fc.assert(
      fc.property(
        fc.oneof(
          fc.maxSafeInteger(),
          fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
        ),
        (n) => {
          // Act + Assess
          if (n !== 0 && Math.abs(n) < JSON_LIMITS.numberMin) return;
          expect(numberProblem(String(n))).toBeNull();
        },
      ),
      { seed: 7, numRuns: 1000 },
    );
    expect(numberProblem('9007199254740993')).toMatch(/precision/);
    expect(numberProblem('1.00000000000000001')).toMatch(/precision/);
    expect(numberProblem('0.30000000000000000001')).toMatch(/precision/);
    expect(numberProblem('1e20')).toMatch(/range/);
    expect(numberProblem('1e-400')).toMatch(/would become 0/);
    expect(numberProblem('-0.0e7')).toBeNull();
  });

  it('refuses __proto__, constructor and prototype keys anywhere, without setting them', () => {
    // Act
    const parsed = parseJson('{"traits":{"__proto__":{"admin":true},"constructor":{"x":1}},"prototype":1}');
    // Assess
    expect(parsed.issues.map((i) => i.path)).toEqual([
      ['traits', '__proto__'],
      ['traits', 'constructor'],
      ['prototype'],
    ]);
    expect(Object.getPrototypeOf((parsed.value as { traits: object }).traits)).toBe(Object.prototype);
    expect(({} as { admin?: boolean }).admin).toBeUndefined();
  });

  it('refuses lone surrogates in strings and keys', () => {
    // Act
    const parsed = parseJson('{"userId":"u-\\ud800","\\udc00":1,"ok":"\\ud83d\\ude00"}');
    // Assess
    expect(parsed.issues.map((i) => i.path)).toEqual([['userId'], ['\udc00']]);
  });
});

describe('decodeBody', () => {
  it('refuses bytes that are not UTF-8 instead of replacing them', () => {
    // Prepare
    const body = (bytes: number[]) => Buffer.from(bytes).toString('base64');
    const m = [...Buffer.from('{"messageId":"m-')];
    // Act + Assess
    expect(() => decodeBody(body([...m, 0xff, 0x22, 0x7d]), true)).toThrow(InvalidUtf8Error);
    expect(() => decodeBody(body([...m, 0xfe, 0x22, 0x7d]), true)).toThrow(/byte 16/);
    expect(decodeBody(body([...Buffer.from('{"a":"é"}')]), true)).toBe('{"a":"é"}');
    expect(decodeBody('{"a":1}', false)).toBe('{"a":1}');
  });
});

describe('idTextProblem and freeFormIssues', () => {
  it('refuses NUL, other control characters, U+FFFD and lone surrogates in ids', () => {
    for (const id of ['u\u0000', 'a\tb', 'line\n', 'x\u007f', 'c1\u0085', 'm-\ufffd', 'lone\ud800']) {
      expect(idTextProblem(id)).not.toBeNull();
    }
    for (const id of ['u-1', 'ada@example.com', 'Ünïcödé 😀', 'anon:visitor'])
      expect(idTextProblem(id)).toBeNull();
  });

  it('bounds free-form objects: depth, keys per object, key length, empty keys', () => {
    // Prepare
    const tooDeep = JSON.parse(deep(JSON_LIMITS.freeFormDepth + 1));
    const fine = JSON.parse(deep(JSON_LIMITS.freeFormDepth));
    const wide = Object.fromEntries(
      Array.from({ length: JSON_LIMITS.freeFormKeys + 1 }, (_, i) => [`k${i}`, i]),
    );
    // Act + Assess
    expect(freeFormIssues(fine)).toEqual([]);
    expect(freeFormIssues(tooDeep)).toEqual([
      { path: Array(JSON_LIMITS.freeFormDepth).fill('a'), message: expect.stringContaining('deeper') },
    ]);
    expect(freeFormIssues(wide)[0].message).toMatch(/more than 256 keys/);
    expect(freeFormIssues({ '': 1 })).toEqual([{ path: [''], message: 'is an empty key' }]);
    expect(freeFormIssues({ ['k'.repeat(300)]: 1 })[0].message).toMatch(/longer than 256/);
  });
});
