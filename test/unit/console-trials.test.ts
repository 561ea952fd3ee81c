import { describe, expect, it } from 'vitest';
import { compareProportions, customersNeeded, MIN_ARM_CUSTOMERS } from '../../lib/measurement/statistics.js';

/*
 * What new-user trials of the console found confusing, where the logic is pure. The console's
 * own modules are loaded by a path tsc does not follow (they are typed by web/tsconfig.json).
 */
const web = (path: string) => import(/* @vite-ignore */ `../../web/src/${path}`);
const { translator } = await web('i18n/index.ts');
const { liftText } = await web('pages/campaign-figures.ts');

const en = translator('en');
const de = translator('de');

describe('"not enough data" says how many customers a verdict needs', () => {
  /** The rule written out plainly: no verdict while an arm has fewer than 30 customers. */
  const reference = (t: number, c: number) =>
    t >= 30 && c >= 30 ? null : { treatment: t >= 30 ? 0 : 30 - t, control: c >= 30 ? 0 : 30 - c };

  it('is the exact rule that withholds the verdict, for every arm size around it', () => {
    expect(MIN_ARM_CUSTOMERS).toBe(30);
    for (let t = 0; t <= 40; t++) {
      for (let c = 0; c <= 40; c++) {
        const needed = customersNeeded({ customers: t, converted: 0 }, { customers: c, converted: 0 });
        expect(needed).toEqual(reference(t, c));
        // Needed exactly while the verdict is withheld (both arms non-empty, so one is computed).
        if (t > 0 && c > 0) {
          const verdict = compareProportions({ customers: t, converted: 0 }, { customers: c, converted: 0 });
          expect(needed === null).toBe(verdict.significant !== null);
        }
      }
    }
  });

  const conversion = (needed: unknown, holdoutPercent = 10) => ({
    goal: 'purchase',
    windowDays: 7,
    holdoutPercent,
    treatment: { customers: 25, converted: 3, rate: 0.12 },
    control: { customers: 3, converted: 0, rate: 0 },
    lift: null,
    difference: 0.12,
    interval95: [-0.4, 0.3],
    pValue: 0.5,
    significant: null,
    needed,
  });

  it('words it in English and German, one or both groups, singular and plural', () => {
    expect(liftText(en, 'en', conversion({ treatment: 0, control: 27 }))).toBe(
      'not enough data: 27 more held-out customers needed',
    );
    expect(liftText(en, 'en', conversion({ treatment: 0, control: 1 }))).toBe(
      'not enough data: 1 more held-out customer needed',
    );
    expect(liftText(en, 'en', conversion({ treatment: 5, control: 27 }))).toBe(
      'not enough data: 27 more held-out and 5 more mailed customers needed',
    );
    expect(liftText(en, 'en', conversion({ treatment: 1, control: 0 }))).toBe(
      'not enough data: 1 more mailed customer needed',
    );
    expect(liftText(de, 'de', conversion({ treatment: 0, control: 27 }))).toBe(
      'zu wenige Daten: noch 27 Kunden in der Kontrollgruppe nötig',
    );
    expect(liftText(de, 'de', conversion({ treatment: 5, control: 27 }))).toBe(
      'zu wenige Daten: noch 27 Kunden in der Kontrollgruppe und 5 in der Testgruppe nötig',
    );
    // An older API without the figure: the plain words.
    expect(liftText(en, 'en', conversion(undefined))).toBe('not enough data');
    // No holdout: no count to wait for, and the words say why.
    expect(liftText(en, 'en', conversion(null, 0))).toBe(
      'cannot be measured: the holdout is 0%, so nobody is held out to compare with',
    );
    expect(liftText(de, 'de', conversion(null, 0))).toBe(
      'nicht messbar: die Kontrollgruppe ist 0 %, es gibt niemanden zum Vergleich',
    );
  });
});

describe("the funnel says when customers' windows are still open", async () => {
  const { openWindowsFrom, isLocalHost } = await web('pages/funnel-window.ts');
  const now = Date.parse('2026-11-29T22:00:00Z');

  it('while `to` + windowDays lies after now: from the first day whose customers still have time', () => {
    // The default range ends tomorrow: everyone seen in the last 30 days may still move on.
    expect(openWindowsFrom('2026-11-30', 30, now)).toBe('2026-10-30');
    expect(openWindowsFrom('2026-11-01', 30, now)).toBe('2026-10-30');
    // Every window ended: to + 7 days is before now.
    expect(openWindowsFrom('2026-11-01', 7, now)).toBeNull();
    // Exactly at the end: ended.
    expect(openWindowsFrom('2026-11-28', 1, Date.parse('2026-11-29T00:00:00Z'))).toBeNull();
    expect(openWindowsFrom('not-a-day', 7, now)).toBeNull();
  });

  it('words it, with the local time-scale hint only on the local stack', () => {
    expect(en('overview.openWindows', { days: 30, from: '2026-10-30' })).toContain(
      'customers first seen since 2026-10-30 are still within their 30-day window',
    );
    expect(de('overview.openWindows', { days: 30, from: '2026-10-30' })).toContain('30 Tagen');
    expect(en('overview.timeScaleHint')).toContain('STAGEFLOW_TIME_SCALE');
    expect(isLocalHost('127.0.0.1')).toBe(true);
    expect(isLocalHost('localhost')).toBe(true);
    expect(isLocalHost('d111111abcdef8.cloudfront.net')).toBe(false);
  });
});
