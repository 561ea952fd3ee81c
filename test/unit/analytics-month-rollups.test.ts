import { describe, expect, it } from 'vitest';
import { AGG, itemKey, ROLLUP_MARKER_SK, VERSION_ATTR } from '../../lib/analytics/cells.js';
import { AnalyticsProjector, projectBatch } from '../../lib/analytics/project.js';
import { ReadAnalytics } from '../../lib/analytics/read-analytics.js';
import { defaultModel, type EngineTouchpoint } from '../../lib/journey/index.js';
import { MemoryAnalyticsStore } from '../support/memory-analytics-store.js';

const settings = { timeZone: 'UTC', currency: 'USD' };
const NOW = Date.parse('2026-11-15T12:00:00Z');
let seq = 0;
const tp = (at: string, event: string, extra: Partial<EngineTouchpoint> = {}): EngineTouchpoint => ({
  messageId: `r-${String(++seq).padStart(3, '0')}`,
  timestamp: `${at}.000Z`,
  event,
  ...extra,
});
const ad = (at: string, channel: string, campaign: string) =>
  tp(at, 'Ad Clicked', { channel, campaign: { name: campaign } });
const buy = (at: string, orderId: string, revenue: number) =>
  tp(at, 'Order Completed', { properties: { order_id: orderId, revenue } });

const FUNNEL = { from: '2026-09-01', to: '2026-11-01', by: 'channel', windowDays: '30' };
const ATTRIBUTION = {
  from: '2026-09-01',
  to: '2026-11-01',
  model: 'all',
  by: 'campaign',
  lookbackDays: '30',
};

/** Two stores fed the same customers: one read once at the end (the truth), one read between changes. */
function stores() {
  const cached = new MemoryAnalyticsStore();
  const fresh = new MemoryAnalyticsStore();
  const set = (id: string, touchpoints: EngineTouchpoint[], version = 1) => {
    for (const store of [cached, fresh])
      store.customersById.set(id, { createdAt: '2026-01-01T00:00:00.000Z', version, touchpoints });
  };
  const project = async (ids: string[]) => {
    for (const store of [cached, fresh])
      await new AnalyticsProjector(store, defaultModel, settings).projectMany(ids);
  };
  const read = (store: MemoryAnalyticsStore) => new ReadAnalytics(store, defaultModel, () => NOW);
  return { cached, fresh, set, project, read };
}

