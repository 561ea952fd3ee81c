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
  apiKeys: 'KEYS',
  apiKeySk: (hash: string) => `K#${hash}`,
} as const;

/** The id an anonymous visitor is known by until an identify links them to a user. */
export const anonymousCustomerId = (anonymousId: string) => `anon:${anonymousId}`;

export const ITEM_PREFIX = {
  touchpoint: 'T#',
  transition: 'X#',
  complaint: 'K#',
  outbox: 'O#',
} as const;
