import { type ErrorKind, StageflowError } from '../shared/errors.js';

/** Base of every template error; the HTTP edge maps each to a problem+json response. */
export class TemplateError extends StageflowError {
  constructor(
    kind: ErrorKind,
    slug: string,
    title: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(kind, slug, title, detail, options);
    this.name = 'TemplateError';
  }
}

export class TemplateNotFoundError extends TemplateError {
  constructor(name: string) {
    super('not-found', 'not-found', 'Not found', `No template "${name}"`);
    this.name = 'TemplateNotFoundError';
  }
}

/** A template an active or paused campaign still sends. */
export class TemplateInUseError extends TemplateError {
  constructor(name: string, campaignIds: string[]) {
    super(
      'conflict',
      'template-in-use',
      'Conflict',
      `Template "${name}" is used by campaign ${campaignIds.join(', ')}; change or delete those first`,
    );
    this.name = 'TemplateInUseError';
  }
}

/** SES refused to render: usually data the template needs and the request did not give. */
export class TemplateRenderError extends TemplateError {
  constructor(name: string, reason: string, options: { cause?: unknown } = {}) {
    super(
      'unprocessable',
      'template-render-failed',
      'Template could not be rendered',
      `SES could not render "${name}" (${reason}); pass the variables it needs in "data"`,
      options,
    );
    this.name = 'TemplateRenderError';
  }
}

/** SES refused a template's content (its own validation, beyond ours). */
export class TemplateRejectedError extends TemplateError {
  constructor(name: string, reason: string, options: { cause?: unknown } = {}) {
    super('invalid', 'template-rejected', 'Template rejected', `SES rejected "${name}": ${reason}`, options);
    this.name = 'TemplateRejectedError';
  }
}

/** The mail provider refused a test send for good (an unverified address in the SES sandbox, …). */
export class TestSendRefusedError extends TemplateError {
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(
      'unprocessable',
      'test-send-refused',
      'Test send refused',
      `The mail provider refused the test mail: ${reason}`,
      options,
    );
    this.name = 'TestSendRefusedError';
  }
}

/**
 * The mail provider did not answer a test send; trying again later may work. Nothing internal
 * in it: shown despite the 5xx status, so the console can say "try again".
 */
export class MailProviderUnavailableError extends StageflowError {
  constructor(options: { cause?: unknown } = {}) {
    super(
      'unavailable',
      'mail-provider-unavailable',
      'Service unavailable',
      'The mail provider did not take the test mail; try again',
      {
        ...options,
        retryAfterSeconds: 5,
        expose: true,
      },
    );
    this.name = 'MailProviderUnavailableError';
  }
}
