/** Base of the analytics context's errors. */
export class AnalyticsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AnalyticsError';
  }
}

/** A customer's change touches more aggregate items than one transaction holds. */
export class ContributionTooLargeError extends AnalyticsError {
  constructor(customerId: string, items: number) {
    super(`the analytics change of customer ${customerId} touches ${items} items; one transaction holds 99`);
    this.name = 'ContributionTooLargeError';
  }
}

/** Another writer kept replacing the contribution; the stream retries the record. */
export class ContributionContendedError extends AnalyticsError {
  constructor(customerId: string) {
    super(`the analytics contribution of customer ${customerId} kept changing under the projector`);
    this.name = 'ContributionContendedError';
  }
}
