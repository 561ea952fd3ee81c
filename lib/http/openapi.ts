import * as z from 'zod';
import { AttributionQuery, FunnelQuery, StagesQuery } from '../analytics/queries.js';
import { AttributionReport, FunnelReport, StagesReport } from '../analytics/report-schemas.js';
import { SCOPES } from '../auth/api-keys.js';
import { CreateKeyBody } from '../auth/aws-key-admin.js';
import { CampaignInput, CampaignStatus } from '../campaigns/campaign.js';
import { ListQuery } from '../campaigns/manage-campaigns.js';
import { CustomerListQuery } from '../customers/list-customers.js';
import { PageQuery } from '../customers/read-customers.js';
import {
  CampaignMetrics,
  CampaignMetricsList,
  GlobalControlReport,
  Settings,
} from '../measurement/api-schemas.js';
import { MetricsQuery, SettingsPatch } from '../measurement/queries.js';
import { REASON_CODES } from '../measurement/reason-codes.js';
import { Locale, PreviewInput, TemplateInput } from '../templates/template.js';
import {
  SegmentAlias,
  SegmentBatch,
  SegmentGroup,
  SegmentIdentify,
  SegmentPage,
  SegmentTrack,
  TouchpointInput,
} from '../touchpoints/schema.js';
import { MERGE_PATCH_TYPES } from './merge-patch.js';
import { ROUTES, type Route } from './routes.js';

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the zod schemas the handlers
 * validate with and from ROUTES. `npm run openapi` writes it to docs/openapi.json, which
 * `GET /v1/openapi.json` serves; a test fails when that file is stale or a route is missing.
 */

// --- response schemas (documentation of what the handlers return) -------------------------------

const FieldError = z.object({
  path: z.string().describe('Dotted path of the offending field, e.g. `batch[3].userId`'),
  pointer: z.string().describe('The same as a JSON Pointer, e.g. `/batch/3/userId`'),
  message: z.string(),
});

