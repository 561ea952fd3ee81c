import * as z from 'zod';
import { REASON_CODES } from '../measurement/index.js';

/**
 * The customer routes' contract: a customer's journey, the lists, history, message log and
 * export. The readers are typed from these; api/openapi.ts documents them and the integration
 * tests check every response against them.
 */

/** A journey stage as the customer routes answer it (the ingest contract describes it alike). */
const Stage = z.string().describe('Journey stage: consider, research, decide, act, enjoy, refer or repeat');

export const Customer = z.object({
  customerId: z.string(),
  stage: Stage.nullable(),
  stageSince: z.string().nullable(),
  stagesReached: z.record(z.string(), z.string()).describe('Stage → when it was first reached'),
  traits: z.record(z.string(), z.unknown()),
  counts: z.record(z.string(), z.number()),
  anonymousIds: z.array(z.string()),
  acquisition: z.record(z.string(), z.unknown()).nullable(),
  referralCode: z.string().nullable(),
  referredBy: z.string().nullable(),
  modelVersion: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const Acquisition = z
  .object({
    channel: z.string().nullable(),
    campaign: z.record(z.string(), z.string()).nullable().describe('utm fields: source, medium, name, ...'),
    at: z.string(),
    touchpointId: z.string(),
  })
  .describe('The first touchpoint with a channel or a utm campaign (email engagement never counts)');

export const CustomerListItem = z.object({
  customerId: z.string().describe('The user id, or `anon:<anonymousId>` for an anonymous visitor'),
  stage: Stage.nullable(),
  stageSince: z.string().nullable(),
  email: z.string().nullable(),
  firstName: z.string().nullable(),
  acquisition: Acquisition.nullable(),
});

export const CustomerList = z.object({
  items: z.array(CustomerListItem),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

export const StoredTouchpoint = z.looseObject({
  messageId: z.string(),
  userId: z.string().optional(),
  anonymousId: z.string().optional(),
  event: z.string(),
  type: z.enum(['track', 'identify', 'alias', 'page', 'screen', 'group']),
  timestamp: z.string(),
  receivedAt: z.string(),
  channel: z.string().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  traits: z.record(z.string(), z.unknown()).optional(),
});

export const TouchpointPage = z.object({
  items: z.array(StoredTouchpoint),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

export const Transition = z.object({
  from: Stage.nullable(),
  to: Stage,
  at: z.string(),
  touchpointId: z.string(),
  orderId: z.string().nullable(),
});

export const Message = z.looseObject({
  flow: z.string(),
  campaignId: z.string(),
  campaignVersion: z.number().int(),
  template: z.string(),
  to: z.string().nullable(),
  at: z.string(),
  status: z.enum(['sending', 'retrying', 'sent', 'suppressed', 'failed', 'unknown', 'held-out']),
  reason: z.string().optional(),
  reasonCode: z
    .enum(REASON_CODES)
    .optional()
    .describe('Why no mail went, machine-readable: every item with a `reason` has one (docs/flows.md)'),
  category: z.enum(['marketing', 'transactional']).optional(),
  leaseUntil: z.string().optional(),
  runId: z.string(),
  step: z.number().int(),
  engagement: z
    .looseObject({
      status: z.enum(['sent', 'delivered', 'opened', 'clicked', 'rejected', 'bounced', 'complained']),
      sentAt: z.string().optional(),
      deliveredAt: z.string().optional(),
      openedAt: z.string().optional().describe('First human open'),
      machineOpenedAt: z.string().optional().describe('First open by a privacy proxy (Apple MPP)'),
      clickedAt: z.string().optional(),
      bouncedAt: z.string().optional(),
      bounceType: z.string().optional(),
      complainedAt: z.string().optional(),
      rejectedAt: z.string().optional(),
      renderingFailedAt: z.string().optional(),
      delayedAt: z.string().optional(),
      unsubscribedAt: z.string().optional(),
      opens: z.number().int(),
      machineOpens: z.number().int(),
      clicks: z.number().int(),
    })
    .optional()
    .describe(
      'What SES reported after the send, apart from the send claim `status`. Headline by precedence: ' +
        'complained > bounced > rejected > clicked > opened > delivered > sent',
    ),
});

/** GET /v1/messages: the message log across customers, one page. */
export const MessagePage = z.object({
  items: z.array(Message.extend({ customerId: z.string() })),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

export const CustomerExport = z
  .looseObject({
    customerId: z.string(),
    exportedAt: z.string(),
    profile: z.record(z.string(), z.unknown()),
    identityLinks: z.object({
      anonymousIds: z.array(z.string()),
      linkedAt: z.record(z.string(), z.string().nullable()),
    }),
    referral: z.object({
      code: z.string().nullable(),
      referredBy: z.string().nullable(),
      referredAt: z.string().nullable().describe('When the touchpoint that made the link happened'),
      convertedAt: z.string().nullable(),
    }),
    touchpoints: z.array(StoredTouchpoint.extend({ expiresAt: z.string().nullable() })),
    transitions: z.array(Transition),
    complaints: z.array(z.record(z.string(), z.unknown())),
    messages: z.array(Message),
    consent: z.object({ unsubscribedAt: z.string().nullable(), method: z.string().nullable() }),
    suppression: z
      .object({ reason: z.string().nullable(), detail: z.string().nullable(), at: z.string().nullable() })
      .nullable(),
    pendingEvents: z.array(z.record(z.string(), z.unknown())),
    frequencyCap: z.object({ claims: z.record(z.string(), z.number()) }).nullable(),
    other: z.array(z.record(z.string(), z.unknown())),
  })
  .describe('Everything Stageflow holds on one customer');

export const TransitionList = z.object({ items: z.array(Transition) });
export const MessageList = z.object({ items: z.array(Message) });

export type CustomerBody = z.input<typeof Customer>;
export type CustomerListBody = z.input<typeof CustomerList>;
export type TouchpointPageBody = z.input<typeof TouchpointPage>;
export type TransitionListBody = z.input<typeof TransitionList>;
