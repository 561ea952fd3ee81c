import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareMeans,
  compareProportions,
  erfc,
  normalUpperTail,
  studentQuantile,
} from '../../lib/measurement/statistics.js';

const close = (actual: number, expected: number, relative = 1e-9) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * relative);

/** A seeded PRNG (mulberry32), so the synthetic assignment logs are the same on every run. */
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A synthetic assignment log: customers split by a seeded coin, converting at the arm's rate. */
function assignmentLog(seed: number, customers: number, rate: { treatment: number; control: number }) {
  const random = mulberry32(seed);
  const arms = { treatment: { customers: 0, converted: 0 }, control: { customers: 0, converted: 0 } };
  for (let i = 0; i < customers; i++) {
    const arm = random() < 0.5 ? 'control' : 'treatment';
    arms[arm].customers++;
    if (random() < rate[arm]) arms[arm].converted++;
  }
  return arms;
}

/**
 * A plain reference of Newcombe's method 10, written from the paper's own formulas (Wilson's
 * bounds as (2x + z² ± z√(z² + 4x(1 − x/n))) / 2(n + z²)), not from the code under test.
 */
function referenceNewcombe(x1: number, n1: number, x2: number, n2: number, z = 1.959963984540054) {
  const wilson = (x: number, n: number) => {
    const a = 2 * x + z * z;
    const b = z * Math.sqrt(z * z + 4 * x * (1 - x / n));
    return [(a - b) / (2 * (n + z * z)), (a + b) / (2 * (n + z * z))];
  };
  const [p1, p2] = [x1 / n1, x2 / n2];
  const [l1, u1] = wilson(x1, n1);
  const [l2, u2] = wilson(x2, n2);
  return [
    p1 - p2 - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
    p1 - p2 + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
  ];
}