const Problem = z
  .object({
    type: z.url().describe('https://stageflow.dev/problems/<slug>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional().describe('The request path'),
    errors: z.array(FieldError).optional(),
  })
  .describe('RFC 9457 problem details');

const Stage = z.string().describe('Journey stage: consider, research, decide, act, enjoy, refer or repeat');

const IngestResult = z.object({
  customerId: z
    .string()
    .describe('The customer the touchpoint was stored under (the user, or `anon:<anonymousId>`)'),
  stage: Stage.nullable(),
  previousStage: Stage.nullable(),
  changed: z.boolean(),
  duplicate: z.boolean().describe('True when this messageId was stored before; nothing was changed'),
});

const BatchItemResult = z.object({
  index: z.number().int(),
  messageId: z.string().nullable(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  error: z
    .object({ status: z.number().int(), title: z.string(), detail: z.string(), errors: z.array(FieldError) })
    .optional(),
});

const BatchResult = z.object({
  accepted: z.number().int(),
  duplicate: z.number().int(),
  rejected: z.number().int(),
  results: z.array(BatchItemResult),
});

const SegmentSuccess = z.object({ success: z.literal(true) });
const SegmentBatchResult = SegmentSuccess.extend(BatchResult.shape);

const TouchpointBatch = z.object({
  batch: z.array(TouchpointInput).min(1).max(500),
});

const Customer = z.object({
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

const Acquisition = z
  .object({
    channel: z.string().nullable(),
    campaign: z.record(z.string(), z.string()).nullable().describe('utm fields: source, medium, name, ...'),
    at: z.string(),
    touchpointId: z.string(),
  })
  .describe('The first touchpoint with a channel or a utm campaign (email engagement never counts)');

const CustomerListItem = z.object({
  customerId: z.string().describe('The user id, or `anon:<anonymousId>` for an anonymous visitor'),
  stage: Stage.nullable(),
  stageSince: z.string().nullable(),
  email: z.string().nullable(),
  firstName: z.string().nullable(),
  acquisition: Acquisition.nullable(),
});

const CustomerList = z.object({
  items: z.array(CustomerListItem),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

const StoredTouchpoint = z.looseObject({
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

const TouchpointPage = z.object({
  items: z.array(StoredTouchpoint),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

const Transition = z.object({
  from: Stage.nullable(),
  to: Stage,
  at: z.string(),
  touchpointId: z.string(),
  orderId: z.string().nullable(),
});

const Message = z.looseObject({
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
});

const CustomerExport = z
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

const Campaign = z
  .looseObject({
    campaignId: z.string(),
    version: z.number().int(),
    status: CampaignStatus,
    createdAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z
      .string()
      .optional()
      .describe(
        'Name of the key that made this version or the last status change; absent before it was recorded',
      ),
  })
  .describe('A campaign version: the CampaignInput fields plus these');

const CampaignStats = z
  .object({
    campaignId: z.string(),
    skipped: z
      .object({
        stale: z.number().int().describe('Triggers older than the freshness horizon (history is not news)'),
        'same-cycle': z.number().int().describe('Triggers of a cycle (order, purchase cycle) already run'),
      })
      .describe('Times the trigger fired for a customer in the audience and started no run, by reason'),
  })
  .describe('Why a campaign started no run, counted per campaign, never logged per customer');
const readOnly = <T extends z.ZodType>(schema: T, description: string) =>
  schema.optional().meta({ readOnly: true, description });

const CampaignWrite = z
  .object({
    ...CampaignInput.shape,
    campaignId: readOnly(z.string(), 'Ignored on write'),
    version: readOnly(z.number().int(), 'Ignored on write; send `If-Match` to lock a version'),
    status: readOnly(
      CampaignStatus,
      'POST: the first status (draft by default). Ignored by PUT and PATCH: use activate and pause',
    ),
    createdAt: readOnly(z.string(), 'Ignored on write'),
    updatedAt: readOnly(z.string(), 'Ignored on write'),
  })
  .strict()
  .describe('A campaign definition. What GET answers is accepted unchanged: read-only fields are ignored');

const CampaignPatch = CampaignWrite.partial().describe(
  'An RFC 7396 JSON Merge Patch of the definition: members it names replace the current ones ' +
    '(objects merge, arrays such as `steps` are replaced whole), `null` removes a member ' +
    '(`audience`, `exit` and `holdoutPercent` return to their defaults). The result is validated ' +
    'as a whole and stored as a new version.',
);
const KeyScope = z.enum(SCOPES);
const Principal = z.object({ keyId: z.string(), name: z.string(), scope: KeyScope });
const ApiKey = z.object({
  keyId: z.string(),
  name: z.string(),
  scope: KeyScope,
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  rateLimit: z.number().nullable(),
});
const KeyList = z.object({ items: z.array(ApiKey) });
const NewKey = ApiKey.extend({ key: z.string().describe('The plain key: shown this once, never stored') });

const TemplateName = z.string().describe('Template base name (a-z, 0-9, -)');
const Template = z.object({
  name: TemplateName,
  locales: z.partialRecord(
    Locale,
    z.object({ subject: z.string(), html: z.string(), text: z.string().optional() }),
  ),
});
const TemplateWritten = Template.extend({
  removedLocales: z
    .array(Locale)
    .describe('Languages the template had before and no longer has (a PUT removes those it leaves out)'),
});
const TemplatePatch = z
  .object({
    locales: z
      .partialRecord(
        Locale,
        z
          .object({
            subject: z.string().optional(),
            html: z.string().optional(),
            text: z.string().nullable().optional(),
          })
          .nullable(),
      )
      .optional(),
  })
  .describe(
    'An RFC 7396 JSON Merge Patch: `{"locales": {"de": null}}` removes German, ' +
      '`{"locales": {"en": {"subject": "…"}}}` changes one part and keeps the rest. The result is ' +
      'validated as a whole, like a PUT.',
  );
const TemplateList = z.object({ items: z.array(z.object({ name: TemplateName, locales: z.array(Locale) })) });
const Preview = z.object({
  template: TemplateName,
  locale: Locale,
  sesTemplate: z.string(),
  subject: z.string(),
  html: z.string().nullable(),
  text: z.string().nullable(),
});

const Health = z.object({ status: z.literal('ok'), service: z.literal('stageflow') });
const Unsubscribed = z.object({ status: z.literal('unsubscribed') });

/** Named schemas; each becomes `#/components/schemas/<name>`. */
const SCHEMAS = {
  Problem,
  TouchpointInput,
  TouchpointBatch,
  IngestResult,
  BatchResult,
  SegmentTrack,
  SegmentIdentify,
  SegmentAlias,
  SegmentPage,
  SegmentGroup,
  SegmentBatch,
  SegmentSuccess,
  SegmentBatchResult,
  Customer,
  CustomerList,
  TouchpointPage,
  Transition,
  Message,
  CustomerExport,
  CampaignInput,
  CampaignWrite,
  CampaignPatch,
  Campaign,
  CampaignStats,
  TemplateInput,
  TemplatePatch,
  Template,
  TemplateWritten,
  TemplateList,
  PreviewInput,
  Preview,
  StagesReport,
  FunnelReport,
  AttributionReport,
  CampaignMetrics,
  CampaignMetricsList,
  GlobalControlReport,
  Settings,
  SettingsPatch,
  Principal,
  ApiKey,
  KeyList,
  KeyInput: CreateKeyBody,
  NewKey,
  Health,
  Unsubscribed,
} as const satisfies Record<string, z.ZodType>;
type SchemaName = keyof typeof SCHEMAS;

// --- operations -----------------------------------------------------------------------------

type Json = Record<string, unknown>;

interface Body {
  schema: SchemaName | Json;
  /** Default application/json; several for a request body read the same way in each. */
  contentType?: string | readonly string[];
  example?: unknown;
}

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tag:
    | 'Touchpoints'
    | 'Segment'
    | 'Customers'
    | 'Analytics'
    | 'Campaigns'
    | 'Keys'
    | 'Templates'
    | 'Unsubscribe'
    | 'Settings'
    | 'Meta';
  query?: z.ZodObject;
  body?: Body & { required?: boolean };
  /** Success responses; errors are added from the route's kind. */
  responses: Record<string, { description: string; body?: Body; headers?: Record<string, Json> }>;
  /** Error statuses beyond the common ones (400 for bodies and queries, 401/429 with a key, 403 on admin routes). */
  errors?: Record<string, string>;
}

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

const segmentNote =
  'Segment HTTP Tracking API compatible: send the ingest key as Basic auth user name ' +
  '(what `@segment/analytics-node` does with its writeKey). Oversize or malformed requests get 400, as at Segment.';

const METRICS_NOTE =
  'Summed from per-day counters: messages by the day they were sent, assignments and conversions by the day ' +
  'the customer was assigned; `from` (inclusive) and `to` (exclusive) are days in STAGEFLOW_REPORT_TIMEZONE, ' +
  'both optional. Conversion is intent-to-treat (docs/measurement.md).';

const OPERATIONS: Record<string, Operation> = {
  'GET /health': {
    operationId: 'health',
    summary: 'Health check',
    description:
      'Healthy means the API answers and its table does (one read of a fixed item, reused for 2 s). ' +
      'Locally it answers only once the default campaigns and templates are seeded.',
    tag: 'Meta',
    responses: { 200: { description: 'The API and its table answer', body: { schema: 'Health' } } },
    errors: { 503: 'The table does not answer (retry after `Retry-After` seconds)' },
  },
  'GET /v1/openapi.json': {
    operationId: 'openapi',
    summary: 'This OpenAPI document',
    tag: 'Meta',
    responses: {
      200: { description: 'The OpenAPI 3.1 document', body: { schema: { type: 'object' } } },
    },
  },
  'POST /v1/touchpoints': {
    operationId: 'ingestTouchpoints',
    summary: 'Record one touchpoint or a batch',
    description:
      'A single touchpoint returns the customer’s stage after it; `{"batch": [...]}` (up to 500) ' +
      'reports each item. `messageId` makes retries safe: a second send is a duplicate and changes nothing. ' +
      'Fields a client may not set are ignored: unknown top-level fields (such as `stage`) and the traits ' +
      '`stage`, `stagesReached`, `referralCode`, `referredBy`, `unsubscribed`, `consent`, `suppressed`, `rewardIssued`.',
    tag: 'Touchpoints',
    body: {
      schema: { oneOf: [ref('TouchpointInput'), ref('TouchpointBatch')] },
      example: {
        messageId: 'm-0001',
        anonymousId: 'a-42',
        event: 'Ad Clicked',
        timestamp: '2026-05-01T10:00:00Z',
        context: { campaign: { source: 'instagram', medium: 'paid_social', name: 'spring_launch' } },
      },
    },
    responses: {
      200: {
        description: 'Stored (or a duplicate); for a batch, one result per item',
        body: { schema: { oneOf: [ref('IngestResult'), ref('BatchResult')] } },
      },
    },
    errors: { 413: 'The body exceeds 500 KB or a touchpoint 32 KB' },
  },
  'POST /v1/track': {
    operationId: 'segmentTrack',
    summary: 'Segment track',
    description: segmentNote,
    tag: 'Segment',
    body: {
      schema: 'SegmentTrack',
      example: { userId: 'u-1', event: 'Order Completed', properties: { order_id: 'o-1', total: 129 } },
    },
    responses: { 200: { description: 'Stored', body: { schema: 'SegmentSuccess' } } },
  },
  'POST /v1/identify': {
    operationId: 'segmentIdentify',
    summary: 'Segment identify: link an anonymous id to a user and set traits',
    description: segmentNote,
    tag: 'Segment',
    body: {
      schema: 'SegmentIdentify',
      example: { userId: 'u-1', anonymousId: 'a-42', traits: { email: 'ada@example.com', firstName: 'Ada' } },
    },
    responses: { 200: { description: 'Stored', body: { schema: 'SegmentSuccess' } } },
  },
  'POST /v1/alias': {
    operationId: 'segmentAlias',
    summary: 'Segment alias: link previousId to userId',
    description: segmentNote,
    tag: 'Segment',
    body: { schema: 'SegmentAlias', example: { userId: 'u-1', previousId: 'a-42' } },
    responses: { 200: { description: 'Stored', body: { schema: 'SegmentSuccess' } } },
  },
  'POST /v1/page': {
    operationId: 'segmentPage',
    summary: 'Segment page (stored as event `page_view`)',
    description: segmentNote,
    tag: 'Segment',
    body: { schema: 'SegmentPage', example: { anonymousId: 'a-42', name: 'Trail shoes' } },
    responses: { 200: { description: 'Stored', body: { schema: 'SegmentSuccess' } } },
  },
  'POST /v1/screen': {
    operationId: 'segmentScreen',
    summary: 'Segment screen (stored as event `screen_view`)',
    description: segmentNote,
    tag: 'Segment',
    body: { schema: 'SegmentPage', example: { userId: 'u-1', name: 'Checkout' } },
    responses: { 200: { description: 'Stored', body: { schema: 'SegmentSuccess' } } },
  },
  'POST /v1/group': {
    operationId: 'segmentGroup',
    summary: 'Segment group',
    description: segmentNote,
    tag: 'Segment',
    body: { schema: 'SegmentGroup', example: { userId: 'u-1', groupId: 'g-1' } },
    responses: { 200: { description: 'Stored', body: { schema: 'SegmentSuccess' } } },
  },
  'POST /v1/batch': {
    operationId: 'segmentBatch',
    summary: 'Segment batch (what analytics-node sends)',
    description: `${segmentNote} Each item needs a \`type\`.`,
    tag: 'Segment',
    body: {
      schema: 'SegmentBatch',
      example: { batch: [{ type: 'track', userId: 'u-1', event: 'Product Viewed', messageId: 'm-2' }] },
    },
    responses: { 200: { description: 'One result per item', body: { schema: 'SegmentBatchResult' } } },
  },
  'POST /v1/import': {
    operationId: 'segmentImport',
    summary: 'Segment import (same as batch)',
    description: segmentNote,
    tag: 'Segment',
    body: { schema: 'SegmentBatch' },
    responses: { 200: { description: 'One result per item', body: { schema: 'SegmentBatchResult' } } },
  },
  'GET /v1/customers': {
    operationId: 'listCustomers',
    summary:
      'Customers by stage, acquisition channel or campaign, or email; or the most recently active (admin)',
    description:
      'At most one of `stage`, `channel`, `campaign` and `email` (more is a 400 naming them). Without one: the ' +
      'most recently active customers (newest touchpoint, to the hour). `stage`: most recently active first. ' +
      '`channel` and `campaign` follow the acquisition (customers without one are `direct` and `(none)`, as in ' +
      'the funnel), most recently acquired first. `email` is exact and case-insensitive. Served from the table’s ' +
      'indexes, which follow writes within about a second; an erased customer leaves every list. 503 while the ' +
      'list’s index is still being added to an upgraded table.',
    tag: 'Customers',
    query: CustomerListQuery,
    responses: { 200: { description: 'One page', body: { schema: 'CustomerList' } } },
    errors: { 503: 'The list’s table index is not there yet or still being built (see `Retry-After`)' },
  },
  'GET /v1/customers/{customerId}': {
    operationId: 'getCustomer',
    summary: 'A customer’s journey: stage, traits, counts, acquisition',
    description:
      'A user id, or `anon:<anonymousId>` for an anonymous visitor (or the user it has been linked to). A bare id is never looked up as an anonymous id.',
    tag: 'Customers',
    responses: { 200: { description: 'The customer', body: { schema: 'Customer' } } },
    errors: { 404: 'No such customer' },
  },
  'GET /v1/customers/{customerId}/touchpoints': {
    operationId: 'listCustomerTouchpoints',
    summary: 'A customer’s touchpoints, oldest first, paged',
    tag: 'Customers',
    query: PageQuery,
    responses: { 200: { description: 'One page', body: { schema: 'TouchpointPage' } } },
    errors: { 404: 'No such customer' },
  },
  'GET /v1/customers/{customerId}/transitions': {
    operationId: 'listCustomerTransitions',
    summary: 'A customer’s stage transitions',
    tag: 'Customers',
    responses: {
      200: {
        description: 'Every transition',
        body: {
          schema: { type: 'object', properties: { items: { type: 'array', items: ref('Transition') } } },
        },
      },
    },
    errors: { 404: 'No such customer' },
  },
  'GET /v1/customers/{customerId}/messages': {
    operationId: 'listCustomerMessages',
    summary: 'The message log: every mail the flows sent a customer, or why not (admin)',
    tag: 'Customers',
    responses: {
      200: {
        description: 'Every message record, oldest first',
        body: { schema: { type: 'object', properties: { items: { type: 'array', items: ref('Message') } } } },
      },
    },
    errors: { 404: 'No such customer' },
  },
  'GET /v1/customers/{customerId}/export': {
    operationId: 'exportCustomer',
    summary: 'Everything held on a customer, as one JSON document (admin)',
    description:
      'Profile, touchpoints (with the date each expires), transitions, complaints, messages, consent, ' +
      'suppression, referral link, identity links, pending events and the frequency-cap ledger. 404 once erased.',
    tag: 'Customers',
    responses: { 200: { description: 'The export', body: { schema: 'CustomerExport' } } },
    errors: { 404: 'No such customer (never known, or erased)' },
  },
  'DELETE /v1/customers/{customerId}': {
    operationId: 'eraseCustomer',
    summary: 'Erase a customer (admin)',
    description:
      'Deletes the profile, touchpoints, transitions, complaints, pending events, consent, message log, ' +
      'frequency-cap ledger, identity links, dedupe records and referral link. Only anonymous counters remain. ' +
      'Idempotent: erasing again, or an id never known, also answers 204. Erases exactly the customer named: ' +
      '`anon:<id>` for an anonymous id linked to a user answers 409; erase that user by their id.',
    tag: 'Customers',
    responses: { 204: { description: 'Nothing is held on the customer any more' } },
    errors: { 409: 'The anonymous id is linked to a user; erase the user by their id' },
  },
  'GET /v1/analytics/stages': {
    operationId: 'stagesReport',
    summary: 'Customers per journey stage now, how many stalled, median days in stage (admin)',
    description:
      'Every answer carries `asOf` and `lagSeconds` (the age of the oldest change not yet counted).',
    tag: 'Analytics',
    query: StagesQuery,
    responses: { 200: { description: 'The report', body: { schema: 'StagesReport' } } },
  },
  'GET /v1/analytics/funnel': {
    operationId: 'funnelReport',
    summary: 'Funnel of the customers first seen in [from, to), by channel, campaign or cohort (admin)',
    description:
      'Days are `YYYY-MM-DD` in STAGEFLOW_REPORT_TIMEZONE; `to` is exclusive. A customer counts at a step if they ' +
      'reached it, or a later step in `steps`, less than `windowDays` × 24 h after their first touchpoint. ' +
      'Counts are exact for every whole `windowDays` from 1 to 365.',
    tag: 'Analytics',
    query: FunnelQuery,
    responses: { 200: { description: 'The report', body: { schema: 'FunnelReport' } } },
  },
  'GET /v1/analytics/attribution': {
    operationId: 'attributionReport',
    summary: 'Orders and revenue credited to channels or campaigns under five models (admin)',
    description:
      'Orders in [from, to), refunded or cancelled ones left out. Credited touchpoints carry a channel or a utm ' +
      'campaign and lie in (purchase − lookbackDays, purchase]; an order with none is credited to `direct` / ' +
      '`(none)`. `lookbackDays` is 7, 30 or 90 (contributions are kept for these three).',
    tag: 'Analytics',
    query: AttributionQuery,
    responses: { 200: { description: 'The report', body: { schema: 'AttributionReport' } } },
  },
  'POST /v1/campaigns': {
    operationId: 'createCampaign',
    summary: 'Create a campaign (draft unless `status` says otherwise)',
    tag: 'Campaigns',
    body: { schema: 'CampaignWrite' },
    responses: {
      201: {
        description: 'Created',
        body: { schema: 'Campaign' },
        headers: { ETag: { schema: { type: 'string' } }, Location: { schema: { type: 'string' } } },
      },
    },
  },
  'GET /v1/campaigns': {
    operationId: 'listCampaigns',
    summary: 'List campaigns',
    tag: 'Campaigns',
    query: ListQuery,
    responses: {
      200: {
        description: 'Campaigns',
        body: {
          schema: { type: 'object', properties: { items: { type: 'array', items: ref('Campaign') } } },
        },
      },
    },
  },
  'GET /v1/campaigns/{campaignId}': {
    operationId: 'getCampaign',
    summary: 'A campaign’s current version (or `?version=n`)',
    tag: 'Campaigns',
    query: z.object({ version: z.coerce.number().int().min(1).optional() }),
    responses: {
      200: {
        description: 'The campaign',
        body: { schema: 'Campaign' },
        headers: { ETag: { schema: { type: 'string' } } },
      },
    },
    errors: { 404: 'No such campaign or version' },
  },
  'PUT /v1/campaigns/{campaignId}': {
    operationId: 'updateCampaign',
    summary: 'Replace a campaign’s definition as a new version',
    description:
      'What GET answers is accepted unchanged (read-only fields are ignored). ' +
      'Send `If-Match: "<version>"` to fail with 412 if someone else changed it meanwhile.',
    tag: 'Campaigns',
    body: { schema: 'CampaignWrite' },
    responses: {
      200: {
        description: 'The new version',
        body: { schema: 'Campaign' },
        headers: { ETag: { schema: { type: 'string' } } },
      },
    },
    errors: {
      404: 'No such campaign',
      409: 'Busy with other writers; retry',
      412: 'If-Match does not match',
    },
  },
  'PATCH /v1/campaigns/{campaignId}': {
    operationId: 'patchCampaign',
    summary: 'Change only what a JSON Merge Patch names, as a new version',
    description:
      'RFC 7396, as `application/merge-patch+json` (or `application/json`). ' +
      'Send `If-Match: "<version>"` to fail with 412 if someone else changed it meanwhile.',
    tag: 'Campaigns',
    body: { schema: 'CampaignPatch', contentType: MERGE_PATCH_TYPES },
    responses: {
      200: {
        description: 'The new version',
        body: { schema: 'Campaign' },
        headers: { ETag: { schema: { type: 'string' } } },
      },
    },
    errors: {
      404: 'No such campaign',
      409: 'Busy with other writers; retry',
      412: 'If-Match does not match',
      415: 'Not a merge patch (see `Accept-Patch`)',
    },
  },
  'DELETE /v1/campaigns/{campaignId}': {
    operationId: 'deleteCampaign',
    summary: 'Delete a campaign',
    tag: 'Campaigns',
    responses: { 204: { description: 'Deleted' } },
    errors: { 404: 'No such campaign', 409: 'An active campaign must be paused first' },
  },
  'GET /v1/campaigns/metrics': {
    operationId: 'listCampaignMetrics',
    summary: 'Delivery, engagement, conversions and lift of every campaign (admin)',
    description: 'The report of `GET /v1/campaigns/{campaignId}/metrics` for each campaign. ' + METRICS_NOTE,
    tag: 'Campaigns',
    query: MetricsQuery,
    responses: { 200: { description: 'One report per campaign', body: { schema: 'CampaignMetricsList' } } },
  },
  'GET /v1/campaigns/{campaignId}/metrics': {
    operationId: 'getCampaignMetrics',
    summary: 'Delivery, engagement, conversions and lift of a campaign against its control group (admin)',
    description: METRICS_NOTE,
    tag: 'Campaigns',
    query: MetricsQuery,
    responses: { 200: { description: 'The report', body: { schema: 'CampaignMetrics' } } },
    errors: { 404: 'No such campaign' },
  },
  'GET /v1/analytics/global-control': {
    operationId: 'globalControlReport',
    summary:
      'Purchase rate and revenue per customer, marketing mail against the global control group (admin)',
    description:
      'Customers by the day of their first marketing step (or of their move across the percentage) in [from, to); ' +
      'a purchase counts within 30 days after it. Purchase rates are compared with the two-proportion z-test, ' +
      'revenue per customer per currency with Welch’s 95% interval (docs/measurement.md).',
    tag: 'Analytics',
    query: MetricsQuery,
    responses: { 200: { description: 'The report', body: { schema: 'GlobalControlReport' } } },
  },
  'GET /v1/settings': {
    operationId: 'getSettings',
    summary: 'The global control group, the marketing switch and tracking (admin)',
    tag: 'Settings',
    responses: { 200: { description: 'The settings', body: { schema: 'Settings' } } },
  },
  'PATCH /v1/settings': {
    operationId: 'patchSettings',
    summary: 'Change the global control group, or pause and resume marketing mail by hand (admin)',
    description:
      'RFC 7396, as `application/merge-patch+json` (or `application/json`): `{"globalControlPercent": 5}`, ' +
      '`{"marketing": {"paused": true, "reason": "brand review"}}`; `null` returns a member to its default. ' +
      'Resuming by hand never overrides an SES reputation alarm. `tracking` is read-only (STAGEFLOW_TRACKING).',
    tag: 'Settings',
    body: { schema: 'SettingsPatch', contentType: MERGE_PATCH_TYPES },
    responses: { 200: { description: 'The settings now', body: { schema: 'Settings' } } },
    errors: { 415: 'Not a merge patch (see `Accept-Patch`)' },
  },
  'GET /v1/campaigns/{campaignId}/stats': {
    operationId: 'getCampaignStats',
    summary: 'Why a campaign’s trigger started no run, counted by reason',
    tag: 'Campaigns',
    responses: { 200: { description: 'The counters', body: { schema: 'CampaignStats' } } },
    errors: { 404: 'No such campaign' },
  },
  'POST /v1/campaigns/{campaignId}/activate': {
    operationId: 'activateCampaign',
    summary: 'Activate a campaign',
    tag: 'Campaigns',
    responses: { 200: { description: 'Active', body: { schema: 'Campaign' } } },
    errors: { 404: 'No such campaign', 409: 'Not allowed from the current status' },
  },
  'POST /v1/campaigns/{campaignId}/pause': {
    operationId: 'pauseCampaign',
    summary: 'Pause a campaign',
    tag: 'Campaigns',
    responses: { 200: { description: 'Paused', body: { schema: 'Campaign' } } },
    errors: { 404: 'No such campaign', 409: 'Not allowed from the current status' },
  },
  'GET /v1/templates': {
    operationId: 'listTemplates',
    summary: 'List email templates',
    tag: 'Templates',
    responses: { 200: { description: 'Templates and their languages', body: { schema: 'TemplateList' } } },
  },
  'GET /v1/templates/{name}': {
    operationId: 'getTemplate',
    summary: 'A template in every language',
    tag: 'Templates',
    responses: { 200: { description: 'The template', body: { schema: 'Template' } } },
    errors: { 404: 'No such template' },
  },
  'PUT /v1/templates/{name}': {
    operationId: 'putTemplate',
    summary: 'Create or replace a template (Handlebars; `en` required)',
    description:
      'A full replace: a language left out is removed, and named in `removedLocales`. ' +
      'To change one part or one language, PATCH.',
    tag: 'Templates',
    body: { schema: 'TemplateInput' },
    responses: {
      200: { description: 'Replaced', body: { schema: 'TemplateWritten' } },
      201: {
        description: 'Created',
        body: { schema: 'TemplateWritten' },
        headers: { Location: { schema: { type: 'string' } } },
      },
    },
  },
  'PATCH /v1/templates/{name}': {
    operationId: 'patchTemplate',
    summary: 'Change only what a JSON Merge Patch names',
    description: 'RFC 7396, as `application/merge-patch+json` (or `application/json`).',
    tag: 'Templates',
    body: { schema: 'TemplatePatch', contentType: MERGE_PATCH_TYPES },
    responses: { 200: { description: 'The template as stored', body: { schema: 'TemplateWritten' } } },
    errors: { 404: 'No such template', 415: 'Not a merge patch (see `Accept-Patch`)' },
  },
  'DELETE /v1/templates/{name}': {
    operationId: 'deleteTemplate',
    summary: 'Delete a template',
    tag: 'Templates',
    responses: { 204: { description: 'Deleted' } },
    errors: { 404: 'No such template', 409: 'A campaign still uses it' },
  },
  'POST /v1/templates/{name}/preview': {
    operationId: 'previewTemplate',
    summary: 'Render a template for one customer',
    tag: 'Templates',
    body: { schema: 'PreviewInput' },
    responses: { 200: { description: 'The rendered mail', body: { schema: 'Preview' } } },
    errors: { 404: 'No such template or customer' },
  },
  'GET /v1/keys/current': {
    operationId: 'currentKey',
    summary: 'The calling key: id, name and scope (the console tells viewers from marketers by it)',
    tag: 'Keys',
    responses: { 200: { description: 'The calling key', body: { schema: 'Principal' } } },
  },
  'GET /v1/keys': {
    operationId: 'listKeys',
    summary: 'Every API key (never the key or its hash)',
    tag: 'Keys',
    responses: { 200: { description: 'The keys, oldest first', body: { schema: 'KeyList' } } },
  },
  'POST /v1/keys': {
    operationId: 'createKey',
    summary: 'Create a key; the plain key is in this response only',
    tag: 'Keys',
    body: { schema: 'KeyInput' },
    responses: { 201: { description: 'Created', body: { schema: 'NewKey' } } },
  },
  'DELETE /v1/keys/{keyId}': {
    operationId: 'revokeKey',
    summary: 'Revoke a key (revoking twice keeps the first time)',
    tag: 'Keys',
    responses: { 200: { description: 'Revoked', body: { schema: 'ApiKey' } } },
    errors: { 404: 'No such key' },
  },
  'GET /v1/unsubscribe/{token}': {
    operationId: 'unsubscribePage',
    summary: 'The unsubscribe confirmation page (never unsubscribes by itself)',
    description: 'No key: the HMAC token in the link is the authorization. Link scanners prefetch GETs.',
    tag: 'Unsubscribe',
    responses: {
      200: { description: 'An HTML page', body: { schema: { type: 'string' }, contentType: 'text/html' } },
    },
    errors: { 400: 'Not a valid unsubscribe link', 404: 'The customer is no longer held' },
  },
  'POST /v1/unsubscribe/{token}': {
    operationId: 'unsubscribe',
    summary: 'Unsubscribe from marketing mail (the page’s button, or RFC 8058 one-click)',
    description:
      'No key: the HMAC token is the authorization. `List-Unsubscribe=One-Click` in the body marks a one-click request.',
    tag: 'Unsubscribe',
    body: {
      schema: { type: 'string' },
      contentType: 'application/x-www-form-urlencoded',
      required: false,
      example: 'List-Unsubscribe=One-Click',
    },
    responses: {
      200: {
        description: 'Unsubscribed: JSON, or the HTML page when the client accepts text/html',
        body: { schema: 'Unsubscribed' },
      },
    },
    errors: { 400: 'Not a valid unsubscribe link', 404: 'The customer is no longer held' },
  },
};

// --- assembly -------------------------------------------------------------------------------

const routeKey = (r: Pick<Route, 'method' | 'path'>) => `${r.method} ${r.path}`;

const toSchema = (schema: z.ZodType): Json => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
};

const bodySchema = (body: Body): Json => (typeof body.schema === 'string' ? ref(body.schema) : body.schema);

const problemContent = { 'application/problem+json': { schema: ref('Problem') } };

const ERROR_RESPONSES: Record<string, Json> = {
  ValidationFailed: {
    description: 'The request is invalid; `errors` names each field',
    content: problemContent,
  },
  Unauthorized: {
    description: 'No key, an unknown key or a revoked key',
    headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
    content: problemContent,
  },
  Forbidden: {
    description: 'The key’s scope does not cover this route (an ingest key on an admin route)',
    content: problemContent,
  },
  TooManyRequests: {
    description: 'The key’s rate limit is exceeded; retry after `Retry-After` seconds',
    headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } },
    content: problemContent,
  },
  InternalError: { description: 'Something failed on our side; retry', content: problemContent },
};

function operationObject(route: Route, op: Operation): Json {
  const scope = route.public ? 'public' : (route.scope ?? 'ingest');
  const parameters: Json[] = [];
  for (const [, name] of route.path.matchAll(/\{(\w+)\}/g)) {
    parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  }
  if (op.query) {
    const schema = toSchema(op.query) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, s] of Object.entries(schema.properties ?? {})) {
      parameters.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: s });
    }
  }
  const responses: Json = {};
  for (const [status, r] of Object.entries(op.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.headers ? { headers: r.headers } : {}),
      ...(r.body
        ? { content: { [String(r.body.contentType ?? 'application/json')]: { schema: bodySchema(r.body) } } }
        : {}),
    };
  }
  const errors: Record<string, Json> = {};
  if (op.body || op.query) errors[400] = { $ref: '#/components/responses/ValidationFailed' };
  if (!route.public) {
    errors[401] = { $ref: '#/components/responses/Unauthorized' };
    // Admin keys pass every scope; an ingest key is refused on an admin route, a read key on any write.
    if (scope === 'admin' || route.method !== 'GET') {
      errors[403] = { $ref: '#/components/responses/Forbidden' };
    }
    errors[429] = { $ref: '#/components/responses/TooManyRequests' };
  }
  for (const [status, description] of Object.entries(op.errors ?? {})) {
    errors[status] = { description, content: problemContent };
  }
  errors[500] = { $ref: '#/components/responses/InternalError' };
  const keyNote =
    scope === 'public'
      ? 'No key.'
      : scope === 'admin'
        ? route.method === 'GET'
          ? 'Needs an **admin** or **read** key.'
          : 'Needs an **admin** key.'
        : route.method === 'GET'
          ? 'Needs an **ingest**, admin or read key.'
          : 'Needs an **ingest** or admin key.';
  return {
    operationId: op.operationId,
    summary: op.summary,
    description: [op.description, keyNote].filter(Boolean).join('\n\n'),
    tags: [op.tag],
    'x-stageflow-scope': scope,
    ...(route.public ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: op.body.required ?? true,
            content: Object.fromEntries(
              [op.body.contentType ?? 'application/json'].flat().map((type) => [
                type,
                {
                  schema: bodySchema(op.body!),
                  ...(op.body!.example !== undefined ? { example: op.body!.example } : {}),
                },
              ]),
            ),
          },
        }
      : {}),
    responses: {
      ...responses,
      ...Object.fromEntries(Object.entries(errors).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

const DESCRIPTION = `Stageflow records touchpoints from shops, keeps every customer's journey stage and drives email flows.

**Keys.** Send \`Authorization: Bearer <key>\`, or Basic auth with the key as user name and an empty password
(what \`@segment/analytics-node\` does with its \`writeKey\`). Ingest keys write touchpoints and read customers;
admin keys may call every route. Keys are created with \`npm run keys -- create\`.

**Errors** are RFC 9457 \`application/problem+json\`: 400 names each offending field (by path and JSON pointer;
a body that is not UTF-8, nests deeper than 64 levels, or holds a number that cannot be stored exactly as written,
a \`__proto__\`/\`constructor\`/\`prototype\` key or a lone surrogate is refused, docs/security.md), 401 means no, an unknown or a
revoked key, 403 a key whose scope does not cover the route, 429 the key's rate limit (see \`Retry-After\`).

**Idempotency.** Every touchpoint has a \`messageId\`; sending it again is a duplicate and changes nothing.`;

/** Builds the document; throws when ROUTES and the documented operations differ. */
export function openApiDocument(version = '0.1.0'): Json {
  const routeKeys = new Set(ROUTES.map(routeKey));
  const undocumented = [...routeKeys].filter((k) => !OPERATIONS[k]);
  const stale = Object.keys(OPERATIONS).filter((k) => !routeKeys.has(k));
  if (undocumented.length || stale.length) {
    throw new Error(
      `OpenAPI operations and ROUTES differ: undocumented ${undocumented.join(', ') || 'none'}; ` +
        `documented without a route ${stale.join(', ') || 'none'} (lib/http/openapi.ts)`,
    );
  }
  const paths: Record<string, Json> = {};
  for (const route of ROUTES) {
    paths[route.path] = paths[route.path] ?? {};
    paths[route.path][route.method.toLowerCase()] = operationObject(route, OPERATIONS[routeKey(route)]);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Stageflow API', version, description: DESCRIPTION, license: { name: 'Apache-2.0' } },
    servers: [
      { url: 'http://127.0.0.1:3000', description: 'The local stack (`npm start`)' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'A deployed stage (the ApiUrl output of Stageflow-<stage>-Stateless)',
        variables: { apiId: { default: 'abc123' }, region: { default: 'eu-central-1' } },
      },
    ],
    security: [{ bearerKey: [] }, { basicKey: [] }],
    tags: [
      { name: 'Touchpoints', description: 'Stageflow’s own ingest format' },
      { name: 'Segment', description: 'Segment HTTP Tracking API compatible ingest' },
      { name: 'Customers', description: 'Journeys, history, export and erasure' },
      { name: 'Analytics', description: 'Stages now, funnel and attribution reports (admin)' },
      { name: 'Campaigns', description: 'Marketer campaigns driving the five flows (admin)' },
      { name: 'Templates', description: 'SES email templates (admin)' },
      { name: 'Unsubscribe', description: 'Links in every marketing mail (no key)' },
      { name: 'Settings', description: 'Global control group, marketing switch, tracking (admin)' },
      { name: 'Meta', description: 'Health and this document (no key)' },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key: `Authorization: Bearer sf_ingest_…`',
        },
        basicKey: {
          type: 'http',
          scheme: 'basic',
          description: 'The API key as user name, empty password (Segment libraries’ writeKey)',
        },
      },
      responses: ERROR_RESPONSES,
      schemas: Object.fromEntries(
        (Object.entries(SCHEMAS) as [SchemaName, z.ZodType][]).map(([name, schema]) => [
          name,
          toSchema(schema),
        ]),
      ),
    },
  };
}

/** The document as docs/openapi.json holds it: two-space JSON and a final newline. */
export const openApiJson = (version?: string) => `${JSON.stringify(openApiDocument(version), null, 2)}\n`;
