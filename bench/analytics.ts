import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { PROJECTOR_EVENT_SOURCE } from '../infra/analytics-pipeline.js';
import {
  aggregateKind,
  type Cells,
  cellsOf,
  mergeDeltas,
  ROLLUP_MARKER_SK,
  splitItemKey,
  VERSION_SK,
} from '../lib/analytics/cells.js';
import {
  contributionItem,
  contributionKey,
  DynamoDbAnalyticsStore,
} from '../lib/analytics/dynamodb-analytics-store.js';
import { deriveFacts } from '../lib/analytics/facts.js';
import { refreshRollups } from '../lib/analytics/month-rollups.js';
import type { ContributionChange } from '../lib/analytics/ports.js';
import { AnalyticsProjector, projectBatch } from '../lib/analytics/project.js';
import { ReadAnalytics } from '../lib/analytics/read-analytics.js';
import type { AggregateItem } from '../lib/analytics/reports.js';
import { ANALYTICS_FILTER_PATTERN, profileChangesOf } from '../lib/analytics/stream-filter.js';
import { DynamoDbJourneyStore } from '../lib/ingest/dynamodb-journey-store.js';
import { IngestTouchpoints } from '../lib/ingest/ingest-touchpoints.js';
import { defaultModel, replay } from '../lib/journey/index.js';
import { historyInTimeOrder, simulateJourneys } from '../lib/simulator/journeys.js';
import { batchWrite } from '../lib/storage/dynamodb-io.js';
import { parseTouchpoint } from '../lib/touchpoints/parse.js';
import { ensureTable } from '../local/dynamodb.js';
import { LocalStreamRelay } from '../local/stream-relay.js';
import { itemSize } from './capacity.js';
import { indexWcu, kb } from './index-wcu.js';
import { journey, prng } from './journey-mix.js';

const SETTINGS = { timeZone: 'Europe/Berlin', currency: 'EUR' };
const NOW = Date.parse('2026-10-01T00:00:00Z');
const FUNNEL = { from: '2026-06-01', to: '2026-09-01', by: 'channel', windowDays: '30' };
const ATTRIBUTION = { from: '2026-06-01', to: '2026-10-01', model: 'all', by: 'channel', lookbackDays: '30' };

export interface ReportCost {
  customers: number;
  aggregateItems: number;
  /** The projector's refresh of every month's rollups after the aggregates were written. */
  refreshMs: number;
  funnelMs: number;
  /** The first report after the refresh (the warm path: it reads the stored rollups). */
  funnelFirstMs: number;
  /** A report after a commit to each month and before its refresh: it sums whole months' day items. */
  funnelColdMs: number;
  funnelRequests: number;
  funnelCounters: number;
  attributionMs: number;
  attributionFirstMs: number;
  attributionColdMs: number;
  attributionRequests: number;
  attributionCounters: number;
  stagesMs: number;
  stagesRequests: number;
  stagesCounters: number;
}

