import { type ErrorKind, StageflowError } from '../shared/errors.js';

/** Base of every consent error; the HTTP edge maps each to a problem+json response (or the HTML error page). */
export class ConsentError extends StageflowError {
  constructor(kind: ErrorKind, slug: string, title: string, detail: string) {
    super(kind, slug, title, detail);
    this.name = 'ConsentError';
  }
}

/** The token was not made by us (forged, altered or truncated). */
export class InvalidUnsubscribeTokenError extends ConsentError {
  constructor() {
    super(
      'invalid',
      'invalid-unsubscribe-token',
      'Invalid unsubscribe link',
      'This unsubscribe link is not valid',
    );
    this.name = 'InvalidUnsubscribeTokenError';
  }
}

/** A valid token for a customer we no longer hold (erased). */
export class UnknownSubscriberError extends ConsentError {
  constructor() {
    super('not-found', 'unknown-subscriber', 'Not found', 'There is no subscription for this link any more');
    this.name = 'UnknownSubscriberError';
  }
}
