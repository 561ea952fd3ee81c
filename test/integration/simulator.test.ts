import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyInTimeOrder, simulateJourneys } from '../../lib/simulator/journeys.js';
import { simulate } from '../../lib/simulator/send.js';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { api, testStack } from '../support/local.js';

const run = promisify(execFile);
const END = '2026-11-20T00:00:00.000Z';

/** `npm run simulate` as a separate process, as a developer runs it. */
async function simulateCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await run(process.execPath, ['--import', 'tsx', 'scripts/simulate.ts', ...args], {
      cwd: process.cwd(),
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, STAGEFLOW_API_KEY: '' },
    });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('Journeys (lib/simulator/journeys.ts)', () => {
  const options = { customers: 2000, days: 90, seed: 7, end: new Date(END) };

  it('are the same for the same seed and differ for another', () => {
    const a = simulateJourneys(options);
    expect(simulateJourneys(options)).toEqual(a);
    expect(simulateJourneys({ ...options, seed: 8 })).not.toEqual(a);
  });

  it('mix channels, campaigns and locales, and include drop-offs, orders, refunds, reviews, deliveries and shares', () => {
    // Act
    const customers = simulateJourneys(options);
    const calls = historyInTimeOrder(customers);
    // Assess
    const channels = new Set(customers.map((c) => c.channel));
    expect([...channels].sort()).toEqual(['direct', 'newsletter', 'paid_social', 'referral', 'search']);
    expect(new Set(customers.map((c) => c.locale))).toEqual(new Set(['en', 'de']));
    const campaigns = new Set(calls.map((c) => c.context.campaign?.name).filter(Boolean));
    expect(campaigns.size).toBeGreaterThanOrEqual(5);
    const events = new Set(calls.map((c) => c.event));
    for (const event of [
      'Order Completed',
      'Order Delivered',
      'Order Refunded',
      'Order Cancelled',
      'Product Reviewed',
      'Product Shared',
    ]) {
      expect(events).toContain(event);
    }
    const buyers = customers.filter((c) => c.calls.some((x) => x.event === 'Order Completed')).length;
    expect(buyers).toBeGreaterThan(0.05 * customers.length);
    expect(buyers).toBeLessThan(0.5 * customers.length); // most drop off before buying
    expect(customers.some((c) => c.userId === null)).toBe(true); // anonymous visitors stay anonymous
    // Every touchpoint lies in the period, oldest first.
    expect(calls[0].timestamp >= new Date(Date.parse(END) - 90 * 86_400_000).toISOString()).toBe(true);
    expect(calls[calls.length - 1].timestamp < END).toBe(true);
  });
});

describe('npm run simulate against a local stack', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await testStack('simulator');
  });
  afterAll(async () => stack.stop());

  it('stores exactly what it reports having sent, and a second run is all duplicates', async () => {
    // Act: the same code `npm run simulate` runs (the CLI itself is run in the next test).
    const options = {
      url: stack.url,
      key: stack.keys.ingest,
      customers: 40,
      days: 30,
      seed: 7,
      end: new Date(END),
      batchSize: 25,
      concurrency: 2,
    };
    const progress: number[] = [];
    const summary = await simulate({ ...options, progress: (p) => progress.push(p.sent / p.total) });
    // Assess: what it says it sent
    expect(progress.at(-1)).toBe(1);
    expect(summary.customers).toBe(40);
    // A request retried after a timeout finds its touchpoints stored already: duplicates, not losses.
    expect(summary.accepted + summary.duplicate).toBe(summary.touchpoints);
    if (summary.retries === 0) expect(summary.duplicate).toBe(0);
    expect(summary.rejected).toBe(0);
    expect(summary.perCustomer.reduce((n, c) => n + c.touchpoints, 0)).toBe(summary.touchpoints);

    // Assess: what Stageflow stored, customer by customer, equals it
    const admin = api(stack, stack.keys.admin);
    for (const expected of summary.perCustomer) {
      const res = await admin('GET', `/v1/customers/${encodeURIComponent(expected.customerId)}`);
      expect(res.status, expected.customerId).toBe(200);
      expect(res.body.counts.touchpoints, expected.customerId).toBe(expected.touchpoints);
      expect(res.body.stage, expected.customerId).toBe(expected.stage);
    }
    // ... and the customer list holds exactly these customers.
    await eventually(async () => {
      const listed: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await admin(
          'GET',
          `/v1/customers?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        listed.push(...page.body.items.map((i: { customerId: string }) => i.customerId));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(listed.sort()).toEqual(summary.perCustomer.map((c) => c.customerId).sort());
    });

    // Act: the same seed again
    const second = await simulate(options);
    // Assess
    expect(second.perCustomer).toEqual(summary.perCustomer);
    expect(second.duplicate).toBe(summary.touchpoints);
    expect(second.accepted).toBe(0);
  }, 600_000);

  it('runs as npm run simulate: stops with a clear message when the key is refused, also in --live', async () => {
    const refused = await simulateCli([
      '--url',
      stack.url,
      '--key',
      'sf_wrong',
      '--customers',
      '2',
      '--end',
      END,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused the batch with 401 \(check --key/);

    // --live reads message logs: an ingest key is refused with the reason, a bad chance by name.
    const live = await simulateCli(['--live', '--url', stack.url, '--key', stack.keys.ingest]);
    expect(live.code).toBe(1);
    expect(live.stderr).toMatch(/answered 403 \(--live needs an admin key\)/);
    const badEffect = await simulateCli([
      '--live',
      '--url',
      stack.url,
      '--key',
      stack.keys.admin,
      '--effect',
      '3',
    ]);
    expect(badEffect.code).toBe(2);
    expect(badEffect.stderr).toMatch(/--effect must be from -1 to 1/);
  }, 120_000);
});
