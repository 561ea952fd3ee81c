import type { JourneyState, Transition } from '../journey/index.js';
import type { Touchpoint } from '../touchpoints/index.js';

/** A customer's journey as stored: the fold state plus what identity needs. */
export interface Profile {
  customerId: string;
  state: JourneyState;
  /** Optimistic-locking version; 0 means not stored yet. */
  version: number;
  anonymousIds: string[];
  modelVersion: string;
  createdAt: string;
  updatedAt: string;
  /** Unguessable code this customer shares; friends who arrive with it are linked to them. */
  referralCode?: string;
  /** The customer whose code brought this one; the first link wins. */
  referredBy?: string;
  /** When the touchpoint that linked `referredBy` happened (event time): the referral window's start. */
  referredAt?: string;
  /** When this customer's first purchase converted the referral (raised once). */
  referralConvertedAt?: string;
}

/** One record to publish, written in the same transaction as the touchpoint that caused it. */
export interface OutboxRecord {
  eventId: string;
  detailType: string;
  detail: Record<string, unknown>;
  at: string;
  correlationId: string;
}

export interface Complaint {
  at: string;
  touchpointId: string;
  event: string;
  rating: number | null;
  orderId: string | null;
}

export interface CustomerCommit {
  customerId: string;
  /** The version read; the commit fails if another writer got there first. */
  expectedVersion: number;
  profile: Profile;
  touchpoints: Touchpoint[];
  putTransitions: Transition[];
  deleteTransitions: Transition[];
  complaints: Complaint[];
  outbox: OutboxRecord[];
  /** Anonymous ids that must still be unlinked when this commit lands (anonymous customers only). */
  unaliased: string[];
  /** A referral code to register for this customer in the same transaction. */
  claimReferralCode?: string;
  /** A referral link made by this commit: recorded in the referrer's partition too. */
  referredBy?: string;
  /**
   * Write only into an existing profile, never create one: an engagement touchpoint (an open,
   * a click, a bounce) racing the customer's erasure must not bring back an id-only profile.
   * A customer that does not exist (any more) is `gone`.
   */
  onlyIfExists?: boolean;
}

export type CommitOutcome =
  | { ok: true }
  /** Another writer got there first; `current` is the profile it left, when the store returns it. */
  | { ok: false; reason: 'version'; current?: Profile | null }
  | { ok: false; reason: 'duplicate'; messageIds: string[] }
  | { ok: false; reason: 'aliased' }
  /** More than one transaction holds; `outboxRoom` outbox records would fit with the rest. */
  | { ok: false; reason: 'oversize'; outboxRoom: number }
  /** Contention only (TRANSIENT_CANCELLATION_CODES); any other cancellation is thrown. */
  | { ok: false; reason: 'conflict' }
  /** `onlyIfExists` and the customer has no profile (never had, or erased): nothing written. */
  | { ok: false; reason: 'gone' };

export interface Snapshot {
  profiles: Map<string, Profile>;
  /** messageId → customerId, for every messageId already stored. */
  seen: Map<string, string>;
  /** anonymousId → customerId it is linked to. */
  aliases: Map<string, string>;
}

export interface CustomerHistory {
  profile: Profile | null;
  touchpoints: Touchpoint[];
  transitions: Transition[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Storage port of the journey context; the DynamoDB adapter is the only implementation. */
export interface JourneyStore {
  /** Everything the common path needs, in one round trip. */
  snapshot(request: {
    customerIds: string[];
    messageIds: string[];
    anonymousIds: string[];
  }): Promise<Snapshot>;
  profile(customerId: string): Promise<Profile | null>;
  history(customerId: string): Promise<CustomerHistory>;
  commit(commit: CustomerCommit): Promise<CommitOutcome>;
  /** Links an anonymous id to a customer unless it is linked already; returns the owner. */
  claimAlias(anonymousId: string, customerId: string): Promise<string>;
  alias(anonymousId: string): Promise<string | null>;
  /** The customer a referral code belongs to. */
  referralOwner(code: string): Promise<string | null>;
  /** Moves every touchpoint of one customer into another and removes the source customer. */
  moveHistory(fromCustomerId: string, toCustomerId: string): Promise<number>;
  touchpoints(customerId: string, limit: number, cursor: string | null): Promise<Page<Touchpoint>>;
  transitions(customerId: string): Promise<Transition[]>;
}
