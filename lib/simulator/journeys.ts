import { Random } from './random.js';

/**
 * Realistic shop journeys for `npm run simulate`: customers arrive through paid social, search,
 * the newsletter, a friend's referral or directly, browse, drop off or buy, get deliveries,
 * refund, review and share, and some come back. Everything follows from the seed and the end
 * date, so the same arguments send the same touchpoints (same messageIds: a second run is all
 * duplicates).
 */

export type AcquisitionChannel = 'paid_social' | 'search' | 'newsletter' | 'referral' | 'direct';
export type Locale = 'en' | 'de';

/** One Segment call as `/v1/import` takes it. */
export interface SegmentCall {
  type: 'track' | 'identify' | 'page';
  messageId: string;
  userId?: string;
  anonymousId?: string;
  timestamp: string;
  event?: string;
  name?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context: { locale: string; campaign?: Record<string, string> };
}

export interface SimulatedCustomer {
  /** The id Stageflow stores the customer under: the user id, or `anon:<anonymousId>`. */
  customerId: string;
  anonymousId: string;
  userId: string | null;
  locale: Locale;
  /** How the simulator brought the customer in (the stored channel is the utm source). */
  channel: AcquisitionChannel;
  calls: SegmentCall[];
}

export interface SimulationOptions {
  customers: number;
  days: number;
  seed: number;
  /** Journeys end before this instant (default: the caller's now). */
  end: Date;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const CHANNEL_WEIGHTS: Record<AcquisitionChannel, number> = {
  paid_social: 32,
  search: 26,
  newsletter: 14,
  referral: 10,
  direct: 18,
};

const SOCIAL = ['instagram', 'facebook', 'tiktok'] as const;
const SOCIAL_CAMPAIGNS = ['autumn-sound', 'winter-trails', 'studio-sale'] as const;
const SEARCH_CAMPAIGNS = ['brand-search', 'headphones-generic'] as const;
const NEWSLETTERS = ['newsletter-weekly', 'newsletter-launch'] as const;

const PRODUCTS = [
  { id: 'p-100', name: 'Trail Runner 2', price: 129 },
  { id: 'p-200', name: 'Studio Headphones', price: 249 },
  { id: 'p-300', name: 'Merino Socks', price: 19.5 },
  { id: 'p-400', name: 'Rain Shell', price: 189 },
  { id: 'p-500', name: 'Bottle 750 ml', price: 24.9 },
] as const;

const NAMES: Record<Locale, { first: readonly string[]; last: readonly string[] }> = {
  en: {
    first: ['Ada', 'Grace', 'Alan', 'Mary', 'James', 'Olivia', 'Noah', 'Emma', 'Liam', 'Ava'],
    last: ['Lovelace', 'Hopper', 'Turing', 'Shelley', 'Maxwell', 'Brown', 'Smith', 'Taylor'],
  },
  de: {
    first: ['Lena', 'Jonas', 'Mia', 'Felix', 'Hannah', 'Lukas', 'Emilia', 'Paul', 'Greta', 'Jörg'],
    last: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Becker', 'Hoffmann', 'Krüger'],
  },
};

/** A customer's journey as it is built: calls in time order, cut off at the end date. */
class JourneyBuilder {
  readonly calls: SegmentCall[] = [];
  userId: string | null = null;
  private n = 0;
  done = false;

  constructor(
    readonly rng: Random,
    readonly prefix: string,
    readonly anonymousId: string,
    readonly locale: Locale,
    readonly end: number,
    public t: number,
  ) {}

  /** Moves the clock on; a journey that would pass the end date stops there (a natural drop-off). */
  wait(minMs: number, maxMs: number): boolean {
    this.t += minMs + Math.floor(this.rng.next() * (maxMs - minMs));
    if (this.t >= this.end) this.done = true;
    return !this.done;
  }

  private add(
    call: Omit<SegmentCall, 'messageId' | 'timestamp' | 'context'>,
    campaign?: Record<string, string>,
  ) {
    if (this.done) return;
    this.n++;
    this.calls.push({
      messageId: `${this.prefix}-${String(this.n).padStart(3, '0')}`,
      ...(this.userId ? { userId: this.userId } : { anonymousId: this.anonymousId }),
      ...call,
      timestamp: new Date(this.t).toISOString(),
      context: {
        locale: this.locale === 'de' ? 'de-DE' : 'en-US',
        ...(campaign ? { campaign } : {}),
      },
    });
  }

  track(event: string, properties?: Record<string, unknown>, campaign?: Record<string, string>) {
    this.add({ type: 'track', event, ...(properties ? { properties } : {}) }, campaign);
  }

