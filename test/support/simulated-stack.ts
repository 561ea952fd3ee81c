import { expect } from 'vitest';
import {
  type LiveOptions,
  type LiveSummary,
  NURTURE_CAMPAIGNS,
  simulateLive,
} from '../../lib/simulator/live.js';
import { ensureConsoleBuilt } from '../../local/console.js';
import type { LocalStack } from '../../local/stack.js';
import { bounded } from './browser.js';
import { api, testStack } from './local.js';

export interface SimulatedStack {
  stack: LocalStack;
  /** The admin key's client, each call bounded to 30 s so a hung request names itself. */
  admin: ReturnType<typeof api>;
  summary: LiveSummary;
}

/**
 * A local stack with the console built, filled by the CLI's live run (`npm run simulate --
 * --live`) on a fast clock. The seeded marketing campaigns hold half their customers out, so a
 * small run gives both arms customers; every simulated customer ends decided.
 */
/**
 * The CLI's live run over the three nurture campaigns, two customers each (the new-user and
 * trials browser files): every mailed customer opens, half click, and both arms buy half the time.
 */
export const LIVE_NURTURE_RUN = {
  customers: 6,
  seed: 4,
  campaignIds: NURTURE_CAMPAIGNS,
  reactions: { open: 1, click: 0.5, base: 0.5, effect: 0.5 },
} as const;

export async function simulatedStack(
  name: string,
  live: Omit<LiveOptions, 'url' | 'key' | 'sesStoreUrl' | 'timeoutMs'>,
): Promise<SimulatedStack> {
  process.env.STAGEFLOW_TIME_SCALE = '0.000002';
  process.env.STAGEFLOW_SEED_HOLDOUT_PERCENT = '50';
  ensureConsoleBuilt();
  const stack = await testStack(name);
  delete process.env.STAGEFLOW_SEED_HOLDOUT_PERCENT;
  const adminApi = api(stack, stack.keys.admin);
  const admin: ReturnType<typeof api> = (method, path, body, headers) =>
    bounded(`${method} ${path}`, adminApi(method, path, body, headers), 30_000);
  const summary = await simulateLive({
    ...live,
    url: stack.url,
    key: stack.keys.admin,
    sesStoreUrl: stack.ses.storeUrl,
    timeoutMs: 120_000,
  });
  expect(summary.arms.undecided.customers).toBe(0);
  return { stack, admin, summary };
}
