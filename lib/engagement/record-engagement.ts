import { stableId } from '../events/index.js';
import { anonymousIdOf } from '../storage/table.js';
import { emailIdOf } from './message-key.js';
import type { EngagementStore, EngagementUpdate, TrackedMessage } from './ports.js';
import { type EngagementEvent, engagementOf, type SesEngagementEvent } from './ses-event.js';

/** The touchpoint each kind of engagement becomes, named as Segment's Email spec names it. */
export const ENGAGEMENT_EVENTS = {
  delivered: 'Email Delivered',
  opened: 'Email Opened',
  clicked: 'Email Link Clicked',
  bounced: 'Email Bounced',
  complained: 'Email Marked as Spam',
  unsubscribed: 'Unsubscribed',
} as const;

export interface RecordEngagementDeps {
  store: EngagementStore;
  /** Records one touchpoint (Stageflow's touchpoint format) through the ingest use case. */
  ingest(touchpoint: Record<string, unknown>): Promise<void>;
  /** The campaign's current name, for the touchpoint (undefined when deleted). */
  campaignName(campaignId: string): Promise<string | undefined>;
}

export type RecordOutcome = 'applied' | 'duplicate' | 'gone' | 'unknown' | 'ignored';

/** Longest link a click touchpoint keeps: what a browser reliably handles, far under ingest's 32 KB per event. */
export const MAX_LINK_CHARS = 2048;

/**
 * The clicked link as recorded: SES reports whatever URL the mail held, and a shop's template
 * may hold a huge one; the touchpoint keeps its first 2,048 characters (marked with …) rather
 * than fail ingest's size check and lose the click from the customer's history.
 */
const boundedLink = (link: string) =>
  link.length > MAX_LINK_CHARS ? `${link.slice(0, MAX_LINK_CHARS - 1)}…` : link;

/**
 * The touchpoint an engagement becomes, or null for kinds that are no customer action (sent,
 * rejected, rendering failure, delay). Its messageId derives from the SES event, so a
 * redelivered event is a duplicate touchpoint. Only a click carries a channel (`email`) and a
 * utm campaign (the campaign id): a click is a visit the mail caused, an open is not.
 */
export function engagementTouchpoint(
  update: Pick<EngagementUpdate, 'key' | 'kind' | 'at' | 'eventId' | 'machine'> & { link?: string },
  message: Pick<TrackedMessage, 'campaignId'>,
  details: { campaignName?: string; subject?: string },
): Record<string, unknown> | null {
  const event = ENGAGEMENT_EVENTS[update.kind as keyof typeof ENGAGEMENT_EVENTS];
  if (!event) return null;
  const anonymousId = anonymousIdOf(update.key.customerId);
  const click = update.kind === 'clicked';
  return {
    messageId: `ses-${update.eventId}`,
    ...(anonymousId ? { anonymousId } : { userId: update.key.customerId }),
    event,
    timestamp: update.at,
    ...(click ? { channel: 'email' } : {}),
    properties: {
      email_id: emailIdOf(update.key),
      campaign_id: message.campaignId,
      ...(details.campaignName ? { campaign_name: details.campaignName } : {}),
      ...(details.subject ? { email_subject: details.subject } : {}),
      ...(click && update.link ? { link_url: boundedLink(update.link) } : {}),
      ...(update.kind === 'opened' ? { machine: update.machine === true } : {}),
    },
    ...(click
      ? { context: { campaign: { name: message.campaignId, source: 'stageflow', medium: 'email' } } }
      : {}),
  };
}

/**
 * One SES event: its engagement on the message (exactly once, with the campaign counters) and
 * its touchpoint in the customer's history. The touchpoint is recorded on every delivery of
 * the event while the customer exists (ingest drops the repeat), so a crash between the two
 * writes is repaired by EventBridge's retry. An event for an erased customer writes nothing.
 */
export async function recordEngagement(
  deps: RecordEngagementDeps,
  event: SesEngagementEvent,
): Promise<RecordOutcome> {
  const mapped: EngagementEvent | null = engagementOf(event);
  if (!mapped) return 'ignored';
  return recordUpdate(deps, mapped);
}

/** The same for an engagement Stageflow sees itself (an unsubscribe through a mail's link). */
export async function recordUpdate(
  deps: RecordEngagementDeps,
  update: EngagementUpdate & { link?: string; subject?: string },
): Promise<RecordOutcome> {
  const outcome = await deps.store.apply(update);
  if (!('message' in outcome)) return outcome.result;
  const touchpoint = engagementTouchpoint(update, outcome.message, {
    campaignName: await deps.campaignName(outcome.message.campaignId),
    subject: update.subject,
  });
  if (touchpoint) await deps.ingest(touchpoint);
  return outcome.result;
}

/**
 * An unsubscribe through a mail's link (`?m=<email_id>` on the unsubscribe URL): counted once
 * per mail for its campaign and recorded as `Unsubscribed` with that mail's properties. Without
 * a (known) mail, the touchpoint alone.
 */
export async function recordUnsubscribe(
  deps: RecordEngagementDeps,
  customerId: string,
  emailId: string | undefined,
  at: string,
): Promise<RecordOutcome> {
  const m = emailId ? /^([A-Za-z0-9_]{1,200})-(\d{2,3})$/.exec(emailId) : null;
  if (m) {
    const outcome = await recordUpdate(deps, {
      key: { customerId, runId: m[1], step: Number(m[2]) },
      kind: 'unsubscribed',
      at,
      eventId: stableId('unsubscribe', customerId, m[1], m[2]),
    });
    if (outcome !== 'unknown') return outcome;
  }
  const anonymousId = anonymousIdOf(customerId);
  await deps.ingest({
    messageId: `unsubscribe-${stableId('unsubscribe', customerId)}`,
    ...(anonymousId ? { anonymousId } : { userId: customerId }),
    event: ENGAGEMENT_EVENTS.unsubscribed,
    timestamp: at,
    properties: {},
  });
  return 'applied';
}
