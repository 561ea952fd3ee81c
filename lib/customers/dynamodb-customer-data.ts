import {
  type DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { addressHash } from '../consent/index.js';
import { batchGetItems, batchWrite, deleteRequests, queryPartition } from '../storage/dynamodb-io.js';
import { anonymousCustomerId, anonymousIdOf, keys } from '../storage/table.js';

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

/**
 * Anonymous aggregates that survive erasure: one item, numbers only, no id of anyone.
 * `erasedCustomers`, `erasedTouchpoints`, and per final stage `stage_<stage>` and per call
 * type `type_<type>` (track, identify, page, ...): closed vocabularies, never client text.
 */
export const ERASURE_STATS_KEY: Key = { pk: 'STATS', sk: 'ERASURE' };

/** Everything held on one customer: its partition, and the items elsewhere keyed by its ids. */
export interface CustomerRecords {
  customerId: string;
  profile: Item | null;
  /** Every item in `C#<customerId>`: profile, touchpoints, transitions, complaints, outbox, consent, messages, cap. */
  own: Item[];
  /** Identity links (`A#`), dedupe records (`M#`), the referral code (`R#`) and leftovers under `C#anon:<id>`. */
  linked: Item[];
  /** The suppression entry of the profile's address, if any: kept on erasure (docs/security.md). */
  suppression: Item | null;
}

export interface ErasureOutcome {
  /** False when nothing was held (never known, or erased before): erasure is idempotent. */
  erased: boolean;
  itemsDeleted: number;
}

const keyOf = (item: Item): Key => ({ pk: item.pk as string, sk: item.sk as string });
const m = (value: Record<string, unknown>) => marshall(value, { removeUndefinedValues: true });

/** Reads and erases all data held on a customer (DELETE and GET .../export). */
export class DynamoDbCustomerData {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * The customer an id names, as GET /v1/customers/{id} resolves it: a bare id is that user
   * only; `anon:<id>` is the anonymous visitor, or the user it has been linked to (`linked`
   * says so). The id itself when nothing exists, so leftovers in its partition are still found.
   */
  async resolve(customerId: string): Promise<{ customerId: string; exists: boolean; linked: boolean }> {
    const [profile] = await this.get([{ pk: keys.customer(customerId), sk: keys.profileSk }]);
    if (profile) return { customerId, exists: true, linked: false };
    const anonymousId = anonymousIdOf(customerId);
    const [alias] =
      anonymousId === null ? [] : await this.get([{ pk: keys.alias(anonymousId), sk: keys.aliasSk }]);
    const owner = alias?.customerId as string | undefined;
    if (owner) {
      const [linked] = await this.get([{ pk: keys.customer(owner), sk: keys.profileSk }]);
      if (linked) return { customerId: owner, exists: true, linked: true };
    }
    return { customerId, exists: false, linked: false };
  }

  async gather(customerId: string): Promise<CustomerRecords> {
    const own = await this.query(keys.customer(customerId));
    const profile = own.find((i) => i.sk === keys.profileSk) ?? null;
    const anonymousIds = new Set<string>((profile?.anonymousIds as string[] | undefined) ?? []);
    const ownAnonymousId = anonymousIdOf(customerId);
    if (ownAnonymousId !== null) anonymousIds.add(ownAnonymousId);
    const owners = new Set([customerId, ...[...anonymousIds].map(anonymousCustomerId)]);

    const messageIds = own
      .filter((i) => i.entity === 'touchpoint' && typeof i.messageId === 'string')
      .map((i) => i.messageId as string);
    const referralCode = profile?.referralCode as string | undefined;
    const referredBy = profile?.referredBy as string | undefined;
    const candidates: Key[] = [
      // The link the referrer's partition holds to this customer as a referred friend.
      ...(referredBy ? [{ pk: keys.customer(referredBy), sk: keys.referredFriendSk(customerId) }] : []),
      ...[...anonymousIds].map((a) => ({ pk: keys.alias(a), sk: keys.aliasSk })),
      ...messageIds.map((id) => ({ pk: keys.dedupe(id), sk: keys.dedupeSk })),
      ...(referralCode ? [{ pk: keys.referral(referralCode), sk: keys.referralSk }] : []),
    ];
    // Only items that point at this customer (or its anonymous self): an id another user
    // linked first, or a code reissued to someone else, is not this customer's.
    const linked = (await this.get(candidates)).filter((i) => owners.has(i.customerId as string));
    for (const anonymousId of anonymousIds) {
      const pk = keys.customer(anonymousCustomerId(anonymousId));
      if (pk !== keys.customer(customerId)) linked.push(...(await this.query(pk)));
    }

    const email = (profile?.state as { traits?: Record<string, unknown> } | undefined)?.traits?.email;
    const [suppression] =
      typeof email === 'string' && email.includes('@')
        ? await this.get([{ pk: keys.suppression(addressHash(email)), sk: keys.suppressionSk }])
        : [];
    return { customerId, profile, own, linked, suppression: suppression ?? null };
  }

  /**
   * Deletes everything gathered. Items keyed elsewhere go first and the profile last, in one
   * transaction with the anonymous counters: an erasure cut short is finished by the next
   * DELETE (the profile still names the anonymous ids and the referral code), and the counters
   * count each customer once. Items a concurrent write added meanwhile are swept after.
   */
  async erase(records: CustomerRecords): Promise<ErasureOutcome> {
    let deleted = 0;
    // Friends this customer referred keep their history, but not the erased referrer's id.
    for (const link of records.own.filter((i) => i.entity === 'referredFriend')) {
      deleted += await this.forgetReferrer(link.customerId as string, records.customerId);
    }
    await this.deleteAll(records.linked.map(keyOf));
    deleted += records.linked.length;
    const rest = records.own.filter((i) => i.sk !== keys.profileSk);
    await this.deleteAll(rest.map(keyOf));
    deleted += rest.length;
    if (records.profile) {
      if (await this.deleteProfileAndCount(records)) deleted++;
    }
    // A touchpoint or message that landed while we deleted: one more sweep of the partition.
    for (let pass = 0; pass < 3; pass++) {
      const late = await this.query(keys.customer(records.customerId));
      if (late.length === 0) break;
      await this.deleteAll(late.map(keyOf));
      deleted += late.length;
    }
    return { erased: deleted > 0, itemsDeleted: deleted };
  }

  /**
   * Removes an erased referrer's id from a friend's profile (`referredBy`; the version bump makes
   * a concurrent ingest commit re-read) and from the friend's outbox records that name it.
   */
  private async forgetReferrer(friendId: string, referrerId: string): Promise<number> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: m({ pk: keys.customer(friendId), sk: keys.profileSk }),
          UpdateExpression: 'REMOVE referredBy SET version = version + :one',
          ConditionExpression: 'referredBy = :referrer',
          ExpressionAttributeValues: m({ ':one': 1, ':referrer': referrerId }),
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
    const naming = (await this.query(keys.customer(friendId))).filter(
      (i) =>
        i.entity === 'outbox' && (i.detail as Record<string, unknown> | undefined)?.referrerId === referrerId,
    );
    await this.deleteAll(naming.map(keyOf));
    return naming.length;
  }

  private async deleteProfileAndCount(records: CustomerRecords): Promise<boolean> {
    const touchpoints = records.own.filter((i) => i.entity === 'touchpoint');
    const counters = new Map<string, number>([
      ['erasedCustomers', 1],
      ['erasedTouchpoints', touchpoints.length],
    ]);
    const stage = records.profile?.stage;
    if (typeof stage === 'string' && /^[a-z]{1,20}$/.test(stage)) counters.set(`stage_${stage}`, 1);
    for (const tp of touchpoints) {
      const type = tp.type;
      if (typeof type === 'string' && /^[a-z]{1,20}$/.test(type)) {
        counters.set(`type_${type}`, (counters.get(`type_${type}`) ?? 0) + 1);
      }
    }
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':now': new Date().toISOString() };
    const adds = [...counters].map(([name, n], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = n;
      return `#c${i} :c${i}`;
    });
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: m(keyOf(records.profile!)),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: m(ERASURE_STATS_KEY),
                UpdateExpression: `SET entity = :entity, updatedAt = :now ADD ${adds.join(', ')}`,
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: m({ ...values, ':entity': 'stats' }),
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      // Another erasure of the same customer got there first: it counted, we do not.
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        return false;
      }
      throw error;
    }
  }

  private query(pk: string): Promise<Item[]> {
    return queryPartition(this.client, this.tableName, pk);
  }

  private get(wanted: Key[]): Promise<Item[]> {
    return batchGetItems(this.client, this.tableName, wanted);
  }

  private deleteAll(keyList: Key[]): Promise<void> {
    return batchWrite(this.client, this.tableName, deleteRequests(keyList));
  }
}

