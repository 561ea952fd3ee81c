import { StageflowError } from '../shared/errors.js';

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

/**
 * The aggregates are on an earlier layout and no rebuild has moved them to this one yet: a
 * report would count only the customers the projector moved since the deploy, so it answers
 * 503 until `npm run analytics:rebuild` finishes (docs/analytics.md, "Upgrades").
 */
export class AnalyticsRebuildRequiredError extends StageflowError {
  constructor() {
    super(
      'unavailable',
      'analytics-rebuild-required',
      'Analytics rebuild required',
      'analytics rebuild required: run npm run analytics:rebuild (the report aggregates are on an earlier layout)',
      { expose: true, retryAfterSeconds: 300 },
    );
    this.name = 'AnalyticsRebuildRequiredError';
  }
}

/**
 * The stream backlog (StreamBacklog) could not be read: CloudWatch unreachable or refusing, the
 * local relay stopped. Reports still answer, with `lagSeconds: null` and this reason.
 */
export class StreamBacklogUnavailableError extends AnalyticsError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'StreamBacklogUnavailableError';
  }
}
