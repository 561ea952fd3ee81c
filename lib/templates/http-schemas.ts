import * as z from 'zod';
import type { ManageTemplates } from './manage-templates.js';
import { Locale } from './template.js';

/**
 * The template routes' contract: a template, what a write answers, the merge patch, the list
 * a preview and a test send. api/openapi.ts documents them; the integration tests check every response.
 */

export const TemplateName = z.string().describe('Template base name (a-z, 0-9, -)');
export const Template = z.object({
  name: TemplateName,
  locales: z.partialRecord(
    Locale,
    z.object({ subject: z.string(), html: z.string(), text: z.string().optional() }),
  ),
  updatedAt: z
    .string()
    .optional()
    .describe('When the template was last changed through the API; absent for one never changed (seeded)'),
  updatedBy: z.string().optional().describe("Who changed it last: the key's name or the signed-in user"),
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
  sample: z.boolean().describe('True when sample data stood in for a customer'),
});

export const TestSent = z.object({
  messageId: z.string().describe("The mail provider's message id"),
  to: z.string(),
  template: TemplateName,
  locale: Locale.describe('The language sent (English when the template has not the one asked for)'),
  sesTemplate: z.string(),
  sample: z.boolean().describe('True when sample data stood in for a customer'),
});

export type TemplateBody = z.input<typeof Template>;
export type TemplateWrittenBody = z.input<typeof TemplateWritten>;
export type TemplateListBody = z.input<typeof TemplateList>;
export type PreviewBody = z.input<typeof Preview>;
export type TestSentBody = z.input<typeof TestSent>;

/**
 * Compile-time contract checks: what ManageTemplates answers must be assignable to the response
 * schema of its route, so a field renamed in one and not the other fails `tsc`.
 */
export type TemplateAnswers = [
  Conforms<Awaited<ReturnType<ManageTemplates['get']>>, TemplateBody>,
  Conforms<WrittenAnswer<Awaited<ReturnType<ManageTemplates['put']>>>, TemplateWrittenBody>,
  Conforms<Awaited<ReturnType<ManageTemplates['list']>>, TemplateListBody>,
  Conforms<Awaited<ReturnType<ManageTemplates['preview']>>, PreviewBody>,
  Conforms<Awaited<ReturnType<ManageTemplates['testSend']>>, TestSentBody>,
];
type Conforms<T extends U, U> = T;
/** A write answers the stored template plus the languages it removed (functions/templates.ts). */
type WrittenAnswer<W extends { template: object; removedLocales: unknown }> = W['template'] & {
  removedLocales: W['removedLocales'];
};
