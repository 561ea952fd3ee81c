import { type DynamoDBClient, GetItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { type Cells, cellsOf, splitItemKey } from '../lib/analytics/cells.js';
import { contributionKey, DynamoDbAnalyticsStore } from '../lib/analytics/dynamodb-analytics-store.js';
import { deriveFacts } from '../lib/analytics/facts.js';
import type { ContributionChange } from '../lib/analytics/ports.js';
import { AnalyticsProjector } from '../lib/analytics/project.js';
import { ReadAnalytics } from '../lib/analytics/read-analytics.js';
import { DynamoDbJourneyStore } from '../lib/ingest/dynamodb-journey-store.js';
import { IngestTouchpoints } from '../lib/ingest/ingest-touchpoints.js';
import { defaultModel, replay } from '../lib/journey/index.js';
import { batchWrite } from '../lib/storage/dynamodb-io.js';
import { parseTouchpoint } from '../lib/touchpoints/parse.js';
import { ensureTable } from '../local/dynamodb.js';
import { itemSize } from './capacity.js';
import { journey, prng } from './journey-mix.js';

const SETTINGS = { timeZone: 'Europe/Berlin', currency: 'EUR' };
const NOW = Date.parse('2026-10-01T00:00:00Z');
const FUNNEL = { from: '2026-06-01', to: '2026-09-01', by: 'channel', windowDays: '30' };
const ATTRIBUTION = { from: '2026-06-01', to: '2026-10-01', model: 'all', by: 'channel', lookbackDays: '30' };

export interface ReportCost {
  customers: number;
  aggregateItems: number;
  funnelMs: number;
  funnelRequests: number;
  attributionMs: number;
  attributionRequests: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * (e) Aggregates for `customers` journeys are produced in process (the projector's own cellsOf,
 * summed), written to a fresh table, and the funnel and attribution reports timed through the
 * real DynamoDB adapter: median of 9 runs after a warm-up, and the requests each sends.
 */
export async function reportCost(client: DynamoDBClient, customers: number, progress: (s: string) => void) {
  const table = `bench-analytics-${customers}`;
  await ensureTable(client, table);
  const random = prng(7);
  const sum: Cells = new Map();
  for (let i = 0; i < customers; i++) {
    const touchpoints = journey(`c${i}`, random);
    const { state } = replay(defaultModel, touchpoints);
    const facts = deriveFacts(defaultModel, SETTINGS, {
      createdAt: touchpoints[0].timestamp,
      stage: state.stage,
      stageSince: state.stageSince,
      stagesReached: state.stagesReached,
      touchpoints,
    });
    for (const [key, attrs] of cellsOf(defaultModel, facts)) {
      const item = sum.get(key) ?? new Map<string, number>();
      for (const [a, v] of attrs) item.set(a, (item.get(a) ?? 0) + v);
      sum.set(key, item);
    }
  }
  const writes: WriteRequest[] = [...sum].map(([key, attrs]) => ({
    PutRequest: { Item: marshall({ ...splitItemKey(key), ...Object.fromEntries(attrs) }) },
  }));
  await batchWrite(client, table, writes);
  progress(`(e) ${customers} customers → ${sum.size} aggregate items in ${table}`);

  const store = new DynamoDbAnalyticsStore(client, table);
  const reads = new ReadAnalytics(store, defaultModel, () => NOW);
  const time = async (report: () => Promise<unknown>) => {
    await report(); // warm-up: connections, JIT
    const ms: number[] = [];
    const requests: number[] = [];
    for (let i = 0; i < 9; i++) {
      const before = store.stats.requests;
      const t = performance.now();
      await report();
      ms.push(performance.now() - t);
      requests.push(store.stats.requests - before);
    }
    return { ms: median(ms), requests: Math.max(...requests) };
  };
  const funnel = await time(() => reads.funnel(FUNNEL));
  const attribution = await time(() => reads.attribution(ATTRIBUTION));
  return {
    customers,
    aggregateItems: sum.size,
    funnelMs: funnel.ms,
    funnelRequests: funnel.requests,
    attributionMs: attribution.ms,
    attributionRequests: attribution.requests,
  } satisfies ReportCost;
}

/** The adapter, pricing every transaction it sends at DynamoDB's rules (Local's own figure is nominal). */
class PricedAnalyticsStore extends DynamoDbAnalyticsStore {
  wcu = 0;
  transactions = 0;

  constructor(
    private readonly raw: DynamoDBClient,
    private readonly table: string,
  ) {
    super(raw, table);
  }

  private async sizeOf(key: { pk: string; sk: string }): Promise<number> {
    const out = await this.raw.send(
      new GetItemCommand({ TableName: this.table, Key: marshall(key), ConsistentRead: true }),
    );
    return out.Item ? itemSize(out.Item) : 0;
  }

  override async apply(change: ContributionChange): Promise<boolean> {
    const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
    const key = contributionKey(change.customerId);
    let units = 0;
    const before = await this.sizeOf(key);
    const after = change.facts
      ? itemSize(
          marshall({
            ...key,
            entity: 'analytics',
            rev: change.expectedRev + 1,
            profileVersion: change.profileVersion,
            facts: JSON.stringify(change.facts),
          }),
        )
      : 0;
    units += kb(Math.max(before, after));
    for (const [itemKey, attrs] of change.deltas) {
      const current = await this.sizeOf(splitItemKey(itemKey));
      // An ADD of a new counter grows the item by its name and a small number.
      const grown = current + [...attrs.keys()].reduce((n, a) => n + Buffer.byteLength(a) + 3, 0);
      units += kb(Math.max(current, grown));
    }
    const ok = await super.apply(change);
    if (ok) {
      this.wcu += 2 * units; // transactions write twice
      this.transactions++;
    }
    return ok;
  }
}

export interface WriteCost {
  customers: number;
  touchpoints: number;
  profileChanges: number;
  transactions: number;
  contributionWcu: number;
  markWcu: number;
  wcuPerTouchpoint: number;
}

/**
 * (f) The journey mix through the real ingest path, one touchpoint per request in event-time
 * order across customers; each profile change is projected as the stream delivers it. WCU are
 * priced per item (transactions double); the in-flight marks cost 2 WCU per batch of up to 100
 * profile changes (the event source's batch), and there are no index writes on analytics items.
 */
export async function writeCost(client: DynamoDBClient, customers: number): Promise<WriteCost> {
  const table = 'bench-analytics-writes';
  await ensureTable(client, table);
  const ingest = new IngestTouchpoints(new DynamoDbJourneyStore(client, table), defaultModel);
  const store = new PricedAnalyticsStore(client, table);
  const projector = new AnalyticsProjector(store, defaultModel, SETTINGS);
  const random = prng(11);
  const all = Array.from({ length: customers }, (_, i) =>
    journey(`w${i}`, random).map((tp) => ({ tp, customer: `w${i}` })),
  )
    .flat()
    .sort((a, b) => (a.tp.timestamp < b.tp.timestamp ? -1 : 1));
  let changes = 0;
  for (const { tp, customer } of all) {
    const raw = {
      messageId: tp.messageId,
      userId: customer,
      event: tp.event,
      timestamp: tp.timestamp,
      ...(tp.channel ? { channel: tp.channel } : {}),
      ...(tp.campaign ? { context: { campaign: tp.campaign } } : {}),
      ...(tp.properties ? { properties: tp.properties } : {}),
    };
    const parsed = parseTouchpoint(raw, 'stageflow', { receivedAt: new Date() });
    if (!parsed.ok) throw new Error(`bench touchpoint invalid: ${JSON.stringify(parsed.errors)}`);
    await ingest.execute([parsed.touchpoint]);
    changes++;
    await projector.project(customer);
  }
  const markWcu = 2 * Math.ceil(changes / 100);
  return {
    customers,
    touchpoints: all.length,
    profileChanges: changes,
    transactions: store.transactions,
    contributionWcu: store.wcu,
    markWcu,
    wcuPerTouchpoint: (store.wcu + markWcu) / all.length,
  };
}
