import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DetailType } from '../../events/index.js';
import { IngestTouchpoints } from '../../lib/ingest/ingest-touchpoints.js';
import type { CustomerCommit } from '../../lib/ingest/ports.js';
import { REFERRAL_WINDOW_DAYS } from '../../lib/ingest/referral.js';
import { defaultModel, replay } from '../../lib/journey/index.js';
import { anonymousCustomerId } from '../../lib/storage/table.js';
import type { Touchpoint } from '../../lib/touchpoints/index.js';
import { MemoryJourneyStore, type MemoryStoreHooks } from '../support/memory-journey-store.js';

/**
 * The ingest use case on the in-memory JourneyStore: identity, replay, referral and
 * conflicts, in milliseconds. Several use-case instances on one store stand in for separate
 * Lambda containers (each has its own in-process queue, so only the profile version keeps them
 * from losing updates). test/integration/ingest-concurrency.test.ts runs the same races on
 * DynamoDB Local for the adapter.
 */

const MINUTE = 60_000;
const T0 = Date.parse('2026-05-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

const touchpoint = (fields: Partial<Touchpoint> & Pick<Touchpoint, 'event' | 'timestamp'>): Touchpoint => ({
  messageId: uid('m'),
  type: 'track',
  receivedAt: iso(T0),
  ...fields,
});

const engineView = (tps: Touchpoint[]) =>
  tps.map((tp) => ({
    messageId: tp.messageId,
    timestamp: tp.timestamp,
    event: tp.event,
    properties: tp.properties,
    traits: tp.traits,
    campaign: tp.context?.campaign as never,
  }));

const setup = (hooks: MemoryStoreHooks = {}) => {
  const store = new MemoryJourneyStore(hooks);
  return { store, ingest: new IngestTouchpoints(store, defaultModel, () => new Date(T0)) };
};

/** Releases everyone once `parties` callers have arrived; later callers pass straight through. */
function barrier(parties: number) {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return async () => {
    arrived++;
    if (arrived === parties) open();
    if (arrived <= parties) await opened;
  };
}

const stageEvents = (store: MemoryJourneyStore, customerId: string) =>
  store
    .outbox(customerId)
    .filter((r) => r.detailType === DetailType.CustomerStageChanged)
    .map((r) => r.detail.to);

describe('ingest: dedupe', () => {
  it('answers a retried messageId as a duplicate and changes nothing', async () => {
    // Prepare
    const { store, ingest } = setup();
    const tp = touchpoint({ userId: 'u-1', event: 'Product Viewed', timestamp: iso(T0) });
    await ingest.execute([tp]);
    // Act
    const [again, inRequest] = await ingest.execute([tp, tp]);
    // Assess
    expect(again).toMatchObject({
      status: 'duplicate',
      customerId: 'u-1',
      stage: 'research',
      changed: false,
    });
    expect(inRequest).toMatchObject({ status: 'duplicate', previousStage: 'research' });
    const history = await store.history('u-1');
    expect(history.touchpoints).toHaveLength(1);
    expect(history.profile?.version).toBe(1);
  });
});

describe('ingest: identity', () => {
  it('moves an anonymous history under the user who identifies, keeping its acquisition', async () => {
    // Prepare
    const { store, ingest } = setup();
    const anonymousId = uid('a');
    const click = touchpoint({
      anonymousId,
      event: 'Ad Clicked',
      timestamp: iso(T0),
      context: { campaign: { source: 'instagram' } },
    });
    const [anonymous] = await ingest.execute([click]);
    // Act
    const [identified] = await ingest.execute([
      touchpoint({
        userId: 'u-2',
        anonymousId,
        event: 'identify',
        type: 'identify',
        timestamp: iso(T0 + MINUTE),
      }),
    ]);
    const [later] = await ingest.execute([
      touchpoint({ anonymousId, event: 'Product Added', timestamp: iso(T0 + 2 * MINUTE) }),
    ]);
    // Assess
    expect(anonymous).toMatchObject({ customerId: anonymousCustomerId(anonymousId), stage: 'consider' });
    expect(identified).toMatchObject({ status: 'accepted', customerId: 'u-2', stage: 'consider' });
    expect(later).toMatchObject({ customerId: 'u-2', stage: 'decide', previousStage: 'consider' });
    const history = await store.history('u-2');
    expect(history.touchpoints.map((tp) => tp.messageId)[0]).toBe(click.messageId);
    expect(history.profile?.state.acquisition).toMatchObject({ touchpointId: click.messageId });
    expect(history.profile?.anonymousIds).toEqual([anonymousId]);
    expect(store.partitions.has(anonymousCustomerId(anonymousId))).toBe(false);
    // A retry of the anonymous touchpoint is answered from the user it merged into.
    expect((await ingest.execute([click]))[0]).toMatchObject({ status: 'duplicate', customerId: 'u-2' });
  });

  it('keeps the first link: a second user naming the same anonymous id does not take it', async () => {
    // Prepare
    const { store, ingest } = setup();
    const anonymousId = uid('a');
    await ingest.execute([
      touchpoint({ userId: 'u-first', anonymousId, event: 'identify', type: 'identify', timestamp: iso(T0) }),
    ]);
    // Act
    const [second] = await ingest.execute([
      touchpoint({
        userId: 'u-second',
        anonymousId,
        event: 'identify',
        type: 'identify',
        timestamp: iso(T0 + MINUTE),
      }),
    ]);
    const [anonymous] = await ingest.execute([
      touchpoint({ anonymousId, event: 'Product Viewed', timestamp: iso(T0 + 2 * MINUTE) }),
    ]);
    // Assess
    expect(second).toMatchObject({ status: 'accepted', customerId: 'u-second' });
    expect(anonymous).toMatchObject({ customerId: 'u-first', stage: 'research' });
    expect(store.aliases.get(anonymousId)).toBe('u-first');
    expect((await store.profile('u-second'))?.anonymousIds).toEqual([]);
  });

  it('commits one batch holding an anonymous history and its identify as one transaction', async () => {
    // Prepare
    const { store, ingest } = setup();
    const anonymousId = uid('a');
    const batch = [
      touchpoint({
        anonymousId,
        event: 'Ad Clicked',
        timestamp: iso(T0),
        context: { campaign: { source: 'tiktok' } },
      }),
      touchpoint({ userId: 'u-3', event: 'Product Added', timestamp: iso(T0 + 2 * MINUTE) }),
      touchpoint({
        userId: 'u-3',
        anonymousId,
        event: 'identify',
        type: 'identify',
        timestamp: iso(T0 + MINUTE),
      }),
      touchpoint({ anonymousId, event: 'Product Viewed', timestamp: iso(T0 + 3 * MINUTE) }),
    ];
    // Act
    const results = await ingest.execute(batch);
    // Assess
    expect(results.map((r) => [r.status, r.customerId])).toEqual(batch.map(() => ['accepted', 'u-3']));
    expect(store.outcomes).toEqual([{ ok: true }]);
    expect((await store.history('u-3')).transitions.map((x) => x.to)).toEqual(['consider', 'decide']);
    expect(stageEvents(store, 'u-3')).toEqual(['consider', 'decide']);
  });
});

describe('ingest: replay', () => {
  it('replays the history for a late touchpoint and publishes only the stages newly entered', async () => {
    // Prepare
    const { store, ingest } = setup();
    const view = touchpoint({ userId: 'u-4', event: 'Product Viewed', timestamp: iso(T0 + MINUTE) });
    const order = touchpoint({
      userId: 'u-4',
      event: 'Order Completed',
      timestamp: iso(T0 + 2 * MINUTE),
      properties: { order_id: 'o-1' },
    });
    await ingest.execute([view]);
    await ingest.execute([order]);
    const late = touchpoint({
      userId: 'u-4',
      event: 'Ad Clicked',
      timestamp: iso(T0),
      context: { campaign: { source: 'newsletter' } },
    });
    // Act
    const [result] = await ingest.execute([late]);
    // Assess
    expect(result).toMatchObject({ status: 'accepted', stage: 'act', previousStage: 'act', changed: false });
    const history = await store.history('u-4');
    const expected = replay(defaultModel, engineView([late, view, order]));
    expect(history.profile?.state).toEqual(expected.state);
    expect(history.transitions).toEqual(expected.transitions);
    expect(history.profile?.state.acquisition).toMatchObject({ touchpointId: late.messageId });
    // research and act were entered before and published then; consider is the new fact.
    expect(stageEvents(store, 'u-4')).toEqual(['consider', 'research', 'act']);
    expect(new Set(store.outbox('u-4').map((r) => r.eventId)).size).toBe(3);
  });

  it('publishes only the newest stage changes when a merged replay outgrows one transaction', async () => {
    // Prepare: a guest with 30 orders, each delivered, reviewed and viewed again.
    const { store, ingest } = setup();
    const anonymousId = uid('guest');
    const steps = ['Order Completed', 'Order Delivered', 'Product Reviewed', 'Product Viewed'];
    const guest = Array.from({ length: 120 }, (_, i) =>
      touchpoint({
        anonymousId,
        event: steps[i % 4],
        timestamp: iso(T0 + i * 60 * MINUTE),
        properties: { order_id: `o-${Math.floor(i / 4)}`, rating: 5 },
      }),
    );
    await ingest.execute(guest);
    // Act
    const [identified] = await ingest.execute([
      touchpoint({
        userId: 'u-5',
        anonymousId,
        event: 'identify',
        type: 'identify',
        timestamp: iso(T0 + 121 * 60 * MINUTE),
      }),
    ]);
    // Assess
    expect(identified).toMatchObject({ status: 'accepted', customerId: 'u-5', stage: 'repeat' });
    const merged = await store.history('u-5');
    expect(merged.touchpoints).toHaveLength(121);
    expect(merged.transitions).toEqual(replay(defaultModel, engineView(guest)).transitions);
    expect(store.outcomes.some((o) => !o.ok && o.reason === 'oversize')).toBe(true);
    const events = stageEvents(store, 'u-5');
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(100);
    expect(events.at(-1)).toBe('repeat');
  });
});

describe('ingest: referral', () => {
  const referrer = async (ingest: IngestTouchpoints, store: MemoryJourneyStore, userId: string) => {
    await ingest.execute([touchpoint({ userId, event: 'Product Viewed', timestamp: iso(T0) })]);
    return (await store.profile(userId))!.referralCode!;
  };

  it('links a friend who arrives with a code and raises Referral Converted once, on the first purchase', async () => {
    // Prepare
    const { store, ingest } = setup();
    const code = await referrer(ingest, store, 'u-ref');
    // Act
    await ingest.execute([
      touchpoint({
        userId: 'u-friend',
        event: 'Product Viewed',
        timestamp: iso(T0 + MINUTE),
        properties: { referralCode: code },
      }),
    ]);
    for (const [i, orderId] of ['o-1', 'o-2'].entries()) {
      await ingest.execute([
        touchpoint({
          userId: 'u-friend',
          event: 'Order Completed',
          timestamp: iso(T0 + (2 + i) * MINUTE),
          properties: { order_id: orderId },
        }),
      ]);
    }
    // Assess
    const friend = await store.profile('u-friend');
    expect(friend?.referredBy).toBe('u-ref');
    expect(store.referredFriends.get('u-ref')).toEqual(new Set(['u-friend']));
    const converted = store.outbox('u-friend').filter((r) => r.detailType === DetailType.ReferralConverted);
    expect(converted.map((r) => r.detail)).toEqual([
      expect.objectContaining({ referrerId: 'u-ref', friendId: 'u-friend', orderId: 'o-1' }),
    ]);
    expect(friend?.referralConvertedAt).toBe(iso(T0 + 2 * MINUTE));
  });

  it('refuses self-referral and referral cycles', async () => {
    // Prepare
    const { store, ingest } = setup();
    const codeA = await referrer(ingest, store, 'u-a');
    const codeB = await referrer(ingest, store, 'u-b');
    await ingest.execute([
      touchpoint({
        userId: 'u-b',
        event: 'Page Viewed',
        timestamp: iso(T0 + MINUTE),
        properties: { referralCode: codeA },
      }),
    ]);
    // Act
    await ingest.execute([
      touchpoint({
        userId: 'u-a',
        event: 'Page Viewed',
        timestamp: iso(T0 + 2 * MINUTE),
        properties: { referralCode: codeB },
      }),
      touchpoint({
        userId: 'u-b',
        event: 'Page Viewed',
        timestamp: iso(T0 + 3 * MINUTE),
        properties: { referralCode: codeB },
      }),
    ]);
    // Assess
    expect((await store.profile('u-b'))?.referredBy).toBe('u-a');
    expect((await store.profile('u-a'))?.referredBy).toBeUndefined();
  });

  it('never links an anonymous visitor until it is identified', async () => {
    // Prepare
    const { store, ingest } = setup();
    const code = await referrer(ingest, store, 'u-ref2');
    const anonymousId = uid('a');
    await ingest.execute([
      touchpoint({
        anonymousId,
        event: 'Page Viewed',
        timestamp: iso(T0 + MINUTE),
        properties: { referralCode: code },
      }),
    ]);
    expect((await store.profile(anonymousCustomerId(anonymousId)))?.referredBy).toBeUndefined();
    // Act
    await ingest.execute([
      touchpoint({
        userId: 'u-visitor',
        anonymousId,
        event: 'identify',
        type: 'identify',
        timestamp: iso(T0 + 2 * MINUTE),
      }),
    ]);
    // Assess
    expect((await store.profile('u-visitor'))?.referredBy).toBe('u-ref2');
  });

  describe('rewards only a first purchase after the referral, within the window', () => {
    const DAY = 24 * 60 * MINUTE;
    const visit = (userId: string, code: string, at: number) =>
      touchpoint({ userId, event: 'Product Viewed', timestamp: iso(at), properties: { referralCode: code } });
    const order = (userId: string, orderId: string, at: number) =>
      touchpoint({ userId, event: 'Order Completed', timestamp: iso(at), properties: { order_id: orderId } });
    const converted = (store: MemoryJourneyStore, userId: string) =>
      store.outbox(userId).filter((r) => r.detailType === DetailType.ReferralConverted);

    it('records when the friend was referred', async () => {
      const { store, ingest } = setup();
      const code = await referrer(ingest, store, 'u-r0');
      await ingest.execute([visit('u-f0', code, T0 + DAY)]);
      expect(await store.profile('u-f0')).toMatchObject({ referredBy: 'u-r0', referredAt: iso(T0 + DAY) });
    });

    it('does not reward a customer who had bought before the referral, in later orders either', async () => {
      const { store, ingest } = setup();
      const code = await referrer(ingest, store, 'u-r1');
      await ingest.execute([order('u-f1', 'old', T0 + MINUTE)]);
      await ingest.execute([visit('u-f1', code, T0 + DAY)]);
      await ingest.execute([order('u-f1', 'new', T0 + 2 * DAY)]);
      expect((await store.profile('u-f1'))?.referredBy).toBe('u-r1');
      expect(converted(store, 'u-f1')).toEqual([]);
    });

    it('does not reward when a late, older order shows the friend was a customer already', async () => {
      const { store, ingest } = setup();
      const code = await referrer(ingest, store, 'u-r2');
      await ingest.execute([visit('u-f2', code, T0 + DAY)]);
      // The shop replays its order history: an order from before the referral arrives late.
      await ingest.execute([order('u-f2', 'imported', T0 + 2 * MINUTE)]);
      await ingest.execute([order('u-f2', 'after', T0 + 2 * DAY)]);
      expect(converted(store, 'u-f2')).toEqual([]);
      expect((await store.profile('u-f2'))?.referralConvertedAt).toBeUndefined();
    });

    it('does not reward an order in the same request that happened before the referral', async () => {
      const { store, ingest } = setup();
      const code = await referrer(ingest, store, 'u-r3');
      await ingest.execute([order('u-f3', 'first', T0 + MINUTE), visit('u-f3', code, T0 + DAY)]);
      await ingest.execute([order('u-f3', 'second', T0 + 2 * DAY)]);
      expect(converted(store, 'u-f3')).toEqual([]);
    });

    it(`does not reward a first purchase ${REFERRAL_WINDOW_DAYS} days or more after the referral`, async () => {
      const { store, ingest } = setup();
      const code = await referrer(ingest, store, 'u-r4');
      await ingest.execute([visit('u-f4', code, T0 + DAY)]);
      await ingest.execute([order('u-f4', 'late', T0 + DAY + REFERRAL_WINDOW_DAYS * DAY)]);
      expect(converted(store, 'u-f4')).toEqual([]);
    });

    it('rewards a first purchase just inside the window', async () => {
      const { store, ingest } = setup();
      const code = await referrer(ingest, store, 'u-r5');
      await ingest.execute([visit('u-f5', code, T0 + DAY)]);
      await ingest.execute([order('u-f5', 'in', T0 + DAY + REFERRAL_WINDOW_DAYS * DAY - MINUTE)]);
      expect(converted(store, 'u-f5').map((r) => r.detail.orderId)).toEqual(['in']);
    });

    it('takes the window from the first touchpoint with a code, for profiles linked before referredAt existed', async () => {
      const { store, ingest } = setup();
      const code = await referrer(ingest, store, 'u-r6');
      await ingest.execute([visit('u-f6', code, T0 + DAY)]);
      const p = store.partitions.get('u-f6')!.profile!;
      delete p.referredAt; // as stored by an earlier version
      await ingest.execute([order('u-f6', 'o', T0 + 2 * DAY)]);
      expect(converted(store, 'u-f6')).toHaveLength(1);
      expect(await store.profile('u-f6')).toMatchObject({ referredAt: iso(T0 + DAY) });
    });
  });
});

describe('ingest: conflicts', () => {
  it('loses no update when four processes commit for one customer at the same moment', async () => {
    // Prepare
    const gate = barrier(4);
    const store = new MemoryJourneyStore({ beforeCommit: gate });
    const processes = Array.from({ length: 4 }, () => new IngestTouchpoints(store, defaultModel));
    const events = [
      'Product Viewed',
      'Ad Clicked',
      'Product Added',
      'Order Completed',
      'Order Delivered',
      'Product Shared',
    ];
    const sent = processes.map((_, p) =>
      events.map((event, i) =>
        touchpoint({
          userId: 'u-hot',
          event,
          timestamp: iso(T0 + ((p * 7 + i * 5) % 24) * MINUTE),
          properties: { order_id: `o-${p}` },
        }),
      ),
    );
    // Act
    await Promise.all(
      processes.map(async (ingest, p) => {
        for (const tp of sent[p]) expect((await ingest.execute([tp]))[0].status).toBe('accepted');
      }),
    );
    // Assess
    const all = sent.flat();
    const expected = replay(defaultModel, engineView(all));
    const history = await store.history('u-hot');
    expect(history.touchpoints.map((t) => t.messageId).sort()).toEqual(all.map((t) => t.messageId).sort());
    expect(history.profile?.state).toEqual(expected.state);
    expect(history.transitions).toEqual(expected.transitions);
    expect(store.outcomes.filter((o) => !o.ok && o.reason === 'version').length).toBeGreaterThanOrEqual(3);
  });

  it('stores a touchpoint sent to two processes at once only once', async () => {
    // Prepare
    const gate = barrier(2);
    const store = new MemoryJourneyStore({ beforeCommit: gate });
    const [a, b] = [new IngestTouchpoints(store, defaultModel), new IngestTouchpoints(store, defaultModel)];
    const tp = touchpoint({ userId: 'u-twice', event: 'Product Added', timestamp: iso(T0) });
    // Act
    const [[first], [second]] = await Promise.all([a.execute([tp]), b.execute([tp])]);
    // Assess
    expect([first.status, second.status].sort()).toEqual(['accepted', 'duplicate']);
    expect((await store.history('u-twice')).touchpoints).toHaveLength(1);
  });

  it('moves an anonymous touchpoint to the user when its commit races the identify that links it', async () => {
    // Prepare
    const anonymousId = uid('a');
    let merged!: () => void;
    const mergeDone = new Promise<void>((resolve) => {
      merged = resolve;
    });
    const store = new MemoryJourneyStore({
      afterMoveHistory: () => merged(),
      // The visitor's commit (for the anonymous customer) lands only after the merge.
      beforeCommit: (c: CustomerCommit) => (c.customerId.startsWith('anon:') ? mergeDone : undefined),
    });
    const visitor = new IngestTouchpoints(store, defaultModel);
    const identifier = new IngestTouchpoints(store, defaultModel);
    const click = touchpoint({
      anonymousId,
      event: 'Ad Clicked',
      timestamp: iso(T0),
      context: { campaign: { source: 'instagram' } },
    });
    const identify = touchpoint({
      userId: 'u-6',
      anonymousId,
      event: 'identify',
      type: 'identify',
      timestamp: iso(T0 + MINUTE),
    });
    // Act
    const [[clickResult], [identifyResult]] = await Promise.all([
      visitor.execute([click]),
      identifier.execute([identify]),
    ]);
    // Assess
    expect(store.outcomes).toContainEqual({ ok: false, reason: 'aliased' });
    expect(clickResult).toMatchObject({ status: 'accepted', customerId: 'u-6', stage: 'consider' });
    expect(identifyResult).toMatchObject({ status: 'accepted', customerId: 'u-6' });
    const history = await store.history('u-6');
    expect(history.touchpoints.map((tp) => tp.messageId)).toEqual([click.messageId, identify.messageId]);
    expect(history.profile?.state.acquisition).toMatchObject({ touchpointId: click.messageId });
    expect(store.partitions.has(anonymousCustomerId(anonymousId))).toBe(false);
  });

  it('finishes the merge when an identify is retried after failing between claim and move', async () => {
    // Prepare
    const anonymousId = uid('a');
    const healthy = setup();
    await healthy.ingest.execute([touchpoint({ anonymousId, event: 'Product Viewed', timestamp: iso(T0) })]);
    const crashing = new IngestTouchpoints(
      Object.assign(Object.create(healthy.store), {
        moveHistory: async () => {
          throw new Error('container froze');
        },
      }) as MemoryJourneyStore,
      defaultModel,
    );
    const identify = touchpoint({
      userId: 'u-7',
      anonymousId,
      event: 'identify',
      type: 'identify',
      timestamp: iso(T0 + MINUTE),
    });
    // Act
    const first = await crashing.execute([identify]).catch((e: Error) => e);
    const [retried] = await healthy.ingest.execute([identify]);
    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(retried).toMatchObject({ status: 'accepted', customerId: 'u-7', stage: 'research' });
    const history = await healthy.store.history('u-7');
    expect(history.profile?.state.counts.touchpoints).toBe(2);
    expect(healthy.store.partitions.has(anonymousCustomerId(anonymousId))).toBe(false);
  });
});

describe('ingest: only customers that exist (engagement)', () => {
  const opened = (userId: string, at: number) =>
    touchpoint({ userId, event: 'Email Opened', timestamp: iso(at), properties: { email_id: 'r-01' } });
  /** What an erasure leaves of a customer in the memory store: nothing. */
  const erase = (store: MemoryJourneyStore, customerId: string) => {
    store.partitions.delete(customerId);
    for (const [messageId, owner] of store.dedupe) if (owner === customerId) store.dedupe.delete(messageId);
  };

  it('skips a customer who does not exist, storing nothing', async () => {
    const { store, ingest } = setup();
    const [result] = await ingest.execute([opened('u-none', T0)], { onlyExistingCustomers: true });
    expect(result).toMatchObject({ status: 'skipped', customerId: 'u-none', changed: false });
    expect(store.partitions.get('u-none')?.profile ?? null).toBeNull();
    expect(store.dedupe.size).toBe(0);
  });

  it('does not recreate a customer erased between the read and the commit, in order or on a replay', async () => {
    let target = '';
    const hooks: MemoryStoreHooks = {
      beforeCommit: (commit) => {
        if (commit.customerId === target) erase(store, target);
      },
    };
    const store = new MemoryJourneyStore(hooks);
    const ingest = new IngestTouchpoints(store, defaultModel, () => new Date(T0));
    await ingest.execute([touchpoint({ userId: 'u-e', event: 'Product Viewed', timestamp: iso(T0) })]);
    target = 'u-e';
    const [inOrder] = await ingest.execute([opened('u-e', T0 + MINUTE)], { onlyExistingCustomers: true });
    expect(inOrder.status).toBe('skipped');
    expect(store.partitions.get('u-e')?.profile ?? null).toBeNull();

    // Again with a late open (a replay reads the history first), erased before the commit.
    target = '';
    await ingest.execute([touchpoint({ userId: 'u-f', event: 'Product Viewed', timestamp: iso(T0) })]);
    target = 'u-f';
    const [late] = await ingest.execute([opened('u-f', T0 - MINUTE)], { onlyExistingCustomers: true });
    expect(late.status).toBe('skipped');
    expect(store.partitions.get('u-f')?.profile ?? null).toBeNull();
    expect(store.outbox('u-f')).toEqual([]);
  });

  it('stores engagement for a customer who exists, and still creates customers without the option', async () => {
    const { store, ingest } = setup();
    await ingest.execute([touchpoint({ userId: 'u-x', event: 'Product Viewed', timestamp: iso(T0) })]);
    const [open] = await ingest.execute([opened('u-x', T0 + MINUTE)], { onlyExistingCustomers: true });
    expect(open.status).toBe('accepted');
    expect((await store.history('u-x')).touchpoints).toHaveLength(2);
    const [plain] = await ingest.execute([opened('u-y', T0)]);
    expect(plain.status).toBe('accepted');
  });
});
