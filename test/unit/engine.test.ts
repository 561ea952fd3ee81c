import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { core } from 'zod';
import {
  applyTouchpoint,
  classify,
  compareTouchpoints,
  compileModel,
  defaultModel,
  type EngineTouchpoint,
  initialState,
  type JourneyState,
  journeySchemas,
  MAX_OPEN_ORDERS,
  replay,
  type Transition,
} from '../../lib/journey/index.js';
import { socialCustomerJourney } from '../../lib/journey/social-customer-journey.js';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

let counter = 0;
/** A touchpoint `minutes` after T0; ids are unique across the file. */
const tp = (
  minutes: number,
  event: string,
  extra: Partial<Omit<EngineTouchpoint, 'timestamp' | 'event'>> = {},
): EngineTouchpoint => ({
  messageId: `m-${String(++counter).padStart(5, '0')}`,
  timestamp: at(minutes),
  event,
  ...extra,
});

/** Folds touchpoints one at a time, in the order given, as the ingest's common path does. */
function fold(touchpoints: EngineTouchpoint[], model = defaultModel) {
  let state = initialState();
  const transitions: Transition[] = [];
  const complaints: string[] = [];
  for (const t of touchpoints) {
    const out = applyTouchpoint(model, state, t);
    state = out.state;
    if (out.transition) transitions.push(out.transition);
    if (out.complaint) complaints.push(t.messageId);
  }
  return { state, transitions, complaints };
}

const stagesOf = (transitions: Transition[]) => transitions.map((t) => t.to);

// --- generators -------------------------------------------------------------------------------

const EVENTS = [
  'ad_click',
  'Ad Clicked',
  'social_engagement',
  'page_view',
  'Products Searched',
  'Product Viewed',
  'review_read',
  'Product Added to Wishlist',
  'Product Added',
  'Checkout Started',
  'Coupon Applied',
  'Order Completed',
  'purchase',
  'Order Delivered',
  'product_used',
  'Product Reviewed',
  'Product Shared',
  'referral_sent',
  'Order Refunded',
  'order_cancelled',
  'complaint',
  'identify',
  'Some Unknown Event',
] as const;

const touchpointArb = fc.record(
  {
    // A small time range and id space, so ties on timestamp happen and messageId breaks them.
    minute: fc.integer({ min: 0, max: 30 }),
    event: fc.constantFrom(...EVENTS),
    orderId: fc.option(fc.constantFrom('o1', 'o2', 'o3'), { nil: undefined }),
    rating: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    channel: fc.option(fc.constantFrom('instagram', 'tiktok', 'email'), { nil: undefined }),
    campaign: fc.option(fc.record({ source: fc.constantFrom('instagram', 'google'), name: fc.string() }), {
      nil: undefined,
    }),
    traits: fc.option(fc.dictionary(fc.constantFrom('email', 'plan', 'city'), fc.string()), {
      nil: undefined,
    }),
  },
  { requiredKeys: ['minute', 'event'] },
);

/** Histories with unique messageIds, as the API guarantees (messageId is the idempotency key). */
const historyArb = fc
  .uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), touchpointArb), {
    maxLength: 40,
    selector: ([id]) => id,
  })
  .map((items) =>
    items.map(
      ([id, t]): EngineTouchpoint => ({
        messageId: id,
        timestamp: at(t.minute),
        event: t.event,
        properties: {
          ...(t.orderId !== undefined ? { order_id: t.orderId } : {}),
          ...(t.rating !== undefined ? { rating: t.rating } : {}),
        },
        ...(t.channel ? { channel: t.channel } : {}),
        ...(t.campaign ? { campaign: t.campaign } : {}),
        ...(t.traits ? { traits: t.traits } : {}),
      }),
    ),
  );

/** A history and the same history in another arrival order. */
const permutedArb = historyArb.chain((history) =>
  fc.tuple(
    fc.constant(history),
    fc.shuffledSubarray(history, { minLength: history.length, maxLength: history.length }),
  ),
);

/** A history and the same touchpoints each delivered one to five times, in any order. */
const duplicatedArb = historyArb.chain((history) =>
  fc.tuple(
    fc.constant(history),
    fc.array(fc.integer({ min: 1, max: 5 }), { minLength: history.length, maxLength: history.length }),
    fc.nat(),
  ),
);

