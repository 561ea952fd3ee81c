import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../lib/simulator/send.js';
import type { LocalStack } from '../../local/stack.js';
import {
  type RefCustomer,
  type RefSettings,
  referenceAttribution,
  referenceFunnel,
  referenceStages,
} from '../support/analytics-reference.js';
import { eventually } from '../support/eventually.js';
import { api, testStack } from '../support/local.js';

/**
 * Issue 7's acceptance: after `npm run simulate` on a fresh local stack, every funnel,
 * attribution and stage figure equals a plain recomputation from `GET /v1/customers/{id}` and
 * its touchpoints (test/support/analytics-reference.ts). A CI-sized population.
 */
const END = '2026-11-20T00:00:00.000Z';
const SETTINGS: RefSettings = { timeZone: 'UTC', currency: 'USD', from: '2026-08-01', to: '2026-12-01' };
const STAGES = ['consider', 'research', 'decide', 'act', 'enjoy', 'refer', 'repeat'];

let stack: LocalStack;
let admin: ReturnType<typeof api>;
const customers = new Map<string, RefCustomer & { stage: string | null; stageSince: string | null }>();

beforeAll(async () => {
  stack = await testStack('analytics-simulate');
  admin = api(stack, stack.keys.admin);
  const summary = await simulate({
    url: stack.url,
    key: stack.keys.ingest,
    customers: 80,
    days: 90,
    seed: 7,
    end: new Date(END),
    batchSize: 100,
    concurrency: 2,
  });
  expect(summary.rejected).toBe(0);
  // The plain side: each customer as the API shows them.
  for (const { customerId } of summary.perCustomer) {
    const id = encodeURIComponent(customerId);
    const profile = await admin('GET', `/v1/customers/${id}`);
    expect(profile.status, customerId).toBe(200);
    const touchpoints = [];
    let cursor: string | null = null;
    do {
      const page = await admin(
        'GET',
        `/v1/customers/${id}/touchpoints?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status, customerId).toBe(200);
      touchpoints.push(...page.body.items);
      cursor = page.body.nextCursor ?? null;
    } while (cursor);
    customers.set(customerId, {
      touchpoints,
      stagesReached: profile.body.stagesReached ?? {},
      stage: profile.body.stage ?? null,
      stageSince: profile.body.stageSince ?? null,
    });
  }
}, 600_000);
afterAll(async () => stack?.stop());

/** A report once every change is counted: lagSeconds (stream backlog included) polled to 0. */
async function counted(path: string) {
  return eventually(async () => {
    const res = await admin('GET', path);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.lagSeconds).toBe(0);
    return res.body;
  });
}

const close = (got: number, want: number, tolerance: number) =>
  expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(tolerance);

describe('After npm run simulate on a fresh local stack', () => {
  it('every attribution figure equals a recomputation from the customers’ touchpoints, for every model, key and lookback', async () => {
    const all = [...customers.values()];
    for (const lookbackDays of [7, 30, 90])
      for (const by of ['channel', 'campaign'] as const) {
        const got = await counted(
          `/v1/analytics/attribution?from=${SETTINGS.from}&to=${SETTINGS.to}&model=all&by=${by}&lookbackDays=${lookbackDays}`,
        );
        const want = referenceAttribution(all, lookbackDays, by, SETTINGS);
        expect(want.orders).toBeGreaterThan(5);
        expect(got.conversions).toBe(want.orders);
        expect(Object.keys(got.revenue).sort()).toEqual(Object.keys(want.revenue).sort());
        for (const [cur, v] of Object.entries(want.revenue)) close(got.revenue[cur], v, 1e-6);
        const tolerance = Math.max(1, want.orders) * 1e-6;
        for (const row of got.rows) expect(want.rows.has(row.key[by]), row.key[by]).toBe(true);
        for (const [key, byModel] of want.rows) {
          const row = got.rows.find((r: { key: Record<string, string> }) => r.key[by] === key);
          for (const [model, cell] of Object.entries(byModel)) {
            close(row?.conversions[model] ?? 0, cell.o, tolerance);
            for (const [cur, v] of Object.entries(cell.r))
              close(row?.revenue[model]?.[cur] ?? 0, v, tolerance * 1000);
          }
        }
      }
  }, 300_000);

  it('every funnel figure equals a recomputation, for each grouping, several windows and step lists', async () => {
    const all = [...customers.values()];
    for (const steps of [STAGES, ['consider', 'decide', 'act'], ['research', 'enjoy', 'repeat']])
      for (const windowDays of [1, 7, 30, 365])
        for (const by of ['none', 'channel', 'campaign'] as const) {
          const got = await counted(
            `/v1/analytics/funnel?from=${SETTINGS.from}&to=${SETTINGS.to}&by=${by}&windowDays=${windowDays}&steps=${steps.join(',')}`,
          );
          const want = referenceFunnel(all, steps, windowDays, by, SETTINGS);
          expect(got.groups.length).toBe(want.size);
          for (const [key, g] of want) {
            const group = got.groups.find(
              (x: { key: Record<string, string> | null }) =>
                (x.key ? Object.values(x.key)[0] : 'all') === key,
            );
            expect(group?.customers, `${by} ${key}`).toBe(g.customers);
            expect(
              group.steps.map((s: { reached: number }) => s.reached),
              `${by} ${key} ${windowDays}`,
            ).toEqual(g.reached);
            expect(
              group.steps.map((s: { medianHoursToReach: number | null }) => s.medianHoursToReach),
            ).toEqual(g.median);
          }
        }
    const none = await counted(`/v1/analytics/funnel?from=${SETTINGS.from}&to=${SETTINGS.to}`);
    expect(none.groups[0].customers).toBe(customers.size);
  }, 300_000);

  it('every stage figure equals a count of the customers’ stored stages', async () => {
    const got = await counted('/v1/analytics/stages?stalledAfterDays=14');
    const want = referenceStages([...customers.values()], Date.parse(got.asOf), 14);
    expect(got.total).toBe(customers.size);
    for (const row of got.stages) {
      expect(row.customers, row.stage).toBe(want.get(row.stage)?.customers ?? 0);
      expect(row.stalled, row.stage).toBe(want.get(row.stage)?.stalled ?? 0);
    }
  });
});