describe('Month rollups stored by the reports (layout 4)', () => {
  it('are summed from the day items once, then read; a late change to the month makes the next report sum it again', async () => {
    // Arrange: September and October customers, read whole months
    const { cached, fresh, set, project, read } = stores();
    set('a', [ad('2026-09-03T10:00:00', 'instagram', 'autumn'), buy('2026-09-04T10:00:00', 'o-a', 50)]);
    set('b', [ad('2026-09-20T10:00:00', 'google', 'brand'), tp('2026-09-21T10:00:00', 'Product Added')]);
    set('c', [ad('2026-10-02T10:00:00', 'instagram', 'autumn'), buy('2026-10-09T10:00:00', 'o-c', 80)]);
    await project(['a', 'b', 'c']);
    // Act: the first report sums the days and stores the rollups; the second reads them
    const first = await read(cached).funnel(FUNNEL);
    const stored = cached.rollupWrites;
    const second = await read(cached).funnel(FUNNEL);
    const credit = await read(cached).attribution(ATTRIBUTION);
    const withCredit = cached.rollupWrites;
    // Assess: September and October each stored once, with a marker (funnel: 3 pairs + 2 markers)
    expect(stored).toBe(3 + 2);
    expect(second.groups).toEqual(first.groups);
    expect(withCredit).toBeGreaterThan(stored);
    expect(await read(cached).attribution(ATTRIBUTION)).toEqual(credit);
    expect(cached.rollupWrites).toBe(withCredit);

    // Act: a late touchpoint and a refund change September: its version moves on
    set('b', [ad('2026-09-20T10:00:00', 'google', 'brand'), buy('2026-09-25T10:00:00', 'o-b', 20)], 2);
    set(
      'a',
      [
        ad('2026-09-03T10:00:00', 'instagram', 'autumn'),
        buy('2026-09-04T10:00:00', 'o-a', 50),
        tp('2026-09-10T10:00:00', 'Order Refunded', { properties: { order_id: 'o-a' } }),
      ],
      2,
    );
    await project(['a', 'b']);
    // Assess: the reads between changes answer what a store never read before answers
    for (const by of ['none', 'channel', 'campaign', 'cohort'])
      expect((await read(cached).funnel({ ...FUNNEL, by })).groups).toEqual(
        (await read(fresh).funnel({ ...FUNNEL, by })).groups,
      );
    for (const model of ['first', 'linear', 'all'])
      for (const by of ['channel', 'campaign'])
        expect(strip(await read(cached).attribution({ ...ATTRIBUTION, model, by }))).toEqual(
          strip(await read(fresh).attribution({ ...ATTRIBUTION, model, by })),
        );
  });

  it('ignores rollups of another version, and a month whose rollups were not all written', async () => {
    // Arrange
    const { cached, fresh, set, project, read } = stores();
    set('a', [ad('2026-09-03T10:00:00', 'instagram', 'autumn')]);
    set('b', [ad('2026-09-20T10:00:00', 'google', 'brand')]);
    await project(['a', 'b']);
    const want = (await read(fresh).funnel(FUNNEL)).groups;
    await read(cached).funnel(FUNNEL);
    const pk = AGG.funnel('2026-09');
    const rollup = itemKey(pk, AGG.rollupSk(AGG.funnelSk('2026-09-03', 'instagram', 'autumn')));
    const version = cached.items.get(rollup)![VERSION_ATTR];
    // Act and assess: a rollup labelled with an older version (a slow writer's sums) is not used
    cached.items.set(rollup, { ...cached.items.get(rollup)!, n: 99, [VERSION_ATTR]: version - 1 });
    expect((await read(cached).funnel(FUNNEL)).groups).toEqual(want);
    // nor the month's rollups when one of them is missing (a writer stopped half way)
    cached.items.delete(rollup);
    expect((await read(cached).funnel(FUNNEL)).groups).toEqual(want);
    // and the running month is never stored: its version moves with every batch
    set('c', [ad('2026-11-02T10:00:00', 'instagram', 'autumn')]);
    await project(['c']);
    const writes = cached.rollupWrites;
    await read(cached).funnel({ ...FUNNEL, to: '2026-12-01' });
    expect(cached.rollupWrites).toBe(writes);
    expect(cached.items.has(itemKey(AGG.funnel('2026-11'), ROLLUP_MARKER_SK))).toBe(false);
  });
});

