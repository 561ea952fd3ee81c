import { anonymousCustomerId } from '../storage/table.js';
import type { Touchpoint } from '../touchpoints/index.js';
import type { JourneyStore, Snapshot } from './ports.js';

/**
 * Identity linking: which customer each touchpoint of a request belongs to. A user id is the
 * customer; an anonymous id is its own customer (`anon:<id>`) until a touchpoint carrying both
 * links it to a user, and then the anonymous history moves under the user. The first link wins.
 */

/** The touchpoints of one request that one customer's commits carry. */
export interface Group {
  customerId: string;
  touchpoints: Touchpoint[];
  /** Anonymous ids to record on the profile. */
  anonymousIds: Set<string>;
  /** Anonymous ids that must still be unlinked when an anonymous customer's commit lands. */
  unaliased: Set<string>;
  /** The customer's history changed under it (a merge): replay it all. */
  forceReplay: boolean;
}

/** What the store knows of a request's customers, ids and aliases, read up front. */
export interface IdentityView {
  snapshot: Snapshot;
  /** `anon:<id>` → the user it was merged into. */
  mergedInto: Map<string, string>;
}

/**
 * Reads everything the request's identity needs: one snapshot round trip and, only when
 * needed, one more for the profiles the first could not know to ask for.
 */
export async function readIdentities(store: JourneyStore, touchpoints: Touchpoint[]): Promise<IdentityView> {
  const userIds = touchpoints.flatMap((tp) => (tp.userId ? [tp.userId] : []));
  const anonymousIds = touchpoints.flatMap((tp) => [
    ...(tp.anonymousId ? [tp.anonymousId] : []),
    ...(tp.previousId ? [tp.previousId] : []),
  ]);
  const snapshot = await store.snapshot({
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
  await completeSnapshot(store, touchpoints, snapshot, mergedInto);
  return { snapshot, mergedInto };
}

/**
 * Reads, in one more round trip and only when needed, the profiles the snapshot could not
 * know to ask for: users that anonymous ids are linked to, and customers that already hold a
 * retried touchpoint. Without them an anonymous touchpoint for a linked user would be folded
 * into an empty state and only recover through a failed commit.
 */
async function completeSnapshot(
  store: JourneyStore,
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
  const more = await store.snapshot({ customerIds: [...wanted], messageIds: [], anonymousIds: [] });
  for (const [id, profile] of more.profiles) snapshot.profiles.set(id, profile);
}

/** The customer that already holds a touchpoint's messageId, or undefined for a fresh one. */
export function storedUnder(view: IdentityView, messageId: string): string | undefined {
  const firstSeenBy = view.snapshot.seen.get(messageId);
  return firstSeenBy === undefined ? undefined : (view.mergedInto.get(firstSeenBy) ?? firstSeenBy);
}

export interface IdentityPlan {
  groups: Map<string, Group>;
  /** anonymousId → the user this request links it to. */
  links: Map<string, string>;
  /** Anonymous touchpoints routed to a user through a link this request makes. */
  viaLink: Map<string, Touchpoint[]>;
}

/** Groups fresh touchpoints by customer, linking the anonymous ids their users carry. */
export function planIdentities(fresh: Touchpoint[], snapshot: Snapshot): IdentityPlan {
  const groups = new Map<string, Group>();
  const group = (customerId: string): Group => {
    let g = groups.get(customerId);
    if (!g) {
      g = { customerId, touchpoints: [], anonymousIds: new Set(), unaliased: new Set(), forceReplay: false };
      groups.set(customerId, g);
    }
    return g;
  };
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
  return { groups, links, viaLink };
}

/**
 * Claims each anonymous id the plan links and moves its history under the user, so the user's
 * replay sees the pre-sign-up touchpoints (attribution depends on them). Returns the
 * touchpoints to route again: those of an id another user linked first.
 */
export async function claimLinks(store: JourneyStore, plan: IdentityPlan): Promise<Touchpoint[]> {
  const reroute: Touchpoint[] = [];
  for (const [anonymousId, userId] of plan.links) {
    const owner = await store.claimAlias(anonymousId, userId);
    const g = plan.groups.get(userId)!;
    if (owner !== userId) {
      // Another user linked it first: its anonymous touchpoints go to that user instead.
      g.anonymousIds.delete(anonymousId);
      const lost = new Set(plan.viaLink.get(anonymousId) ?? []);
      g.touchpoints = g.touchpoints.filter((tp) => !lost.has(tp));
      reroute.push(...lost);
      continue;
    }
    await store.moveHistory(anonymousCustomerId(anonymousId), userId);
    g.forceReplay = true;
  }
  return reroute;
}
