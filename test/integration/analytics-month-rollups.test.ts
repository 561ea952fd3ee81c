import { describe, expect, it } from 'vitest';
import { AGG, itemKey, VERSION_ATTR } from '../../lib/analytics/cells.js';
import { DynamoDbAnalyticsStore } from '../../lib/analytics/dynamodb-analytics-store.js';
import { testTable } from '../support/local.js';

const pk = AGG.funnel('2026-09');
const DAY_SK = AGG.funnelSk('2026-09-03', 'instagram', 'autumn');
const ROLLUP_SK = AGG.rollupSk(DAY_SK);

/** One change to September as the projector sends it: a day item's counters and the month's version. */
const change = (id: string, n: number) => ({
  customerId: id,
  expectedRev: 0,
  facts: null,
  profileVersion: 1,
  deltas: new Map([
    [itemKey(pk, DAY_SK), new Map([['n', n]])],
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
});
