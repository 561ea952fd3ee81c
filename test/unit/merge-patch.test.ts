import { describe, expect, it } from 'vitest';
import { MAX_PATH_PARAMETER_BYTES, pathParameter } from '../../lib/http/path-parameters.js';
import { statusOf } from '../../lib/http/problem.js';
import { ValidationError } from '../../lib/shared/errors.js';
import { mergePatch } from '../../lib/shared/merge-patch.js';

describe('Function: mergePatch', () => {
  // RFC 7396, Appendix A.
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('patches %j with %j into %j', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });

  it('keeps __proto__ an ordinary key for validation to refuse, and never changes a prototype', () => {
    const patched = mergePatch({ a: 1 }, JSON.parse('{"__proto__": {"polluted": true}}')) as object;
    expect(Object.keys(patched)).toEqual(['a', '__proto__']);
    expect(Object.getPrototypeOf(patched)).toBe(Object.prototype);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('Function: pathParameter', () => {
  const event = (value?: string) =>
    ({ pathParameters: value === undefined ? undefined : { campaignId: value } }) as never;

  it('returns the value as API Gateway decoded it, never decoding again', () => {
    expect(pathParameter(event('100%'), 'campaignId')).toBe('100%');
    expect(pathParameter(event('%E0%A4%A'), 'campaignId')).toBe('%E0%A4%A');
  });

  it('answers a missing or oversize parameter with a 400 naming it', () => {
    for (const value of [undefined, '', 'x'.repeat(MAX_PATH_PARAMETER_BYTES + 1)]) {
      const error = (() => {
        try {
          pathParameter(event(value), 'campaignId');
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect(statusOf(error as ValidationError)).toBe(400);
      expect((error as ValidationError).errors?.[0].path).toBe('campaignId');
    }
  });
});
