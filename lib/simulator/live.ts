import { type Decision, decide, type Exposure, type Reactions } from './live-decisions.js';
import { SimulationError } from './send.js';

/**
 * `npm run simulate -- --live`: customers who act now, through the flows (not /v1/import
 * history). Each identifies and then does what enters the trigger stage of the campaign it is
 * dealt (round robin over `campaignIds`): an ad click (consider), a product view (research) or
 * adding a product to the cart (decide), which starts that nurture campaign; once the flows have decided about the customer (mail sent, held out,
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
   * Several campaigns, customers dealt to them round robin (customer i to `campaignIds[i % n]`);
   * wins over `campaignId`. The CLI's default is every nurture campaign (NURTURE_CAMPAIGNS).
   */
  campaignIds?: readonly string[];
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
  /** The campaign whose trigger this customer meets and whose mail it reacts to. */
  campaignId: string;
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
  /** The first of `campaignIds` (the only one unless several were asked for). */
  campaignId: string;
  campaignIds: string[];
  reactions: Reactions;
  customers: LiveCustomer[];
  /** Per exposure: customers and buyers. */
  arms: Record<Exposure | 'undecided', { customers: number; bought: number }>;
  /** The same per campaign. */
  armsByCampaign: Record<string, Record<Exposure | 'undecided', { customers: number; bought: number }>>;
  opened: number;
  clicked: number;
  /** Mailed customers whose mail was not in the SES store (or no store: deployed). */
  trackingSkipped: number;
  seconds: number;
}

const DEFAULT_CAMPAIGN = 'default-nurture-decide';

/** The seeded nurture campaigns, one per pre-purchase stage: the CLI's live run exercises all three. */
export const NURTURE_CAMPAIGNS = [
  'default-nurture-consider',
  'default-nurture-research',
  'default-nurture-decide',
] as const;

/**
 * What a simulated customer does to enter a stage of the social customer journey (lib/journey):
 * the Segment event whose rule moves a customer with no stage, or an earlier one, into it.
 */
const ENTERS: Record<string, (userId: string) => Record<string, unknown>> = {
  // An ad click of a paid social campaign: its utm campaign is the customer's acquisition too.
  consider: (userId) => ({
    event: 'Ad Clicked',
    context: { campaign: { name: 'sim-social', source: 'instagram', medium: 'paid_social' } },
    messageId: `${userId}-enter`,
  }),
  research: (userId) => ({
    event: 'Product Viewed',
    properties: { product_id: 'sim-1' },
    messageId: `${userId}-enter`,
  }),
  // The id the cart reminder's runs have always used: a rerun with the same tag stays a duplicate.
  decide: (userId) => ({
    event: 'Product Added',
    properties: { product_id: 'sim-1' },
    messageId: `${userId}-cart`,
  }),
};

/** The touchpoint that meets a campaign's trigger, or why the simulator cannot make one. */
function entryFor(campaign: { campaignId: string; trigger?: { type: string; enters?: string[] } }) {
  const stage =
    campaign.trigger?.type === 'stage' ? campaign.trigger.enters?.find((s) => s in ENTERS) : undefined;
  if (!stage)
    throw new SimulationError(
      `campaign ${campaign.campaignId} does not start when a customer enters consider, research or decide: the live simulator cannot meet its trigger`,
    );
  return ENTERS[stage];
}

export async function simulateLive(options: LiveOptions): Promise<LiveSummary> {
  const started = Date.now();
  const say = options.progress ?? (() => {});
  const campaignIds = [...(options.campaignIds ?? [options.campaignId ?? DEFAULT_CAMPAIGN])];
  if (campaignIds.length === 0) throw new SimulationError('no campaign to simulate');
  const http = client(options.url, options.key);
  const tag = options.runTag ?? started.toString(36);
  const customers: LiveCustomer[] = Array.from({ length: options.customers }, (_, i) => {
    const userId = `live-${options.seed}-${tag}-${i}`;
    // Deployed, SES's mailbox simulator accepts the mail and delivers it nowhere.
    const email = options.sesStoreUrl ? `${userId}@example.com` : `success+${userId}@simulator.amazonses.com`;
    return {
      userId,
      campaignId: campaignIds[i % campaignIds.length],
      email,
      exposure: 'undecided',
      decision: null,
      opened: false,
      clicked: false,
      bought: false,
    };
  });

  const entries = new Map<string, ReturnType<typeof entryFor>>();
  for (const campaignId of new Set(campaignIds)) {
    const campaign = await http('GET', `/v1/campaigns/${encodeURIComponent(campaignId)}`);
    if (campaign.status !== 'active')
      throw new SimulationError(`campaign ${campaignId} is ${campaign.status}: activate it first`);
    entries.set(campaignId, entryFor(campaign));
  }

  say(`${customers.length} customers identify and enter the trigger stage of ${campaignIds.join(', ')}`);
  await postAll(
    http,
    customers.flatMap((c) => [
      { messageId: `${c.userId}-id`, userId: c.userId, event: 'identify', traits: { email: c.email } },
      { userId: c.userId, ...(entries.get(c.campaignId) as ReturnType<typeof entryFor>)(c.userId) },
    ]),
  );

  const checkExposure = async (c: LiveCustomer) => {
    const log = (await http('GET', `/v1/customers/${encodeURIComponent(c.userId)}/messages`)) as {
      items: { campaignId: string; status: string }[];
    };
    const item = log.items.find((m) => m.campaignId === c.campaignId && isFinal(m.status));
    if (item)
      c.exposure = item.status === 'held-out' ? 'held-out' : item.status === 'sent' ? 'mailed' : 'not-mailed';
  };
  say(`waiting for the flows to decide about each customer (${campaignIds.join(', ')})`);
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

  const noArms = () => ({ mailed: zero(), 'held-out': zero(), 'not-mailed': zero(), undecided: zero() });
  const arms = noArms();
  const armsByCampaign: LiveSummary['armsByCampaign'] = {};
  for (const c of customers) {
    armsByCampaign[c.campaignId] ??= noArms();
    for (const a of [arms, armsByCampaign[c.campaignId]]) {
      a[c.exposure].customers++;
      if (c.bought) a[c.exposure].bought++;
    }
  }
  return {
    url: options.url,
    seed: options.seed,
    campaignId: campaignIds[0],
    campaignIds,
    armsByCampaign,
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
