import { HttpProblem } from '../http/problem.js';

/** Base of every consent error; each maps to a problem+json response (or the HTML error page). */
export class ConsentError extends HttpProblem {
  constructor(status: number, slug: string, title: string, detail: string) {
    super(status, slug, title, detail);
    this.name = 'ConsentError';
  }
}

/** The token was not made by us (forged, altered or truncated). */
export class InvalidUnsubscribeTokenError extends ConsentError {
  constructor() {
    super(400, 'invalid-unsubscribe-token', 'Invalid unsubscribe link', 'This unsubscribe link is not valid');
    this.name = 'InvalidUnsubscribeTokenError';
  }
}

/** A valid token for a customer we no longer hold (erased). */
export class UnknownSubscriberError extends ConsentError {
  constructor() {
    super(404, 'unknown-subscriber', 'Not found', 'There is no subscription for this link any more');
    this.name = 'UnknownSubscriberError';
  }
}
