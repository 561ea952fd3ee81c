import { describe, expect, it } from 'vitest';
import type { CustomerHistory } from '../../lib/ingest/index.js';
import {
  type Assignment,
  type AssignmentStore,
  type CountedTimeOf,
  detectConversions,
  detectConversionsOf,
  earliestStanding,
  type GlobalAssignment,
  type GoalHit,
} from '../../lib/measurement/index.js';

const assigned: Assignment = {
  campaignId: 'c1',
  arm: 'treatment',
  at: '2026-11-01T00:00:00.000Z',
  goal: 'purchase',
  windowDays: 7,
};
const purchase = (id: string, at: string) => ({
  messageId: id,
  event: 'Order Completed',
  timestamp: at,
  properties: { order_id: id, revenue: 10 },
});

/** An assignment store in memory: every customer whose id starts with `a` is assigned to c1. */
function store(failFor: Set<string> = new Set()) {
  const counted: string[] = [];
  const s: AssignmentStore = {
    assign: async () => null,
    assignments: async (id) => {
      if (failFor.has(id)) throw new Error(`throttled ${id}`);
      return id.startsWith('a') ? [assigned] : [];
    },
    countGoal: async (id: string, _a: Assignment, hit: GoalHit) => {
      counted.push(`${id}:${hit.touchpointId}`);
      return true;
    },
    enterGlobal: async () => null,
    global: async () => null,
    countGlobalPurchase: async () => false,
    uncountGoal: async () => false,
    uncountGlobalPurchase: async () => false,
  };
  return { s, counted };
}

const history = (id: string) =>
  Promise.resolve({
    touchpoints: [
      purchase(`${id}-o1`, '2026-11-03T00:00:00.000Z'),
      purchase(`${id}-late`, '2026-11-20T00:00:00.000Z'),
    ],
  } as unknown as CustomerHistory);

describe('detectConversionsOf (a stream batch of customers)', () => {
  it('counts each assigned customer once, however often they appear, and reads no history for the rest', async () => {
    const { s, counted } = store();
    const read: string[] = [];
    await detectConversionsOf(
      {
        assignments: s,
        history: (id) => {
          read.push(id);
          return history(id);
        },
        currency: 'EUR',
      },
      ['a1', 'b1', 'a2', 'a1', 'b2'],
    );
    expect(counted.sort()).toEqual(['a1:a1-o1', 'a2:a2-o1']);
    expect(read.sort()).toEqual(['a1', 'a2']);
  });

  it('names the first failing customer in batch order, so the stream retries from there, and still counts the others', async () => {
    const { s, counted } = store(new Set(['a3', 'a2']));
    const failed = detectConversionsOf({ assignments: s, history, currency: 'EUR' }, [
      'a1',
      'a2',
      'a3',
      'a4',
    ]);
    await expect(failed).rejects.toMatchObject({ customerId: 'a2', message: 'throttled a2' });
    expect(counted.sort()).toEqual(['a1:a1-o1', 'a4:a4-o1']);
  });
});

/**
 * The store's semantics in memory (what DynamoDbAssignments does in one transaction each): the
 * counted list, convertedAt, and the counters the campaign report sums.
 */
function countingStore(a: Assignment, g: GlobalAssignment) {
  const assignment = { ...a };
  const place = { ...g };
  const totals: Record<string, number> = {};
  const add = (name: string, n: number) => {
    totals[name] = (totals[name] ?? 0) + n;
  };
  const count = (item: { counted?: string[]; convertedAt?: string }, hit: GoalHit, prefix: string) => {
    if (item.counted?.includes(hit.touchpointId)) return false;
    if (!item.convertedAt) add(`${prefix}converted`, 1);
    item.convertedAt ??= hit.at;
    item.counted = [...(item.counted ?? []), hit.touchpointId];
    if (hit.revenue) add(`${prefix}revenue`, hit.revenue.micros);
    return true;
  };
  const uncount = (
    item: { counted?: string[]; convertedAt?: string },
    hit: GoalHit,
    timeOf: CountedTimeOf,
    prefix: string,
  ) => {
    if (!item.counted?.includes(hit.touchpointId)) return false;
    // As the DynamoDB adapter does: from the list as it stands now, not the caller's copy.
    const convertedAt = earliestStanding(item.counted, hit.touchpointId, timeOf, item.convertedAt);
    item.counted = item.counted.filter((id) => id !== hit.touchpointId);
    if (item.convertedAt && convertedAt === null) add(`${prefix}converted`, -1);
    item.convertedAt = convertedAt ?? undefined;
    if (hit.revenue) add(`${prefix}revenue`, -hit.revenue.micros);
    return true;
  };
  const s: AssignmentStore = {
    assign: async () => null,
    assignments: async () => [structuredClone(assignment)],
    countGoal: async (_id, _a, hit) => count(assignment, hit, ''),
    uncountGoal: async (_id, _a, hit, at) => uncount(assignment, hit, at, ''),
    enterGlobal: async () => null,
    global: async () => structuredClone(place),
    countGlobalPurchase: async (_id, _g, hit) => count(place, hit, 'global '),
    uncountGlobalPurchase: async (_id, _g, hit, at) => uncount(place, hit, at, 'global '),
  };
  return { s, totals, assignment, place };
}

