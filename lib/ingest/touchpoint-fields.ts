import type { EngineTouchpoint } from '../journey/index.js';
import type { Touchpoint } from '../touchpoints/schema.js';

/** What the journey engine reads of a stored touchpoint. */
export const toEngineTouchpoint = (tp: Touchpoint): EngineTouchpoint => ({
  messageId: tp.messageId,
  timestamp: tp.timestamp,
  event: tp.event,
  properties: tp.properties,
  traits: tp.traits,
  channel: tp.channel,
  campaign: tp.context?.campaign as EngineTouchpoint['campaign'],
});

/** Product ids named by a touchpoint: `product_id`, or each of `products[].product_id`. */
export function productIdsOf(properties: Record<string, unknown> | undefined): string[] {
  if (!properties) return [];
  const ids: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string' || typeof v === 'number') ids.push(String(v));
  };
  add(properties.product_id ?? properties.productId);
  if (Array.isArray(properties.products)) {
    for (const p of properties.products)
      add((p as Record<string, unknown>)?.product_id ?? (p as Record<string, unknown>)?.productId);
  }
  return [...new Set(ids)];
}