/** `ADD v 1` on each month's version, as a committed transaction does. */
async function bumpVersions(client: DynamoDBClient, table: string, partitions: readonly string[]) {
  for (const pk of partitions)
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: marshall({ pk, sk: VERSION_SK }),
        UpdateExpression: 'ADD v :one',
        ExpressionAttributeValues: marshall({ ':one': 1 }),
      }),
    );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * (e) Aggregates for `customers` journeys are produced in process (the projector's own cellsOf,
 * summed), written to a fresh table, and the funnel and attribution reports timed through the
 * real DynamoDB adapter, and the stages report beside them: median of 9 runs after a warm-up,
 * and the requests each sends.
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
  // The projector's refresh after the batches that wrote these aggregates (month-rollups.ts).
  const partitions = [...new Set([...sum.keys()].map((key) => splitItemKey(key).pk))].filter(
    (pk) => pk.includes('#funnel#') || pk.includes('#credit#'),
  );
  const refreshed = performance.now();
  const { errors } = await refreshRollups(store, partitions, NOW);
  if (errors.length > 0) throw errors[0].error;
  const refreshMs = performance.now() - refreshed;
  progress(`(e) ${customers} customers: the projector's refresh stored ${partitions.length} months' rollups`);
  const time = async (report: () => Promise<unknown>, kind: string) => {
    // The first report after the refresh: it must take the stored rollups (the warm path).
    const sums = store.stats.countersRead;
    const first = performance.now();
    await report();
    const firstMs = performance.now() - first;
    const firstCounters = store.stats.countersRead - sums;
    const ms: number[] = [];
    const requests: number[] = [];
    let counters = 0;
    for (let i = 0; i < 9; i++) {
      const before = { ...store.stats };
      const t = performance.now();
      await report();
      ms.push(performance.now() - t);
      requests.push(store.stats.requests - before.requests);
      counters = store.stats.countersRead - before.countersRead;
    }
    if (firstCounters !== counters)
      throw new Error(
        `the first report after the refresh re-summed (${firstCounters} counters read, warm ${counters})`,
      );
    // The cold path: a transaction reached each month and no refresh followed (between a
    // commit and its refresh, or after a failed refresh): the report sums the months' days.
    await bumpVersions(
      client,
      table,
      partitions.filter((pk) => pk.includes(`#${kind}#`)),
    );
    const cold = performance.now();
    await report();
    const coldMs = performance.now() - cold;
    return { ms: median(ms), firstMs, coldMs, requests: Math.max(...requests), counters };
  };
  const funnel = await time(() => reads.funnel(FUNNEL), 'funnel');
  const attribution = await time(() => reads.attribution(ATTRIBUTION), 'credit');
  const stages = await time(() => reads.stages({ stalledAfterDays: '14' }), 'stages');
  return {
    customers,
    aggregateItems: sum.size,
    refreshMs,
    funnelMs: funnel.ms,
    funnelFirstMs: funnel.firstMs,
    funnelColdMs: funnel.coldMs,
    funnelRequests: funnel.requests,
    funnelCounters: funnel.counters,
    attributionMs: attribution.ms,
    attributionFirstMs: attribution.firstMs,
    attributionColdMs: attribution.coldMs,
    attributionRequests: attribution.requests,
    attributionCounters: attribution.counters,
    stagesMs: stages.ms,
    stagesRequests: stages.requests,
    stagesCounters: stages.counters,
  } satisfies ReportCost;
}

/** The adapter, pricing every transaction it sends at DynamoDB's rules (Local's own figure is nominal). */
class PricedAnalyticsStore extends DynamoDbAnalyticsStore {
  wcu = 0;
  transactions = 0;
  contributions = 0;
  aggregateUpdates = 0;
  /** WCU per kind of item: `AN` contributions, `stages`, `funnel`, `credit` aggregates. */
  readonly byKind: Record<string, number> = {};
  /** The projector's rollup refresh (plain puts, 1 WCU per started KB; a failed conditional put costs too). */
  readonly refresh = { puts: 0, failed: 0, markers: 0, wcu: 0 };

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

  override async apply(changes: readonly ContributionChange[]): Promise<boolean> {
    let units = 0;
    const pending: Record<string, number> = {};
    for (const change of changes) {
      const before = await this.sizeOf(contributionKey(change.customerId));
      const after = change.facts
        ? itemSize(marshall(contributionItem(change), { removeUndefinedValues: true }))
        : 0;
      units += kb(Math.max(before, after));
      pending.AN = (pending.AN ?? 0) + 2 * kb(Math.max(before, after));
    }
    const merged = mergeDeltas(changes);
    for (const [itemKey, attrs] of merged) {
      const current = await this.sizeOf(splitItemKey(itemKey));
      // An ADD of a new counter grows the item by its name and a small number.
      const grown = current + [...attrs.keys()].reduce((n, a) => n + Buffer.byteLength(a) + 3, 0);
      units += kb(Math.max(current, grown));
      const { pk, sk } = splitItemKey(itemKey);
      const kind = `${aggregateKind(pk)}${sk === VERSION_SK ? ' versions' : ''}`;
      pending[kind] = (pending[kind] ?? 0) + 2 * kb(Math.max(current, grown));
    }
    const ok = await super.apply(changes);
    if (ok) {
      this.wcu += 2 * units; // transactions write twice
      this.transactions++;
      this.contributions += changes.length;
      this.aggregateUpdates += merged.size;
      for (const [k, v] of Object.entries(pending)) this.byKind[k] = (this.byKind[k] ?? 0) + v;
    }
    return ok;
  }

  protected override async putRollup(pk: string, version: number, item: AggregateItem): Promise<boolean> {
    // A put is priced at the larger of the old and the new item, also when its condition fails.
    const before = await this.sizeOf({ pk, sk: item.sk });
    const after = itemSize(marshall({ ...item.counters, pk, sk: item.sk, v: version }));
    const ok = await super.putRollup(pk, version, item);
    const units = kb(Math.max(before, after));
    this.refresh.wcu += units;
    this.wcu += units;
    if (item.sk === ROLLUP_MARKER_SK) this.refresh.markers++;
    else this.refresh.puts++;
    if (!ok) this.refresh.failed++;
    const kind = `${aggregateKind(pk)} rollups`;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + units;
    return ok;
  }
}

