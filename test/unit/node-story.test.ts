import { readFileSync } from 'node:fs';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';

const read = (file: string) => readFileSync(file, 'utf8');
const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
const lock = JSON.parse(read('package-lock.json')) as {
  packages: Record<string, { engines?: { node?: string } | string[] }>;
};

type Version = [number, number, number];
const parse = (v: string): Version => {
  const [a, b, c] = v.replace(/^v/, '').split('.');
  return [
    Number(a),
    b === undefined || b === '*' || b === 'x' ? 0 : Number(b),
    c === undefined || c === '*' ? 0 : Number(c),
  ];
};
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Enough of semver's ranges for the `engines.node` fields npm installs here; throws on others. */
function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .replace(/([<>]=?)\s+/g, '$1')
      .split(/\s+/)
      .every((token) => {
        if (token === '*' || token === '') return true;
        const m = /^(>=|>|\^|<=|<)?(\d+(?:\.(?:\d+|\*|x))?(?:\.(?:\d+|\*))?)$/.exec(token);
        if (!m) throw new Error(`range "${range}" not understood`);
        const [, op, raw] = m;
        const bound = parse(raw);
        if (op === '>=') return compare(v, bound) >= 0;
        if (op === '>') return compare(v, bound) > 0;
        if (op === '<') return compare(v, bound) < 0;
        if (op === '<=') return compare(v, bound) <= 0;
        if (op === '^') return v[0] === bound[0] && compare(v, bound) >= 0;
        const parts = raw.split('.');
        return v[0] === bound[0] && (parts.length < 2 || parts[1] === '*' || v[1] === bound[1]);
      }),
  );
}

/** The newest even-numbered (LTS) Node.js runtime aws-cdk-lib offers for Lambda. */
const newestLts = () =>
  Object.keys(Runtime)
    .map((k) => /^NODEJS_(\d+)_X$/.exec(k)?.[1])
    .filter((major): major is string => major !== undefined && Number(major) % 2 === 0)
    .map(Number)
    .sort((a, b) => b - a)[0];

describe('One Node story', () => {
  it('deploys on the newest Node.js LTS that aws-cdk-lib offers, and engines covers it and Node 20.19', () => {
    const lts = newestLts();
    expect(read('infra/lambda-functions.ts')).toContain(`Runtime.NODEJS_${lts}_X`);
    expect(read('infra/bundling.ts')).toContain(`target: 'node${lts}'`);
    expect(pkg.engines.node).toBe('>=20.19');
    expect(satisfies(`${lts}.0.0`, pkg.engines.node)).toBe(true);
    expect(satisfies('20.19.0', pkg.engines.node)).toBe(true);
    expect(satisfies('20.18.3', pkg.engines.node)).toBe(false);
  });

  it('states that one range in the README and the docs', () => {
    const readme = read('README.md');
    expect(readme).toContain('Node.js 20.19 or later');
    expect(readme).toContain('`>=20.19`');
    expect(readme).toContain(`Node.js ${newestLts()} runtime`);
    expect(read('docs/infra.md')).toContain(`Node.js ${newestLts()}`);
    expect(`${readme}\n${read('docs/infra.md')}`).not.toMatch(/Node(\.js)? 22\b/);
  });

  it('installs nothing whose engines exclude Node 20.19, so npm install prints no EBADENGINE', () => {
    const excluding = Object.entries(lock.packages)
      .filter(([, p]) => typeof (p.engines as { node?: string } | undefined)?.node === 'string')
      .filter(([, p]) => !satisfies('20.19.0', (p.engines as { node: string }).node))
      .map(([name, p]) => `${name}: ${(p.engines as { node: string }).node}`);
    expect(excluding).toEqual([]);
  });

  it('understands the ranges it checks (self-test)', () => {
    expect(satisfies('20.19.0', '^20.19.0 || ^22.12.0 || >=23')).toBe(true);
    expect(satisfies('20.19.0', '>=22.0.0')).toBe(false);
    expect(satisfies('20.19.0', '18 || 20 || >=22')).toBe(true);
    expect(satisfies('20.19.0', '6.* || 8.* || >= 10.*')).toBe(true);
    expect(satisfies('20.19.0', '>= 20.16.0')).toBe(true);
    expect(satisfies('20.19.0', '*')).toBe(true);
    expect(() => satisfies('20.19.0', '~20.1')).toThrow();
  });
});
