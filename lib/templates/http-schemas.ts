import * as z from 'zod';
import { Locale } from './template.js';

/**
 * The template routes' contract: a template, what a write answers, the merge patch, the list
 * and a preview. api/openapi.ts documents them; the integration tests check every response.
 */

export const TemplateName = z.string().describe('Template base name (a-z, 0-9, -)');
export const Template = z.object({
  name: TemplateName,
  locales: z.partialRecord(
    Locale,
    z.object({ subject: z.string(), html: z.string(), text: z.string().optional() }),
  ),
});
export const TemplateWritten = Template.extend({
  removedLocales: z
    .array(Locale)
    .describe('Languages the template had before and no longer has (a PUT removes those it leaves out)'),
});
export const TemplatePatch = z
  .object({
    locales: z
      .partialRecord(
        Locale,
        z
          .object({
            subject: z.string().optional(),
            html: z.string().optional(),
            text: z.string().nullable().optional(),
          })
          .nullable(),
      )
      .optional(),
  })
  .describe(
    'An RFC 7396 JSON Merge Patch: `{"locales": {"de": null}}` removes German, ' +
      '`{"locales": {"en": {"subject": "…"}}}` changes one part and keeps the rest. The result is ' +
      'validated as a whole, like a PUT.',
  );
export const TemplateList = z.object({
  items: z.array(z.object({ name: TemplateName, locales: z.array(Locale) })),
});
export const Preview = z.object({
  template: TemplateName,
  locale: Locale,
  sesTemplate: z.string(),
  subject: z.string(),
  html: z.string().nullable(),
  text: z.string().nullable(),
});
