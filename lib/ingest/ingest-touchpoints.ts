import { randomBytes } from 'node:crypto';
import { CustomerComplaintRaised, CustomerStageChanged, DetailType } from '../../events/index.js';
import { stableId } from '../events/index.js';
import {
  applyTouchpoint,
  type CompiledModel,
  classify,
  initialState,
  type JourneyState,
  orderIdOf,
  replay,
  sortKey,
  type Transition,
} from '../journey/index.js';
import { productIdsOf } from '../shared/touchpoint-fields.js';
import { commitBackoff as backoff } from '../storage/backoff.js';
import { anonymousCustomerId } from '../storage/table.js';
import type { Touchpoint } from '../touchpoints/index.js';
import { toEngineTouchpoint } from '../touchpoints/index.js';
import type { Complaint, JourneyStore, OutboxRecord, Profile, Snapshot } from './ports.js';

export interface IngestResult {
  messageId: string;
  status: 'accepted' | 'duplicate';
  customerId: string;
  stage: string | null;
  previousStage: string | null;
  changed: boolean;
}

/** Touchpoints per transaction: 4 items each at most, plus the profile and guards, stays under 100. */
const CHUNK = 24;
const MAX_ATTEMPTS = 120;

interface Group {
  customerId: string;
  touchpoints: Touchpoint[];
  /** Anonymous ids to record on the profile. */
  anonymousIds: Set<string>;
  /** Anonymous ids that must still be unlinked when an anonymous customer's commit lands. */
  unaliased: Set<string>;
  forceReplay: boolean;
}

interface ChunkOutcome {
  profile: Profile;
  accepted: Map<string, { stage: string | null; previousStage: string | null }>;
  duplicates: Set<string>;
  reroute: Touchpoint[];
}

export class StoreExhaustedError extends Error {
  constructor(customerId: string, cause?: unknown) {
    super(`could not commit touchpoints for customer ${customerId} after ${MAX_ATTEMPTS} attempts`, {
      cause,
    });
    this.name = 'StoreExhaustedError';
  }
}

