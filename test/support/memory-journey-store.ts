import type {
  CommitOutcome,
  Complaint,
  CustomerCommit,
  CustomerHistory,
  JourneyStore,
  OutboxRecord,
  Page,
  Profile,
  Snapshot,
} from '../../lib/ingest/ports.js';
import { sortKey, type Transition } from '../../lib/journey/index.js';
import { keys } from '../../lib/storage/table.js';
import type { Touchpoint } from '../../lib/touchpoints/index.js';

/** DynamoDB's limit on one transaction, which the use case must respect here too. */
const MAX_TRANSACTION_ITEMS = 100;

interface Partition {
  profile: Profile | null;
  /** Sorted by sort key, as the table's range key sorts them. */
  touchpoints: Map<string, Touchpoint>;
  transitions: Map<string, Transition>;
  outbox: OutboxRecord[];
  complaints: Complaint[];
}

export interface MemoryStoreHooks {
  /** Runs before each commit is judged: a test parks a writer here to force an interleaving. */
  beforeCommit?: (commit: CustomerCommit) => Promise<void> | void;
  /** Stands in for moveHistory (a process that dies between the alias claim and the move). */
  moveHistory?: (from: string, to: string) => Promise<number>;
  afterMoveHistory?: () => void;
}

const copy = <T>(value: T): T => structuredClone(value);
/** Every call yields to the event loop, as a round trip would, so concurrent callers interleave. */
const roundTrip = () => new Promise<void>((resolve) => setImmediate(resolve));
const sorted = <T>(map: Map<string, T>): T[] =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => copy(v));

/**
 * The JourneyStore port in memory, with the DynamoDB adapter's semantics where the use case
 * depends on them: conditional commits (profile version, dedupe record, unlinked alias, free
 * referral code) that fail as a whole and say why, the 100-item transaction limit, first alias
 * claim wins, and moveHistory leaving the anonymous partition empty. Unit tests of the ingest
 * use case run on it in milliseconds; test/integration/ingest-concurrency.test.ts keeps the
 * same races on DynamoDB Local for the adapter.
 */
export class MemoryJourneyStore implements JourneyStore {
  readonly partitions = new Map<string, Partition>();
  readonly dedupe = new Map<string, string>();
  readonly aliases = new Map<string, string>();
  readonly referralCodes = new Map<string, string>();
  /** referrerId → friends this store recorded in the referrer's partition. */
  readonly referredFriends = new Map<string, Set<string>>();
  readonly outcomes: CommitOutcome[] = [];

  constructor(private readonly hooks: MemoryStoreHooks = {}) {}

  private partition(customerId: string): Partition {
    let p = this.partitions.get(customerId);
    if (!p) {
      p = { profile: null, touchpoints: new Map(), transitions: new Map(), outbox: [], complaints: [] };
      this.partitions.set(customerId, p);
    }
    return p;
  }

  /** Every outbox record of a customer, in table order (what the relay would publish). */
  outbox(customerId: string): OutboxRecord[] {
    const p = this.partitions.get(customerId);
    if (!p) return [];
    return [...p.outbox].sort((a, b) =>
      keys.outboxSk(a.at, a.eventId) < keys.outboxSk(b.at, b.eventId) ? -1 : 1,
    );
  }

  async snapshot(request: {
    customerIds: string[];
    messageIds: string[];
    anonymousIds: string[];
  }): Promise<Snapshot> {
    await roundTrip();
    const snapshot: Snapshot = { profiles: new Map(), seen: new Map(), aliases: new Map() };
    for (const id of request.customerIds) {
      const profile = this.partitions.get(id)?.profile;
      if (profile) snapshot.profiles.set(id, copy(profile));
    }
    for (const id of request.messageIds) {
      const owner = this.dedupe.get(id);
      if (owner !== undefined) snapshot.seen.set(id, owner);
    }
    for (const id of request.anonymousIds) {
      const owner = this.aliases.get(id);
      if (owner !== undefined) snapshot.aliases.set(id, owner);
    }
    return snapshot;
  }

  async profile(customerId: string): Promise<Profile | null> {
    await roundTrip();
    const profile = this.partitions.get(customerId)?.profile;
    return profile ? copy(profile) : null;
  }

  async history(customerId: string): Promise<CustomerHistory> {
    await roundTrip();
    const p = this.partitions.get(customerId);
    if (!p) return { profile: null, touchpoints: [], transitions: [] };
    return {
      profile: p.profile ? copy(p.profile) : null,
      touchpoints: sorted(p.touchpoints),
      transitions: sorted(p.transitions),
    };
  }

  async commit(c: CustomerCommit): Promise<CommitOutcome> {
    await this.hooks.beforeCommit?.(c);
    await roundTrip();
    const outcome = this.judge(c);
    this.outcomes.push(outcome);
    if (outcome.ok) this.apply(c);
    return outcome;
  }

