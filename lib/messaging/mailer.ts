import { ConfigurationError } from '../config.js';
import type { UnsubscribeTokens } from '../consent/index.js';
import { recipientAddress } from '../consent/index.js';
import {
  FALLBACK_LOCALE,
  type Locale,
  localeOf,
  oneLine,
  sesTemplateName,
  templateData,
} from '../templates/index.js';
import { PermanentSendError } from './errors.js';
import { type PersonaliseSettings, templateVariables } from './personalise.js';
import type { EmailSender } from './ports.js';

/** One mail a flow wants sent (structurally the flows' OutgoingMail). */
export interface MailRequest {
  customerId: string;
  to: string;
  /** Template base name, as a campaign step names it. */
  template: string;
  /** The customer's `locale` trait as stored (`de-AT`, `en_GB`, …). */
  locale: string | undefined;
  category: 'marketing' | 'transactional';
  /** firstName, orderId, products, referralCode, role/isReferrer, … (escaped here, not by the caller). */
  data: Record<string, unknown>;
  /** Optional SES tags (letters, digits, _ and -), e.g. flow and campaign. */
  tags?: Record<string, string>;
}

export interface MailerSettings extends PersonaliseSettings {
  templatePrefix: string;
  /** Base URL of the public API, for `/v1/unsubscribe/{token}`. */
  publicUrl: string | undefined;
}

const TAG_VALUE = /[^A-Za-z0-9_-]/g;

const isMissingTemplate = (error: unknown) => {
  const cause = (error as { cause?: { name?: string; $metadata?: { httpStatusCode?: number } } }).cause;
  return cause?.name === 'NotFoundException' || cause?.$metadata?.httpStatusCode === 404;
};

/**
 * Sends a campaign step's mail with the customer's language of its template: escapes the
 * personalisation, links the one-click unsubscribe URL, and for marketing mail adds
 * `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058). Throws TransientSendError
 * (retry) or PermanentSendError (record as failed).
 */
export class TemplateMailer {
  constructor(
    private readonly sender: EmailSender,
    private readonly tokens: UnsubscribeTokens,
    private readonly settings: MailerSettings,
  ) {}

  /** The one-click unsubscribe URL of a customer; `fallbackBase` serves when STAGEFLOW_PUBLIC_URL is unset. */
  async unsubscribeUrl(customerId: string, fallbackBase?: string): Promise<string> {
    const base = this.settings.publicUrl ?? fallbackBase;
    if (!base)
      throw new ConfigurationError('STAGEFLOW_PUBLIC_URL must be set: every mail links its unsubscribe URL');
    return `${base}/v1/unsubscribe/${await this.tokens.sign(customerId)}`;
  }

  async send(mail: MailRequest): Promise<{ messageId: string; locale: Locale; sesTemplate: string }> {
    // The flows refuse such an address before they claim a send (suppressed, invalid-address);
    // this is the last line: nothing that is not one addr-spec ever reaches SES.
    const to = recipientAddress(mail.to);
    if (to === null)
      throw new PermanentSendError('invalid-address: the recipient is not one RFC 5322 address');
    const unsubscribeUrl = await this.unsubscribeUrl(mail.customerId);
    const data = templateData(templateVariables(this.settings, { unsubscribeUrl, data: mail.data }));
    const headers =
      mail.category === 'marketing'
        ? [
            { name: 'List-Unsubscribe', value: `<${oneLine(unsubscribeUrl)}>` },
            { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
          ]
        : [];
    const tags = Object.fromEntries(
      Object.entries({ category: mail.category, template: mail.template, ...mail.tags }).map(([k, v]) => [
        k.replace(TAG_VALUE, '_'),
        v.replace(TAG_VALUE, '_').slice(0, 256),
      ]),
    );
    const attempt = async (locale: Locale) => {
      const sesTemplate = sesTemplateName(this.settings.templatePrefix, mail.template, locale);
      const sent = await this.sender.send({ to, sesTemplate, templateData: data, headers, tags });
      return { ...sent, locale, sesTemplate };
    };
    const locale = localeOf(mail.locale);
    try {
      return await attempt(locale);
    } catch (error) {
      // A template without this language falls back to English rather than failing the mail.
      if (locale !== FALLBACK_LOCALE && error instanceof PermanentSendError && isMissingTemplate(error)) {
        return attempt(FALLBACK_LOCALE);
      }
      throw error;
    }
  }
}
