import { type Decision, decide, type Exposure, type Reactions } from './live-decisions.js';
import { SimulationError } from './send.js';

/**
 * `npm run simulate -- --live`: customers who act now, through the flows (not /v1/import
 * history). Each identifies and adds a product to the cart (stage decide), which starts the
 * cart reminder campaign; once the flows have decided about the customer (mail sent, held out,
 * suppressed) the customer opens and clicks the captured mail through the local SES's pixel and
 * click redirect, and buys, with the chances of `Reactions`. Needs an admin key (it reads each
 * customer's message log).
 */
export interface LiveOptions {
  url: string;
  /** An admin key: the run posts touchpoints and reads message logs. */
  key: string;
  customers: number;
  seed: number;
  reactions: Reactions;
  /** The campaign whose mail the customers react to (default: the seeded cart reminder). */
  campaignId?: string;
  /**
   * aws-ses-v2-local's `GET /store` (the local stack). Without it (a deployed stack) opens and
   * clicks are skipped: they need the real mail in a real inbox.
   */
  sesStoreUrl?: string;
  /** How long to wait for the flows to decide about every customer. */
  timeoutMs?: number;
  /** A tag making this run's customer ids new (default: the start time). */
  runTag?: string;
  progress?: (line: string) => void;
}

export interface LiveCustomer {
  userId: string;
  email: string;
  exposure: Exposure | 'undecided';
  decision: Decision | null;
  opened: boolean;
  clicked: boolean;
  bought: boolean;
}

export interface LiveSummary {
  url: string;
  seed: number;
  campaignId: string;
  reactions: Reactions;
  customers: LiveCustomer[];
  /** Per exposure: customers and buyers. */
  arms: Record<Exposure | 'undecided', { customers: number; bought: number }>;
  opened: number;
  clicked: number;
  /** Mailed customers whose mail was not in the SES store (or no store: deployed). */
  trackingSkipped: number;
  seconds: number;
}

const DEFAULT_CAMPAIGN = 'default-nurture-decide';

