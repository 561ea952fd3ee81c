import { canonicalEvent, defaultModel, orderIdOf, sortKey } from '../journey/index.js';
import { productIdsOf } from '../shared/touchpoint-fields.js';
import type { Touchpoint } from '../touchpoints/index.js';
import { toEngineTouchpoint } from '../touchpoints/index.js';

interface KnownOrder {
  id: string;
  products: Set<string>;
  /** Sort key of the delivery (or first use), if there was one. */
  deliveredKey: string | null;
}

/**
 * The orders a customer's reviews cover, from their history in event-time order. A review
 * that names an order covers it; one that names a product covers every order containing that
 * product; one that names neither (or only products of no known order) covers the customer's
 * most recently delivered order that had no review yet, since `Product Reviewed` usually comes
 * from a review widget that knows the product page, not the order.
 */
export function reviewedOrders(touchpoints: readonly Touchpoint[], model = defaultModel): Set<string> {
  const settledBy = new Set(model.model.returning?.settledBy ?? ['order_delivered']);
  const orders: KnownOrder[] = [];
  const reviewed = new Set<string>();
  const sorted = [...touchpoints].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  for (const tp of sorted) {
    const event = canonicalEvent(model, tp.event);
    const orderId = orderIdOf(toEngineTouchpoint(tp));
    if (event === 'purchase') {
      const id = orderId ?? tp.messageId;
      if (!orders.some((o) => o.id === id)) {
        orders.push({ id, products: new Set(productIdsOf(tp.properties)), deliveredKey: null });
      }
    } else if (settledBy.has(event)) {
      const order = orderId === null ? orders.at(-1) : orders.find((o) => o.id === orderId);
      if (order && order.deliveredKey === null) order.deliveredKey = sortKey(tp);
    } else if (event === 'review_posted') {
      if (orderId !== null) {
        reviewed.add(orderId);
        continue;
      }
      const products = productIdsOf(tp.properties);
      const containing = orders.filter((o) => products.some((p) => o.products.has(p)));
      if (containing.length > 0) {
        for (const o of containing) reviewed.add(o.id);
        continue;
      }
      const latest = orders
        .filter((o) => o.deliveredKey !== null && !reviewed.has(o.id))
        .sort((a, b) => (a.deliveredKey! < b.deliveredKey! ? -1 : 1))
        .at(-1);
      if (latest) reviewed.add(latest.id);
    }
  }
  return reviewed;
}
