import { describe, expect, it } from 'vitest';

/*
 * The console's own modules, loaded by a path tsc does not follow: they are typed against the
 * DOM and bundler resolution (web/tsconfig.json, checked by `tsc -p web`), not this project's.
 */
const web = (path: string) => import(/* @vite-ignore */ `../../web/src/${path}`);
const { translator } = await web('i18n/index.ts');
const { changedBy, liftText } = await web('pages/campaign-figures.ts');

const arm = (customers: number, converted: number) => ({
  customers,
  converted,
  rate: customers ? converted / customers : null,
});
/** The conversion part of a campaign report, as GET /v1/campaigns/{id}/metrics answers it. */
const conversion = (over: Record<string, unknown> = {}) => ({
  goal: 'purchase' as const,
  windowDays: 7,
  treatment: arm(1000, 191),
  control: arm(1000, 170),
  lift: 0.12,
  difference: 0.021,
  interval95: [0.003, 0.039],
  pValue: 0.01,
  significant: true,
  ...over,
});

describe('The console says a campaign lift plainly', () => {
  const en = translator('en');
  const de = translator('de');

  it('gives the difference in points with its 95% interval and the relative lift beside it', () => {
    expect(liftText(en, 'en', conversion())).toBe('+2.1 pts (95%: +0.3 to +3.9), +12%');
    expect(liftText(de, 'de', conversion())).toBe('+2,1 Pp. (95 %: +0,3 bis +3,9), +12\u00a0%');
    expect(
      liftText(en, 'en', conversion({ difference: -0.05, interval95: [-0.08, -0.02], lift: -0.25 })),
    ).toBe('-5.0 pts (95%: -8.0 to -2.0), -25%');
  });

  it('leaves the relative lift out when the control group bought nothing (lift is null)', () => {
    expect(liftText(en, 'en', conversion({ lift: null, difference: 0.04, interval95: [0.02, 0.06] }))).toBe(
      '+4.0 pts (95%: +2.0 to +6.0)',
    );
  });

  it('says "no significant difference", "not enough data" and "no goal to measure" when so', () => {
    expect(liftText(en, 'en', conversion({ significant: false }))).toBe(
      'no significant difference (+2.1 pts (95%: +0.3 to +3.9))',
    );
    expect(liftText(de, 'de', conversion({ significant: false }))).toBe(
      'kein signifikanter Unterschied (+2,1 Pp. (95 %: +0,3 bis +3,9))',
    );
    // Fewer than 30 customers in an arm: the API's significant is null.
    expect(liftText(en, 'en', conversion({ significant: null }))).toBe('not enough data');
    expect(
      liftText(
        en,
        'en',
        conversion({ difference: null, interval95: null, lift: null, pValue: null, significant: null }),
      ),
    ).toBe('not enough data');
    expect(liftText(en, 'en', conversion({ goal: 'none' }))).toBe('no goal to measure');
  });

  it('names the seeder as who made a seeded campaign, also when it was seeded before that was recorded', () => {
    expect(
      changedBy(en, { campaignId: 'default-thank-you', version: 1, updatedBy: 'Stageflow defaults' }),
    ).toBe('Stageflow defaults');
    expect(changedBy(de, { campaignId: 'default-thank-you', version: 1 })).toBe('Stageflow-Standard');
    expect(changedBy(en, { campaignId: 'default-thank-you', version: 2 })).toBe('unknown');
    expect(changedBy(en, { campaignId: 'cmp_x', version: 3, updatedBy: 'ops key' })).toBe('ops key');
  });
});
