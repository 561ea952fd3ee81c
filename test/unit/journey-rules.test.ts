import { describe, expect, it } from 'vitest';
import {
  applyTouchpoint,
  canonicalEvent,
  compileModel,
  defaultModel,
  type EngineTouchpoint,
  initialState,
  type JourneyState,
  replay,
  type Transition,
} from '../../lib/journey/index.js';
import { socialCustomerJourney } from '../../lib/journey/social-customer-journey.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const HOUR = 3600_000;
let n = 0;
const tp = (hours: number, event: string, properties?: Record<string, unknown>): EngineTouchpoint => ({
  messageId: `m-${String(++n).padStart(5, '0')}`,
  timestamp: new Date(T0 + hours * HOUR).toISOString(),
  event,
  ...(properties ? { properties } : {}),
});

function fold(touchpoints: EngineTouchpoint[]) {
  let state: JourneyState = initialState();
  const transitions: Transition[] = [];
  for (const t of touchpoints) {
    const out = applyTouchpoint(defaultModel, state, t);
    state = out.state;
    if (out.transition) transitions.push(out.transition);
  }
  return { state, stages: transitions.map((t) => t.to) };
}

describe('Event names', () => {
  it('match case-insensitively and with _ and spaces alike', () => {
    for (const name of [
      'Order Completed',
      'order completed',
      'order_completed',
      'ORDER_COMPLETED',
      ' Order  Completed ',
    ]) {
      expect(canonicalEvent(defaultModel, name), name).toBe('purchase');
    }
    expect(canonicalEvent(defaultModel, 'product view')).toBe('product_view');
    expect(canonicalEvent(defaultModel, 'Product_Viewed')).toBe('product_view');
    expect(canonicalEvent(defaultModel, 'Newsletter Opened')).toBe('Newsletter Opened');
  });

  it('move stages whatever their spelling', () => {
    const { stages } = fold([tp(0, 'product viewed'), tp(1, 'order_completed', { order_id: 'o-1' })]);
    expect(stages).toEqual(['research', 'act']);
  });

  it('refuse a model in which two names match alike but mean different events', () => {
    const broken = {
      ...socialCustomerJourney,
      eventAliases: { ...socialCustomerJourney.eventAliases, 'order completed': 'cart_add' },
    };
    expect(() => compileModel(broken)).toThrow(/matches like an event that means/);
  });
});

describe('Returning customers', () => {
  it('do not enter repeat with a product view an hour after the first order', () => {
    const { state, stages } = fold([
      tp(0, 'Order Completed', { order_id: 'o-1' }),
      tp(1, 'Product Viewed'),
      tp(2, 'Product Added'),
    ]);
    expect(stages).toEqual(['act']);
    expect(state.stage).toBe('act');
  });

  it('enter repeat once the latest order is delivered', () => {
    const { stages } = fold([
      tp(0, 'Order Completed', { order_id: 'o-1' }),
      tp(1, 'Product Viewed'),
      tp(30, 'Order Delivered', { order_id: 'o-1' }),
      tp(31, 'Product Viewed'),
    ]);
    expect(stages).toEqual(['act', 'enjoy', 'repeat']);
  });

  it('enter repeat 14 days after the latest order even without a delivery', () => {
    const { stages } = fold([
      tp(0, 'Order Completed', { order_id: 'o-1' }),
      tp(14 * 24 - 1, 'Product Viewed'),
      tp(14 * 24, 'Product Viewed'),
    ]);
    expect(stages).toEqual(['act', 'repeat']);
  });

  it('wait for the latest order, not an earlier one, to settle', () => {
    const { stages } = fold([
      tp(0, 'Order Completed', { order_id: 'o-1' }),
      tp(1, 'Order Completed', { order_id: 'o-2' }),
      tp(30, 'Order Delivered', { order_id: 'o-1' }),
      tp(31, 'Product Viewed'),
      tp(40, 'Order Delivered', { order_id: 'o-2' }),
      tp(41, 'Product Viewed'),
    ]);
    expect(stages).toEqual(['act', 'act', 'enjoy', 'enjoy', 'repeat']);
  });

  it('give the same stages in any arrival order', () => {
    const history = [
      tp(0, 'Order Completed', { order_id: 'o-1' }),
      tp(1, 'Product Viewed'),
      tp(30, 'Order Delivered', { order_id: 'o-1' }),
      tp(31, 'Product Viewed'),
      tp(32, 'Product Shared'),
      tp(33, 'Product Viewed'),
    ];
    const forward = replay(defaultModel, history);
    const backward = replay(defaultModel, [...history].reverse());
    expect(backward).toEqual(forward);
    expect(forward.state.lastOrder).toEqual({ id: 'o-1', at: history[0].timestamp, settled: true });
  });

  it('count a state stored before lastOrder existed as settled', () => {
    const legacy = { ...fold([tp(0, 'Order Completed', { order_id: 'o-1' })]).state };
    delete legacy.lastOrder;
    const out = applyTouchpoint(defaultModel, legacy, tp(1, 'Product Viewed'));
    expect(out.transition?.to).toBe('repeat');
  });
});