  page(name: string, campaign?: Record<string, string>) {
    this.add(
      { type: 'page', name, properties: { path: `/${name.toLowerCase().replace(/\s+/g, '-')}` } },
      campaign,
    );
  }

  identify(userId: string, traits: Record<string, unknown>) {
    if (this.done) return;
    this.userId = userId;
    // An identify carries both ids: it links the anonymous history to the user.
    this.add({ type: 'identify', anonymousId: this.anonymousId, traits });
  }
}

/** The first touch of a channel: what the customer did and the utm fields it carried. */
function arrive(j: JourneyBuilder, channel: AcquisitionChannel): void {
  const { rng } = j;
  switch (channel) {
    case 'paid_social': {
      const source = rng.pick(SOCIAL);
      const campaign = {
        source,
        medium: 'paid_social',
        name: rng.pick(SOCIAL_CAMPAIGNS),
        content: `ad-${rng.int(1, 4)}`,
      };
      if (rng.chance(0.3)) j.track('Ad Viewed', { ad_id: campaign.content }, campaign);
      j.track('Ad Clicked', { ad_id: campaign.content }, campaign);
      return;
    }
    case 'search':
      if (rng.chance(0.5)) {
        j.track(
          'Products Searched',
          { query: rng.pick(['headphones', 'trail shoes', 'rain jacket']) },
          {
            source: 'google',
            medium: 'cpc',
            name: rng.pick(SEARCH_CAMPAIGNS),
            term: rng.pick(['headphones', 'running shoes']),
          },
        );
      } else {
        j.page('Home', { source: rng.pick(['google', 'bing']), medium: 'organic' });
      }
      return;
    case 'newsletter':
      j.page('Spring Collection', { source: 'newsletter', medium: 'email', name: rng.pick(NEWSLETTERS) });
      return;
    case 'referral':
      j.page('Invite', { source: 'friend', medium: 'referral', name: 'refer-a-friend' });
      return;
    case 'direct':
      j.page('Home');
      return;
  }
}

const money = (n: number) => Math.round(n * 100) / 100;

function order(j: JourneyBuilder, id: string, product: (typeof PRODUCTS)[number]) {
  const quantity = j.rng.chance(0.2) ? 2 : 1;
  const currency = j.locale === 'de' ? 'EUR' : j.rng.chance(0.7) ? 'USD' : 'EUR';
  const products = [{ product_id: product.id, name: product.name, price: product.price, quantity }];
  // Some shops send only the line items: revenue then comes from price × quantity.
  const properties = j.rng.chance(0.2)
    ? { order_id: id, currency, products }
    : { order_id: id, total: money(product.price * quantity), currency, products };
  j.track('Order Completed', properties);
  return products;
}

/** One customer's whole journey. */
function journey(options: SimulationOptions, index: number): SimulatedCustomer {
  const rng = Random.of(options.seed, index);
  const end = options.end.getTime();
  const start = end - options.days * DAY;
  const id = `sim${options.seed}-${String(index).padStart(6, '0')}`;
  const locale: Locale = rng.chance(0.4) ? 'de' : 'en';
  const channel = rng.weighted(CHANNEL_WEIGHTS);
  const anonymousId = `${id}-device`;
  // Arrivals spread over the period; the newest have had less time to get far.
  const j = new JourneyBuilder(
    rng,
    id,
    anonymousId,
    locale,
    end,
    start + Math.floor(rng.next() * (end - start - HOUR)),
  );
  const names = NAMES[locale];
  const first = rng.pick(names.first);
  const last = rng.pick(names.last);
  const signUp = () => {
    if (j.userId) return;
    j.identify(`${id}-user`, {
      email: `${first}.${last}.${index}@example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, 'x'),
      firstName: first,
      lastName: last,
      locale,
    });
  };

  arrive(j, channel);
  const product = rng.pick(PRODUCTS);

  // Research: most look around, some leave after the first touch.
  if (rng.chance(0.8) && j.wait(MINUTE, 20 * MINUTE)) {
    j.track('Product Viewed', { product_id: product.id, name: product.name, price: product.price });
    for (let i = rng.int(0, 3); i > 0 && j.wait(MINUTE, 15 * MINUTE); i--) {
      j.track('Product Viewed', { product_id: rng.pick(PRODUCTS).id });
    }
    if (rng.chance(0.25) && j.wait(MINUTE, 10 * MINUTE)) j.page('Reviews');
  } else {
    return done(j, id, anonymousId, locale, channel);
  }

  // A second touch from another channel before deciding: the case multi-touch attribution is for.
  if (rng.chance(0.35) && j.wait(6 * HOUR, 5 * DAY)) {
    if (rng.chance(0.5)) {
      const source = rng.pick(SOCIAL);
      j.track('Ad Clicked', { ad_id: 'retargeting' }, { source, medium: 'paid_social', name: 'retargeting' });
    } else {
      j.page('Home', { source: 'newsletter', medium: 'email', name: rng.pick(NEWSLETTERS) });
    }
  }

  // Newsletter sign-ups among those who leave here: an email but no order.
  if (!rng.chance(0.55)) {
    if (rng.chance(0.25) && j.wait(MINUTE, 30 * MINUTE)) signUp();
    return done(j, id, anonymousId, locale, channel);
  }

  // Decide.
  if (!j.wait(10 * MINUTE, 2 * DAY)) return done(j, id, anonymousId, locale, channel);
  if (rng.chance(0.3)) j.track('Product Added to Wishlist', { product_id: product.id });
  j.track('Product Added', { product_id: product.id, price: product.price, quantity: 1 });
  if (rng.chance(0.9)) signUp(); // most create an account; the rest check out as guests
  if (!rng.chance(0.6) || !j.wait(MINUTE, 30 * MINUTE)) return done(j, id, anonymousId, locale, channel);
  j.track('Checkout Started', { value: product.price });
  if (rng.chance(0.2)) j.track('Coupon Applied', { coupon_id: 'WELCOME10' });

  // Act.
  if (!rng.chance(0.8) || !j.wait(MINUTE, 20 * MINUTE)) return done(j, id, anonymousId, locale, channel);
  const orderId = `${id}-o1`;
  order(j, orderId, product);

  // After the purchase: cancelled, refunded, or delivered, reviewed, shared; some come back.
  if (rng.chance(0.04)) {
    if (j.wait(10 * MINUTE, 6 * HOUR)) j.track('Order Cancelled', { order_id: orderId });
    return done(j, id, anonymousId, locale, channel);
  }
  if (!j.wait(DAY, 5 * DAY)) return done(j, id, anonymousId, locale, channel);
  j.track('Order Delivered', { order_id: orderId });
  if (rng.chance(0.08)) {
    if (j.wait(DAY, 10 * DAY)) j.track('Order Refunded', { order_id: orderId, total: product.price });
    return done(j, id, anonymousId, locale, channel);
  }
  if (rng.chance(0.35) && j.wait(2 * DAY, 10 * DAY)) {
    const rating = rng.weighted({ 1: 8, 2: 7, 3: 15, 4: 30, 5: 40 });
    j.track('Product Reviewed', { product_id: product.id, order_id: orderId, rating: Number(rating) });
  }
  if (rng.chance(0.15) && j.wait(HOUR, 5 * DAY)) {
    j.track('Product Shared', { product_id: product.id, share_via: rng.pick(['whatsapp', 'email', 'link']) });
  }
  if (rng.chance(0.2) && j.wait(10 * DAY, 40 * DAY)) {
    const again = rng.pick(PRODUCTS);
    j.page(
      'New Arrivals',
      rng.chance(0.5) ? { source: 'newsletter', medium: 'email', name: 'newsletter-weekly' } : undefined,
    );
    j.track('Product Viewed', { product_id: again.id });
    if (rng.chance(0.6) && j.wait(MINUTE, 2 * HOUR)) {
      j.track('Product Added', { product_id: again.id, price: again.price, quantity: 1 });
      order(j, `${id}-o2`, again);
      if (j.wait(DAY, 4 * DAY)) j.track('Order Delivered', { order_id: `${id}-o2` });
    }
  }
  return done(j, id, anonymousId, locale, channel);
}

function done(
  j: JourneyBuilder,
  _id: string,
  anonymousId: string,
  locale: Locale,
  channel: AcquisitionChannel,
): SimulatedCustomer {
  return {
    customerId: j.userId ?? `anon:${anonymousId}`,
    anonymousId,
    userId: j.userId,
    locale,
    channel,
    calls: j.calls,
  };
}

/** Every customer's journey; customer `i` depends only on the seed, `i`, `days` and `end`. */
export function simulateJourneys(options: SimulationOptions): SimulatedCustomer[] {
  const customers: SimulatedCustomer[] = [];
  for (let i = 0; i < options.customers; i++) {
    const customer = journey(options, i);
    // A journey whose first touch fell after the end date sent nothing: no customer.
    if (customer.calls.length > 0) customers.push(customer);
  }
  return customers;
}

/** All calls of all customers in event-time order, as a shop's history export would be. */
export function historyInTimeOrder(customers: readonly SimulatedCustomer[]): SegmentCall[] {
  return customers
    .flatMap((c) => c.calls)
    .sort((a, b) =>
      a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.messageId < b.messageId ? -1 : 1,
    );
}
