import { type FieldError, fieldErrors, toPointer, ValidationError } from '../shared/errors.js';
import { mergePatch } from '../shared/merge-patch.js';
import { TemplateInUseError, TemplateNotFoundError } from './errors.js';
import { checkTemplate, hideRawValues, readRawValues } from './handlebars.js';
import { parseRenderedEmail, type RenderedEmail } from './mime.js';
import type { SesTemplateContent, TemplateChange, TemplateChangeLog, TemplateStore } from './ports.js';
import {
  FALLBACK_LOCALE,
  LOCALES,
  type Locale,
  type LocalisedContent,
  localeOf,
  PreviewInput,
  parseSesTemplateName,
  sesTemplateName,
  type Template,
  TemplateInput,
  TemplateName,
  TestSendInput,
} from './template.js';
import { templateData } from './template-data.js';

/** What a PUT or PATCH did: the template as stored, and the languages it removed. */
export interface TemplateWrite {
  template: Template;
  created: boolean;
  removedLocales: Locale[];
}

export interface Personalisation {
  /** The customer's `locale` trait (or the one asked for), not yet resolved to a template language. */
  locale: string | undefined;
  variables: Record<string, unknown>;
}

export interface TemplateDeps {
  store: TemplateStore;
  prefix: string;
  /** Who changed each template last (without it, templates carry no updatedAt/updatedBy). */
  changes?: TemplateChangeLog;
  /** Campaigns (active, paused or draft) whose current version sends a template. */
  campaignsUsing?: (name: string) => Promise<string[]>;
  /** The variables a send to this customer would carry (messaging context). */
  personalise?: (
    customerId: string,
    data: Record<string, unknown>,
    baseUrl?: string,
  ) => Promise<Personalisation>;
  /** STAGEFLOW_PUBLIC_URL, which the unsubscribe links of sends use; the API's own URL stands in. */
  publicUrl?: string;
  /** The variables of a send with sample data (firstName, orderId, products, …). */
  sample?: (data: Record<string, unknown>) => Personalisation;
  /** The recipient as the provider gets it, or null when it is not one RFC 5322 address (consent's rule). */
  recipientAddress?: (value: string) => string | null;
  /** Sends one templated mail as a flow's send does (the messaging context's EmailSender). */
  send?: (mail: TestMail) => Promise<{ messageId: string }>;
}

/** A test send as the mail provider gets it (structurally the messaging context's OutgoingEmail). */
export interface TestMail {
  to: string;
  sesTemplate: string;
  templateData: Record<string, unknown>;
  headers: { name: string; value: string }[];
  tags: Record<string, string>;
}

/** What a test send did. */
export interface TestSent {
  messageId: string;
  to: string;
  template: string;
  locale: Locale;
  sesTemplate: string;
  /** True when sample data stood in for a customer. */
  sample: boolean;
}

/** What SES stores for one language: subject and text read the unescaped values under `raw`. */
export const toSesContent = (c: LocalisedContent): SesTemplateContent => ({
  subject: readRawValues(c.subject),
  html: c.html,
  text: c.text === undefined ? undefined : readRawValues(c.text),
});

const fromSesContent = (c: SesTemplateContent): LocalisedContent => ({
  subject: hideRawValues(c.subject),
  html: c.html ?? '',
  ...(c.text ? { text: hideRawValues(c.text) } : {}),
});

/** SES email templates as the marketer sees them: one name, one version per language. */
export class ManageTemplates {
  constructor(private readonly deps: TemplateDeps) {}

