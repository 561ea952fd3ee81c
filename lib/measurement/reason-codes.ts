import * as z from 'zod';

/**
 * Why a flow sent no mail (or could not tell): the one list of machine-readable reasons every
 * message-log item carries in `reasonCode`, besides its free-text `reason`. Campaign metrics
 * count `suppressed` by these codes. docs/flows.md lists them with their meaning.
 */
export const REASON_CODES = [
  /** The customer is in the campaign's control group: the run goes on, sends nothing. */
  'held-out',
  /** The customer is in the global control group: no marketing mail at all. */
  'global-control',
  /** The trigger was older than the campaign's freshness horizon (counted, never logged). */
  'stale',
  /** The campaign was paused (or deleted) when the trigger came or the step was due. */
  'campaign-paused',
  /** The campaign's exit condition was met before the step. */
  'exit',
  'unsubscribed',
  'opted-out',
  'suppressed',
  'no-address',
  'invalid-address',
  /** Marketing mails per customer per window reached. */
  'frequency-cap',
  /** Marketing mail paused (SES reputation alarm, or by hand) for longer than a step waits. */
  'marketing-paused',
  /** An attempt died after its send claim: the mail may or may not have gone out. */
  'unknown',
  /** The provider refused the mail for good, or the retries ran out. */
  'send-failed',
  /** A transient provider error or a missing setting: the step is being retried (`retrying`). */
  'transient-error',
] as const;

export const ReasonCode = z.enum(REASON_CODES);
export type ReasonCode = z.infer<typeof ReasonCode>;
