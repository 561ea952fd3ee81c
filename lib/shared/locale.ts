/**
 * The languages Stageflow speaks (templates, the unsubscribe page); English is required and the
 * fallback. Here rather than in templates, so consent and ingest know a customer's language
 * without loading the template parser, nor zod (the templates context has the `Locale` schema).
 */
export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const FALLBACK_LOCALE: Locale = 'en';

/** The customer's `locale` trait as a language: `de`, `de-DE`, `de_AT` → de; anything else → en. */
export function localeOf(trait: unknown): Locale {
  if (typeof trait !== 'string') return FALLBACK_LOCALE;
  const language = trait.trim().toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(language) ? (language as Locale) : FALLBACK_LOCALE;
}
