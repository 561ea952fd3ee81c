/**
 * What a touchpoint's free-form `properties` and `traits` say about an order, its products and
 * the customer's name, read the same way everywhere (the engine, ingest, flows, mail).
 */

type Fields = Record<string, unknown> | undefined;

/** The order a touchpoint is about: Segment's `order_id`, or `orderId`. */
export function orderIdOf(properties: Fields): string | null {
  const raw = properties?.order_id ?? properties?.orderId;
  return typeof raw === 'string' || typeof raw === 'number' ? String(raw) : null;
}

/** One product's id: `product_id`, or `productId`. */
export const productIdOf = (product: Fields): unknown => product?.product_id ?? product?.productId;

/** Product ids named by a touchpoint: `product_id`, or each of `products[].product_id`. */
export function productIdsOf(properties: Fields): string[] {
  if (!properties) return [];
  const ids: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string' || typeof v === 'number') ids.push(String(v));
  };
  add(productIdOf(properties));
  if (Array.isArray(properties.products)) {
    for (const p of properties.products) add(productIdOf(p as Fields));
  }
  return [...new Set(ids)];
}

/** The name to greet a customer by: `firstName`, `first_name`, or the first word of `name`. */
export function firstNameOf(traits: Fields): string | undefined {
  const explicit = traits?.firstName ?? traits?.first_name;
  if (typeof explicit === 'string' && explicit) return explicit;
  return typeof traits?.name === 'string' ? traits.name.trim().split(/\s+/)[0] : undefined;
}