// Crockford base32 without look-alikes: 12 characters carry 60 random bits.
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const newReferralCode = (): string =>
  [...randomBytes(12)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');

/**
 * The ingest use case: records touchpoints, keeps every customer's stage the fold of their
 * history, links anonymous visitors to users, and queues one outbox record per transition
 * or complaint in the same transaction.
 */
export class IngestTouchpoints {
  /** The tail of each customer's queue of commits in this process. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly store: JourneyStore,
    private readonly model: CompiledModel,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Runs one customer's commits after the ones this process already has in flight for that
   * customer. Across processes the profile version still decides; within one (the local stack,
   * a container serving concurrent requests) requests for a hot customer queue up instead of
   * racing, which on a hot customer cost many failed transactions per success and could
   * outlast the function's timeout. `waited` says whether someone went first.
   */
  private async oneAtATime<T>(customerId: string, work: (waited: boolean) => Promise<T>): Promise<T> {
    const before = this.queues.get(customerId);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = (before ?? Promise.resolve()).then(() => mine);
    this.queues.set(customerId, tail);
    try {
      if (before) await before;
      return await work(before !== undefined);
    } finally {
      release();
      if (this.queues.get(customerId) === tail) this.queues.delete(customerId);
    }
  }

  async execute(touchpoints: Touchpoint[]): Promise<IngestResult[]> {
    const results = new Map<string, IngestResult>();
    const unique: Touchpoint[] = [];
    const firstSeen = new Set<string>();
    for (const tp of touchpoints) {
      if (!firstSeen.has(tp.messageId)) {
        firstSeen.add(tp.messageId);
        unique.push(tp);
      }
    }
    await this.process(unique, results, 0);
    // Every repetition of a messageId inside the request is a duplicate of its first occurrence.
    const emitted = new Set<string>();
    return touchpoints.map((tp) => {
      const r = results.get(tp.messageId)!;
      if (emitted.has(tp.messageId)) {
        return { ...r, status: 'duplicate', changed: false, previousStage: r.stage };
      }
      emitted.add(tp.messageId);
      return r;
    });
  }

  private async process(touchpoints: Touchpoint[], results: Map<string, IngestResult>, depth: number) {
    if (touchpoints.length === 0) return;
    if (depth > 5) throw new StoreExhaustedError(touchpoints[0].userId ?? touchpoints[0].anonymousId ?? '?');
    const userIds = touchpoints.flatMap((tp) => (tp.userId ? [tp.userId] : []));
    const anonymousIds = touchpoints.flatMap((tp) => [
      ...(tp.anonymousId ? [tp.anonymousId] : []),
      ...(tp.previousId ? [tp.previousId] : []),
    ]);
    const snapshot = await this.store.snapshot({
      customerIds: [
        ...userIds,
        ...touchpoints.flatMap((tp) =>
          !tp.userId && tp.anonymousId ? [anonymousCustomerId(tp.anonymousId)] : [],
        ),
      ],
      messageIds: touchpoints.map((tp) => tp.messageId),
      anonymousIds,
    });
    // A dedupe record keeps the customer a touchpoint was first stored under; once that
    // anonymous customer is merged, the answer for a retry comes from the user it merged into.
    const mergedInto = new Map(
      [...snapshot.aliases].map(([anonymousId, owner]) => [anonymousCustomerId(anonymousId), owner]),
    );
    await this.completeSnapshot(touchpoints, snapshot, mergedInto);

    const groups = new Map<string, Group>();
    const group = (customerId: string): Group => {
      let g = groups.get(customerId);
      if (!g) {
        g = {
          customerId,
          touchpoints: [],
          anonymousIds: new Set(),
          unaliased: new Set(),
          forceReplay: false,
        };
        groups.set(customerId, g);
      }
      return g;
    };
    const fresh: Touchpoint[] = [];
    for (const tp of touchpoints) {
      const firstSeenBy = snapshot.seen.get(tp.messageId);
      if (firstSeenBy === undefined) {
        fresh.push(tp);
        continue;
      }
      const seenBy = mergedInto.get(firstSeenBy) ?? firstSeenBy;
      const stage = snapshot.profiles.get(seenBy)?.state.stage ?? null;
      results.set(tp.messageId, {
        messageId: tp.messageId,
        status: 'duplicate',
        customerId: seenBy,
        stage,
        previousStage: stage,
        changed: false,
      });
    }

    // Identity first. Which anonymous ids does this request link to which user?
    const links = new Map<string, string>();
    for (const tp of fresh) {
      if (!tp.userId) continue;
      const g = group(tp.userId);
      const known = snapshot.profiles.get(tp.userId)?.anonymousIds ?? [];
      for (const anonymousId of [tp.anonymousId, tp.previousId]) {
        if (!anonymousId || known.includes(anonymousId) || links.has(anonymousId)) continue;
        const owner = snapshot.aliases.get(anonymousId);
        if (owner !== undefined && owner !== tp.userId) continue; // first link wins
        links.set(anonymousId, tp.userId);
        g.anonymousIds.add(anonymousId);
      }
    }
    // Then grouping. An anonymous touchpoint whose id this same request links goes straight
    // to the user: committed under the anonymous customer first, it would only bounce off the
    // new alias, and the user's stage events would be published before those of its first touch.
    const viaLink = new Map<string, Touchpoint[]>();
    for (const tp of fresh) {
      if (tp.userId) {
        group(tp.userId).touchpoints.push(tp);
        continue;
      }
      const anonymousId = tp.anonymousId!;
      const owner = snapshot.aliases.get(anonymousId) ?? links.get(anonymousId);
      const g = group(owner ?? anonymousCustomerId(anonymousId));
      g.touchpoints.push(tp);
      if (owner === undefined) {
        g.anonymousIds.add(anonymousId);
        g.unaliased.add(anonymousId);
      } else if (!snapshot.aliases.has(anonymousId)) {
        viaLink.set(anonymousId, [...(viaLink.get(anonymousId) ?? []), tp]);
      }
    }

    // Claim each anonymous id and move its history under the user, so the user's replay below
    // sees the pre-sign-up touchpoints (attribution depends on them).
    const reroute: Touchpoint[] = [];
    for (const [anonymousId, userId] of links) {
      const owner = await this.store.claimAlias(anonymousId, userId);
      const g = groups.get(userId)!;
      if (owner !== userId) {
        // Another user linked it first: its anonymous touchpoints go to that user instead.
        g.anonymousIds.delete(anonymousId);
        const lost = new Set(viaLink.get(anonymousId) ?? []);
        g.touchpoints = g.touchpoints.filter((tp) => !lost.has(tp));
        reroute.push(...lost);
        continue;
      }
      await this.store.moveHistory(anonymousCustomerId(anonymousId), userId);
      g.forceReplay = true;
    }

    await Promise.all(
      [...groups.values()].map((g) =>
        this.oneAtATime(g.customerId, async (waited) => {
          let profile = snapshot.profiles.get(g.customerId) ?? null;
          // Whoever went before us in this process has just moved the version on.
          if (g.forceReplay || waited) profile = await this.store.profile(g.customerId);
          const sorted = [...g.touchpoints].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
          for (let i = 0; i < sorted.length; i += CHUNK) {
            const outcome = await this.commitChunk(
              g,
              sorted.slice(i, i + CHUNK),
              profile,
              i === 0 && g.forceReplay,
            );
            profile = outcome.profile;
            for (const [messageId, s] of outcome.accepted) {
              results.set(messageId, {
                messageId,
                status: 'accepted',
                customerId: g.customerId,
                stage: s.stage,
                previousStage: s.previousStage,
                changed: s.stage !== s.previousStage,
              });
            }
            for (const messageId of outcome.duplicates) {
              const stage = profile.state.stage;
              results.set(messageId, {
                messageId,
                status: 'duplicate',
                customerId: g.customerId,
                stage,
                previousStage: stage,
                changed: false,
              });
            }
            reroute.push(...outcome.reroute);
          }
        }),
      ),
    );
    // An anonymous id linked while we worked: send those touchpoints through identity again.
    await this.process(reroute, results, depth + 1);
  }

  /**
   * Reads, in one more round trip and only when needed, the profiles the snapshot could not
   * know to ask for: users that anonymous ids are linked to, and customers that already hold a
   * retried touchpoint. Without them an anonymous touchpoint for a linked user would be folded
   * into an empty state and only recover through a failed commit.
   */
  private async completeSnapshot(
    touchpoints: Touchpoint[],
    snapshot: Snapshot,
    mergedInto: ReadonlyMap<string, string>,
  ): Promise<void> {
    const wanted = new Set<string>();
    for (const tp of touchpoints) {
      const seenBy = snapshot.seen.get(tp.messageId);
      const customerId =
        seenBy !== undefined
          ? (mergedInto.get(seenBy) ?? seenBy)
          : !tp.userId && tp.anonymousId
            ? snapshot.aliases.get(tp.anonymousId)
            : undefined;
      if (customerId !== undefined && !snapshot.profiles.has(customerId)) wanted.add(customerId);
    }
    if (wanted.size === 0) return;
    const more = await this.store.snapshot({ customerIds: [...wanted], messageIds: [], anonymousIds: [] });
    for (const [id, profile] of more.profiles) snapshot.profiles.set(id, profile);
  }

  private async commitChunk(
    g: Group,
    initial: Touchpoint[],
    initialProfile: Profile | null,
    forceReplay: boolean,
  ): Promise<ChunkOutcome> {
    let chunk = initial;
    let profile = initialProfile;
    const duplicates = new Set<string>();
    let lastError: unknown;
    /** How many stage changes this commit may publish; lowered only when a replay overflows. */
    let stageEventLimit = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.clock().toISOString();
      if (chunk.length === 0) {
        const p = profile ?? this.newProfile(g, initialState(), now);
        return { profile: p, accepted: new Map(), duplicates, reroute: [] };
      }
      const before = profile?.state ?? initialState();
      const inOrder =
        !forceReplay && (before.lastKey === null || chunk.every((tp) => sortKey(tp) > before.lastKey!));
      const accepted = new Map<string, { stage: string | null; previousStage: string | null }>();
      let state: JourneyState;
      let putTransitions: Transition[] = [];
      let deleteTransitions: Transition[] = [];
      let newTransitions: Transition[] = [];
      let replayedHistory: Touchpoint[] = [];

      if (inOrder) {
        state = before;
        for (const tp of chunk) {
          const previousStage = state.stage;
          const out = applyTouchpoint(this.model, state, toEngineTouchpoint(tp));
          state = out.state;
          if (out.transition) newTransitions.push(out.transition);
          accepted.set(tp.messageId, { stage: state.stage, previousStage });
        }
        putTransitions = newTransitions;
      } else {
        // A late touchpoint: replay this customer's whole history in event-time order.
        const history = await this.store.history(g.customerId);
        profile = history.profile;
        replayedHistory = history.touchpoints;
        const stored = new Set(history.touchpoints.map((tp) => tp.messageId));
        const late = chunk.filter((tp) => stored.has(tp.messageId));
        for (const tp of late) duplicates.add(tp.messageId);
        chunk = chunk.filter((tp) => !stored.has(tp.messageId));
        if (chunk.length === 0) continue;
        const previousStage = profile?.state.stage ?? null;
        const replayed = replay(this.model, [...history.touchpoints, ...chunk].map(toEngineTouchpoint));
        state = replayed.state;
        for (const tp of chunk) accepted.set(tp.messageId, { stage: state.stage, previousStage });
        const key = (t: Transition) => `${t.at}#${t.touchpointId}`;
        const storedByKey = new Map(history.transitions.map((t) => [key(t), t]));
        const canonicalKeys = new Set(replayed.transitions.map(key));
        putTransitions = replayed.transitions.filter((t) => {
          const s = storedByKey.get(key(t));
          return !s || s.from !== t.from || s.to !== t.to || s.orderId !== t.orderId;
        });
        deleteTransitions = history.transitions.filter((t) => !canonicalKeys.has(key(t)));
        // Entering a stage is the fact flows act on: a transition whose touchpoint already
        // entered the same stage is not new, even if the stage it came from changed.
        newTransitions = replayed.transitions.filter((t) => {
          const s = storedByKey.get(key(t));
          return !s || s.to !== t.to;
        });
      }

      const complaints = this.complaints(chunk);
      const next = this.newProfile(g, state, now, profile);
      const referral = await this.referral(g.customerId, next, chunk, replayedHistory);
      const stageEvents = newTransitions.slice(Math.max(0, newTransitions.length - stageEventLimit));
      const outcome = await this.store.commit({
        customerId: g.customerId,
        expectedVersion: profile?.version ?? 0,
        profile: next,
        touchpoints: chunk,
        putTransitions,
        deleteTransitions,
        complaints,
        outbox: [
          ...stageEvents.map((t) => this.stageChanged(g.customerId, t)),
          ...complaints.map((c) => this.complaintRaised(g.customerId, c, chunk)),
          ...(referral ? [referral] : []),
        ],
        unaliased: [...g.unaliased],
        ...(next.referralCode && next.referralCode !== profile?.referralCode
          ? { claimReferralCode: next.referralCode }
          : {}),
        ...(next.referredBy && next.referredBy !== profile?.referredBy
          ? { referredBy: next.referredBy }
          : {}),
      });
      if (outcome.ok) {
        return {
          profile: { ...next, version: (profile?.version ?? 0) + 1 },
          accepted,
          duplicates,
          reroute: [],
        };
      }
      lastError = outcome;
      if (outcome.reason === 'oversize') {
        // A replay (a merge, a very late touchpoint) re-derived more stage changes than one
        // transaction holds. The newest go out with this commit; older ones are history, kept
        // in the transitions but not published again, since flows act on the stages entered now.
        const fit = outcome.outboxRoom - complaints.length - (referral ? 1 : 0);
        if (fit < 0 || fit >= stageEvents.length) {
          throw new RangeError(`a commit for ${g.customerId} does not fit one transaction`);
        }
        stageEventLimit = fit;
        continue;
      }
      if (outcome.reason === 'duplicate') {
        const dup = new Set(outcome.messageIds);
        for (const id of dup) duplicates.add(id);
        chunk = chunk.filter((tp) => !dup.has(tp.messageId));
        continue;
      }
      if (outcome.reason === 'aliased') {
        return {
          profile: profile ?? this.newProfile(g, initialState(), now),
          accepted: new Map(),
          duplicates,
          reroute: chunk,
        };
      }
      await backoff(attempt);
      profile =
        outcome.reason === 'version' && outcome.current !== undefined
          ? outcome.current
          : await this.store.profile(g.customerId);
    }
    throw new StoreExhaustedError(g.customerId, lastError);
  }

  private newProfile(g: Group, state: JourneyState, now: string, previous?: Profile | null): Profile {
    const anonymous = g.customerId.startsWith('anon:');
    return {
      customerId: g.customerId,
      state,
      version: previous?.version ?? 0,
      anonymousIds: [...new Set([...(previous?.anonymousIds ?? []), ...g.anonymousIds])],
      modelVersion: `${this.model.model.id}@${this.model.model.version}`,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      ...(previous?.referralCode || !anonymous
        ? { referralCode: previous?.referralCode ?? newReferralCode() }
        : {}),
      ...(previous?.referredBy ? { referredBy: previous.referredBy } : {}),
      ...(previous?.referralConvertedAt ? { referralConvertedAt: previous.referralConvertedAt } : {}),
    };
  }

  /**
   * Links a customer to the referrer whose code a touchpoint carries (first link wins; self-
   * referral and cycles are refused), and raises Referral Converted on the friend's first
   * purchase. Mutates `next`; returns the outbox record to write, if any.
   */
  private async referral(
    customerId: string,
    next: Profile,
    chunk: Touchpoint[],
    history: Touchpoint[],
  ): Promise<OutboxRecord | null> {
    if (customerId.startsWith('anon:')) return null; // linked when the visitor is identified
    const considered = [...history, ...chunk].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    if (!next.referredBy) {
      const code = considered
        .map((tp) => tp.properties?.referralCode)
        .find((c): c is string => typeof c === 'string' && c.length > 0);
      if (code) {
        const referrer = await this.store.referralOwner(code);
        if (referrer && (await this.acceptsReferral(customerId, referrer))) next.referredBy = referrer;
      }
    }
    if (!next.referredBy || next.referralConvertedAt || next.state.counts.purchases === 0) return null;
    const purchase = considered.find(
      (tp) => classify(this.model, toEngineTouchpoint(tp)).effect === 'purchase',
    );
    if (!purchase) return null;
    next.referralConvertedAt = purchase.timestamp;
    const eventId = stableId(customerId, 'referral-converted');
    return {
      eventId,
      detailType: DetailType.ReferralConverted,
      detail: {
        eventId,
        referrerId: next.referredBy,
        friendId: customerId,
        orderId: orderIdOf(toEngineTouchpoint(purchase)),
        at: purchase.timestamp,
        touchpointId: purchase.messageId,
      },
      at: purchase.timestamp,
      correlationId: purchase.messageId,
    };
  }

  /** Refuses self-referral and referral cycles (A refers B refers … A). */
  private async acceptsReferral(customerId: string, referrer: string): Promise<boolean> {
    let current: string | undefined = referrer;
    for (let hops = 0; current && hops < 50; hops++) {
      if (current === customerId) return false;
      current = (await this.store.profile(current))?.referredBy;
    }
    return true;
  }

  private complaints(chunk: Touchpoint[]): Complaint[] {
    return chunk.flatMap((tp) => {
      const engineTp = toEngineTouchpoint(tp);
      if (classify(this.model, engineTp).effect !== 'complaint') return [];
      const rating = Number(tp.properties?.rating);
      return [
        {
          at: tp.timestamp,
          touchpointId: tp.messageId,
          event: tp.event,
          rating: Number.isFinite(rating) ? rating : null,
          orderId: orderIdOf(engineTp),
        },
      ];
    });
  }

  private stageChanged(customerId: string, t: Transition): OutboxRecord {
    const eventId = stableId(customerId, t.touchpointId, 'stage', t.to);
    const detail = CustomerStageChanged.parse({
      eventId,
      customerId,
      from: t.from,
      to: t.to,
      at: t.at,
      touchpointId: t.touchpointId,
      orderId: t.orderId,
      modelVersion: `${this.model.model.id}@${this.model.model.version}`,
    });
    return {
      eventId,
      detailType: DetailType.CustomerStageChanged,
      detail,
      at: t.at,
      correlationId: t.touchpointId,
    };
  }

  private complaintRaised(customerId: string, c: Complaint, chunk: Touchpoint[]): OutboxRecord {
    const eventId = stableId(customerId, c.touchpointId, 'complaint');
    const tp = chunk.find((t) => t.messageId === c.touchpointId);
    const detail = CustomerComplaintRaised.parse({
      eventId,
      customerId,
      at: c.at,
      touchpointId: c.touchpointId,
      event: c.event,
      rating: c.rating,
      orderId: c.orderId,
      productIds: productIdsOf(tp?.properties),
    });
    return {
      eventId,
      detailType: DetailType.CustomerComplaintRaised,
      detail,
      at: c.at,
      correlationId: c.touchpointId,
    };
  }
}
