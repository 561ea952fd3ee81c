import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { de } from './de';
import { type Catalogue, en, type MessageKey } from './en';

export type Locale = 'en' | 'de';
export const LOCALES: readonly Locale[] = ['en', 'de'];
const CATALOGUES: Record<Locale, Catalogue> = { en, de };
const STORED = 'stageflow.console.locale';

/** The language the person chose before, else the browser's first English or German one. */
export function initialLocale(): Locale {
  const stored = localStorage.getItem(STORED);
  if (stored === 'en' || stored === 'de') return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'de' || base === 'en') return base;
  }
  return 'en';
}

export function rememberLocale(locale: Locale): void {
  localStorage.setItem(STORED, locale);
  document.documentElement.lang = locale;
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** The catalogue's string with `{name}` placeholders filled in. */
export function translator(locale: Locale): Translate {
  const catalogue = CATALOGUES[locale];
  return (key, vars = {}) =>
    catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in vars ? String(vars[name]) : whole,
    );
}

export interface I18n {
  locale: Locale;
  t: Translate;
  setLocale(locale: Locale): void;
  /** Dates and numbers in the chosen language. */
  date(iso: string | null | undefined): string;
  /** A count or credit, at most two decimals (credits split an order: 0.33). */
  number(n: number): string;
  /** A ratio (0.25) as a percentage; "–" for null (no denominator). */
  percent(ratio: number | null): string;
  /** An amount in an ISO 4217 currency. */
  money(amount: number, currency: string): string;
}

/** The number formatters of a language. */
export function numberFormats(locale: Locale): Pick<I18n, 'number' | 'percent' | 'money'> {
  const tag = locale === 'de' ? 'de-DE' : 'en-GB';
  const n = new Intl.NumberFormat(tag, { maximumFractionDigits: 2 });
  const p = new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 1 });
  return {
    number: (value) => n.format(value),
    percent: (ratio) => (ratio === null ? '–' : p.format(ratio)),
    money: (amount, currency) => {
      try {
        return new Intl.NumberFormat(tag, { style: 'currency', currency }).format(amount);
      } catch {
        return `${n.format(amount)} ${currency}`;
      }
    },
  };
}

export const I18nContext = createContext<I18n>({
  locale: 'en',
  t: translator('en'),
  setLocale: () => {},
  date: (iso) => iso ?? '',
  ...numberFormats('en'),
});

export const useI18n = () => useContext(I18nContext);

/**
 * The key for `count`: `one` for exactly 1, else `other`. English and German agree on this
 * rule (Intl.PluralRules gives "one" only for 1 in both), so no plural library is needed.
 */
export const plural = (count: number, one: MessageKey, other: MessageKey): MessageKey =>
  count === 1 ? one : other;