/** z with P(Z > z) = tail, by bisection on the (separately tested) normal tail. */
function normalQuantileUpper(tail: number) {
  let [lo, hi] = [0, 40];
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (normalUpperTail(mid) > tail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

describe('statistics: two proportions', () => {
  it.each([
    // Newcombe (1998), Statistics in Medicine 17:873, table II, method 10, to 4 decimals.
    [56, 70, 48, 80, [0.0524, 0.3339]],
    [9, 10, 3, 10, [0.1705, 0.809]],
    [5, 56, 0, 29, [-0.0381, 0.1926]],
    [0, 10, 0, 20, [-0.1611, 0.2775]],
    [10, 10, 0, 20, [0.6791, 1]],
  ] as const)('reproduces Newcombe’s worked example %i/%i − %i/%i', (x1, n1, x2, n2, ci) => {
    const result = compareProportions({ converted: x1, customers: n1 }, { converted: x2, customers: n2 });
    expect(result.interval95![0]).toBeCloseTo(ci[0], 4);
    expect(result.interval95![1]).toBeCloseTo(ci[1], 4);
    const reference = referenceNewcombe(x1, n1, x2, n2);
    close(result.interval95![0], reference[0], 1e-12);
    close(result.interval95![1], reference[1], 1e-12);
  });

  it.each([
    // p-values from an independent Python bisection on the same reference formulas.
    [56, 70, 48, 80, 8.133140358606858e-3],
    [600, 2000, 400, 2000, 3.040338328994227e-13],
    [130, 1000, 110, 1000, 1.690458919597326e-1],
    [45, 300, 30, 300, 6.507764748910526e-2],
    [9, 31, 0, 2, 3.747351759334955e-1],
  ] as const)('p-value of %i/%i − %i/%i is where the reference interval reaches 0', (x1, n1, x2, n2, p) => {
    const result = compareProportions({ converted: x1, customers: n1 }, { converted: x2, customers: n2 });
    close(result.pValue!, p, 1e-9);
    // At the confidence level 1 − p the reference interval's lower bound sits on 0.
    expect(Math.abs(referenceNewcombe(x1, n1, x2, n2, normalQuantileUpper(p / 2))[0])).toBeLessThan(1e-9);
  });

  it('no longer calls 0% of 2 held out against 9 of 31 a result (the trial case)', () => {
    // Wald's interval was [0.13, 0.45] beside a pooled-test p of 0.37: they disagreed.
    const result = compareProportions({ customers: 31, converted: 9 }, { customers: 2, converted: 0 });
    expect(result.interval95![0]).toBeLessThan(0);
    expect(result.interval95![1]).toBeGreaterThan(0);
    expect(result.pValue).toBeGreaterThan(0.05);
    expect(result.significant).toBeNull();
  });

  it('calls 30% against 20% at 2,000 customers per arm significant', () => {
    const result = compareProportions(
      { customers: 2000, converted: 600 },
      { customers: 2000, converted: 400 },
    );
    expect(result.significant).toBe(true);
  });

  it('finds an A/A split of a seeded synthetic assignment log not significant', () => {
    // Prepare: 4,000 customers, both arms converting at the same true 20%
    const arms = assignmentLog(20261129, 4000, { treatment: 0.2, control: 0.2 });

    // Act
    const result = compareProportions(arms.treatment, arms.control);

    // Assess
    expect(arms.treatment.customers).toBeGreaterThan(1900);
    expect(result.significant).toBe(false);
    expect(result.interval95![0]).toBeLessThan(0);
    expect(result.interval95![1]).toBeGreaterThan(0);
  });

  it('finds a true 30% against 20% effect in a seeded synthetic assignment log', () => {
    const arms = assignmentLog(7, 4000, { treatment: 0.3, control: 0.2 });
    expect(compareProportions(arms.treatment, arms.control).significant).toBe(true);
  });

  it('gives honest intervals when both arms sit at 0% or 100%', () => {
    const allAgainstNone = compareProportions(
      { customers: 50, converted: 50 },
      { customers: 40, converted: 0 },
    );
    expect(allAgainstNone).toMatchObject({ difference: 1, lift: null, significant: true });
    expect(allAgainstNone.interval95![1]).toBe(1);
    expect(allAgainstNone.interval95![0]).toBeGreaterThan(0.8);
    expect(allAgainstNone.pValue).toBeLessThan(1e-6);
    const noneAgainstNone = compareProportions(
      { customers: 50, converted: 0 },
      { customers: 40, converted: 0 },
    );
    expect(noneAgainstNone).toMatchObject({ pValue: 1, significant: false });
    close(noneAgainstNone.interval95![0], referenceNewcombe(0, 50, 0, 40)[0], 1e-12);
    expect(noneAgainstNone.interval95![1]).toBeGreaterThan(0.05);
  });

  it('leaves significance open while an arm has fewer than 30 customers', () => {
    const result = compareProportions({ customers: 29, converted: 29 }, { customers: 1000, converted: 10 });
    expect(result.pValue).toBeLessThan(0.05);
    expect(result.significant).toBeNull();
  });

  it('keeps p in [0, 1], symmetric, the difference inside an interval within [-1, 1], and p < 0.05 ⇔ 0 outside it', () => {
    const arm = fc
      .tuple(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([customers, share]) => ({ customers, converted: Math.floor(customers * share) }));
    fc.assert(
      fc.property(arm, arm, (t, c) => {
        const ab = compareProportions(t, c);
        const ba = compareProportions(c, t);
        const [lo, hi] = ab.interval95!;
        expect(ab.pValue).toBeGreaterThanOrEqual(0);
        expect(ab.pValue).toBeLessThanOrEqual(1);
        expect(Math.abs(ab.pValue! - ba.pValue!)).toBeLessThan(1e-12);
        expect(lo).toBeLessThanOrEqual(ab.difference + 1e-15);
        expect(hi).toBeGreaterThanOrEqual(ab.difference - 1e-15);
        expect(lo).toBeGreaterThanOrEqual(-1 - 1e-12);
        expect(hi).toBeLessThanOrEqual(1 + 1e-12);
        expect(Math.abs(ba.interval95![0] + hi)).toBeLessThan(1e-12);
        const excludesZero = lo > 0 || hi < 0;
        // Away from the boundary (bisection rounding) the test and the interval agree.
        if (Math.abs(ab.pValue! - 0.05) > 1e-9) expect(ab.pValue! < 0.05).toBe(excludesZero);
        if (ab.significant !== null) expect(ab.significant).toBe(excludesZero);
      }),
    );
  });
});

describe('statistics: distributions', () => {
  it('computes erfc and the normal tail to double precision', () => {
    close(erfc(0.5), 0.4795001221869535, 1e-14);
    close(erfc(1), 0.15729920705028513, 1e-14);
    close(erfc(3), 2.209049699858544e-5, 1e-13);
    close(erfc(6), 2.1519736712498913e-17, 1e-12);
    close(normalUpperTail(1.959963984540054), 0.025, 1e-13);
    close(erfc(-1), 2 - 0.15729920705028513, 1e-14);
  });

  it("finds Student's t quantiles, also for fractional degrees of freedom", () => {
    close(studentQuantile(0.975, 1), 12.706204736174707, 1e-9);
    close(studentQuantile(0.975, 10), 2.2281388519649385, 1e-9);
    close(studentQuantile(0.975, 30), 2.0422724563012373, 1e-9);
    close(studentQuantile(0.975, 2.5), 3.5746548420036817, 1e-9); // scipy.stats.t.ppf
    close(studentQuantile(0.975, 1e7), 1.959963984540054, 1e-6);
  });
});

describe('statistics: Welch interval of two means', () => {
  it('matches a worked example', () => {
    // Prepare: treatment 1,2,3,4,5 against control 2,4,6,8,10,12
    const moments = (xs: number[]) => ({
      n: xs.length,
      sum: xs.reduce((a, b) => a + b, 0),
      sumSquares: xs.reduce((a, b) => a + b * b, 0),
    });

    // Act
    const result = compareMeans(moments([1, 2, 3, 4, 5]), moments([2, 4, 6, 8, 10, 12]));

    // Assess: against scipy (stats.t.ppf on the Welch–Satterthwaite df 6.97225572979...)
    expect(result.difference).toBe(-4);
    close(result.interval95![0], -7.983468695628831, 1e-9);
    close(result.interval95![1], -0.01653130437116923, 1e-7);
  });

  it('has no interval with fewer than two customers in an arm', () => {
    expect(
      compareMeans({ n: 1, sum: 3, sumSquares: 9 }, { n: 5, sum: 5, sumSquares: 5 }).interval95,
    ).toBeNull();
  });
});
