import { AGG } from '../lib/analytics/index.js';
import type { FunctionName } from '../lib/http/routes.js';
import { TABLE_INDEXES, type TableIndexName } from '../lib/storage/table.js';

/**
 * What each function may do, table by table and service by service: the least-privilege
 * grants (test/infra/iam-usage.test.ts proves each is reachable from the function's code).
 */

/** The table indexes a function queries (DynamoDbCustomerLists: GET /v1/customers). */
export const INDEX_QUERIES: Partial<Record<FunctionName, readonly TableIndexName[]>> = {
  customers: TABLE_INDEXES.map((index) => index.name),
};

/**
 * The table access each function's code needs, action by action. Keyed by FunctionName, so
 * a new entry in FUNCTIONS does not compile until someone decides what it may do.
 * TransactWriteItems is authorised per item (PutItem, DeleteItem, ConditionCheckItem).
 */
export const TABLE_ACCESS: Record<FunctionName, { read: readonly string[]; write: readonly string[] }> = {
  // DynamoDbJourneyStore (snapshot, history, commit, claimAlias, moveHistory) and the key lookup.
  ingest: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: [
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:BatchWriteItem',
    ],
  },
  // ReadCustomers (profile, alias, touchpoints, transitions), the message log (Query) and the key
  // lookup; DynamoDbCustomerData: export (Query, BatchGetItem) and erasure (BatchWriteItem deletes,
  // then one TransactWriteItems: Delete of the profile, Update of the STATS counters).
  customers: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
  },
  // One GetItem of a key nothing writes: healthy means the table answers.
  health: { read: ['dynamodb:GetItem'], write: [] },
  // Serves the bundled OpenAPI document; no I/O.
  openapi: { read: [], write: [] },
  // The Lambda authorizer: DynamoDbKeyStore.get, one GetItem per uncached key.
  authorize: { read: ['dynamodb:GetItem'], write: [] },
  // DynamoDbCampaignStore (head/version reads, TransactWrite of head + version, status updates);
  // SES: ses:GetEmailTemplate (campaign steps must name an existing template).
  campaigns: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  },
  // Template API: campaigns that use a template (Query), the customer for a preview, and who
  // changed a template last (TPL#<name>: GetItem, PutItem, DeleteItem); the rest is
  // SES: ses:ListEmailTemplates, Get/Create/Update/DeleteEmailTemplate, TestRenderEmailTemplate,
  // and secretsmanager:GetSecretValue on the unsubscribe secret (the preview's unsubscribe link).
  templates: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
  },
  // DynamoDbKeyStore: list (Query), create (PutItem), revoke (UpdateItem).
  keys: { read: ['dynamodb:Query'], write: ['dynamodb:PutItem', 'dynamodb:UpdateItem'] },
  // DynamoDbConsentStore: snapshot (BatchGetItem), unsubscribe (TransactWrite: ConditionCheck on
  // PROFILE + Update of CONSENT); secretsmanager:GetSecretValue on the unsubscribe secret.
  // Then the engagement of the mail it came from (`?m=`) and the Unsubscribed touchpoint, as
  // sesEvents records them (message GetItem, TransactWrite, campaign name, ingest).
  unsubscribe: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:BatchWriteItem',
    ],
  },
  // ReadAnalytics: aggregate and in-flight items (Query), a month's version and the key lookup
  // (GetItem); the month rollups a report stores for a month it summed (PutItem, month-rollups.ts),
  // on the funnel and credit partitions only (LEADING_KEYS).
  analytics: { read: ['dynamodb:GetItem', 'dynamodb:Query'], write: ['dynamodb:PutItem'] },
  // DynamoDbAnalyticsStore: the customer's partition (Query) and contribution (BatchGetItem); one
  // TransactWriteItems of the contribution (Put or Delete) and ADDs (Update); in-flight marks
  // (BatchWriteItem). AnalyticsPipeline grants the stream.
  // Then the changed customer's conversions (lib/measurement/conversions.ts): assignments and
  // history (Query), the assignment (GetItem), one TransactWriteItems of a ConditionCheck on the
  // profile, the assignment's Update and the counters' ADD (Update).
  projectAnalytics: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: [
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:UpdateItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
    ],
  },
  // ReadMeasurement: counters and campaign heads (Query), campaign versions (BatchGetItem), the
  // settings and marketing switch items (GetItem); PATCH /v1/settings writes the settings item
  // (UpdateItem) and the switch (PutItem, conditional on its version).
  measurement: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
  },
  // Reads the table's stream, never the table: EventPipeline grants the stream and the bus.
  relayOutbox: { read: [], write: [] },
  // Starts executions (states:StartExecution, granted by Flows); first drops a stale event:
  // campaign heads (Query), the profile (BatchGetItem), skip counters (ADD).
  startFlow: { read: ['dynamodb:BatchGetItem', 'dynamodb:Query'], write: ['dynamodb:UpdateItem'] },
  // DynamoDbConsentStore.suppress: one conditional PutItem per suppressed address; engagement
  // (lib/engagement): the message (GetItem), a TransactWriteItems of the profile check, the
  // message Update and the counters' ADD; the campaign's name; the touchpoint through ingest
  // (DynamoDbJourneyStore). Its rule is engagementRulePattern (default bus).
  sesEvents: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:BatchWriteItem',
    ],
  },
  // Campaign heads (Query), profile (BatchGetItem), history (Query); holdout and paused traces and
  // cycle claims (a Put with a ConditionCheck that the customer still exists); skip counters (ADD).
  flowPlan: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    write: ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem', 'dynamodb:UpdateItem'],
  },
  // Campaign version, profile, consent (BatchGetItem), history (Query); message claims and the
  // frequency-cap ledger (GetItem; TransactWriteItems of a Put with a ConditionCheck that the
  // customer still exists); the marketing switch item (GetItem, isMarketingPaused). SES sending
  // and the secret: SERVICE_ACCESS.
  // Measurement: the settings and the customer's GLOBAL item (GetItem); assignments (a Put with
  // the counters' ADD, Update); message records are Updates so SES engagement on the item survives.
  flowSend: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem', 'dynamodb:UpdateItem'],
  },
  // Publishes Reward Issued only (events:PutEvents, SERVICE_ACCESS).
  issueRewards: { read: [], write: [] },
  // ManageCampaigns.seed: DynamoDbCampaignStore.create, a TransactWrite of two conditional Puts.
  seedDefaults: { read: [], write: ['dynamodb:PutItem'] },
  // DynamoDbMarketingSwitch: read the SETTINGS/MARKETING item, write it back conditionally.
  marketingSwitch: { read: ['dynamodb:GetItem'], write: ['dynamodb:PutItem'] },
};

