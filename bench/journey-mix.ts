import type { EngineTouchpoint } from '../lib/journey/index.js';

/**
 * A realistic mix of journeys for the analytics bench: paid social, search, newsletter, referral
 * and direct arrivals with utm campaigns, research, carts, drop-offs, orders in EUR and USD,
 * deliveries, reviews, shares, refunds, repeat purchases and email engagement. Seeded, so the
 * same seed gives the same journeys.
 */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ARRIVALS = [
  { p: 0.35, channel: 'instagram', medium: 'paid_social', campaigns: ['autumn-sound', 'winter-sale'] },
  { p: 0.25, channel: 'google', medium: 'cpc', campaigns: ['brand', 'generic-shoes'] },
  { p: 0.15, channel: 'newsletter', medium: 'email', campaigns: ['weekly-42', 'weekly-43'] },
  { p: 0.1, channel: 'referral', medium: 'referral', campaigns: [] as string[] },
  { p: 0.15, channel: null, medium: null, campaigns: [] as string[] },
];

const START = Date.parse('2026-06-01T00:00:00.000Z');
const HOUR = 3_600_000;

/** One customer's journey, oldest first. */
export function journey(customer: string, random: () => number, days = 90): EngineTouchpoint[] {
  const out: EngineTouchpoint[] = [];
  let t = START + Math.floor(random() * days * 24) * HOUR + Math.floor(random() * HOUR);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const step = (maxHours: number) => {
    t += Math.floor(1 + random() * maxHours * HOUR);
  };
  const add = (event: string, extra: Partial<EngineTouchpoint> = {}) =>
    out.push({
      messageId: `${customer}-${out.length}`,
      timestamp: new Date(t).toISOString(),
      event,
      ...extra,
    });
  const r = random();
  let cumulative = 0;
  const arrival =
    ARRIVALS.find((a) => {
      cumulative += a.p;
      return r < cumulative;
    }) ?? ARRIVALS[4];
  const touch = (): Partial<EngineTouchpoint> =>
    arrival.channel
      ? {
          channel: arrival.channel,
          campaign: {
            source: arrival.channel,
            medium: arrival.medium ?? undefined,
            ...(arrival.campaigns.length ? { name: pick(arrival.campaigns) } : {}),
          },
        }
      : {};
  add(arrival.channel ? 'Ad Clicked' : 'page_view', touch());
  const currency = random() < 0.5 ? 'EUR' : 'USD';
  let orders = 0;
  for (let visit = 0; visit < 1 + (random() < 0.15 ? 1 : 0); visit++) {
    if (visit > 0) {
      step(24 * 20);
      add('Ad Clicked', touch());
    }
    const views = random() < 0.8 ? 1 + Math.floor(random() * 4) : 0;
    for (let i = 0; i < views; i++) {
      step(6);
      add('Product Viewed', { properties: { product_id: `sku-${Math.floor(random() * 50)}` } });
    }
    if (random() < 0.3) {
      step(48);
      add('Email Opened', { channel: 'email', campaign: { name: 'weekly-42' } });
    }
    if (views === 0 || random() > 0.55) break;
    step(12);
    add('Product Added', { properties: { product_id: 'sku-1', quantity: 1 } });
    if (random() > 0.65) break;
    step(24);
    add('Checkout Started');
    if (random() > 0.75) break;
    step(2);
    const orderId = `${customer}-o${orders++}`;
    add('Order Completed', {
      properties: { order_id: orderId, total: Math.round(2000 + random() * 18_000) / 100, currency },
    });
    if (random() < 0.05) {
      step(72);
      add('Order Refunded', { properties: { order_id: orderId } });
      continue;
    }
    step(96);
    add('Order Delivered', { properties: { order_id: orderId } });
    if (random() < 0.3) {
      step(24 * 7);
      add('Product Reviewed', { properties: { order_id: orderId, rating: 1 + Math.floor(random() * 5) } });
    }
    if (random() < 0.1) {
      step(24);
      add('Product Shared');
    }
  }
  return out;
}