export interface WriteCost {
  customers: number;
  touchpoints: number;
  requests: number;
  profileChanges: number;
  streamBatches: number;
  transactions: number;
  contributions: number;
  aggregateUpdates: number;
  contributionWcu: number;
  /** Contribution and aggregate WCU by kind of item. */
  byKind: Record<string, number>;
  markWcu: number;
  /** The projector's rollup refresh after each batch: puts (rollups, markers, of which failed) and their WCU. */
  refresh: { puts: number; failed: number; markers: number; wcu: number };
  indexWcu: number;
  wcuPerTouchpoint: number;
  indexWcuPerTouchpoint: number;
}

/**
 * (f) The simulator's mix (lib/simulator/journeys.ts: `npm run simulate`'s journeys, sent as it
 * sends them: `/v1/import` batches of 200, oldest first) through the real ingest use case. The
 * table's stream reaches the projector through the local stream relay exactly as on the stack
 * (filter, batches of up to 100 records, `projectBatch`). Priced per item at DynamoDB's rules:
 * contribution and aggregate writes (transactions double), the in-flight marks (a put and a
 * delete per stream batch), and the customer lists' index writes from the profile's images.
 */
export async function writeCost(
  client: DynamoDBClient,
  endpoint: string,
  customers: number,
): Promise<WriteCost> {
  const table = 'bench-analytics-writes';
  await ensureTable(client, table);
  const ingest = new IngestTouchpoints(new DynamoDbJourneyStore(client, table), defaultModel);
  const store = new PricedAnalyticsStore(client, table);
  const projector = new AnalyticsProjector(store, defaultModel, SETTINGS);
  let profileChanges = 0;
  let streamBatches = 0;
  let index = 0;
  const relay = await new LocalStreamRelay({
    dynamodb: client,
    endpoint,
    tableName: table,
    filter: ANALYTICS_FILTER_PATTERN,
    batchSize: PROJECTOR_EVENT_SOURCE.batchSize,
    // A batch is what one import changed (up to 100 records), handed on when the import
    // returns (`settled` below), whatever this machine's speed. Deployed, an import takes well
    // under the event source's batching window (PROJECTOR_EVENT_SOURCE, 3 s) and the simulator
    // sends the next at once, so real batches hold as much or more; here an import of 200
    // touchpoints takes 2–10 s on a shared DynamoDB Local, and a wall-clock window would cut it.
    batchingWindowMs: 600_000,
    pollIntervalMs: 100,
    handler: async (event) => {
      streamBatches++;
      for (const r of event.Records) {
        const image = (i: unknown) => i as Record<string, AttributeValue> | undefined;
        index += indexWcu(image(r.dynamodb?.OldImage), image(r.dynamodb?.NewImage));
      }
      const changes = profileChangesOf(event.Records);
      profileChanges += changes.length;
      const { failedFrom, error } = await projectBatch(store, projector, changes);
      if (failedFrom !== null) throw error; // the relay retries the batch, as the event source does
      return { batchItemFailures: [] };
    },
  }).start();
  const calls = historyInTimeOrder(
    simulateJourneys({ customers, days: 90, seed: 7, end: new Date('2026-10-01T00:00:00Z') }),
  );
  let requests = 0;
  try {
    for (let i = 0; i < calls.length; i += 200) {
      const touchpoints = calls.slice(i, i + 200).map((call) => {
        const parsed = parseTouchpoint(call, call.type, { receivedAt: new Date() });
        if (!parsed.ok) throw new Error(`bench touchpoint invalid: ${JSON.stringify(parsed.errors)}`);
        return parsed.touchpoint;
      });
      // DynamoDB Local gives up on a lock under load; the simulator retries such a 5xx, and so does this.
      for (let attempt = 1; ; attempt++) {
        try {
          await ingest.execute(touchpoints);
          break;
        } catch (error) {
          if (attempt >= 5) throw error;
        }
      }
      requests++;
      await relay.settled();
    }
  } finally {
    await relay.stop();
  }
  const markWcu = 2 * streamBatches;
  return {
    customers,
    touchpoints: calls.length,
    requests,
    profileChanges,
    streamBatches,
    transactions: store.transactions,
    contributions: store.contributions,
    aggregateUpdates: store.aggregateUpdates,
    contributionWcu: store.wcu,
    byKind: store.byKind,
    markWcu,
    refresh: store.refresh,
    indexWcu: index,
    wcuPerTouchpoint: (store.wcu + markWcu + index) / calls.length,
    indexWcuPerTouchpoint: index / calls.length,
  };
}
