import type { FlowType } from '../campaigns/index.js';
import type { ReasonCode } from '../measurement/index.js';

/** One decision a flow made about one mail: sent, or why not. */
export interface MessageRecord {
  flow: FlowType;
  campaignId: string;
  campaignVersion: number;
  template: string;
  to: string | null;
  at: string;
  /**
   * `unknown`: a marketing send whose attempt died after its claim; it may or may not have gone
   * out. `held-out`: the customer is in the campaign's control group; the step sent nothing.
   */
  status: 'sending' | 'retrying' | 'sent' | 'suppressed' | 'failed' | 'unknown' | 'held-out';
  reason?: string;
  /** Why no mail went (or may have gone): one code of lib/measurement/reason-codes.ts. */
  reasonCode?: ReasonCode;
  category?: 'marketing' | 'transactional';
  /** Until when a `sending` claim is held by the attempt that wrote it (ISO). */
  leaseUntil?: string;
  /** The run as it was at the claim, so an expired claim can be sent again after a restart. */
  run?: Record<string, unknown>;
  runId: string;
  step: number;
  orderId?: string | null;
  providerMessageId?: string;
  /**
   * What SES reported after the send (lib/engagement): first times, open and click counts and
   * the headline `status` (complained > bounced > rejected > clicked > opened > delivered > sent).
   */
  engagement?: Record<string, unknown>;
}

/**
 * `claimed`: send now. `already-sent`: decided before (sent, suppressed, failed, unknown).
 * `in-doubt`: another attempt holds a live lease; look again once it has run out.
 * `unknown`: an expired claim of mail that must not be sent twice, now recorded as `unknown`.
 */
export type ClaimResult = 'claimed' | 'already-sent' | 'in-doubt' | 'unknown';

/** What an expired `sending` claim becomes: sent again (at least once) or `unknown` (at most once). */
export type OnExpiredClaim = 'resend' | 'unknown';

/** Port: the per-customer message log, send claims and the marketing frequency-cap ledger. */
export interface MessageLog {
  /**
   * Claims the right to send step `step` of run `runId` until `record.leaseUntil`. A second
   * claim never sends while the first one's lease lasts; after it, `onExpired` decides.
   */
  claim(
    customerId: string,
    record: MessageRecord,
    expiry: { now: Date; onExpired: OnExpiredClaim },
  ): Promise<ClaimResult>;
  /** Writes the final (or retrying) state of a message. */
  record(customerId: string, record: MessageRecord): Promise<void>;
  list(customerId: string): Promise<MessageRecord[]>;
  /**
   * Claims a trigger cycle (an order, a purchase cycle) for one campaign or flow (`scope`), so
   * that cycle starts one run however often its trigger fires. Idempotent for the same event;
   * false when another event claimed it first, or the customer is gone.
   */
  claimCycle(customerId: string, scope: string, cycle: string, eventId: string): Promise<boolean>;
  /**
   * Takes one of `max` marketing slots in the sliding window; idempotent per claimId.
   * Returns false when the cap is reached.
   */
  takeCapSlot(
    customerId: string,
    claimId: string,
    max: number,
    windowMs: number,
    now: Date,
  ): Promise<boolean>;
}
