import type { EngineTouchpoint } from '../lib/journey/index.js';

/**
 * A whole customer journey, cycled: ad click with campaign, research, cart, checkout, order,
 * delivery, a 5-star review, a share and a return visit. Nearly every step moves the stage,
 * so the common path writes a transition and an outbox record with most touchpoints.
 */
const CYCLE: { event: string; properties?: (order: number) => Record<string, unknown>; ad?: true }[] = [
  { event: 'Ad Clicked', ad: true },
  { event: 'Products Searched', properties: () => ({ query: 'running shoes' }) },
  { event: 'Product Viewed', properties: () => ({ product_id: 'sku-42', price: 89.9 }) },
  { event: 'Product Added', properties: () => ({ product_id: 'sku-42', quantity: 1 }) },
  { event: 'Checkout Started', properties: (o) => ({ order_id: `o-${o}`, value: 89.9 }) },
  {
    event: 'Order Completed',
    properties: (o) => ({ order_id: `o-${o}`, total: 89.9, products: [{ product_id: 'sku-42' }] }),
  },
  { event: 'Order Delivered', properties: (o) => ({ order_id: `o-${o}` }) },
  { event: 'Product Reviewed', properties: (o) => ({ order_id: `o-${o}`, product_id: 'sku-42', rating: 5 }) },
  { event: 'Product Shared', properties: () => ({ product_id: 'sku-42' }) },
  { event: 'Product Viewed', properties: () => ({ product_id: 'sku-7', price: 19.5 }) },
];

const START = Date.parse('2025-03-01T08:00:00.000Z');

/** The i-th step of a customer's journey, as the body of `POST /v1/touchpoints`. */
export function touchpointBody(customer: string, i: number): Record<string, unknown> {
  const step = CYCLE[i % CYCLE.length];
  const order = Math.floor(i / CYCLE.length);
  return {
    messageId: `${customer}-m${i}`,
    userId: customer,
    event: step.event,
    timestamp: new Date(START + i * 60_000).toISOString(),
    ...(step.ad ? { channel: 'instagram' } : {}),
    ...(step.properties ? { properties: step.properties(order) } : {}),
    ...(step.ad
      ? { context: { campaign: { source: 'instagram', medium: 'paid_social', name: 'spring-sale' } } }
      : {}),
  };
}

/** The same step in the engine's shape, for folding long histories without the HTTP path. */
export function engineTouchpoint(customer: string, i: number): EngineTouchpoint {
  const body = touchpointBody(customer, i);
  const campaign = (body.context as { campaign?: EngineTouchpoint['campaign'] } | undefined)?.campaign;
  return {
    messageId: body.messageId as string,
    timestamp: body.timestamp as string,
    event: body.event as string,
    properties: body.properties as Record<string, unknown> | undefined,
    channel: body.channel as string | undefined,
    ...(campaign ? { campaign } : {}),
  };
}

/** Runs `work` over `items` with at most `concurrency` in flight; items of one key stay in order. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
