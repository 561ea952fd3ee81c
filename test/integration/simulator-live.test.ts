import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateLive } from '../../lib/simulator/live.js';
import { decide } from '../../lib/simulator/live-decisions.js';
import { SimulationError } from '../../lib/simulator/send.js';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { messages } from '../support/flows.js';
import { api, testStack } from '../support/local.js';

/** `npm run simulate -- --live` against the local stack: customers act through the flows. */
describe('Live simulator on the local stack', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    process.env.STAGEFLOW_TIME_SCALE = '0.000002';
    process.env.STAGEFLOW_SEED_HOLDOUT_PERCENT = '50';
    stack = await testStack('simulate-live');
  });
  afterAll(async () => {
    delete process.env.STAGEFLOW_SEED_HOLDOUT_PERCENT;
    await stack.stop();
  });

  it('reacts to the cart reminder: mailed customers open and click through the local SES, buyers buy', async () => {
    const reactions = { open: 1, click: 1, base: 0.5, effect: 0.5 };
    const summary = await simulateLive({
      url: stack.url,
      key: stack.keys.admin,
      customers: 8,
      seed: 4,
      reactions,
      sesStoreUrl: stack.ses.storeUrl,
      runTag: 'fixed',
      timeoutMs: 180_000,
    });
    const { customers, arms } = summary;
    expect(arms.undecided.customers).toBe(0);
    // The ids are fixed (seed 4, tag "fixed"), so the 50% holdout splits them the same way each run.
    expect(arms.mailed.customers).toBeGreaterThan(0);
    expect(arms['held-out'].customers).toBeGreaterThan(0);
    expect(arms.mailed.customers + arms['held-out'].customers + arms['not-mailed'].customers).toBe(8);
    // Open and click chance 1, buy chance 1 when mailed: every mailed customer did all three.
    expect(arms.mailed.bought).toBe(arms.mailed.customers);
    expect(summary.opened).toBe(arms.mailed.customers);
    expect(summary.clicked).toBe(arms.mailed.customers);
    expect(summary.trackingSkipped).toBe(0);

    for (const [i, c] of customers.entries()) {
      // The same seed and index give the decision the run acted on.
      expect(c.decision).toEqual(decide(4, i, c.exposure as 'mailed', reactions));
      const reminder = await eventually(async () => {
        const m = (await messages(stack, c.userId)).find((x) => x.campaignId === 'default-nurture-decide');
        if (c.exposure === 'mailed') expect(m?.engagement).toMatchObject({ status: 'clicked' });
        return m!;
      });
      expect(reminder.status).toBe(
        c.exposure === 'mailed' ? 'sent' : c.exposure === 'held-out' ? 'held-out' : 'suppressed',
      );
      const touchpoints = (
        await api(stack, stack.keys.admin)('GET', `/v1/customers/${c.userId}/touchpoints?limit=100`)
      ).body.items.map((t: { event: string }) => t.event);
      expect(touchpoints.includes('Order Completed')).toBe(c.bought);
    }

    // The campaign report counts what the simulated customers did: the lift has real data.
    await eventually(async () => {
      const m = (await api(stack, stack.keys.admin)('GET', '/v1/campaigns/default-nurture-decide/metrics'))
        .body;
      expect(m).toMatchObject({
        entered: arms.mailed.customers + arms['held-out'].customers + arms['not-mailed'].customers,
        heldOut: arms['held-out'].customers,
        opened: { unique: summary.opened },
        clicked: { unique: summary.clicked },
      });
      expect(m.conversion.treatment.converted).toBe(arms.mailed.bought + arms['not-mailed'].bought);
      expect(m.conversion.control.converted).toBe(arms['held-out'].bought);
    });
    // The run's own wait for the flows is 180 s; the test allows the same (a loaded CI machine).
  }, 240_000);

  it('refuses a campaign whose trigger it cannot meet, by name, before any customer acts', async () => {
    // The review request starts when a customer enters enjoy (after a purchase), not before it.
    const run = simulateLive({
      url: stack.url,
      key: stack.keys.admin,
      customers: 2,
      seed: 1,
      campaignIds: ['default-nurture-decide', 'default-review-request'],
      reactions: { open: 1, click: 1, base: 0.5, effect: 0.5 },
      runTag: 'refused',
      timeoutMs: 10_000,
    });
    await expect(run).rejects.toThrow(SimulationError);
    await expect(run).rejects.toThrow(
      /campaign default-review-request does not start .* cannot meet its trigger/,
    );
    const refused = await api(stack, stack.keys.admin)('GET', '/v1/customers/live-1-refused-0/touchpoints');
    expect(refused.status).toBe(404);
  });
});
