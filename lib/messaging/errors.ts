/** Base of every messaging error. */
export class MessagingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MessagingError';
  }
}

/** Throttling, a 5xx or the network: retry later (Step Functions retries this with backoff). */
export class TransientSendError extends MessagingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientSendError';
  }
}

/** SES refused the mail for good (bad address, missing template, account paused): record it as failed. */
export class PermanentSendError extends MessagingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentSendError';
  }
}
