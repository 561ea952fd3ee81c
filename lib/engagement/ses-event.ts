import * as z from 'zod';
import { stableId } from '../events/index.js';
import { type MessageKey, messageKeyOf } from './message-key.js';

/**
 * What SES publishes through a configuration set's EventBridge destination (always to the
 * account's default bus): detail-type per event type. The rule (engagementRulePattern) and the
 * CDK event destination (infra) list exactly these.
 */
export const SES_DETAIL_TYPES = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Open: 'Email Opened',
  Click: 'Email Clicked',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Reject: 'Email Rejected',
  'Rendering Failure': 'Email Rendering Failed',
  DeliveryDelay: 'Email Delivery Delayed',
} as const;
export type SesEventType = keyof typeof SES_DETAIL_TYPES;
const TYPE_OF_DETAIL = new Map<string, SesEventType>(
  Object.entries(SES_DETAIL_TYPES).map(([t, d]) => [d, t as SesEventType]),
);

/** The EventBridge rule for every SES event of Stageflow's configuration sets (default bus). */
export function engagementRulePattern(configurationSets?: readonly string[]): Record<string, unknown> {
  return {
    source: ['aws.ses'],
    'detail-type': Object.values(SES_DETAIL_TYPES),
    ...(configurationSets?.length
      ? { detail: { mail: { tags: { 'ses:configuration-set': [...configurationSets] } } } }
      : {}),
  };
}

const Timestamped = z.looseObject({ timestamp: z.string().optional() });

/** The fields of an SES event record Stageflow reads (everything else is kept loose). */
export const SesEngagementEvent = z.looseObject({
  source: z.literal('aws.ses'),
  'detail-type': z.string(),
  id: z.string().optional(),
  time: z.string().optional(),
  detail: z.looseObject({
    eventType: z.string().optional(),
    mail: z.looseObject({
      messageId: z.string().optional(),
      timestamp: z.string().optional(),
      tags: z.record(z.string(), z.unknown()).optional(),
      commonHeaders: z.looseObject({ subject: z.string().optional() }).optional(),
    }),
    delivery: Timestamped.optional(),
    open: z
      .looseObject({
        timestamp: z.string().optional(),
        userAgent: z.string().optional(),
        ipAddress: z.string().optional(),
      })
      .optional(),
    click: z
      .looseObject({
        timestamp: z.string().optional(),
        link: z.string().optional(),
        userAgent: z.string().optional(),
        ipAddress: z.string().optional(),
      })
      .optional(),
    bounce: z.looseObject({ timestamp: z.string().optional(), bounceType: z.string().optional() }).optional(),
    complaint: z
      .looseObject({ timestamp: z.string().optional(), complaintFeedbackType: z.string().optional() })
      .optional(),
    reject: z.looseObject({ reason: z.string().optional() }).optional(),
    failure: z.looseObject({ errorMessage: z.string().optional() }).optional(),
    deliveryDelay: Timestamped.optional(),
  }),
});
export type SesEngagementEvent = z.infer<typeof SesEngagementEvent>;

/** What happened to a message, in Stageflow's words. */
export type EngagementKind =
  | 'sent'
  | 'delivered'
  | 'opened'
  | 'clicked'
  | 'bounced'
  | 'complained'
  | 'rejected'
  | 'renderingFailed'
  | 'delayed';

const KIND: Record<SesEventType, EngagementKind> = {
  Send: 'sent',
  Delivery: 'delivered',
  Open: 'opened',
  Click: 'clicked',
  Bounce: 'bounced',
  Complaint: 'complained',
  Reject: 'rejected',
  'Rendering Failure': 'renderingFailed',
  DeliveryDelay: 'delayed',
};

/** One SES event mapped to its message. */
export interface EngagementEvent {
  key: MessageKey;
  kind: EngagementKind;
  /** When it happened (the event record's own timestamp, else the mail's, else the envelope's). */
  at: string;
  /** Stable per event, whatever envelope carries it: the dedupe key and the touchpoint id. */
  eventId: string;
  subject?: string;
  /** Clicks: the original link. */
  link?: string;
  /** Opens: made by a privacy proxy prefetching the mail (machineOpen), not by a person. */
  machine?: boolean;
  /** Bounces: SES gave up for good (`Permanent`) or for now (`Transient`, `Undetermined`). */
  bounceType?: string;
}

/**
 * Apple Mail Privacy Protection loads every remote image of a mail through Apple's proxy when
 * the mail arrives, whether or not anyone reads it. Its requests carry the bare user agent
 * `Mozilla/5.0` (no platform, no engine) and come from Apple's range 17.0.0.0/8 or its
 * privacy-relay egress. The rule: an open is `machine` when its user agent is exactly
 * `Mozilla/5.0`, or it comes from 17.0.0.0/8. It looks at the open alone (not at the time since
 * delivery), so an open is classed the same whichever order events arrive in. Gmail's image
 * proxy (`GoogleImageProxy`) fetches when a person opens the mail, so it counts as human.
 */
export function isMachineOpen(userAgent: string | undefined, ip: string | undefined): boolean {
  if (userAgent !== undefined && userAgent.trim() === 'Mozilla/5.0') return true;
  return ip !== undefined && /^17\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip.trim());
}

/** The event's message and meaning, or null when it is not about a Stageflow message. */
export function engagementOf(event: SesEngagementEvent): EngagementEvent | null {
  const { detail } = event;
  const type =
    (detail.eventType as SesEventType | undefined) ?? TYPE_OF_DETAIL.get(event['detail-type']) ?? null;
  if (!type || !(type in KIND)) return null;
  const key = messageKeyOf(detail.mail.tags);
  if (!key) return null;
  const kind = KIND[type];
  if (kind === 'complained' && detail.complaint?.complaintFeedbackType === 'not-spam') return null;
  const own =
    detail.delivery?.timestamp ??
    detail.open?.timestamp ??
    detail.click?.timestamp ??
    detail.bounce?.timestamp ??
    detail.complaint?.timestamp ??
    detail.deliveryDelay?.timestamp;
  const at = validTime(own) ?? validTime(detail.mail.timestamp) ?? validTime(event.time) ?? null;
  if (!at) return null;
  const link = kind === 'clicked' ? detail.click?.link : undefined;
  const userAgent = detail.open?.userAgent ?? detail.click?.userAgent;
  const ip = detail.open?.ipAddress ?? detail.click?.ipAddress;
  return {
    key,
    kind,
    at,
    // Redelivered, replayed or duplicated by SES, the same event has the same content.
    eventId: stableId('ses', type, detail.mail.messageId ?? '', at, link ?? '', userAgent ?? '', ip ?? ''),
    ...(detail.mail.commonHeaders?.subject ? { subject: detail.mail.commonHeaders.subject } : {}),
    ...(link ? { link } : {}),
    ...(kind === 'opened' ? { machine: isMachineOpen(userAgent, ip) } : {}),
    ...(kind === 'bounced' ? { bounceType: detail.bounce?.bounceType ?? 'Undetermined' } : {}),
  };
}

function validTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