const seededShuffle = <T>(items: T[], seed: number): T[] => {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

// --- properties -------------------------------------------------------------------------------

describe('replay', () => {
  it('returns the same state and transitions when the same touchpoints arrive in any order', () => {
    fc.assert(
      fc.property(permutedArb, ([history, permuted]) => {
        // Act
        const a = replay(defaultModel, history);
        const b = replay(defaultModel, permuted);
        // Assess
        expect(b.state).toEqual(a.state);
        expect(b.transitions).toEqual(a.transitions);
      }),
      { numRuns: 300 },
    );
  });

  it('returns the same state and transitions when touchpoints are delivered any number of times', () => {
    fc.assert(
      fc.property(duplicatedArb, ([history, copies, seed]) => {
        // Prepare
        const delivered = seededShuffle(
          history.flatMap((t, i) => Array.from({ length: copies[i] }, () => ({ ...t }))),
          seed,
        );
        // Act
        const once = replay(defaultModel, history);
        const many = replay(defaultModel, delivered);
        // Assess
        expect(many.state).toEqual(once.state);
        expect(many.transitions).toEqual(once.transitions);
        expect(many.state.counts.touchpoints).toBe(history.length);
      }),
      { numRuns: 300 },
    );
  });

  it('returns what folding applyTouchpoint over the sorted touchpoints returns', () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        // Prepare
        const sorted = [...history].sort(compareTouchpoints);
        // Act
        const incremental = fold(sorted);
        const replayed = replay(defaultModel, history);
        // Assess
        expect(incremental.state).toEqual(replayed.state);
        expect(incremental.transitions).toEqual(replayed.transitions);
      }),
      { numRuns: 300 },
    );
  });

  it('returns the replay of a prefix extended incrementally when a newer touchpoint is added', () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        // Prepare
        const sorted = [...history].sort(compareTouchpoints);
        const cut = Math.floor(sorted.length / 2);
        let state: JourneyState = replay(defaultModel, sorted.slice(0, cut)).state;
        // Act
        for (const t of sorted.slice(cut)) state = applyTouchpoint(defaultModel, state, t).state;
        // Assess
        expect(state).toEqual(replay(defaultModel, history).state);
      }),
      { numRuns: 200 },
    );
  });

  it('records every stage reached with the time it was first reached, whatever the order', () => {
    fc.assert(
      fc.property(permutedArb, ([history, permuted]) => {
        // Act
        const { state, transitions } = replay(defaultModel, permuted);
        // Assess
        const firsts: Record<string, string> = {};
        for (const t of transitions) firsts[t.to] ??= t.at;
        expect(state.stagesReached).toEqual(firsts);
        expect(state.stage).toBe(transitions.at(-1)?.to ?? null);
        expect(state.counts.touchpoints).toBe(history.length);
      }),
      { numRuns: 200 },
    );
  });
});

// --- the brief's rules --------------------------------------------------------------------------

