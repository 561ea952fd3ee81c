import * as z from 'zod';
import { LOCALES } from '../shared/locale.js';

/**
 * A template's base name, as campaign steps reference it. Short enough that the SES name
 * (`<prefix, ≤ 20><name>_<locale>`) stays within SES's 64 characters.
 */
export const TemplateName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be a template name: a-z, 0-9 and -, at most 40 characters');
export type TemplateName = z.infer<typeof TemplateName>;

export { FALLBACK_LOCALE, LOCALES, localeOf } from '../shared/locale.js';

/** A language Stageflow speaks, as a schema (lib/shared/locale.ts has the list). */
export const Locale = z.enum(LOCALES);
export type Locale = z.infer<typeof Locale>;

/** The SES template that holds one language of a template. */
export const sesTemplateName = (prefix: string, name: string, locale: Locale): string =>
  `${prefix}${name}_${locale}`;

/** The base name and language of one of this deployment's SES templates, or null for anyone else's. */
export function parseSesTemplateName(
  prefix: string,
  sesName: string,
): { name: string; locale: Locale } | null {
  if (!sesName.startsWith(prefix)) return null;
  const m = /^([a-z0-9][a-z0-9-]{0,39})_([a-z]{2})$/.exec(sesName.slice(prefix.length));
  if (!m || !(LOCALES as readonly string[]).includes(m[2])) return null;
  return { name: m[1], locale: m[2] as Locale };
}

/** Limits well inside SES's 500 KB per template. */
const LIMITS = { subject: 998, html: 200_000, text: 100_000 };

export const LocalisedContent = z
  .object({
    subject: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(LIMITS.subject)
      .regex(/^[^\r\n]*$/, 'must be one line: a CR or LF would end the Subject header'),
    html: z.string().trim().min(1, 'must not be empty').max(LIMITS.html),
    text: z.string().trim().min(1, 'must not be empty').max(LIMITS.text).optional(),
  })
  .strict();
export type LocalisedContent = z.infer<typeof LocalisedContent>;

/** PUT /v1/templates/{name}: the content per language; `en` is required. */
export const TemplateInput = z
  .object({
    locales: z
      .object({ en: LocalisedContent, de: LocalisedContent.optional() })
      .strict()
      .refine((l) => l.en !== undefined, { message: 'must include en', path: ['en'] }),
  })
  .strict();
export type TemplateInput = z.infer<typeof TemplateInput>;

export interface Template {
  name: string;
  locales: Partial<Record<Locale, LocalisedContent>>;
  /** The last change through the API; absent for a template never changed there (seeded). */
  updatedAt?: string;
  updatedBy?: string;
}

/**
 * Variables every send provides (empty when unknown), so a template may use any of them.
 * Values are HTML-escaped for the html part; see template-data.ts.
 */
export const TEMPLATE_VARIABLES = [
  'firstName',
  'orderId',
  'products',
  'referralCode',
  'referralUrl',
  'unsubscribeUrl',
  'shopName',
  'shopUrl',
  'isReferrer',
] as const;

/** Extra template variables a preview or test send may pass (`raw` is the escaper's). */
const TemplateDataInput = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'keys must be identifiers'),
    z.union([
      z.string().max(2000),
      z.number(),
      z.boolean(),
      z.null(),
      z
        .array(
          z.union([
            z.string().max(2000),
            z.number(),
            z.record(z.string(), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()])),
          ]),
        )
        .max(100),
    ]),
  )
  .refine((d) => !('raw' in d), { message: '"raw" is reserved' });

/** POST /v1/templates/{name}/preview. */
export const PreviewInput = z
  .object({
    customerId: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(256)
      .optional()
      .describe("The customer whose data fills the template; without one, sample data (as a test send's)"),
    locale: z.string().trim().min(2).max(35).optional(),
    data: TemplateDataInput.optional(),
  })
  .strict();
export type PreviewInput = z.infer<typeof PreviewInput>;

/** POST /v1/templates/{name}/test-send: one mail to one address, never to a customer's. */
export const TestSendInput = z
  .object({
    // The full RFC 5322 check is the consent context's (recipientAddress), run by testSend().
    to: z
      .string()
      .min(1, 'must not be empty')
      .max(254)
      .describe('The one address the test mail goes to: one addr-spec, no list, display name or line break'),
    locale: z.string().trim().min(2).max(35).describe('en, de, de-AT, …; falls back to English'),
    customerId: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(256)
      .optional()
      .describe("Render with this customer's data; without it, sample data"),
    data: TemplateDataInput.optional(),
  })
  .strict();
export type TestSendInput = z.infer<typeof TestSendInput>;
