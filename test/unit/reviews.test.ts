import { describe, expect, it } from 'vitest';
import { reviewedOrders } from '../../lib/flows/reviews.js';
import type { Touchpoint } from '../../lib/touchpoints/schema.js';

let n = 0;
const at = (day: number) => new Date(Date.parse('2026-05-01T10:00:00.000Z') + day * 86_400_000).toISOString();
const tp = (day: number, event: string, properties?: Record<string, unknown>): Touchpoint => ({
  messageId: `m-${++n}`,
  userId: 'u-1',
  event,
  type: 'track',
  timestamp: at(day),
  receivedAt: at(day),
  ...(properties ? { properties } : {}),
});

const twoDeliveredOrders = () => [
  tp(0, 'Order Completed', { order_id: 'o-1', products: [{ product_id: 'p-tea' }] }),
  tp(1, 'Order Completed', { order_id: 'o-2', products: [{ product_id: 'p-pot' }] }),
  tp(3, 'Order Delivered', { order_id: 'o-2' }),
  tp(4, 'Order Delivered', { order_id: 'o-1' }),
];

describe('reviewedOrders', () => {
  it('covers the order a review names', () => {
    expect([
      ...reviewedOrders([...twoDeliveredOrders(), tp(5, 'Product Reviewed', { order_id: 'o-2' })]),
    ]).toEqual(['o-2']);
  });

  it('covers the order containing the product a review names', () => {
    const reviewed = reviewedOrders([
      ...twoDeliveredOrders(),
      tp(5, 'Product Reviewed', { product_id: 'p-pot', rating: 5 }),
    ]);
    expect([...reviewed]).toEqual(['o-2']);
  });

  it('covers the most recently delivered order without a review when a review names no order and no known product', () => {
    const history = [...twoDeliveredOrders(), tp(5, 'Product Reviewed', { rating: 5 })];
    expect([...reviewedOrders(history)]).toEqual(['o-1']);
    const second = [...history, tp(6, 'product_reviewed', { product_id: 'p-unknown', rating: 4 })];
    expect([...reviewedOrders(second)].sort()).toEqual(['o-1', 'o-2']);
  });

  it('covers no order that was not delivered when the review came', () => {
    const history = [
      tp(0, 'Order Completed', { order_id: 'o-1' }),
      tp(1, 'Product Reviewed', { rating: 5 }),
      tp(2, 'Order Delivered', { order_id: 'o-1' }),
    ];
    expect([...reviewedOrders(history)]).toEqual([]);
  });

  it('gives the same answer in any arrival order', () => {
    const history = [...twoDeliveredOrders(), tp(5, 'Product Reviewed', { rating: 5 })];
    expect(reviewedOrders([...history].reverse())).toEqual(reviewedOrders(history));
  });
});
