import {
  applyTouchpoint,
  type CompiledModel,
  initialState,
  type JourneyState,
  replay,
  sortKey,
  type Transition,
} from '../journey/index.js';
import { commitBackoff as backoff } from '../storage/backoff.js';
import type { Touchpoint } from '../touchpoints/index.js';
import { toEngineTouchpoint } from '../touchpoints/index.js';
import type { Group } from './identity.js';
import { complaintRaised, complaintsOf, stageChanged } from './outbox-events.js';
import type { JourneyStore, Profile } from './ports.js';
import { newReferralCode, referral } from './referral.js';

const MAX_ATTEMPTS = 120;

export class StoreExhaustedError extends Error {
  /** Contention on one customer, not a fault: a resend is safe (lib/shared/transient.ts). */
  readonly transient = true;

  constructor(customerId: string, cause?: unknown) {
    super(`could not commit touchpoints for customer ${customerId} after ${MAX_ATTEMPTS} attempts`, {
      cause,
    });
    this.name = 'StoreExhaustedError';
  }
}

export interface StageChange {
  stage: string | null;
  previousStage: string | null;
}

export interface ChunkOutcome {
  profile: Profile;
  accepted: Map<string, StageChange>;
  duplicates: Set<string>;
  /** Touchpoints whose anonymous id was linked while we worked: they go through identity again. */
  reroute: Touchpoint[];
  /** `onlyIfExists` and the customer does not exist (any more): these were not stored. */
  skipped: Touchpoint[];
}

export interface CommitOptions {
  /** Replay the whole history even if the chunk is in order (a merge). */
  forceReplay: boolean;
  /** Never create the customer (engagement touchpoints: CustomerCommit.onlyIfExists). */
  onlyIfExists?: boolean;
}

/**
 * The commit loop: folds one chunk of a customer's touchpoints into the profile and commits
 * it with its transitions and outbox events in one transaction, conditioned on the profile
 * version read. A touchpoint older than the newest stored replays the whole history. A lost
 * race re-reads and retries; a duplicate drops the touchpoint; an alias made meanwhile hands
 * the chunk back to identity.
 */
export class CommitLoop {
  constructor(
    private readonly store: JourneyStore,
    private readonly model: CompiledModel,
    private readonly clock: () => Date,
  ) {}

  async commitChunk(
    g: Group,
    initial: Touchpoint[],
    initialProfile: Profile | null,
    { forceReplay, onlyIfExists = false }: CommitOptions,
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
        return { profile: p, accepted: new Map(), duplicates, reroute: [], skipped: [] };
      }
      if (onlyIfExists && !profile) return this.gone(g, chunk, duplicates, now);
      const before = profile?.state ?? initialState();
      const inOrder =
        !forceReplay && (before.lastKey === null || chunk.every((tp) => sortKey(tp) > before.lastKey!));
      const accepted = new Map<string, StageChange>();
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
        if (onlyIfExists && !profile) return this.gone(g, chunk, duplicates, now);
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

      const complaints = complaintsOf(this.model, chunk);
      const next = this.newProfile(g, state, now, profile);
      const referred = await referral(
        this.store,
        this.model,
        g.customerId,
        next,
        chunk,
        replayedHistory,
        profile,
      );
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
          ...stageEvents.map((t) => stageChanged(this.model, g.customerId, t)),
          ...complaints.map((c) => complaintRaised(g.customerId, c, chunk)),
          ...(referred ? [referred] : []),
        ],
        unaliased: [...g.unaliased],
        ...(next.referralCode && next.referralCode !== profile?.referralCode
          ? { claimReferralCode: next.referralCode }
          : {}),
        ...(next.referredBy && next.referredBy !== profile?.referredBy
          ? { referredBy: next.referredBy }
          : {}),
        ...(onlyIfExists ? { onlyIfExists } : {}),
      });
      if (outcome.ok) {
        return {
          profile: { ...next, version: (profile?.version ?? 0) + 1 },
          accepted,
          duplicates,
          reroute: [],
          skipped: [],
        };
      }
      if (outcome.reason === 'gone') return this.gone(g, chunk, duplicates, now);
      lastError = outcome;
      if (outcome.reason === 'oversize') {
        // A replay (a merge, a very late touchpoint) re-derived more stage changes than one
        // transaction holds. The newest go out with this commit; older ones are history, kept
        // in the transitions but not published again, since flows act on the stages entered now.
        const fit = outcome.outboxRoom - complaints.length - (referred ? 1 : 0);
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
          skipped: [],
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

  /** The customer does not exist (any more) and may not be created: nothing of `chunk` is stored. */
  private gone(g: Group, chunk: Touchpoint[], duplicates: Set<string>, now: string): ChunkOutcome {
    return {
      profile: this.newProfile(g, initialState(), now),
      accepted: new Map(),
      duplicates,
      reroute: [],
      skipped: chunk,
    };
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
      ...(previous?.referredAt ? { referredAt: previous.referredAt } : {}),
      ...(previous?.referralConvertedAt ? { referralConvertedAt: previous.referralConvertedAt } : {}),
    };
  }
}