  /** The transaction's conditions, reported in the order the DynamoDB adapter ranks them. */
  private judge(c: CustomerCommit): CommitOutcome {
    const essential =
      1 +
      (c.claimReferralCode ? 1 : 0) +
      (c.referredBy ? 1 : 0) +
      c.unaliased.length +
      2 * c.touchpoints.length +
      c.outbox.length +
      c.complaints.length;
    if (essential > MAX_TRANSACTION_ITEMS) {
      return {
        ok: false,
        reason: 'oversize',
        outboxRoom: MAX_TRANSACTION_ITEMS - (essential - c.outbox.length),
      };
    }
    if (c.unaliased.some((id) => this.aliases.has(id))) return { ok: false, reason: 'aliased' };
    const duplicates = c.touchpoints.filter((tp) => this.dedupe.has(tp.messageId)).map((tp) => tp.messageId);
    if (duplicates.length > 0) return { ok: false, reason: 'duplicate', messageIds: duplicates };
    const current = this.partitions.get(c.customerId)?.profile ?? null;
    if (c.onlyIfExists && current === null) return { ok: false, reason: 'gone' };
    if ((current?.version ?? 0) !== c.expectedVersion) {
      return { ok: false, reason: 'version', current: current ? copy(current) : null };
    }
    if (c.claimReferralCode && this.referralCodes.has(c.claimReferralCode)) {
      return { ok: false, reason: 'version' }; // a code collision: the caller re-reads and retries
    }
    return { ok: true };
  }

  private apply(c: CustomerCommit): void {
    const p = this.partition(c.customerId);
    p.profile = copy({ ...c.profile, version: c.expectedVersion + 1 });
    if (c.claimReferralCode) this.referralCodes.set(c.claimReferralCode, c.customerId);
    if (c.referredBy) {
      const friends = this.referredFriends.get(c.referredBy) ?? new Set();
      friends.add(c.customerId);
      this.referredFriends.set(c.referredBy, friends);
    }
    for (const tp of c.touchpoints) {
      p.touchpoints.set(keys.touchpointSk(sortKey(tp)), copy(tp));
      this.dedupe.set(tp.messageId, c.customerId);
    }
    p.outbox.push(...copy(c.outbox));
    p.complaints.push(...copy(c.complaints));
    for (const t of c.putTransitions) p.transitions.set(keys.transitionSk(t.at, t.touchpointId), copy(t));
    for (const t of c.deleteTransitions) p.transitions.delete(keys.transitionSk(t.at, t.touchpointId));
  }

  async claimAlias(anonymousId: string, customerId: string): Promise<string> {
    await roundTrip();
    const owner = this.aliases.get(anonymousId);
    if (owner !== undefined) return owner;
    this.aliases.set(anonymousId, customerId);
    return customerId;
  }

  async alias(anonymousId: string): Promise<string | null> {
    await roundTrip();
    return this.aliases.get(anonymousId) ?? null;
  }

  async referralOwner(code: string): Promise<string | null> {
    await roundTrip();
    return this.referralCodes.get(code) ?? null;
  }

  async moveHistory(fromCustomerId: string, toCustomerId: string): Promise<number> {
    const moved = await (this.hooks.moveHistory ?? ((f, t) => this.move(f, t)))(fromCustomerId, toCustomerId);
    this.hooks.afterMoveHistory?.();
    return moved;
  }

  private async move(fromCustomerId: string, toCustomerId: string): Promise<number> {
    await roundTrip();
    const from = this.partitions.get(fromCustomerId);
    if (!from) return 0;
    const to = this.partition(toCustomerId);
    for (const [sk, tp] of from.touchpoints) to.touchpoints.set(sk, tp);
    to.complaints.push(...from.complaints);
    // The profile, transitions and outbox are the anonymous customer's own; the caller's
    // replay recomputes them under the user. The partition is left empty.
    this.partitions.delete(fromCustomerId);
    return from.touchpoints.size;
  }

  async touchpoints(customerId: string, limit: number, cursor: string | null): Promise<Page<Touchpoint>> {
    await roundTrip();
    const p = this.partitions.get(customerId);
    const all = [...(p?.touchpoints.entries() ?? [])]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .filter(([sk]) => cursor === null || sk > cursor);
    const page = all.slice(0, limit);
    return {
      items: page.map(([, tp]) => copy(tp)),
      nextCursor: all.length > limit ? page[page.length - 1][0] : null,
    };
  }

  async transitions(customerId: string): Promise<Transition[]> {
    await roundTrip();
    const p = this.partitions.get(customerId);
    return p ? sorted(p.transitions) : [];
  }
}
