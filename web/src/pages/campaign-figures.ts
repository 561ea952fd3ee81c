import type { components } from '../api/schema';
import { type Locale, plural, type Translate } from '../i18n';
import { keyNameLabel } from '../labels';

/** A campaign's report as `GET /v1/campaigns/{id}/metrics` answers it. */
type Schema = components['schemas']['CampaignMetrics'];
/** The conversion part; openapi-fetch's answers type the interval as an array, not a pair. */
type Conversion = Omit<Schema['conversion'], 'interval95'> & { interval95: readonly number[] | null };
export type CampaignMetrics = Omit<Schema, 'conversion'> & { conversion: Conversion };

/** What the seeder records as `updatedBy` (lib/campaigns/defaults.ts SEEDED_BY). */
export const SEEDED_BY = 'Stageflow defaults';

/**
 * Who made a campaign's version or last status change. Seeded campaigns made before the seeder
 * recorded itself (version 1 of a `default-…` id with no `updatedBy`) were made by the seeder too.
 */
export function changedBy(
  t: Translate,
  c: { campaignId: string; version: number; updatedBy?: string | null },
): string {
  if (c.updatedBy === SEEDED_BY) return t('campaigns.seededBy');
  if (c.updatedBy) return keyNameLabel(t, c.updatedBy);
  if (c.version === 1 && c.campaignId.startsWith('default-')) return t('campaigns.seededBy');
  return t('common.unknownUser');
}

/**
 * The lift in plain words: "not enough data" while either arm has fewer than 30 customers (the
 * API's `significant` is null), "no significant difference" when the 95% interval holds 0 (with
 * the estimate and interval beside it, so a marketer sees how far from a result it is), else
 * the difference in percentage points with its interval and the relative lift beside it
 * ("+2.1 pts (95%: +0.3 to +3.9), +12%"; no relative lift when the control rate is 0).
 */
/**
 * Whether the lift can be judged yet: a goal, and both arms with enough customers (the API's
 * `significant` and interval are null until then). Until it can, rates and a p-value would
 * only look like a result.
 */
export const judgeable = (c: Conversion): boolean =>
  c.goal !== 'none' && c.significant !== null && c.difference !== null && c.interval95 !== null;

export function liftText(t: Translate, locale: Locale, c: Conversion): string {
  if (c.goal === 'none') return t('lift.noGoal');
  if (!judgeable(c) || c.difference === null || c.interval95 === null) {
    // No holdout: nobody new is held out, so more traffic never brings a verdict.
    return c.holdoutPercent === 0 ? t('lift.noHoldout') : notEnoughText(t, c.needed);
  }
  const statement = t('lift.difference', {
    difference: points(locale, c.difference),
    low: points(locale, c.interval95[0]),
    high: points(locale, c.interval95[1]),
  });
  if (!c.significant) return t('lift.noDifferenceWith', { statement });
  return c.lift === null ? statement : t('lift.relative', { statement, relative: relative(locale, c.lift) });
}

/**
 * "not enough data: 12 more held-out customers needed": the API's `needed` (the customers each
 * group lacks before the 30-per-group rule lets it judge), so a marketer knows what it takes.
 */
export function notEnoughText(t: Translate, needed: Conversion['needed'] | undefined): string {
  if (!needed) return t('lift.notEnough');
  const control =
    needed.control > 0
      ? t(plural(needed.control, 'lift.needControl.one', 'lift.needControl.other'), { n: needed.control })
      : null;
  const treatment =
    needed.treatment > 0
      ? t(plural(needed.treatment, 'lift.needTreatment.one', 'lift.needTreatment.other'), {
          n: needed.treatment,
        })
      : null;
  // Both groups short: one shorter phrase ("28 more held-out and 30 more mailed customers").
  const parts =
    control && treatment
      ? t('lift.needBoth', { control: needed.control, treatment: needed.treatment })
      : (control ?? treatment);
  return parts ? t('lift.notEnoughNeeded', { needed: parts }) : t('lift.notEnough');
}

const tag = (locale: Locale) => (locale === 'de' ? 'de-DE' : 'en-GB');

/** A difference of two rates (0.021) in percentage points with its sign: "+2.1". */
export const points = (locale: Locale, difference: number) =>
  new Intl.NumberFormat(tag(locale), {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  }).format(difference * 100);

/** A relative lift (0.12) as a signed whole percentage: "+12%". */
export const relative = (locale: Locale, lift: number) =>
  new Intl.NumberFormat(tag(locale), {
    style: 'percent',
    maximumFractionDigits: 0,
    signDisplay: 'exceptZero',
  }).format(lift);