  async list(): Promise<{ items: { name: string; locales: Locale[] }[] }> {
    const byName = new Map<string, Locale[]>();
    for (const sesName of await this.deps.store.list(this.deps.prefix)) {
      const parsed = parseSesTemplateName(this.deps.prefix, sesName);
      if (parsed) byName.set(parsed.name, [...(byName.get(parsed.name) ?? []), parsed.locale]);
    }
    const items = [...byName.entries()]
      .map(([name, locales]) => ({ name, locales: LOCALES.filter((l) => locales.includes(l)) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { items };
  }

  async get(name: string): Promise<Template> {
    const [found, change] = await Promise.all([this.read(checkedName(name)), this.deps.changes?.get(name)]);
    if (!found) throw new TemplateNotFoundError(name);
    return { ...found, ...changeFields(change) };
  }

  /** Creates or replaces every language of a template; languages left out are removed (and named). */
  /** `by` (the key's name or the user) is recorded as the template's last change. */
  async put(name: string, body: unknown, by?: string): Promise<TemplateWrite> {
    checkedName(name);
    return this.write(name, validated(body), undefined, by);
  }

  /**
   * Changes only what an RFC 7396 merge patch names (`{"locales": {"de": null}}` removes German,
   * `{"locales": {"en": {"subject": "…"}}}` changes one subject); the result is validated as a
   * whole, like a PUT, and only the languages that changed are written.
   */
  async patch(name: string, body: unknown, by?: string): Promise<TemplateWrite> {
    const current = await this.read(checkedName(name));
    if (!current) throw new TemplateNotFoundError(name);
    return this.write(name, validated(mergePatch({ locales: current.locales }, body)), current, by);
  }

  private async write(
    name: string,
    input: TemplateInput,
    current?: Template,
    by?: string,
  ): Promise<TemplateWrite> {
    let created = false;
    const removedLocales: Locale[] = [];
    for (const locale of LOCALES) {
      const sesName = sesTemplateName(this.deps.prefix, name, locale);
      const content = input.locales[locale];
      if (!content) {
        if (await this.deps.store.delete(sesName)) removedLocales.push(locale);
      } else if (!sameContent(current?.locales[locale], content)) {
        const isNew = await this.deps.store.put(sesName, toSesContent(content));
        if (locale === FALLBACK_LOCALE && !current) created = isNew;
      }
    }
    const change = { at: new Date().toISOString(), ...(by ? { by } : {}) };
    await this.deps.changes?.record(name, change);
    return {
      template: { name, locales: input.locales, ...(this.deps.changes ? changeFields(change) : {}) },
      created,
      removedLocales,
    };
  }

  async delete(name: string): Promise<void> {
    checkedName(name);
    const users = (await this.deps.campaignsUsing?.(name)) ?? [];
    if (users.length) throw new TemplateInUseError(name, users);
    let deleted = false;
    for (const locale of LOCALES) {
      if (await this.deps.store.delete(sesTemplateName(this.deps.prefix, name, locale))) deleted = true;
    }
    if (!deleted) throw new TemplateNotFoundError(name);
    await this.deps.changes?.remove(name);
  }

  /** Whether campaigns may send this template (its fallback language exists). */
  async exists(name: string): Promise<boolean> {
    return (await this.deps.store.get(sesTemplateName(this.deps.prefix, name, FALLBACK_LOCALE))) !== null;
  }

  /** Renders a template for one customer; `baseUrl` (the API's own URL) backs STAGEFLOW_PUBLIC_URL. */
  async preview(
    name: string,
    body: unknown,
    baseUrl?: string,
  ): Promise<RenderedEmail & { template: string; locale: Locale; sesTemplate: string; sample: boolean }> {
    checkedName(name);
    const parsed = PreviewInput.safeParse(body);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid preview request');
    const { personalise, sample } = this.deps;
    if (!personalise || !sample)
      throw new Error('ManageTemplates needs personalise() and sample() for previews');
    const { customerId } = parsed.data;
    const p = customerId
      ? await personalise(customerId, parsed.data.data ?? {}, baseUrl)
      : sample(parsed.data.data ?? {});
    const wanted = localeOf(parsed.data.locale ?? p.locale);
    const locale = await this.availableLocale(name, wanted);
    const sesTemplate = sesTemplateName(this.deps.prefix, name, locale);
    const mime = await this.deps.store.render(sesTemplate, templateData(p.variables));
    return { template: name, locale, sesTemplate, sample: !customerId, ...parseRenderedEmail(mime) };
  }

  /**
   * Sends one mail of a template to the address given, rendered by SES from the same template
   * data a campaign send carries: a customer's, or sample data when none is named. It goes only
   * to `to`, is in no customer's message log, and its unsubscribe link is a sample that
   * unsubscribes nobody (a test mail forwarded around must not unsubscribe the customer).
   */
  async testSend(name: string, body: unknown, baseUrl: string): Promise<TestSent> {
    checkedName(name);
    const parsed = TestSendInput.safeParse(body);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid test send');
    const { send, sample, personalise, recipientAddress } = this.deps;
    if (!send || !sample || !personalise || !recipientAddress)
      throw new Error('ManageTemplates needs send(), sample(), personalise() and recipientAddress()');
    const to = recipientAddress(parsed.data.to);
    if (to === null) {
      const message = 'must be one email address (name@example.com): no list, display name or line break';
      throw new ValidationError([{ path: 'to', pointer: toPointer('to'), message }], 'Invalid test send');
    }
    const { customerId, data = {}, locale: asked } = parsed.data;
    const p = customerId ? await personalise(customerId, data, baseUrl) : sample(data);
    const base = this.deps.publicUrl ?? baseUrl;
    const variables = { ...p.variables, unsubscribeUrl: `${base}/v1/unsubscribe/test-send-sample` };
    const locale = await this.availableLocale(name, localeOf(asked));
    const sesTemplate = sesTemplateName(this.deps.prefix, name, locale);
    const { messageId } = await send({
      to,
      sesTemplate,
      templateData: templateData(variables),
      headers: [{ name: 'X-Stageflow-Test-Send', value: 'true' }],
      tags: { category: 'test', template: name },
    });
    return { messageId, to, template: name, locale, sesTemplate, sample: !customerId };
  }

  /** Creates the templates that do not exist yet; an edited template is never overwritten. */
  async seed(templates: readonly Template[]): Promise<{ created: string[] }> {
    const created: string[] = [];
    for (const t of templates) {
      for (const locale of LOCALES) {
        const content = t.locales[locale];
        if (!content) continue;
        const sesName = sesTemplateName(this.deps.prefix, t.name, locale);
        if (await this.deps.store.createIfMissing(sesName, toSesContent(content))) created.push(sesName);
      }
    }
    return { created };
  }

  private async availableLocale(name: string, wanted: Locale): Promise<Locale> {
    if (await this.deps.store.get(sesTemplateName(this.deps.prefix, name, wanted))) return wanted;
    if (wanted !== FALLBACK_LOCALE && (await this.exists(name))) return FALLBACK_LOCALE;
    throw new TemplateNotFoundError(name);
  }

  private async read(name: string): Promise<Template | null> {
    const contents = await Promise.all(
      LOCALES.map((l) => this.deps.store.get(sesTemplateName(this.deps.prefix, name, l))),
    );
    const locales: Template['locales'] = {};
    LOCALES.forEach((l, i) => {
      const c = contents[i];
      if (c) locales[l] = fromSesContent(c);
    });
    return Object.keys(locales).length ? { name, locales } : null;
  }
}

/** The body as a template: the schema, then every part's Handlebars (escaping included), each problem by part. */
function validated(body: unknown): TemplateInput {
  const parsed = TemplateInput.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid template');
  const errors: FieldError[] = [];
  for (const [locale, content] of Object.entries(parsed.data.locales)) {
    if (!content) continue;
    for (const part of ['subject', 'html', 'text'] as const) {
      const source = content[part];
      if (source === undefined) continue;
      for (const problem of checkTemplate(source, part)) {
        const path = `locales.${locale}.${part}`;
        errors.push({ path, pointer: toPointer(path), message: problem.message });
      }
    }
  }
  if (errors.length) throw new ValidationError(errors, 'Invalid template');
  return parsed.data;
}

const sameContent = (a: LocalisedContent | undefined, b: LocalisedContent): boolean =>
  a !== undefined && a.subject === b.subject && a.html === b.html && a.text === b.text;

function checkedName(name: string): string {
  const parsed = TemplateName.safeParse(name);
  if (!parsed.success)
    throw new ValidationError(fieldErrors(parsed.error, ['name']), 'Invalid template name');
  return parsed.data;
}

/** A template's last change as the API shows it; nothing for a template never changed through it (seeded). */
const changeFields = (change: TemplateChange | null | undefined) =>
  change ? { updatedAt: change.at, ...(change.by ? { updatedBy: change.by } : {}) } : {};
