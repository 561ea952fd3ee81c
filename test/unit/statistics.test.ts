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

describe('statistics: two proportions', () => {
  it.each([
    [600, 2000, 400, 2000, 2.81489334175e-13, [0.073341607666, 0.126658392334]],
    [130, 1000, 110, 1000, 1.687582654197e-1, [-0.008470121376, 0.048470121376]],
    [45, 300, 30, 300, 6.407750645106e-2, [-0.002773645364, 0.102773645364]],
  ] as const)('matches the reference row %i/%i against %i/%i to a relative 1e-9', (ct, nt, cc, nc, p, ci) => {
    // Act
    const result = compareProportions({ converted: ct, customers: nt }, { converted: cc, customers: nc });

    // Assess
    close(result.pValue!, p);
    close(result.interval95![0], ci[0]);
    close(result.interval95![1], ci[1]);
    expect(result.significant).toBe(p < 0.05);
    close(result.difference, ct / nt - cc / nc, 1e-12);
    close(result.lift!, (ct / nt - cc / nc) / (cc / nc), 1e-12);
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

  it('answers pValue 1 and [d, d] when both arms sit at 0% or 100%', () => {
    expect(
      compareProportions({ customers: 50, converted: 50 }, { customers: 40, converted: 0 }),
    ).toMatchObject({
      pValue: 1,
      interval95: [1, 1],
      difference: 1,
      lift: null,
    });
    expect(
      compareProportions({ customers: 50, converted: 0 }, { customers: 40, converted: 0 }),
    ).toMatchObject({
      pValue: 1,
      interval95: [0, 0],
    });
  });

  it('leaves significance open while an arm has fewer than 30 customers', () => {
    const result = compareProportions({ customers: 29, converted: 29 }, { customers: 1000, converted: 10 });
    expect(result.pValue).toBeLessThan(0.05);
    expect(result.significant).toBeNull();
  });

  it('keeps the p-value in [0, 1], symmetric in the arms, and the difference inside its interval', () => {
    const arm = fc
      .tuple(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([customers, share]) => ({ customers, converted: Math.floor(customers * share) }));
    fc.assert(
      fc.property(arm, arm, (t, c) => {
        const ab = compareProportions(t, c);
        const ba = compareProportions(c, t);
        expect(ab.pValue).toBeGreaterThanOrEqual(0);
        expect(ab.pValue).toBeLessThanOrEqual(1);
        expect(Math.abs(ab.pValue! - ba.pValue!)).toBeLessThan(1e-12);
        expect(ab.interval95![0]).toBeLessThanOrEqual(ab.difference + 1e-15);
        expect(ab.interval95![1]).toBeGreaterThanOrEqual(ab.difference - 1e-15);
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
