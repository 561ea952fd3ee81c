import type { Engagement } from './engagement.js';
import type { MessageKey } from './message-key.js';
import type { EngagementEvent } from './ses-event.js';

/** The message an event is about, as far as touchpoints and reports need it. */
export interface TrackedMessage {
  campaignId: string;
  flow: string;
  template: string;
  /** When the message was claimed and sent (its counters' day). */
  at: string;
  step: number;
  engagement: Engagement;
}

/**
 * `applied`: the event changed the message (and its counters, in the same transaction).
 * `duplicate`: it was applied before. `gone`: the customer no longer exists (erased): drop it.
 * `unknown`: no such message (a mail Stageflow has no log of): drop it.
 */
export type ApplyOutcome =
  | { result: 'applied' | 'duplicate'; message: TrackedMessage }
  | { result: 'gone' | 'unknown' };

export type EngagementUpdate = Pick<EngagementEvent, 'eventId' | 'at' | 'machine' | 'bounceType'> & {
  key: MessageKey;
  kind: EngagementEvent['kind'] | 'unsubscribed';
};

/** Port: engagement on the per-customer message items, with the campaign metric counters. */
export interface EngagementStore {
  apply(update: EngagementUpdate): Promise<ApplyOutcome>;
}