/**
 * Table actions a function may take only on items whose partition key matches one of `keys`
 * (IAM `dynamodb:LeadingKeys`, ForAllValues:StringLike): granted in a statement of their own,
 * not with the function's other table actions. The analytics report function puts month
 * rollups and nothing else, so a bug or a stolen role cannot overwrite a profile or a key.
 * (The projector's PutItem stays table-wide: it also puts contributions, `AN#…`, and the
 * conversions' assignments in customer partitions, `C#…`, so a condition would list most of
 * the table.)
 */
export const LEADING_KEYS: Partial<
  Record<FunctionName, { actions: readonly string[]; keys: readonly string[] }>
> = {
  analytics: { actions: ['dynamodb:PutItem'], keys: [AGG.funnel('*'), AGG.credit('*')] },
};

/**
 * What each function's code calls besides the table, decided per function like TABLE_ACCESS.
 * SES template actions apply to this deployment's templates only (`template/<prefix>*`).
 */
export interface ServiceAccess {
  /** SES v2 template actions, on `template/stageflow-<stage>-*`. */
  templates?: readonly string[];
  /** ses:ListEmailTemplates, which has no resource-level permission (resource "*"). */
  listTemplates?: true;
  /** ses:SendEmail from the sender address, with the configuration set and this deployment's templates. */
  sendMail?: true;
  /** secretsmanager:GetSecretValue on the unsubscribe secret (signing or checking links). */
  unsubscribeSecret?: true;
  /** events:PutEvents on the Stageflow bus. */
  putEvents?: true;
  /** Needs EVENT_BUS_NAME without publishing (the flow wiring builds its publisher eagerly). */
  busName?: true;
  /** Needs the mail settings: sender, configuration set, template prefix, public URL. */
  mailSettings?: true;
  /**
   * cloudwatch:GetMetricData, which has no resource-level permission (resource "*"): the
   * reports read the projector's IteratorAge (STAGEFLOW_ANALYTICS_PROJECTOR_FUNCTION).
   */
  projectorLag?: true;
}

export const SERVICE_ACCESS: Record<FunctionName, ServiceAccess> = {
  ingest: {},
  customers: {},
  health: {},
  openapi: {},
  keys: {},
  authorize: {},
  // ManageCampaigns: a campaign's steps must name existing templates (GetEmailTemplate).
  campaigns: { templates: ['ses:GetEmailTemplate'], mailSettings: true },
  // SesTemplateStore (list, get, update-or-create, delete, test render); the preview signs an
  // unsubscribe link.
  templates: {
    templates: [
      'ses:GetEmailTemplate',
      'ses:CreateEmailTemplate',
      'ses:UpdateEmailTemplate',
      'ses:DeleteEmailTemplate',
      'ses:TestRenderEmailTemplate',
    ],
    listTemplates: true,
    unsubscribeSecret: true,
    mailSettings: true,
  },
  // Checks the link's HMAC.
  unsubscribe: { unsubscribeSecret: true, mailSettings: true },
  // The projector's IteratorAge: how many changes still wait in the stream (lagSeconds).
  analytics: { projectorLag: true },
  projectAnalytics: {},
  // Campaign reads go through the campaigns wiring, which needs the mail settings.
  measurement: { mailSettings: true },
  // EventPipeline grants the stream and the bus.
  relayOutbox: {},
  // Flows grants states:StartExecution on the five state machines.
  startFlow: {},
  sesEvents: {},
  flowPlan: { busName: true, mailSettings: true },
  // TemplateMailer: SendEmail with a stored template; every mail links its unsubscribe URL.
  flowSend: { sendMail: true, unsubscribeSecret: true, busName: true, mailSettings: true },
  issueRewards: { putEvents: true, mailSettings: true },
  // ManageTemplates.seed: CreateEmailTemplate for each missing default (AlreadyExists = keep).
  seedDefaults: { templates: ['ses:CreateEmailTemplate'], mailSettings: true },
  marketingSwitch: {},
};

/** The prefix of every SES template a deployment owns, so dev and prod can share an account. */
export const templatePrefix = (stage: string) => `stageflow-${stage}-`;

/** Reading a table encrypted with our key needs Decrypt; writing also needs to encrypt. */
export const KEY_READ = ['kms:Decrypt', 'kms:DescribeKey'];
export const KEY_WRITE = ['kms:Encrypt', 'kms:GenerateDataKey'];