describe('detectConversions with refunds and cancellations', () => {
  const at = (day: number) => `2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z`;
  const order = (id: string, day: number, revenue: number) => ({
    messageId: `buy-${id}`,
    event: 'Order Completed',
    timestamp: at(day),
    properties: { order_id: id, revenue },
  });
  const undo = (event: 'Order Refunded' | 'Order Cancelled', id: string, day: number) => ({
    messageId: `${event}-${id}`,
    event,
    timestamp: at(day),
    properties: { order_id: id },
  });
  const setup = () => {
    const touchpoints: unknown[] = [];
    const store = countingStore(assigned, { arm: 'treatment', at: '2026-11-01T00:00:00.000Z' });
    const deps = {
      assignments: store.s,
      history: async () => ({ touchpoints: [...touchpoints] }) as unknown as CustomerHistory,
      currency: 'EUR',
    };
    return { ...store, touchpoints, run: () => detectConversions(deps, 'c-1') };
  };

  it('never counts an order refunded before the conversion was detected', async () => {
    const { touchpoints, totals, run } = setup();
    touchpoints.push(order('o1', 2, 30), undo('Order Refunded', 'o1', 3));
    await run();
    expect(totals).toEqual({});
  });

  it('takes a counted order back out when its refund arrives later, conversion and revenue, once', async () => {
    const { touchpoints, totals, run, assignment, place } = setup();
    touchpoints.push(order('o1', 2, 30));
    await run();
    expect(totals).toEqual({
      converted: 1,
      revenue: 30_000_000,
      'global converted': 1,
      'global revenue': 30_000_000,
    });

    touchpoints.push(undo('Order Cancelled', 'o1', 20)); // after the window: the order still drops out
    await run();
    await run(); // redelivered: nothing twice
    expect(totals).toEqual({ converted: 0, revenue: 0, 'global converted': 0, 'global revenue': 0 });
    expect(assignment).toMatchObject({ counted: [] });
    expect(assignment.convertedAt).toBeUndefined();
    expect(place.convertedAt).toBeUndefined();
  });

  it('keeps the customer converted by the order that stands, from that order on', async () => {
    const { touchpoints, totals, run, assignment } = setup();
    touchpoints.push(order('o1', 2, 30), order('o2', 4, 12));
    await run();
    touchpoints.push(undo('Order Refunded', 'o1', 5));
    await run();
    expect(totals).toMatchObject({ converted: 1, revenue: 12_000_000 });
    expect(assignment).toMatchObject({ counted: ['buy-o2'], convertedAt: at(4) });

    touchpoints.push(undo('Order Refunded', 'o2', 6));
    await run();
    expect(totals).toMatchObject({ converted: 0, revenue: 0 });
  });

  it('keeps the conversion of a counted purchase whose touchpoint has expired from the history', async () => {
    const { touchpoints, totals, run, assignment } = setup();
    touchpoints.push(order('o1', 2, 30), order('o2', 4, 12));
    await run();
    touchpoints.splice(0, 1); // o1's touchpoint passed its retention
    touchpoints.push(undo('Order Refunded', 'o2', 5));
    await run();
    expect(totals).toMatchObject({ converted: 1, revenue: 30_000_000 });
    expect(assignment).toMatchObject({ counted: ['buy-o1'], convertedAt: at(2) });
  });
});

describe('earliestStanding', () => {
  const times: Record<string, string | null> = {
    a: '2026-11-05T00:00:00Z',
    b: '2026-11-03T00:00:00Z',
    r: null,
  };
  const timeOf = (id: string) => times[id];
  it('is the earliest counted touchpoint left that stands', () => {
    expect(earliestStanding(['x', 'a', 'b', 'r'], 'x', timeOf, 'stored')).toBe('2026-11-03T00:00:00Z');
  });
  it('keeps the stored time when only ones past their retention stand, and is null when none does', () => {
    expect(earliestStanding(['x', 'expired', 'r'], 'x', timeOf, 'stored')).toBe('stored');
    expect(earliestStanding(['x', 'r'], 'x', timeOf, 'stored')).toBeNull();
  });
});
