import { describe, expect, it } from 'vitest';
import { AGG, itemKey, VERSION_ATTR } from '../../lib/analytics/cells.js';
import { DynamoDbAnalyticsStore } from '../../lib/analytics/dynamodb-analytics-store.js';
import { rangeItems, refreshRollups } from '../../lib/analytics/month-rollups.js';
import { testTable } from '../support/local.js';

const pk = AGG.funnel('2026-09');
const DAY_SK = AGG.funnelSk('2026-09-03', 'instagram', 'autumn');
const ROLLUP_SK = AGG.rollupSk(DAY_SK);

/** One change to September as the projector sends it: a day item's counters and the month's version. */
const change = (id: string, n: number, daySk = DAY_SK) => ({
  customerId: id,
  expectedRev: 0,
  facts: null,
  profileVersion: 1,
  deltas: new Map([
    [itemKey(pk, daySk), new Map([['n', n]])],
    [itemKey(pk, 'V'), new Map([[VERSION_ATTR, 1]])],
  ]),
});

describe('DynamoDbAnalyticsStore: month versions and the rollups reports store', () => {
  it('reads the version the transactions bumped, and never puts a rollup over one with a newer label', async () => {
    // Arrange: two transactions change September
    const { client, tableName } = await testTable('analytics-rollups');
    const store = new DynamoDbAnalyticsStore(client, tableName);
    expect(await store.version(pk)).toBe(0);
    expect(await store.apply([change('a', 1)])).toBe(true);
    expect(await store.apply([change('b', 2)])).toBe(true);
    // Act: a report stores the rollup at version 2; a slower one, summed at version 1, comes later
    const version = await store.version(pk);
    await store.putRollups(pk, version, [{ pk, sk: ROLLUP_SK, counters: { n: 3 } }]);
    await store.putRollups(pk, 1, [{ pk, sk: ROLLUP_SK, counters: { n: 1 } }]);
    // Assess
    expect(version).toBe(2);
    const [rollup] = await store.aggregates([{ pk, range: AGG.rollupRange }]);
    expect(rollup).toEqual({ pk, sk: ROLLUP_SK, counters: { n: 3, [VERSION_ATTR]: 2 } });
    const [day] = await store.aggregates([
      { pk, range: { fromSk: '2026-09-01', toSk: '2026-10-01' }, consistent: true },
    ]);
    expect(day.counters).toEqual({ n: 3 });
  });

  it('refreshes the changed rollups only, and a report then reads them without summing the days', async () => {
    // Arrange: two groups of September in one transaction (version 2), refreshed as the projector does
    const { client, tableName } = await testTable('analytics-refresh');
    const store = new DynamoDbAnalyticsStore(client, tableName);
    const other = AGG.funnelSk('2026-09-20', 'google', 'brand');
    expect(await store.apply([change('a', 1), change('b', 2, other)])).toBe(true);
    const now = Date.parse('2026-11-15T12:00:00Z');
    const month = { from: '2026-09-01', to: '2026-10-01', now, rollups: true };
    expect((await refreshRollups(store, [pk, AGG.funnel('2026-11')], now)).refreshed).toBe(1);
    // Act: a report over September, then a change to one group and its refresh
    const before = store.stats.requests;
    const first = await rangeItems(store, AGG.funnel, month);
    const warmRequests = store.stats.requests - before;
    expect(await store.apply([change('c', 4)])).toBe(true);
    await refreshRollups(store, [pk], now);
    const second = await rangeItems(store, AGG.funnel, month);
    // Assess: the report read the rollups and the version, nothing else; the unchanged group
    // kept its label, the changed one and the marker carry the new version
    expect(warmRequests).toBe(2);
    expect(first.map((i) => i.counters.n).sort()).toEqual([1, 2]);
    expect(second.map((i) => i.counters.n).sort()).toEqual([2, 5]);
    const stored = await store.aggregates([{ pk, range: AGG.rollupRange, consistent: true }]);
    expect(Object.fromEntries(stored.map((i) => [i.sk, i.counters]))).toEqual({
      'M#': { [VERSION_ATTR]: 3, rollups: 2, labels: 5 },
      [ROLLUP_SK]: { n: 5, [VERSION_ATTR]: 3 },
      [AGG.rollupSk(other)]: { n: 2, [VERSION_ATTR]: 2 },
    });
  });
});
