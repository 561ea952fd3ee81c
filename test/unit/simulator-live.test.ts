import { describe, expect, it } from 'vitest';
import { DEFAULT_REACTIONS, decide, reactionErrors } from '../../lib/simulator/live-decisions.js';

describe('Live simulator decisions (lib/simulator/live-decisions.ts)', () => {
  const reactions = { open: 0.4, click: 0.5, base: 0.2, effect: 0.1 };
  const all = (seed: number, exposure: 'mailed' | 'held-out' | 'not-mailed', n = 20_000, r = reactions) =>
    Array.from({ length: n }, (_, i) => decide(seed, i, exposure, r));

  it('gives the same decisions for the same seed, and others for another seed', () => {
    expect(all(3, 'mailed', 500)).toEqual(all(3, 'mailed', 500));
    expect(all(4, 'mailed', 500)).not.toEqual(all(3, 'mailed', 500));
  });

  it('opens, clicks and buys at the given chances, the mailed with the true effect added', () => {
    const mailed = all(11, 'mailed');
    const rate = (ds: { buys: boolean }[]) => ds.filter((d) => d.buys).length / ds.length;
    const opened = mailed.filter((d) => d.opens).length / mailed.length;
    const clickedOfOpened = mailed.filter((d) => d.clicks).length / mailed.filter((d) => d.opens).length;
    // 20,000 draws: four standard errors are under 0.015 for any of these rates.
    expect(opened).toBeCloseTo(0.4, 1);
    expect(Math.abs(clickedOfOpened - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(rate(mailed) - 0.3)).toBeLessThan(0.015);
    const heldOut = all(11, 'held-out');
    expect(Math.abs(rate(heldOut) - 0.2)).toBeLessThan(0.015);
    expect(Math.abs(rate(all(11, 'not-mailed')) - 0.2)).toBeLessThan(0.015);
  });

  it('never opens or clicks without the mail, and clicks only what was opened', () => {
    for (const d of [...all(5, 'held-out', 2000), ...all(5, 'not-mailed', 2000)]) {
      expect(d.opens || d.clicks).toBe(false);
    }
    for (const d of all(5, 'mailed', 2000)) if (d.clicks) expect(d.opens).toBe(true);
  });

  it('uses common random numbers: a customer who buys unmailed buys mailed too, when the effect is positive', () => {
    const unmailed = all(9, 'held-out', 5000);
    const mailed = all(9, 'mailed', 5000);
    unmailed.forEach((d, i) => {
      if (d.buys) expect(mailed[i].buys).toBe(true);
    });
  });

  it('keeps the chance within [0, 1] and refuses options out of range by name', () => {
    expect(all(2, 'mailed', 200, { ...reactions, base: 0.95, effect: 0.5 }).every((d) => d.buys)).toBe(true);
    expect(all(2, 'mailed', 200, { ...reactions, base: 0.05, effect: -0.5 }).some((d) => d.buys)).toBe(false);
    expect(reactionErrors(DEFAULT_REACTIONS)).toEqual([]);
    expect(reactionErrors({ open: 1.5, click: -0.1, base: Number.NaN, effect: 2 })).toEqual([
      '--open must be from 0 to 1',
      '--click must be from 0 to 1',
      '--base must be from 0 to 1',
      '--effect must be from -1 to 1',
    ]);
  });
});
