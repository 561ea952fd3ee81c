import * as z from '../shared/zod.js';
import { addressHash } from './consent.js';
import type { Suppression } from './ports.js';

/** Detail types SES publishes to EventBridge (configuration set event destination, default bus). */
export const SesDetailType = {
  Bounced: 'Email Bounced',
  ComplaintReceived: 'Email Complaint Received',
} as const;

/**
 * The EventBridge rule (on the default bus: SES publishes there) that routes bounces and
 * complaints to functions/ses-events.ts. With a configuration set name, only that set's mail.
 */
export function sesEventsRulePattern(configurationSet?: string): Record<string, unknown> {
  return {
    source: ['aws.ses'],
    'detail-type': [SesDetailType.Bounced, SesDetailType.ComplaintReceived],
    ...(configurationSet
      ? { detail: { mail: { tags: { 'ses:configuration-set': [configurationSet] } } } }
      : {}),
  };
}

/** The same pattern without a configuration set filter, for documentation and tests. */
export const SES_EVENTS_RULE_PATTERN = sesEventsRulePattern();

const Recipient = z.looseObject({ emailAddress: z.string().check(z.minLength(3)) });
const optionalString = () => z.optional(z.string());

/** An SES event publishing record in an EventBridge envelope (fields Stageflow reads). */
export const SesEvent = z.looseObject({
  source: z.literal('aws.ses'),
  'detail-type': z.string(),
  time: optionalString(),
  detail: z.looseObject({
    eventType: optionalString(),
    notificationType: optionalString(),
    mail: z.optional(z.looseObject({ messageId: optionalString(), timestamp: optionalString() })),
    bounce: z.optional(
      z.looseObject({
        bounceType: z.string(),
        bounceSubType: optionalString(),
        bouncedRecipients: z.array(Recipient),
        timestamp: optionalString(),
        feedbackId: optionalString(),
      }),
    ),
    complaint: z.optional(
      z.looseObject({
        complainedRecipients: z.array(Recipient),
        complaintFeedbackType: optionalString(),
        timestamp: optionalString(),
        feedbackId: optionalString(),
      }),
    ),
  }),
});
export type SesEvent = z.infer<typeof SesEvent>;

/**
 * The addresses an SES event suppresses: every recipient of a permanent bounce and of a
 * complaint (unless the feedback says "not-spam"). Transient and undetermined bounces
 * suppress nothing: SES retried them already and the next mail may well arrive.
 */
export function suppressionsFrom(event: SesEvent, now: Date = new Date()): Suppression[] {
  const { detail } = event;
  const type = detail.eventType ?? detail.notificationType;
  const base = { sesMessageId: detail.mail?.messageId };
  if ((type === 'Bounce' || event['detail-type'] === SesDetailType.Bounced) && detail.bounce) {
    if (detail.bounce.bounceType !== 'Permanent') return [];
    const at = detail.bounce.timestamp ?? event.time ?? now.toISOString();
    return detail.bounce.bouncedRecipients.map((r) => ({
      ...base,
      addressHash: addressHash(r.emailAddress),
      reason: 'bounce' as const,
      detail: `Permanent/${detail.bounce?.bounceSubType ?? 'General'}`,
      at,
      feedbackId: detail.bounce?.feedbackId,
    }));
  }
  if (
    (type === 'Complaint' || event['detail-type'] === SesDetailType.ComplaintReceived) &&
    detail.complaint
  ) {
    if (detail.complaint.complaintFeedbackType === 'not-spam') return [];
    const at = detail.complaint.timestamp ?? event.time ?? now.toISOString();
    return detail.complaint.complainedRecipients.map((r) => ({
      ...base,
      addressHash: addressHash(r.emailAddress),
      reason: 'complaint' as const,
      detail: detail.complaint?.complaintFeedbackType ?? 'complaint',
      at,
      feedbackId: detail.complaint?.feedbackId,
    }));
  }
  return [];
}