describe("The projector's refresh of the ended months a batch changed", () => {
  const batch = (ids: string[]) =>
    ids.map((customerId, i) => ({
      customerId,
      sequenceNumber: `s-${++seq}-${i}`,
      at: '2026-11-15T11:00:00.000Z',
    }));

  it('leaves rollups a report then uses without summing the days, writing only the groups that changed', async () => {
    // Arrange: September and October customers, projected as stream batches
    const { cached, fresh, set, read } = stores();
    set('a', [ad('2026-09-03T10:00:00', 'instagram', 'autumn'), buy('2026-09-04T10:00:00', 'o-a', 50)]);
    set('b', [ad('2026-09-20T10:00:00', 'google', 'brand'), tp('2026-09-21T10:00:00', 'Product Added')]);
    set('c', [ad('2026-10-02T10:00:00', 'instagram', 'autumn'), buy('2026-10-09T10:00:00', 'o-c', 80)]);
    set('d', [ad('2026-11-02T10:00:00', 'google', 'brand')]);
    const projector = new AnalyticsProjector(cached, defaultModel, settings);
    await new AnalyticsProjector(fresh, defaultModel, settings).projectMany(['a', 'b', 'c', 'd']);
    // Act
    const result = await projectBatch(cached, projector, batch(['a', 'b', 'c', 'd']), () => NOW);
    const sums = cached.monthSums;
    const writes = cached.rollupWrites;
    const funnel = await read(cached).funnel(FUNNEL);
    const attribution = await read(cached).attribution(ATTRIBUTION);
    // Assess: the batch counted and refreshed September and October (funnel and credit), not
    // the running November; the reports read the stored rollups: no sum, no write
    expect(result).toEqual({ failedFrom: null });
    expect(sums).toBe(4);
    expect(cached.items.has(itemKey(AGG.funnel('2026-11'), ROLLUP_MARKER_SK))).toBe(false);
    expect(cached.monthSums).toBe(sums);
    expect(cached.rollupWrites).toBe(writes);
    expect(funnel.groups).toEqual((await read(fresh).funnel(FUNNEL)).groups);
    expect(strip(attribution)).toEqual(strip(await read(fresh).attribution(ATTRIBUTION)));

    // Act: a late touchpoint changes one September group (google/brand)
    const late = [ad('2026-09-20T10:00:00', 'google', 'brand'), buy('2026-09-25T10:00:00', 'o-b', 20)];
    set('b', late, 2);
    await new AnalyticsProjector(fresh, defaultModel, settings).projectMany(['b']);
    const before = cached.rollupWrites;
    await projectBatch(cached, projector, batch(['b']), () => NOW);
    // Assess: the funnel refresh wrote the one changed rollup and the marker; the credit month
    // gained a group (its rollup and marker); the instagram rollups kept their older labels
    expect(cached.rollupWrites - before).toBe(2 + 2);
    const afterSums = cached.monthSums;
    for (const by of ['none', 'channel', 'campaign', 'cohort'])
      expect((await read(cached).funnel({ ...FUNNEL, by })).groups).toEqual(
        (await read(fresh).funnel({ ...FUNNEL, by })).groups,
      );
    for (const model of ['first', 'linear', 'all'])
      expect(strip(await read(cached).attribution({ ...ATTRIBUTION, model }))).toEqual(
        strip(await read(fresh).attribution({ ...ATTRIBUTION, model })),
      );
    expect(cached.monthSums).toBe(afterSums);
  });

  it('counts the batch when a refresh put fails, and the report then sums the month, exactly', async () => {
    // Arrange
    const { cached, fresh, set, read } = stores();
    set('a', [ad('2026-09-03T10:00:00', 'instagram', 'autumn'), buy('2026-09-04T10:00:00', 'o-a', 50)]);
    set('b', [ad('2026-10-20T10:00:00', 'google', 'brand')]);
    await new AnalyticsProjector(fresh, defaultModel, settings).projectMany(['a', 'b']);
    cached.failRollupPuts = new Error('ProvisionedThroughputExceededException');
    // Act
    const result = await projectBatch(
      cached,
      new AnalyticsProjector(cached, defaultModel, settings),
      batch(['a', 'b']),
      () => NOW,
    );
    const sums = cached.monthSums;
    const funnel = await read(cached).funnel(FUNNEL);
    const attribution = await read(cached).attribution(ATTRIBUTION);
    // Assess: counted (no retry, no mark left), the failure handed back to be logged; the
    // reports sum the months themselves (their own put fails too, best-effort) and are exact
    expect(result.failedFrom).toBeNull();
    expect(result.refreshError).toBe(cached.failRollupPuts);
    expect(await cached.oldestInFlight()).toBeNull();
    expect(cached.contributions.size).toBe(2);
    expect(cached.monthSums).toBeGreaterThan(sums);
    expect(funnel.groups).toEqual((await read(fresh).funnel(FUNNEL)).groups);
    expect(strip(attribution)).toEqual(strip(await read(fresh).attribution(ATTRIBUTION)));
    expect(funnel.lagSeconds).toBe(0);
  });
});

describe('Reports around the month rollups', () => {
  it('answer 503 before summing any month, and read the running month eventually consistent', async () => {
    // Arrange: a September and a November (running) customer; an older layout's item
    const { cached, set, project, read } = stores();
    set('a', [ad('2026-09-03T10:00:00', 'instagram', 'autumn')]);
    set('b', [ad('2026-11-02T10:00:00', 'google', 'brand')]);
    await project(['a', 'b']);
    cached.items.set(itemKey('AGG#v3#stages', '-'), { n: 1 });
    // Act and assess: the 503 reads no month
    await expect(read(cached).funnel({ ...FUNNEL, to: '2026-12-01' })).rejects.toThrow(/rebuild/);
    expect(cached.reads).toEqual([]);
    cached.rebuiltLayout = 4;
    // Act: a report over September to November, whole months
    await read(cached).funnel({ ...FUNNEL, to: '2026-12-01' });
    // Assess: September's days (stored) strongly consistent, November's days (never stored) not
    const days = (month: string) => cached.reads.filter((r) => r.range?.fromSk === `${month}-01`);
    expect(days('2026-09').map((r) => r.consistent)).toEqual([true]);
    expect(days('2026-11').map((r) => r.consistent ?? false)).toEqual([false]);
  });
});

const strip = ({ asOf: _a, ...rest }: Record<string, unknown>) => rest;