export async function simulateLive(options: LiveOptions): Promise<LiveSummary> {
  const started = Date.now();
  const say = options.progress ?? (() => {});
  const campaignId = options.campaignId ?? DEFAULT_CAMPAIGN;
  const http = client(options.url, options.key);
  const tag = options.runTag ?? started.toString(36);
  const customers: LiveCustomer[] = Array.from({ length: options.customers }, (_, i) => {
    const userId = `live-${options.seed}-${tag}-${i}`;
    // Deployed, SES's mailbox simulator accepts the mail and delivers it nowhere.
    const email = options.sesStoreUrl ? `${userId}@example.com` : `success+${userId}@simulator.amazonses.com`;
    return {
      userId,
      email,
      exposure: 'undecided',
      decision: null,
      opened: false,
      clicked: false,
      bought: false,
    };
  });

  const campaign = await http('GET', `/v1/campaigns/${encodeURIComponent(campaignId)}`);
  if (campaign.status !== 'active')
    throw new SimulationError(`campaign ${campaignId} is ${campaign.status}: activate it first`);

  say(`${customers.length} customers identify and add a product to their cart`);
  await postAll(
    http,
    customers.flatMap((c) => [
      { messageId: `${c.userId}-id`, userId: c.userId, event: 'identify', traits: { email: c.email } },
      {
        messageId: `${c.userId}-cart`,
        userId: c.userId,
        event: 'Product Added',
        properties: { product_id: 'sim-1' },
      },
    ]),
  );

  const checkExposure = async (c: LiveCustomer) => {
    const log = (await http('GET', `/v1/customers/${encodeURIComponent(c.userId)}/messages`)) as {
      items: { campaignId: string; status: string }[];
    };
    const item = log.items.find((m) => m.campaignId === campaignId && isFinal(m.status));
    if (item)
      c.exposure = item.status === 'held-out' ? 'held-out' : item.status === 'sent' ? 'mailed' : 'not-mailed';
  };
  say(`waiting for the flows to decide about each customer (${campaignId})`);
  const deadline = started + (options.timeoutMs ?? 15 * 60_000);
  let pending = customers;
  let lastShown = -1;
  while (pending.length > 0 && Date.now() < deadline) {
    // A few message logs read at once: one customer at a time makes a long run longer.
    for (let i = 0; i < pending.length; i += 8) {
      await Promise.all(pending.slice(i, i + 8).map((c) => checkExposure(c)));
    }
    pending = pending.filter((c) => c.exposure === 'undecided');
    const decided = customers.length - pending.length;
    if (decided !== lastShown) say(`${decided}/${customers.length} decided`);
    lastShown = decided;
    if (pending.length > 0) await new Promise((r) => setTimeout(r, 1000));
  }
  if (pending.length > 0)
    say(`${pending.length} customers still undecided after the timeout: they buy at the base rate`);

  const mails = options.sesStoreUrl ? await capturedMails(options.sesStoreUrl) : [];
  let trackingSkipped = 0;
  const orders: Record<string, unknown>[] = [];
  for (const [index, c] of customers.entries()) {
    c.decision = decide(
      options.seed,
      index,
      c.exposure === 'undecided' ? 'not-mailed' : c.exposure,
      options.reactions,
    );
    if (c.decision.opens || c.decision.clicks) {
      const html = mails.find((m) => m.destination.to.some((a) => a.toLowerCase() === c.email))?.body.html;
      if (!html) trackingSkipped++;
      else {
        const pixel = /<img src="([^"]+\/t\/o\/[^"]+\.gif)"/.exec(html)?.[1];
        const link = /href="([^"]+\/t\/c\/[^"]+)"/.exec(html)?.[1];
        if (c.decision.opens && pixel) c.opened = (await fetch(pixel)).ok;
        if (c.decision.clicks && link) c.clicked = (await fetch(link, { redirect: 'manual' })).status === 302;
      }
    }
    if (c.decision.buys) {
      c.bought = true;
      orders.push({
        messageId: `${c.userId}-order`,
        userId: c.userId,
        event: 'Order Completed',
        properties: { order_id: `${c.userId}-o1`, revenue: 40, currency: 'EUR' },
      });
    }
  }
  say(`${orders.length} customers buy`);
  await postAll(http, orders);

  const arms = { mailed: zero(), 'held-out': zero(), 'not-mailed': zero(), undecided: zero() };
  for (const c of customers) {
    arms[c.exposure].customers++;
    if (c.bought) arms[c.exposure].bought++;
  }
  return {
    url: options.url,
    seed: options.seed,
    campaignId,
    reactions: options.reactions,
    customers,
    arms,
    opened: customers.filter((c) => c.opened).length,
    clicked: customers.filter((c) => c.clicked).length,
    trackingSkipped,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

const zero = () => ({ customers: 0, bought: 0 });
const isFinal = (status: string) => status !== 'sending' && status !== 'retrying';

interface StoredMail {
  destination: { to: string[] };
  body: { html?: string };
}

async function capturedMails(storeUrl: string): Promise<StoredMail[]> {
  const res = await fetch(storeUrl);
  if (!res.ok) throw new SimulationError(`${storeUrl} answered ${res.status}`);
  return ((await res.json()) as { emails: StoredMail[] }).emails;
}

async function postAll(http: ReturnType<typeof client>, touchpoints: Record<string, unknown>[]) {
  for (let i = 0; i < touchpoints.length; i += 50) {
    const out = (await http('POST', '/v1/touchpoints', { batch: touchpoints.slice(i, i + 50) })) as {
      rejected?: number;
    };
    if (out.rejected) throw new SimulationError(`${out.rejected} touchpoints rejected`);
  }
}

/** JSON over HTTP with the key; 5xx and network errors retried a few times (messageIds dedupe). */
function client(url: string, key: string) {
  const base = url.replace(/\/+$/, '');
  // biome-ignore lint/suspicious/noExplicitAny: loosely typed JSON answers, read field by field
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    for (let attempt = 1; ; attempt++) {
      let res: Response | undefined;
      try {
        res = await fetch(base + path, {
          method,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        if (attempt >= 5) throw new SimulationError(`cannot reach ${base} (${(error as Error).message})`);
      }
      if (res?.ok) return res.json();
      if (res && res.status < 500 && res.status !== 429) {
        const hint = res.status === 401 || res.status === 403 ? ' (--live needs an admin key)' : '';
        throw new SimulationError(
          `${method} ${path} answered ${res.status}${hint}: ${(await res.text()).slice(0, 300)}`,
        );
      }
      if (attempt >= 5) throw new SimulationError(`${method} ${path} answered ${res?.status} 5 times`);
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  };
}
