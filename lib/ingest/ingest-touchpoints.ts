import { type CompiledModel, sortKey } from '../journey/index.js';
import { isTransientDependencyError } from '../shared/transient.js';
import type { Touchpoint } from '../touchpoints/index.js';
import { CommitLoop, StoreExhaustedError } from './commit-loop.js';
import { claimLinks, type Group, planIdentities, readIdentities, storedUnder } from './identity.js';
import type { JourneyStore } from './ports.js';

export { StoreExhaustedError } from './commit-loop.js';

export interface IngestResult {
  messageId: string;
  /**
   * `failed`: a transient dependency failure (lib/shared/transient.ts) hit this touchpoint's
   * customer; nothing of it may have been stored, and a resend is safe. Other customers'
   * touchpoints in the same request are unaffected.
   */
  status: 'accepted' | 'duplicate' | 'failed' | 'skipped';
  /** Why it failed (status `failed` only). */
  error?: unknown;
  customerId: string;
  stage: string | null;
  previousStage: string | null;
  changed: boolean;
}

export interface ExecuteOptions {
  /** Report a transient failure per touchpoint (`failed`) instead of throwing it. */
  partial?: boolean;
  /**
   * Store touchpoints only for customers that exist, never creating one (engagement: an open
   * or a click racing an erasure must not bring back an id-only profile). The others come back
   * `skipped`, with nothing stored.
   */
  onlyExistingCustomers?: boolean;
}

/** Touchpoints per transaction: 4 items each at most, plus the profile and guards, stays under 100. */
const CHUNK = 24;

/**
 * The ingest use case: records touchpoints, keeps every customer's stage the fold of their
 * history, links anonymous visitors to users, and queues one outbox record per transition
 * or complaint in the same transaction. It sequences the parts: dedupe, identity linking
 * (identity.ts), one queue per customer, and the commit loop (commit-loop.ts), which holds
 * replay, retries, referrals (referral.ts) and outbox events (outbox-events.ts).
 */
export class IngestTouchpoints {
  /** The tail of each customer's queue of commits in this process. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly commits: CommitLoop;

  constructor(
    private readonly store: JourneyStore,
    model: CompiledModel,
    clock: () => Date = () => new Date(),
  ) {
    this.commits = new CommitLoop(store, model, clock);
  }

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

  /**
   * Stores `touchpoints` and reports each. A transient dependency failure for one customer is
   * thrown, unless `partial` is set: then its touchpoints come back `failed` and the other
   * customers' results stand (a batch route reports them item by item).
   */
  async execute(touchpoints: Touchpoint[], options: ExecuteOptions = {}): Promise<IngestResult[]> {
    const results = new Map<string, IngestResult>();
    const unique: Touchpoint[] = [];
    const firstSeen = new Set<string>();
    for (const tp of touchpoints) {
      if (!firstSeen.has(tp.messageId)) {
        firstSeen.add(tp.messageId);
        unique.push(tp);
      }
    }
    await this.process(unique, results, 0, options);
    if (!options.partial) {
      const failed = [...results.values()].find((r) => r.status === 'failed');
      if (failed) throw failed.error;
    }
    // Every repetition of a messageId inside the request is a duplicate of its first occurrence.
    const emitted = new Set<string>();
    return touchpoints.map((tp) => {
      const r = results.get(tp.messageId)!;
      if (emitted.has(tp.messageId) && r.status !== 'failed') {
        return { ...r, status: 'duplicate', changed: false, previousStage: r.stage };
      }
      emitted.add(tp.messageId);
      return r;
    });
  }

  private async process(
    touchpoints: Touchpoint[],
    results: Map<string, IngestResult>,
    depth: number,
    options: ExecuteOptions,
  ) {
    if (touchpoints.length === 0) return;
    if (depth > 5) throw new StoreExhaustedError(touchpoints[0].userId ?? touchpoints[0].anonymousId ?? '?');
    const view = await readIdentities(this.store, touchpoints);
    const fresh: Touchpoint[] = [];
    for (const tp of touchpoints) {
      const seenBy = storedUnder(view, tp.messageId);
      if (seenBy === undefined) fresh.push(tp);
      else duplicate(results, tp.messageId, seenBy, view.snapshot.profiles.get(seenBy)?.state.stage ?? null);
    }
    const plan = planIdentities(fresh, view.snapshot);
    const reroute = await claimLinks(this.store, plan);
    const groups = [...plan.groups.values()];
    const settled = await Promise.allSettled(
      groups.map((g) =>
        this.oneAtATime(g.customerId, async (waited) => {
          // Whoever went before us in this process has just moved the version on.
          const stale = g.forceReplay || waited;
          const profile = stale
            ? await this.store.profile(g.customerId)
            : (view.snapshot.profiles.get(g.customerId) ?? null);
          reroute.push(...(await this.commitGroup(g, profile, results, options)));
        }),
      ),
    );
    // One customer's throttled or conflicting commit must not fail the others' (stored) ones:
    // its touchpoints are reported as failed and retryable. Anything else is a bug: thrown.
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') return;
      if (!isTransientDependencyError(s.reason)) throw s.reason;
      for (const tp of groups[i].touchpoints) {
        if (results.has(tp.messageId)) continue; // an earlier chunk of the group landed
        results.set(tp.messageId, {
          messageId: tp.messageId,
          status: 'failed',
          error: s.reason,
          customerId: groups[i].customerId,
          stage: null,
          previousStage: null,
          changed: false,
        });
      }
    });
    // An anonymous id linked while we worked: send those touchpoints through identity again.
    await this.process(reroute, results, depth + 1, options);
  }

  /** Commits one customer's touchpoints in event-time order, a chunk per transaction. */
  private async commitGroup(
    g: Group,
    initialProfile: Awaited<ReturnType<JourneyStore['profile']>>,
    results: Map<string, IngestResult>,
    options: ExecuteOptions,
  ): Promise<Touchpoint[]> {
    let profile = initialProfile;
    const reroute: Touchpoint[] = [];
    const sorted = [...g.touchpoints].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    for (let i = 0; i < sorted.length; i += CHUNK) {
      const outcome = await this.commits.commitChunk(g, sorted.slice(i, i + CHUNK), profile, {
        forceReplay: i === 0 && g.forceReplay,
        onlyIfExists: options.onlyExistingCustomers,
      });
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
        duplicate(results, messageId, g.customerId, profile.state.stage);
      }
      reroute.push(...outcome.reroute);
      for (const tp of outcome.skipped) {
        results.set(tp.messageId, {
          messageId: tp.messageId,
          status: 'skipped',
          customerId: g.customerId,
          stage: null,
          previousStage: null,
          changed: false,
        });
      }
    }
    return reroute;
  }
}

function duplicate(
  results: Map<string, IngestResult>,
  messageId: string,
  customerId: string,
  stage: string | null,
) {
  results.set(messageId, {
    messageId,
    status: 'duplicate',
    customerId,
    stage,
    previousStage: stage,
    changed: false,
  });
}
