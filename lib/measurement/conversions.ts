import { revenueOf } from '../analytics/index.js';
import type { Goal } from '../campaigns/index.js';
import type { CustomerHistory } from '../ingest/index.js';
import { canonicalEvent, classify, defaultModel, orderIdOf } from '../journey/index.js';
import { type Touchpoint, toEngineTouchpoint } from '../touchpoints/index.js';
import { type Assignment, type CountedTimeOf, dueGoals, GLOBAL_WINDOW_DAYS } from './assignment.js';
import type { AssignmentStore, GoalHit } from './ports.js';

/** The journey model's event each goal is (a review is `review_posted`). */
const GOAL_EVENTS: Record<Exclude<Goal, 'none'>, string> = { purchase: 'purchase', review: 'review_posted' };

export interface ConversionDeps {
  assignments: AssignmentStore;
  history(customerId: string): Promise<CustomerHistory>;
  /** The currency of a purchase that names none (STAGEFLOW_CURRENCY). */
  currency: string;
}

const currencyOf = (tp: Touchpoint, fallback: string) => {
  const c = tp.properties?.currency;
  return typeof c === 'string' && /^[A-Za-z]{3}$/.test(c) ? c.toUpperCase() : fallback;
};

function hitOf(tp: Touchpoint, goal: Exclude<Goal, 'none'>, currency: string): GoalHit {
  const micros = goal === 'purchase' ? revenueOf(tp.properties) : 0;
  return {
    touchpointId: tp.messageId,
    at: tp.timestamp,
    revenue: micros > 0 ? { currency: currencyOf(tp, currency), micros } : null,
  };
}

/**
 * Counts the conversions a customer's history holds: for every assignment with a goal, each
 * goal touchpoint within the window after the assignment (the first makes the customer
 * converted; a purchase also adds its revenue), and purchases within the global control
 * group's window. Each touchpoint counts once per assignment however often this runs (the
 * store remembers it), so it is safe on every change of the customer and on redelivery.
 * Returns how many touchpoints it counted.
 */
export async function detectConversions(deps: ConversionDeps, customerId: string): Promise<number> {
  const [assignments, global] = await Promise.all([
    deps.assignments.assignments(customerId),
    deps.assignments.global(customerId),
  ]);
  const measured = assignments.filter(
    (a): a is Assignment & { goal: Exclude<Goal, 'none'> } => a.goal !== 'none',
  );
  if (measured.length === 0 && !global) return 0;
  const history = await deps.history(customerId);
  // A refunded or cancelled order drops out, as in attribution (lib/analytics/facts.ts ordersOf):
  // it never counts, and one counted before its refund arrived is taken back out.
  const undone = undoneOrders(history.touchpoints);
  const isUndone = (tp: Touchpoint) => {
    const order = orderIdOf(toEngineTouchpoint(tp));
    return order !== null && undone.has(order);
  };
  const byGoal = (goal: Exclude<Goal, 'none'>) => {
    const hits = history.touchpoints
      .filter((tp) => canonicalEvent(defaultModel, tp.event) === GOAL_EVENTS[goal])
      .sort((x, y) => (x.timestamp < y.timestamp ? -1 : x.timestamp > y.timestamp ? 1 : 0));
    if (goal !== 'purchase') return hits;
    const kept = hits.filter((tp) => !isUndone(tp));
    // One order is one purchase, however often the shop reported it (the earliest counts).
    const orders = new Set<string>();
    return kept.filter((tp) => {
      const order = tp.properties?.order_id ?? tp.properties?.orderId;
      if (order === undefined || order === null) return true;
      if (orders.has(String(order))) return false;
      orders.add(String(order));
      return true;
    });
  };
  const byId = new Map(history.touchpoints.map((tp) => [tp.messageId, tp]));
  /** The counted touchpoints a refund undid since. */
  const refunded = (countedIds: readonly string[] | undefined) =>
    (countedIds ?? [])
      .map((id) => byId.get(id))
      .filter((tp): tp is Touchpoint => tp !== undefined && isUndone(tp));
  // The store finds the conversion time left from the counted list it reads on each (re)try:
  // one refunded too does not stand; one no longer in the history (past its retention) still
  // does, at the time stored (`convertedAt`).
  const timeOf: CountedTimeOf = (id) => {
    const tp = byId.get(id);
    if (tp === undefined) return undefined;
    return isUndone(tp) ? null : tp.timestamp;
  };

  let counted = 0;
  for (const a of measured) {
    if (a.goal === 'purchase') {
      for (const tp of refunded(a.counted)) {
        const hit = hitOf(tp, a.goal, deps.currency);
        if (await deps.assignments.uncountGoal(customerId, a, hit, timeOf)) counted++;
      }
    }
    for (const tp of dueGoals(a, byGoal(a.goal))) {
      if (await deps.assignments.countGoal(customerId, a, hitOf(tp, a.goal, deps.currency))) counted++;
    }
  }
  if (global) {
    for (const tp of refunded(global.counted)) {
      const hit = hitOf(tp, 'purchase', deps.currency);
      if (await deps.assignments.uncountGlobalPurchase(customerId, global, hit, timeOf)) counted++;
    }
    const window = { at: global.at, windowDays: GLOBAL_WINDOW_DAYS, counted: global.counted };
    for (const tp of dueGoals(window, byGoal('purchase'))) {
      if (
        await deps.assignments.countGlobalPurchase(customerId, global, hitOf(tp, 'purchase', deps.currency))
      ) {
        counted++;
      }
    }
  }
  return counted;
}

/** The order ids a refund or cancellation (the model's `undo_purchase` events) named. */
function undoneOrders(touchpoints: readonly Touchpoint[]): Set<string> {
  const undone = new Set<string>();
  for (const tp of touchpoints) {
    const engine = toEngineTouchpoint(tp);
    if (classify(defaultModel, engine).effect !== 'undo_purchase') continue;
    const order = orderIdOf(engine);
    if (order !== null) undone.add(order);
  }
  return undone;
}

/** Customers whose conversions are detected at once in a stream batch. */
const DETECT_CONCURRENCY = 8;

/**
 * Detects the conversions of several customers (a stream batch's), eight at a time: most have
 * no assignment and cost two queries; an assigned one reads their history. If any fails, the
 * error of the first failing customer in `customerIds` order is thrown with `customerId` set,
 * so the stream retries from that customer's first record; the others counted are idempotent.
 */
export async function detectConversionsOf(
  deps: ConversionDeps,
  customerIds: readonly string[],
): Promise<void> {
  const ids = [...new Set(customerIds)];
  const failures: ({ error: unknown } | undefined)[] = new Array(ids.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(DETECT_CONCURRENCY, ids.length) }, async () => {
      while (next < ids.length) {
        const i = next++;
        try {
          await detectConversions(deps, ids[i]);
        } catch (error) {
          failures[i] = { error };
        }
      }
    }),
  );
  const first = failures.findIndex((f) => f !== undefined);
  if (first === -1) return;
  const { error } = failures[first] as { error: unknown };
  throw Object.assign(error instanceof Error ? error : new Error(String(error)), { customerId: ids[first] });
}
