import type { Acquisition } from '../journey/index.js';

/** One customer in a list: what the profile's index entry holds. */
export interface CustomerListItem {
  customerId: string;
  stage: string | null;
  stageSince: string | null;
  email: string | null;
  firstName: string | null;
  acquisition: Acquisition | null;
}

/** Which list: the most recently active customers, or those matching one filter. */
export type CustomerFilter =
  | { by: 'recent' }
  | {
      by: 'stage';
      value: string;
      /**
       * Only customers who entered the stage before this instant (ISO 8601): the stalled ones.
       * A filter on the stage's partition, so a page may read more items than it returns.
       */
      enteredBefore?: string;
    }
  | { by: 'channel'; value: string }
  | { by: 'campaign'; value: string }
  | { by: 'email'; value: string };

export interface CustomerListPage {
  items: CustomerListItem[];
  /** The position after the last item when more follow; null on the last page. */
  after: string | null;
}

/** Read port of the customer lists; every list is an index query (DynamoDB adapter beside it). */
export interface CustomerLists {
  list(filter: CustomerFilter, limit: number, after: string | null): Promise<CustomerListPage>;
}

/** The list's index is missing (an upgrade adds one per deploy) or still being built. */
export class ListIndexUnavailableError extends Error {
  constructor(
    readonly indexName: string,
    options: { cause?: unknown } = {},
  ) {
    super(`The table's index ${indexName} is missing or still being built`, options);
    this.name = 'ListIndexUnavailableError';
  }
}