const strip = (item: Item): Item => {
  const { pk: _pk, sk: _sk, entity: _entity, customerId: _customerId, version: _version, ...rest } = item;
  return rest;
};

const isoFromEpoch = (value: unknown): string | undefined =>
  typeof value === 'number' ? new Date(value * 1000).toISOString() : undefined;

/**
 * Everything held on a customer as one JSON document (GET /v1/customers/{id}/export): the
 * profile and journey, every touchpoint with the date it expires, transitions, complaints,
 * the message log, consent, the referral link, identity links, pending stage events and the
 * frequency-cap ledger. Items of kinds this code does not know yet go under `other`, so an
 * export is never silently incomplete.
 */
export function exportDocument(records: CustomerRecords, now: Date = new Date()) {
  const byEntity = (entity: string) => records.own.filter((i) => i.entity === entity);
  const known = new Set([
    'profile',
    'touchpoint',
    'transition',
    'complaint',
    'message',
    'consent',
    'outbox',
    'cap',
  ]);
  const p = records.profile ?? {};
  const state = (p.state ?? {}) as Record<string, unknown>;
  const aliases = records.linked.filter((i) => i.entity === 'alias');
  const [consent] = byEntity('consent');
  const [cap] = byEntity('cap');
  return {
    customerId: records.customerId,
    exportedAt: now.toISOString(),
    profile: {
      customerId: records.customerId,
      stage: state.stage ?? p.stage ?? null,
      stageSince: state.stageSince ?? null,
      stagesReached: state.stagesReached ?? {},
      traits: state.traits ?? {},
      counts: state.counts ?? {},
      acquisition: state.acquisition ?? null,
      modelVersion: p.modelVersion ?? null,
      createdAt: p.createdAt ?? null,
      updatedAt: p.updatedAt ?? null,
    },
    identityLinks: {
      anonymousIds: (p.anonymousIds as string[] | undefined) ?? [],
      linkedAt: Object.fromEntries(aliases.map((a) => [a.anonymousId as string, a.createdAt ?? null])),
    },
    referral: {
      code: p.referralCode ?? null,
      referredBy: p.referredBy ?? null,
      referredAt: p.referredAt ?? null,
      convertedAt: p.referralConvertedAt ?? null,
    },
    touchpoints: byEntity('touchpoint').map((t) => {
      const { expiresAt, ...rest } = strip(t);
      return { ...rest, expiresAt: isoFromEpoch(expiresAt) ?? null };
    }),
    transitions: byEntity('transition').map(strip),
    complaints: byEntity('complaint').map(strip),
    messages: byEntity('message')
      .map(strip)
      .sort((a, b) => String(a.at).localeCompare(String(b.at))),
    consent: consent
      ? { unsubscribedAt: consent.unsubscribedAt ?? null, method: consent.method ?? null }
      : { unsubscribedAt: null, method: null },
    suppression: records.suppression
      ? {
          reason: records.suppression.reason ?? null,
          detail: records.suppression.detail ?? null,
          at: records.suppression.at ?? null,
        }
      : null,
    pendingEvents: byEntity('outbox').map((o) => ({
      eventId: o.eventId,
      detailType: o.detailType,
      detail: o.detail,
      createdAt: o.createdAt,
    })),
    frequencyCap: cap ? { claims: cap.claims ?? {} } : null,
    other: records.own
      .filter((i) => !known.has(i.entity as string))
      .map((i) => ({ kind: i.entity ?? null, ...strip(i) })),
  };
}
