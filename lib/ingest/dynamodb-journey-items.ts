import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { sortKey, type Transition } from '../journey/index.js';
import { keys } from '../storage/table.js';
import type { Touchpoint } from '../touchpoints/index.js';
import { listAttributes } from './customer-list-keys.js';
import type { Complaint, OutboxRecord, Profile } from './ports.js';

/** The items of the journey partition (docs/storage.md), to and from their table form. */

export type Item = Record<string, AttributeValue>;

const OUTBOX_TTL_SECONDS = 7 * 24 * 3600;
export const m = (value: Record<string, unknown>): Item => marshall(value, { removeUndefinedValues: true });
export const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function touchpointItem(customerId: string, tp: Touchpoint, expiresAt: number): Item {
  return m({
    pk: keys.customer(customerId),
    sk: keys.touchpointSk(sortKey(tp)),
    entity: 'touchpoint',
    customerId,
    ...tp,
    expiresAt,
  });
}

export function dedupeItem(customerId: string, tp: Touchpoint, expiresAt: number): Item {
  return m({
    pk: keys.dedupe(tp.messageId),
    sk: keys.dedupeSk,
    entity: 'dedupe',
    messageId: tp.messageId,
    customerId,
    touchpointSk: keys.touchpointSk(sortKey(tp)),
    expiresAt,
  });
}

export function referralCodeItem(code: string, customerId: string): Item {
  return m({ pk: keys.referral(code), sk: keys.referralSk, entity: 'referralCode', code, customerId });
}

export function referredFriendItem(referrerId: string, friendId: string, at: string): Item {
  return m({
    pk: keys.customer(referrerId),
    sk: keys.referredFriendSk(friendId),
    entity: 'referredFriend',
    // The item is about the friend: erasing the friend finds and removes it.
    customerId: friendId,
    referrerId,
    at,
  });
}

export function outboxItem(customerId: string, record: OutboxRecord, now: string): Item {
  return m({
    pk: keys.customer(customerId),
    sk: keys.outboxSk(record.at, record.eventId),
    entity: 'outbox',
    customerId,
    eventId: record.eventId,
    detailType: record.detailType,
    detail: record.detail,
    correlationId: record.correlationId,
    createdAt: now,
    expiresAt: epochSeconds(now) + OUTBOX_TTL_SECONDS,
  });
}

export function complaintItem(customerId: string, complaint: Complaint): Item {
  return m({
    pk: keys.customer(customerId),
    sk: keys.complaintSk(complaint.at, complaint.touchpointId),
    entity: 'complaint',
    customerId,
    ...complaint,
  });
}

export function profileItem(p: Profile): Record<string, unknown> {
  return {
    entity: 'profile',
    customerId: p.customerId,
    stage: p.state.stage,
    state: p.state,
    version: p.version,
    anonymousIds: p.anonymousIds,
    modelVersion: p.modelVersion,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    referralCode: p.referralCode,
    referredBy: p.referredBy,
    referredAt: p.referredAt,
    referralConvertedAt: p.referralConvertedAt,
    ...listAttributes(p),
  };
}

/** A profile item as read from the table. */
export function toProfile(item: Record<string, unknown>): Profile {
  return {
    customerId: item.customerId as string,
    state: item.state as Profile['state'],
    version: item.version as number,
    anonymousIds: (item.anonymousIds as string[]) ?? [],
    modelVersion: item.modelVersion as string,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    ...(item.referralCode ? { referralCode: item.referralCode as string } : {}),
    ...(item.referredBy ? { referredBy: item.referredBy as string } : {}),
    ...(item.referredAt ? { referredAt: item.referredAt as string } : {}),
    ...(item.referralConvertedAt ? { referralConvertedAt: item.referralConvertedAt as string } : {}),
  };
}

export function toTouchpoint(item: Record<string, unknown>): Touchpoint {
  const { pk: _pk, sk: _sk, entity: _entity, customerId: _c, expiresAt: _e, ...tp } = item;
  return tp as unknown as Touchpoint;
}

export function transitionItem(customerId: string, t: Transition): Item {
  return m({
    pk: keys.customer(customerId),
    sk: keys.transitionSk(t.at, t.touchpointId),
    entity: 'transition',
    customerId,
    ...t,
  });
}

export function toTransition(item: Record<string, unknown>): Transition {
  return {
    from: (item.from as string | null) ?? null,
    to: item.to as string,
    at: item.at as string,
    touchpointId: item.touchpointId as string,
    orderId: (item.orderId as string | null) ?? null,
  };
}