describe('applyTouchpoint', () => {
  it('returns the strongest pre-purchase signal seen when the customer has not bought', () => {
    // Prepare
    const history = [
      tp(0, 'Product Viewed'),
      tp(1, 'Ad Clicked'),
      tp(2, 'Product Added'),
      tp(3, 'Products Searched'),
      tp(4, 'social_engagement'),
    ];
    // Act
    const { state, transitions } = fold(history);
    // Assess
    expect(state.stage).toBe('decide');
    expect(transitions.map((t) => [t.from, t.to])).toEqual([
      [null, 'research'],
      ['research', 'decide'],
    ]);
  });

  it('returns act when an order completes, from any stage and for every order', () => {
    // Prepare
    const history = [
      tp(0, 'Ad Clicked'),
      tp(1, 'Order Completed', { properties: { order_id: 'o1' } }),
      tp(2, 'Order Delivered', { properties: { order_id: 'o1' } }),
      tp(3, 'Order Completed', { properties: { order_id: 'o2' } }),
    ];
    // Act
    const { state, transitions } = fold(history);
    // Assess
    expect(stagesOf(transitions)).toEqual(['consider', 'act', 'enjoy', 'act']);
    expect(transitions.at(-1)).toMatchObject({ from: 'enjoy', to: 'act', orderId: 'o2' });
    expect(state.counts.purchases).toBe(2);
  });

  it('returns act when the first touchpoint ever is a purchase', () => {
    // Act
    const { state, transitions } = fold([tp(0, 'purchase', { properties: { order_id: 'x' } })]);
    // Assess
    expect(state.stage).toBe('act');
    expect(transitions).toEqual([
      { from: null, to: 'act', at: at(0), touchpointId: transitions[0].touchpointId, orderId: 'x' },
    ]);
  });

  it('returns enjoy, refer and repeat for delivery, advocacy and shopping after a purchase', () => {
    // Prepare
    const history = [
      tp(0, 'Product Viewed'),
      tp(1, 'Order Completed', { properties: { order_id: 'o1' } }),
      tp(2, 'Order Delivered', { properties: { order_id: 'o1' } }),
      tp(3, 'Product Reviewed', { properties: { order_id: 'o1', rating: 4 } }),
      tp(4, 'Product Viewed'),
      tp(5, 'product_used', { properties: { order_id: 'o1' } }),
      tp(6, 'referral_sent'),
      tp(7, 'Product Added'),
      tp(8, 'Product Shared'),
    ];
    // Act
    const { state, transitions } = fold(history);
    // Assess
    expect(stagesOf(transitions)).toEqual([
      'research',
      'act',
      'enjoy',
      'refer',
      'repeat',
      'enjoy',
      'refer',
      'repeat',
      'refer',
    ]);
    expect(state.stagesReached).toEqual({
      research: at(0),
      act: at(1),
      enjoy: at(2),
      refer: at(3),
      repeat: at(4),
    });
  });

  it('returns refer for a review rated 4 or 5 and no stage change for 3', () => {
    for (const [rating, expected] of [
      [5, 'refer'],
      [4, 'refer'],
      [3, 'act'],
      ['4', 'refer'],
    ] as const) {
      // Prepare
      const history = [
        tp(0, 'Order Completed', { properties: { order_id: 'o1' } }),
        tp(1, 'Product Reviewed', { properties: { rating } }),
      ];
      // Act
      const { state, complaints } = fold(history);
      // Assess
      expect(state.stage, `rating ${rating}`).toBe(expected);
      expect(complaints).toEqual([]);
    }
  });

  it('raises a complaint and changes no stage when a review is rated 2 or lower', () => {
    for (const rating of [2, 1, 0]) {
      // Prepare
      const purchase = tp(0, 'Order Completed', { properties: { order_id: 'o1' } });
      const delivered = tp(1, 'Order Delivered', { properties: { order_id: 'o1' } });
      const review = tp(2, 'Product Reviewed', { properties: { order_id: 'o1', rating } });
      const before = fold([purchase, delivered]).state;
      // Act
      const out = applyTouchpoint(defaultModel, before, review);
      // Assess
      expect(out.complaint).toBe(true);
      expect(out.transition).toBeNull();
      expect(out.state.stage).toBe('enjoy');
      expect(out.state.stagesReached).toEqual(before.stagesReached);
    }
  });

  it('raises a complaint before a purchase too, still without a stage change', () => {
    // Prepare
    const before = fold([tp(0, 'Product Viewed')]).state;
    // Act
    const out = applyTouchpoint(defaultModel, before, tp(1, 'complaint'));
    // Assess
    expect(out).toMatchObject({ complaint: true, transition: null });
    expect(out.state.stage).toBe('research');
  });

  it('counts an unknown event and gives it no signal', () => {
    // Prepare
    const before = fold([tp(0, 'Product Viewed')]).state;
    const unknown = tp(1, 'Loyalty Card Scanned', { properties: { store: 'Berlin' } });
    // Act
    const out = applyTouchpoint(defaultModel, before, unknown);
    // Assess
    expect(classify(defaultModel, unknown)).toEqual({});
    expect(out).toMatchObject({ transition: null, complaint: false });
    expect(out.state).toEqual({
      ...before,
      counts: { touchpoints: 2, purchases: 0 },
      lastKey: out.state.lastKey,
    });
  });

  it('returns consider for an unknown event that carries a utm campaign', () => {
    // Prepare
    const click = tp(0, 'Landing Page Opened', { campaign: { source: 'instagram', name: 'spring' } });
    // Act
    const { state } = fold([click]);
    // Assess
    expect(classify(defaultModel, click)).toEqual({ pre: 'consider' });
    expect(state.stage).toBe('consider');
  });

  it('returns no signal for an identify that carries a utm campaign', () => {
    // Prepare
    const identify = tp(0, 'identify', { campaign: { source: 'instagram', name: 'spring' } });
    // Act
    const { state } = fold([identify]);
    // Assess
    expect(classify(defaultModel, identify)).toEqual({});
    expect(state.stage).toBeNull();
  });

  it('returns to the pre-purchase stage when the only order is refunded', () => {
    // Prepare
    const history = [
      tp(0, 'Product Added'),
      tp(1, 'Order Completed', { properties: { order_id: 'o1' } }),
      tp(2, 'Order Refunded', { properties: { order_id: 'o1' } }),
    ];
    // Act
    const { state, transitions } = fold(history);
    // Assess
    expect(stagesOf(transitions)).toEqual(['decide', 'act', 'decide']);
    expect(state.stage).toBe('decide');
    expect(state.counts.purchases).toBe(0);
    expect(state.activeOrders).toEqual([]);
  });

  it('keeps the post-purchase stage when one of two orders is cancelled', () => {
    // Prepare
    const history = [
      tp(0, 'Order Completed', { properties: { order_id: 'o1' } }),
      tp(1, 'Order Completed', { properties: { order_id: 'o2' } }),
      tp(2, 'Order Delivered', { properties: { order_id: 'o2' } }),
      tp(3, 'Order Cancelled', { properties: { order_id: 'o1' } }),
    ];
    // Act
    const { state } = fold(history);
    // Assess
    expect(state.stage).toBe('enjoy');
    expect(state.activeOrders).toEqual(['o2']);
  });

  it('ignores a refund of an order it never saw', () => {
    // Prepare
    const before = fold([
      tp(0, 'Product Added'),
      tp(1, 'purchase', { properties: { order_id: 'o1' } }),
    ]).state;
    // Act
    const out = applyTouchpoint(
      defaultModel,
      before,
      tp(2, 'order_refunded', { properties: { order_id: 'zz' } }),
    );
    // Assess
    expect(out.transition).toBeNull();
    expect(out.state.stage).toBe('act');
  });

  it('keeps the state the same size however many orders a customer places', () => {
    // Prepare
    const orders = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        tp(i, 'Order Completed', { properties: { order_id: `order-${String(i).padStart(5, '0')}` } }),
      );
    // Act
    const forty = fold(orders(40)).state;
    const fourHundred = fold(orders(400)).state;
    // Assess
    expect(fourHundred.activeOrders).toHaveLength(MAX_OPEN_ORDERS);
    expect(fourHundred.activeOrders.at(-1)).toBe('order-00399');
    expect(fourHundred.counts.purchases).toBe(400);
    const size = (state: JourneyState) => JSON.stringify({ ...state, counts: null }).length;
    expect(size(fourHundred)).toBe(size(forty));
  });

  it('counts a refund of a recent order and ignores one of an order it no longer remembers', () => {
    // Prepare
    const history = Array.from({ length: 30 }, (_, i) =>
      tp(i, 'Order Completed', { properties: { order_id: `o${i}` } }),
    );
    const before = fold(history).state;
    // Act
    const recent = applyTouchpoint(
      defaultModel,
      before,
      tp(40, 'Order Refunded', { properties: { order_id: 'o29' } }),
    );
    const forgotten = applyTouchpoint(
      defaultModel,
      before,
      tp(40, 'Order Refunded', { properties: { order_id: 'o0' } }),
    );
    // Assess
    expect(recent.state.counts.purchases).toBe(29);
    expect(recent.state.activeOrders).not.toContain('o29');
    expect(forgotten.state.counts.purchases).toBe(30);
    expect(forgotten.state).toEqual({
      ...before,
      counts: { touchpoints: 31, purchases: 30 },
      lastKey: forgotten.state.lastKey,
    });
  });

  it('stays a past customer when every remembered order is refunded but older ones stand', () => {
    // Prepare
    const bought = Array.from({ length: MAX_OPEN_ORDERS + 2 }, (_, i) =>
      tp(i, 'Order Completed', { properties: { order_id: `o${i}` } }),
    );
    const refunds = bought
      .slice(2)
      .map((b, i) => tp(100 + i, 'Order Refunded', { properties: { order_id: b.properties?.order_id } }));
    // Act
    const { state } = fold([tp(-1, 'Product Added'), ...bought, ...refunds, tp(200, 'Product Viewed')]);
    // Assess
    expect(state.activeOrders).toEqual([]);
    expect(state.counts.purchases).toBe(2);
    expect(state.stage).toBe('repeat');
  });

  it('re-enters a post-purchase stage for another order, so order-scoped flows see each order', () => {
    // Prepare
    const history = [
      tp(0, 'Order Completed', { properties: { order_id: 'o1' } }),
      tp(1, 'Order Completed', { properties: { order_id: 'o2' } }),
      tp(2, 'Order Delivered', { properties: { order_id: 'o1' } }),
      tp(3, 'Order Delivered', { properties: { order_id: 'o2' } }),
      tp(4, 'Order Delivered', { properties: { order_id: 'o2' } }),
    ];
    // Act
    const { transitions } = fold(history);
    // Assess
    expect(transitions.map((t) => [t.to, t.orderId])).toEqual([
      ['act', 'o1'],
      ['act', 'o2'],
      ['enjoy', 'o1'],
      ['enjoy', 'o2'],
    ]);
  });

  it('classifies Segment E-commerce names as their canonical events', () => {
    const pairs = [
      ['Products Searched', 'product_search'],
      ['Product Viewed', 'product_view'],
      ['Product Added to Wishlist', 'wishlist_add'],
      ['Product Added', 'cart_add'],
      ['Checkout Started', 'checkout_started'],
      ['Coupon Applied', 'coupon_applied'],
      ['Order Completed', 'purchase'],
      ['Order Delivered', 'order_delivered'],
      ['Product Shared', 'product_shared'],
      ['Cart Shared', 'product_shared'],
      ['Order Refunded', 'order_refunded'],
      ['Order Cancelled', 'order_cancelled'],
    ] as const;
    for (const [segment, canonical] of pairs) {
      expect(classify(defaultModel, tp(0, segment)), segment).toEqual(
        classify(defaultModel, tp(0, canonical)),
      );
    }
  });

  it('keeps the first channel and campaign as the acquisition and merges traits', () => {
    // Prepare
    const click = tp(0, 'Ad Clicked', {
      channel: 'instagram',
      campaign: { source: 'instagram', medium: 'paid_social', name: 'spring', term: '' },
    });
    const history = [
      click,
      tp(1, 'identify', { traits: { email: 'a@example.com', plan: 'free' } }),
      tp(2, 'Product Viewed', { channel: 'email' }),
      tp(3, 'identify', { traits: { plan: 'pro' } }),
    ];
    // Act
    const { state } = fold(history);
    // Assess
    expect(state.acquisition).toEqual({
      channel: 'instagram',
      campaign: { source: 'instagram', medium: 'paid_social', name: 'spring' },
      at: at(0),
      touchpointId: click.messageId,
    });
    expect(state.traits).toEqual({ email: 'a@example.com', plan: 'pro' });
  });

  it('never takes the acquisition from email engagement, whatever utm fields it carries', () => {
    // Prepare: the mail's click arrives first, then the customer's own visit from search.
    const opened = tp(0, 'Email Link Clicked', {
      channel: 'email',
      campaign: { source: 'stageflow', medium: 'email', name: 'nurture-research' },
    });
    const search = tp(1, 'Product Viewed', { channel: 'google', campaign: { source: 'google' } });
    // Act
    const { state } = fold([opened, search]);
    // Assess
    expect(state.acquisition).toMatchObject({ channel: 'google', touchpointId: search.messageId });
    expect(fold([opened]).state.acquisition).toBeNull();
  });
});

