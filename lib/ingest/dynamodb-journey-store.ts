import {
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Transition } from '../journey/index.js';
import { TRANSIENT_CANCELLATION_CODES } from '../shared/transient.js';
import { batchGetItems, batchWrite, type OnRequest, queryPartition } from '../storage/dynamodb-io.js';
import { ITEM_PREFIX, keys } from '../storage/table.js';
import type { Touchpoint } from '../touchpoints/index.js';
import {
  complaintItem,
  dedupeItem,
  epochSeconds,
  type Item,
  m,
  outboxItem,
  profileItem,
  referralCodeItem,
  referredFriendItem,
  toProfile,
  toTouchpoint,
  toTransition,
  touchpointItem,
  transitionItem,
} from './dynamodb-journey-items.js';
import type {
  CommitOutcome,
  CustomerCommit,
  CustomerHistory,
  JourneyStore,
  Page,
  Profile,
  Snapshot,
} from './ports.js';

/** A profile item as read from the table (kept here for the importers of this module). */
export { toProfile } from './dynamodb-journey-items.js';

type Key = { pk: string; sk: string };

const MAX_TRANSACTION_ITEMS = 100;

/** Ids the DynamoDB adapter tracks per request, so tests and the bench can count round trips. */
export interface StoreStats {
  requests: number;
  consumedWcu: number;
  consumedRcu: number;
}

