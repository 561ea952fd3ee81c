import { describe, expect, it } from 'vitest';
import type { CustomerHistory } from '../../lib/ingest/index.js';
import {
  type Assignment,
  type AssignmentStore,
  detectConversionsOf,
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