// --- the model as data --------------------------------------------------------------------------

const stage = (name: string, phase: 'pre' | 'purchase' | 'post', aida: string | null = null) => ({
  name,
  phase,
  description: `${name} stage`,
  labels: { aida, funnel: null, momentOfTruth: null },
});

const aidaModel = {
  id: 'aida',
  version: '1',
  stages: [
    stage('attention', 'pre', 'Attention'),
    stage('interest', 'pre', 'Interest'),
    stage('desire', 'pre', 'Desire'),
    stage('action', 'purchase', 'Action'),
  ],
  eventAliases: {
    'Product Viewed': 'product_view',
    'Product Added': 'cart_add',
    'Order Completed': 'purchase',
  },
  rules: [
    { event: 'ad_click', pre: 'attention' },
    { event: 'product_view', pre: 'interest' },
    { event: 'cart_add', pre: 'desire' },
    { event: 'purchase', effect: 'purchase' },
  ],
  campaignSignal: 'attention',
};

const fiveStepMap = {
  id: 'five-step-map',
  version: '2',
  stages: [
    stage('engage', 'pre'),
    stage('purchase', 'purchase'),
    stage('use', 'post'),
    stage('share', 'post'),
    stage('complete', 'post'),
  ],
  eventAliases: {
    'Order Completed': 'purchase',
    'Order Delivered': 'order_delivered',
    'Product Shared': 'shared',
  },
  rules: [
    { event: 'product_view', pre: 'engage' },
    { event: 'purchase', effect: 'purchase' },
    { event: 'order_delivered', post: 'use' },
    { event: 'shared', post: 'share' },
    { event: 'review_posted', when: { property: 'rating', gte: 1 }, post: 'complete' },
  ],
  campaignSignal: null,
};