/** The JourneyStore on one DynamoDB table (docs/storage.md). */
export class DynamoDbJourneyStore implements JourneyStore {
  readonly stats: StoreStats = { requests: 0, consumedWcu: 0, consumedRcu: 0 };

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retentionDays = 400,
  ) {}

  async snapshot(request: {
    customerIds: string[];
    messageIds: string[];
    anonymousIds: string[];
  }): Promise<Snapshot> {
    const wanted: Key[] = [
      ...unique(request.customerIds).map((id) => ({ pk: keys.customer(id), sk: keys.profileSk })),
      ...unique(request.messageIds).map((id) => ({ pk: keys.dedupe(id), sk: keys.dedupeSk })),
      ...unique(request.anonymousIds).map((id) => ({ pk: keys.alias(id), sk: keys.aliasSk })),
    ];
    const items = await this.batchGet(wanted);
    const snapshot: Snapshot = { profiles: new Map(), seen: new Map(), aliases: new Map() };
    for (const item of items) {
      if (item.entity === 'profile') snapshot.profiles.set(item.customerId as string, toProfile(item));
      else if (item.entity === 'dedupe')
        snapshot.seen.set(item.messageId as string, item.customerId as string);
      else if (item.entity === 'alias')
        snapshot.aliases.set(item.anonymousId as string, item.customerId as string);
    }
    return snapshot;
  }

  async profile(customerId: string): Promise<Profile | null> {
    const [item] = await this.batchGet([{ pk: keys.customer(customerId), sk: keys.profileSk }]);
    return item ? toProfile(item) : null;
  }

  async alias(anonymousId: string): Promise<string | null> {
    const [item] = await this.batchGet([{ pk: keys.alias(anonymousId), sk: keys.aliasSk }]);
    return item ? (item.customerId as string) : null;
  }

  async referralOwner(code: string): Promise<string | null> {
    const [item] = await this.batchGet([{ pk: keys.referral(code), sk: keys.referralSk }]);
    return item ? (item.customerId as string) : null;
  }

  async history(customerId: string): Promise<CustomerHistory> {
    const items = await this.queryAll(keys.customer(customerId));
    const history: CustomerHistory = { profile: null, touchpoints: [], transitions: [] };
    for (const item of items) {
      if (item.entity === 'profile') history.profile = toProfile(item);
      else if (item.entity === 'touchpoint') history.touchpoints.push(toTouchpoint(item));
      else if (item.entity === 'transition') history.transitions.push(toTransition(item));
    }
    return history;
  }

  async commit(c: CustomerCommit): Promise<CommitOutcome> {
    // Version 0 would create the profile; the version condition of any other keeps it existing.
    if (c.onlyIfExists && c.expectedVersion === 0) return { ok: false, reason: 'gone' };
    const pk = keys.customer(c.customerId);
    const now = c.profile.updatedAt;
    const roles: (
      | { kind: 'profile' }
      | { kind: 'dedupe'; messageId: string }
      | { kind: 'alias' }
      | { kind: 'referral' }
      | null
    )[] = [];
    const essential: TransactWriteItem[] = [];
    const push = (item: TransactWriteItem, role: (typeof roles)[number]) => {
      essential.push(item);
      roles.push(role);
    };

    push(
      {
        Put: {
          TableName: this.tableName,
          Item: m({
            pk,
            sk: keys.profileSk,
            ...profileItem({ ...c.profile, version: c.expectedVersion + 1 }),
          }),
          ConditionExpression: c.expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
          // A lost race hands back the winner's profile, so the retry needs no extra read.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ...(c.expectedVersion === 0
            ? {}
            : { ExpressionAttributeValues: { ':v': { N: String(c.expectedVersion) } } }),
        },
      },
      { kind: 'profile' },
    );
    if (c.claimReferralCode) {
      push(
        {
          Put: {
            TableName: this.tableName,
            Item: referralCodeItem(c.claimReferralCode, c.customerId),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { kind: 'referral' },
      );
    }
    if (c.referredBy) {
      push(
        {
          Put: {
            TableName: this.tableName,
            Item: referredFriendItem(c.referredBy, c.customerId, now),
          },
        },
        null,
      );
    }
    for (const anonymousId of c.unaliased) {
      push(
        {
          ConditionCheck: {
            TableName: this.tableName,
            Key: m({ pk: keys.alias(anonymousId), sk: keys.aliasSk }),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { kind: 'alias' },
      );
    }
    for (const tp of c.touchpoints) {
      push({ Put: { TableName: this.tableName, Item: this.touchpointItem(c.customerId, tp) } }, null);
      push(
        {
          Put: {
            TableName: this.tableName,
            Item: dedupeItem(c.customerId, tp, this.expiry(tp.timestamp)),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { kind: 'dedupe', messageId: tp.messageId },
      );
    }
    for (const record of c.outbox) {
      push({ Put: { TableName: this.tableName, Item: outboxItem(c.customerId, record, now) } }, null);
    }
    for (const complaint of c.complaints) {
      push({ Put: { TableName: this.tableName, Item: complaintItem(c.customerId, complaint) } }, null);
    }

    // Transitions are derived data: if a replay rewrites more than one transaction holds,
    // the overflow is written right after the commit, idempotently.
    const derived: WriteRequest[] = [
      ...c.putTransitions.map((t) => ({ PutRequest: { Item: transitionItem(c.customerId, t) } })),
      ...c.deleteTransitions.map((t) => ({
        DeleteRequest: { Key: m({ pk, sk: keys.transitionSk(t.at, t.touchpointId) }) },
      })),
    ];
    if (essential.length > MAX_TRANSACTION_ITEMS) {
      // Touchpoints are chunked to fit; what overflows is a replay's outbox, which the caller trims.
      return {
        ok: false,
        reason: 'oversize',
        outboxRoom: MAX_TRANSACTION_ITEMS - (essential.length - c.outbox.length),
      };
    }
    const room = MAX_TRANSACTION_ITEMS - essential.length;
    const inline = derived
      .slice(0, room)
      .map(
        (w): TransactWriteItem =>
          w.PutRequest
            ? { Put: { TableName: this.tableName, Item: w.PutRequest.Item } }
            : { Delete: { TableName: this.tableName, Key: w.DeleteRequest!.Key } },
      );

    try {
      this.stats.requests++;
      const out = await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [...essential, ...inline],
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.countCapacity(out.ConsumedCapacity);
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const duplicates: string[] = [];
      let version = false;
      // Set only when the profile's own condition failed; a referral code collision says
      // nothing about the profile, so the caller then reads it.
      let current: Profile | null | undefined;
      let aliased = false;
      reasons.forEach((reason, i) => {
        if (reason.Code !== 'ConditionalCheckFailed') return;
        const role = roles[i];
        if (role?.kind === 'profile') {
          version = true;
          current = reason.Item ? toProfile(unmarshall(reason.Item)) : null;
        } else if (role?.kind === 'dedupe') duplicates.push(role.messageId);
        else if (role?.kind === 'alias') aliased = true;
        else if (role?.kind === 'referral') version = true; // a code collision: retry with a fresh one
      });
      if (aliased) return { ok: false, reason: 'aliased' };
      if (duplicates.length > 0) return { ok: false, reason: 'duplicate', messageIds: duplicates };
      if (version && c.onlyIfExists && current === null) return { ok: false, reason: 'gone' };
      if (version) return { ok: false, reason: 'version', current };
      // Only contention is worth the commit loop's retries; any other reason (a ValidationError
      // for an item over 400 KB, say) fails the same way every time, so it is thrown, not retried
      // 120 times into a "transient" 503 that a client would resend forever.
      const contention = reasons.every(
        (r) => !r.Code || r.Code === 'None' || TRANSIENT_CANCELLATION_CODES.has(r.Code),
      );
      if (!contention) throw error;
      return { ok: false, reason: 'conflict' };
    }
    if (derived.length > room) await this.batchWrite(derived.slice(room));
    return { ok: true };
  }

  async claimAlias(anonymousId: string, customerId: string): Promise<string> {
    try {
      this.stats.requests++;
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: m({
            pk: keys.alias(anonymousId),
            sk: keys.aliasSk,
            entity: 'alias',
            anonymousId,
            customerId,
            createdAt: new Date().toISOString(),
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return customerId;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      return (await this.alias(anonymousId)) ?? customerId;
    }
  }

  async moveHistory(fromCustomerId: string, toCustomerId: string): Promise<number> {
    const items = await this.queryAll(keys.customer(fromCustomerId));
    const moved = items.filter((i) => i.entity === 'touchpoint' || i.entity === 'complaint');
    await this.batchWrite(
      moved.map((item) => ({
        PutRequest: { Item: m({ ...item, pk: keys.customer(toCustomerId), customerId: toCustomerId }) },
      })),
    );
    // Everything else in the partition (profile, transitions, outbox) is the anonymous
    // customer's own and is recomputed under the user by the caller's replay.
    await this.batchWrite(items.map((item) => ({ DeleteRequest: { Key: m({ pk: item.pk, sk: item.sk }) } })));
    // A flow step may have written into the partition (a cycle claim, a message) between the read
    // and the profile's deletion; once the profile is gone no such write can succeed
    // (they are conditioned on it), so one more pass leaves the partition empty.
    const late = await this.queryAll(keys.customer(fromCustomerId));
    await this.batchWrite(late.map((item) => ({ DeleteRequest: { Key: m({ pk: item.pk, sk: item.sk }) } })));
    return moved.filter((i) => i.entity === 'touchpoint').length;
  }

  async touchpoints(customerId: string, limit: number, cursor: string | null): Promise<Page<Touchpoint>> {
    const pk = keys.customer(customerId);
    this.stats.requests++;
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: m({ ':pk': pk, ':prefix': ITEM_PREFIX.touchpoint }),
        // One item more than asked for says whether another page exists, so the last page
        // carries no cursor (DynamoDB's own LastEvaluatedKey would lead to an empty page).
        Limit: limit + 1,
        ...(cursor ? { ExclusiveStartKey: m({ pk, sk: cursor }) } : {}),
      }),
    );
    const raw = (out.Items ?? []).map((i) => unmarshall(i));
    const page = raw.slice(0, limit);
    const last =
      raw.length > limit
        ? (page[page.length - 1].sk as string)
        : out.LastEvaluatedKey
          ? (unmarshall(out.LastEvaluatedKey).sk as string)
          : null;
    return { items: page.map(toTouchpoint), nextCursor: last };
  }

  async transitions(customerId: string): Promise<Transition[]> {
    const items = await this.queryAll(keys.customer(customerId), ITEM_PREFIX.transition);
    return items.map(toTransition);
  }

  private touchpointItem(customerId: string, tp: Touchpoint): Item {
    return touchpointItem(customerId, tp, this.expiry(tp.timestamp));
  }

  private expiry(timestamp: string): number {
    return epochSeconds(timestamp) + this.retentionDays * 24 * 3600;
  }

  private countCapacity(
    capacity: { CapacityUnits?: number; WriteCapacityUnits?: number }[] | undefined,
  ): void {
    for (const c of capacity ?? []) this.stats.consumedWcu += c.WriteCapacityUnits ?? c.CapacityUnits ?? 0;
  }

  private readonly countRequest: OnRequest = (consumed) => {
    this.stats.requests++;
    for (const c of consumed ?? []) this.stats.consumedRcu += c.CapacityUnits ?? 0;
  };

  private queryAll(pk: string, prefix?: string): Promise<Record<string, unknown>[]> {
    return queryPartition(this.client, this.tableName, pk, { prefix, onRequest: this.countRequest });
  }

  private batchGet(wanted: Key[]): Promise<Record<string, unknown>[]> {
    return batchGetItems(this.client, this.tableName, wanted, { onRequest: this.countRequest });
  }

  private batchWrite(requests: WriteRequest[]): Promise<void> {
    return batchWrite(this.client, this.tableName, requests, { onRequest: this.countRequest });
  }
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];
