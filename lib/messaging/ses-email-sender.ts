import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PermanentSendError, TransientSendError } from './errors.js';
import type { EmailSender, OutgoingEmail } from './ports.js';

type SdkError = Error & {
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
  code?: string;
};

/** SES v2 errors that pass: rate limits, daily quotas, a paused sending (it resumes). */
const TRANSIENT_NAMES = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
  'SendingPausedException',
  'InternalFailure',
  'InternalServiceError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** Whether an SES (or network) error is worth retrying later; everything else is permanent. */
export function isTransientSesError(error: unknown): boolean {
  const e = error as SdkError;
  if (!e || typeof e !== 'object') return false;
  const status = e.$metadata?.httpStatusCode;
  return (
    TRANSIENT_NAMES.has(e.name) ||
    e.$retryable !== undefined ||
    e.$fault === 'server' ||
    (status !== undefined && (status === 429 || status >= 500)) ||
    (e.code !== undefined && NETWORK_CODES.has(e.code))
  );
}

/** The SES error as a send error: transient ones are rethrown for a retry, the rest recorded. */
export function classifySesError(error: unknown): TransientSendError | PermanentSendError {
  const e = error as SdkError;
  const message = `SES ${e?.name ?? 'error'}: ${e?.message ?? String(error)}`.slice(0, 300);
  return isTransientSesError(error)
    ? new TransientSendError(message, { cause: error })
    : new PermanentSendError(message, { cause: error });
}

export interface SesSenderOptions {
  from: string;
  configurationSet?: string;
  /**
   * The configuration set whose event destination leaves out Open and Click: SES then adds no
   * pixel and rewrites no link. Without one, untracked mail goes without a configuration set.
   */
  untrackedConfigurationSet?: string;
}

/** EmailSender on SES v2 SendEmail with a stored template. */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly ses: SESv2Client,
    private readonly options: SesSenderOptions,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const configurationSet = email.tracked
      ? this.options.configurationSet
      : this.options.untrackedConfigurationSet;
    try {
      const out = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: this.options.from,
          Destination: { ToAddresses: [email.to] },
          Content: {
            Template: {
              TemplateName: email.sesTemplate,
              TemplateData: JSON.stringify(email.templateData),
              ...(email.headers.length
                ? { Headers: email.headers.map((h) => ({ Name: h.name, Value: h.value })) }
                : {}),
            },
          },
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
          EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      return { messageId: out.MessageId ?? '' };
    } catch (error) {
      throw classifySesError(error);
    }
  }
}