const issuesOf = (input: unknown): { path: PropertyKey[]; message: string }[] => {
  try {
    compileModel(input);
    return [];
  } catch (error) {
    if (!(error instanceof core.$ZodError)) throw error;
    return error.issues.map((i) => ({ path: i.path, message: i.message }));
  }
};

describe('compileModel', () => {
  it('the built-in model, indexed without parsing at cold start, is valid and parses to itself', () => {
    // Act
    const parsed = journeySchemas().JourneyModel.parse(socialCustomerJourney);
    // Assess: zod strips and defaults nothing, so defaultModel holds what compileModel would.
    expect(parsed).toEqual(socialCustomerJourney);
    expect(compileModel(socialCustomerJourney)).toEqual(defaultModel);
  });

  it('accepts the default seven-stage model with its labels in every lens', () => {
    // Act
    const compiled = compileModel(socialCustomerJourney);
    // Assess
    expect([...compiled.stages.keys()]).toEqual([
      'consider',
      'research',
      'decide',
      'act',
      'enjoy',
      'refer',
      'repeat',
    ]);
    expect(compiled.purchaseStage).toBe('act');
    expect(compiled.stages.get('research')?.labels).toEqual({
      aida: 'Interest',
      funnel: 'middle',
      momentOfTruth: 'zero',
    });
    expect(compiled.stages.get('refer')?.labels.momentOfTruth).toBe('ultimate');
  });

  it('accepts AIDA expressed as data and runs a journey through it', () => {
    // Prepare
    const model = compileModel(aidaModel);
    // Act
    const { state, transitions } = replay(model, [
      tp(0, 'Spring Teaser Opened', { campaign: { source: 'tiktok' } }),
      tp(1, 'Product Viewed'),
      tp(2, 'Product Added'),
      tp(3, 'Order Completed', { properties: { order_id: 'a1' } }),
      tp(4, 'Product Viewed'),
    ]);
    // Assess
    expect(stagesOf(transitions)).toEqual(['attention', 'interest', 'desire', 'action']);
    expect(state.stage).toBe('action');
  });

  it('accepts the five-step journey map expressed as data and runs a journey through it', () => {
    // Prepare
    const model = compileModel(fiveStepMap);
    // Act
    const { transitions } = replay(model, [
      tp(0, 'product_view'),
      tp(1, 'Order Completed', { properties: { order_id: 'f1' } }),
      tp(2, 'Order Delivered', { properties: { order_id: 'f1' } }),
      tp(3, 'Product Shared'),
      tp(4, 'review_posted', { properties: { rating: 3 } }),
    ]);
    // Assess
    expect(stagesOf(transitions)).toEqual(['engage', 'purchase', 'use', 'share', 'complete']);
  });

  it('rejects a model when two stages share a name', () => {
    // Prepare
    const model = { ...aidaModel, stages: [...aidaModel.stages, stage('interest', 'pre')] };
    // Act
    const issues = issuesOf(model);
    // Assess
    expect(issues).toContainEqual({ path: ['stages', 4, 'name'], message: 'duplicate stage "interest"' });
  });

  it('rejects a model of more than 10 stages: analytics counters name a stage by one digit', () => {
    // Prepare: AIDA's four stages and seven more post-purchase ones.
    const extra = Array.from({ length: 7 }, (_, i) => stage(`after_${i}`, 'post'));
    const eleven = { ...aidaModel, stages: [...aidaModel.stages, ...extra] };
    const ten = { ...aidaModel, stages: [...aidaModel.stages, ...extra.slice(0, 6)] };
    // Act and assess
    expect(issuesOf(eleven)).toContainEqual({
      path: ['stages'],
      message: 'at most 10 stages (analytics counters name a stage by one digit)',
    });
    expect(issuesOf(ten)).toEqual([]);
  });

  it('rejects a model when no stage or two stages have the purchase phase', () => {
    // Prepare
    const none = { ...aidaModel, stages: aidaModel.stages.slice(0, 3) };
    const two = { ...aidaModel, stages: [...aidaModel.stages, stage('second_action', 'purchase')] };
    // Act + Assess
    expect(issuesOf(none)).toContainEqual({
      path: ['stages'],
      message: 'exactly one stage must have phase "purchase", found 0',
    });
    expect(issuesOf(two)).toContainEqual({
      path: ['stages'],
      message: 'exactly one stage must have phase "purchase", found 2',
    });
  });

  it('rejects a model when a rule or the campaign signal names an unknown stage', () => {
    // Prepare
    const model = {
      ...aidaModel,
      rules: [...aidaModel.rules, { event: 'page_view', pre: 'curiosity' }],
      campaignSignal: 'awareness',
    };
    // Act
    const issues = issuesOf(model);
    // Assess
    expect(issues).toEqual([
      { path: ['rules', 4, 'pre'], message: 'unknown stage "curiosity"' },
      { path: ['campaignSignal'], message: 'unknown stage "awareness"' },
    ]);
  });

  it('rejects a model when a rule signals a stage of the wrong phase', () => {
    // Prepare
    const model = {
      ...fiveStepMap,
      rules: [
        ...fiveStepMap.rules,
        { event: 'cart_add', pre: 'use' },
        { event: 'page_view', post: 'engage' },
      ],
    };
    // Act
    const issues = issuesOf(model);
    // Assess
    expect(issues).toEqual([
      { path: ['rules', 5, 'pre'], message: 'stage "use" has phase "post", not "pre"' },
      { path: ['rules', 6, 'post'], message: 'stage "engage" has phase "pre", not "post"' },
    ]);
  });

  it('rejects a rule with no effect and a condition with no bound', () => {
    // Prepare
    const model = {
      ...aidaModel,
      rules: [
        { event: 'page_view' },
        { event: 'review_posted', when: { property: 'rating' }, pre: 'interest' },
      ],
    };
    // Act
    const messages = issuesOf(model).map((i) => i.message);
    // Assess
    expect(messages).toEqual(['a rule needs pre, post or effect', 'a condition needs gte or lte']);
  });

  it('accepts a model exactly when names are unique, one stage is the purchase and rules fit', () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const phaseArb = fc.constantFrom('pre' as const, 'purchase' as const, 'post' as const);
    const modelArb = fc.record({
      stages: fc.array(fc.tuple(fc.constantFrom(...names), phaseArb), { minLength: 2, maxLength: 6 }),
      rules: fc.array(
        fc.record(
          {
            pre: fc.constantFrom(...names, 'zz'),
            post: fc.constantFrom(...names, 'zz'),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
      campaignSignal: fc.option(fc.constantFrom(...names, 'zz'), { nil: null }),
    });
    fc.assert(
      fc.property(modelArb, (m) => {
        // Prepare
        const input = {
          id: 'generated',
          version: '1',
          stages: m.stages.map(([name, phase]) => stage(name, phase)),
          eventAliases: {},
          rules: m.rules.map((r, i) => ({ event: `e${i}`, effect: 'purchase', ...r })),
          campaignSignal: m.campaignSignal,
        };
        const phase = new Map<string, string>();
        let unique = true;
        for (const [name, p] of m.stages) {
          if (phase.has(name)) unique = false;
          phase.set(name, p);
        }
        const fits = (name: string | null | undefined, wanted: string) =>
          name === undefined || name === null || phase.get(name) === wanted;
        const valid =
          unique &&
          m.stages.filter(([, p]) => p === 'purchase').length === 1 &&
          m.rules.every((r) => fits(r.pre, 'pre') && fits(r.post, 'post')) &&
          fits(m.campaignSignal, 'pre');
        // Act
        const issues = issuesOf(input);
        // Assess
        expect(issues.length === 0).toBe(valid);
      }),
      { numRuns: 500 },
    );
  });
});
