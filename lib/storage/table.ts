/**
 * The single-table design, shared by CDK (infra/) and the local stack so both create the
 * same table. See docs/storage.md for the access patterns.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
} as const;

export const keys = {
  customer: (customerId: string) => `C#${customerId}`,
  profileSk: 'PROFILE',
  touchpointSk: (sortKey: string) => `T#${sortKey}`,
  transitionSk: (at: string, touchpointId: string) => `X#${at}#${touchpointId}`,
  complaintSk: (at: string, touchpointId: string) => `K#${at}#${touchpointId}`,
  outboxSk: (at: string, eventId: string) => `O#${at}#${eventId}`,
  dedupe: (messageId: string) => `M#${messageId}`,
  dedupeSk: 'M',
  alias: (anonymousId: string) => `A#${anonymousId}`,
  aliasSk: 'A',
  referral: (code: string) => `R#${code}`,
  referralSk: 'R',
  /** In the referrer's partition: a friend they referred (so erasing either side finds the link). */
  referredFriendSk: (friendId: string) => `F#${friendId}`,
  apiKeys: 'KEYS',
  apiKeySk: (hash: string) => `K#${hash}`,
  /** Every campaign lives in one small partition: a head item per campaign and its immutable versions. */
  campaigns: 'CAMPAIGNS',
  campaignHeadSk: (campaignId: string) => `H#${campaignId}`,
  campaignVersionSk: (campaignId: string, version: number) =>
    `V#${campaignId}#${String(version).padStart(6, '0')}`,
  /** One activation or pause of a campaign, in time order under `S#<campaignId>#`. */
  campaignStatusSk: (campaignId: string, at: string) => `S#${campaignId}#${at}`,
  /** Unsubscribe state, in the customer partition but apart from PROFILE (ingest's optimistic lock). */
  consentSk: 'CONSENT',
  /** Suppressed address, keyed by the SHA-256 of the lowercase address (no plain address in a key). */
  suppression: (addressHash: string) => `SUP#${addressHash}`,
  suppressionSk: 'SUP',
  /** Per-campaign counters of runs not started (`stale`, …), sharded: lib/campaigns/dynamodb-campaign-stats.ts. */
  campaignStats: (campaignId: string) => `STATS#${campaignId}`,
  skipSk: (reason: string, shard: number) => `SKIP#${reason}#${shard}`,
  /** In the customer partition: the purchase cycle a campaign (or flow) already ran for. */
  cycleSk: (scope: string, cycle: string) => `CYCLE#${scope}#${cycle}`,
  /** Deployment-wide switches; `MARKETING` pauses marketing mail (lib/flows/marketing-switch.ts). */
  settings: 'SETTINGS',
  marketingSk: 'MARKETING',
  /** Who changed a template last and when (the content itself lives in SES). */
  templateChange: (name: string) => `TPL#${name}`,
  templateChangeSk: 'CHANGE',
} as const;

/** The id an anonymous visitor is known by until an identify links them to a user. */
export const anonymousCustomerId = (anonymousId: string) => `anon:${anonymousId}`;

/**
 * The anonymous id a customer id names (`anon:a-42` → `a-42`), or null for a user id. User
 * ids cannot start with `anon:` (lib/touchpoints/schema.ts), so the two never overlap.
 */
export const anonymousIdOf = (customerId: string): string | null =>
  customerId.startsWith('anon:') ? customerId.slice(5) : null;

export const ITEM_PREFIX = {
  touchpoint: 'T#',
  transition: 'X#',
  complaint: 'K#',
  outbox: 'O#',
  campaignHead: 'H#',
  campaignVersion: 'V#',
  campaignStatus: 'S#',
} as const;

/**
 * The table's global secondary indexes, in the order they were introduced. The first four index
 * the `profile` item only (sparse keys no other item carries) and serve GET /v1/customers; the
 * fifth indexes message log items and serves GET /v1/messages.
 *
 * DynamoDB creates at most one index per table update, so a deployed table gains them one
 * deploy at a time (`stageflow:tableIndexes`, README "Upgrading"); a new table gets all at
 * once. Append new indexes at the end, never reorder: the setting counts from the start.
 */
export const TABLE_INDEXES = [
  /** Customers per stage (`-` for none yet), most recently active first: also the unfiltered list. */
  { name: 'customers-by-stage', partitionKey: 'listStage', sortKey: 'listActive' },
  /** Customers per acquisition channel (`direct` without one), most recently acquired first. */
  { name: 'customers-by-channel', partitionKey: 'listChannel', sortKey: 'listAcquired' },
  /** Customers per acquisition utm campaign name (`(none)` without one), most recently acquired first. */
  { name: 'customers-by-campaign', partitionKey: 'listCampaign', sortKey: 'listAcquired' },
  /** Customers by the SHA-256 of their normalised email address (no plain address in a key). */
  { name: 'customers-by-email', partitionKey: 'listEmail', sortKey: 'customerId' },
  /**
   * The message log across customers (GET /v1/messages): message items per campaign, newest
   * first (`msgAt` = `<at>#<customerId>#<runId>#<step>`, lib/flows/message-log.ts). Projects
   * what a log item shows, so a page needs no second read.
   */
  {
    name: 'messages-by-campaign',
    partitionKey: 'msgCampaign',
    sortKey: 'msgAt',
    projection: [
      'customerId',
      'flow',
      'campaignId',
      'campaignVersion',
      'template',
      'to',
      'at',
      'status',
      'reason',
      'reasonCode',
      'category',
      'runId',
      'step',
      'orderId',
      'engagement',
    ],
  },
] as const;
export type TableIndexName = (typeof TABLE_INDEXES)[number]['name'];

/** The attributes an index projects besides its keys: its own list, else the customer list's. */
export const projectionOf = (index: (typeof TABLE_INDEXES)[number]): string[] =>
  ('projection' in index ? [...index.projection] : LIST_PROJECTION).filter((a) => a !== index.sortKey);

/**
 * What every customer index holds besides its keys: exactly what a list item shows. Only
 * these attributes (and the keys) cost an index write when they change, so nothing that moves
 * on every touchpoint (version, updatedAt, the fold state) is projected.
 */
export const LIST_PROJECTION = ['customerId', 'stage', 'stageSince', 'email', 'firstName', 'acquisition'];
