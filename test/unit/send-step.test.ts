import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../lib/campaigns/campaign.js';
import { ConfigurationError } from '../../lib/config.js';
import type { ClaimResult, MessageLog, MessageRecord } from '../../lib/flows/message-log.js';
import type { FlowDeps, OutgoingMail } from '../../lib/flows/ports.js';
import type { CampaignRun } from '../../lib/flows/run.js';
import { exitReason, quietMinutesLeft, runStep } from '../../lib/flows/send-step.js';
import type { Profile } from '../../lib/ingest/ports.js';
import { initialState } from '../../lib/journey/index.js';

const campaign = (steps: Campaign['steps'], exit: Campaign['exit'] = 'none'): Campaign => ({
  campaignId: 'c-1',
  version: 2,
  status: 'active',
  name: 'Test',
  flow: 'nurture',
  trigger: { type: 'stage', enters: ['decide'] },
  steps,
  audience: {},
  exit,
  holdoutPercent: 0,
  conversionWindowDays: 7,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const marketing = { wait: { hours: 1 }, template: 'cart-reminder', category: 'marketing' as const };

/** In-memory stand-ins for every port the send step uses. */
function world(
  options: { campaign?: Campaign; traits?: Record<string, unknown>; stage?: string; now?: string } = {},
) {
  let now = new Date(options.now ?? '2026-06-01T12:00:00.000Z');
  const sent: OutgoingMail[] = [];
  const log = new Map<string, MessageRecord>();
  const cap: Record<string, number> = {};
  let paused = false;
  const profile: Profile = {
    customerId: 'u-1',
    state: {
      ...initialState(),
      stage: options.stage ?? 'decide',
      traits: { email: 'u1@example.com', ...options.traits },
    },
    version: 3,
    anonymousIds: [],
    modelVersion: 'm@1',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const messageLog: MessageLog = {
    // The DynamoDB adapter's rules: a live lease is in doubt, an expired one is resent or unknown.
    async claim(_c, r, expiry): Promise<ClaimResult> {
      const key = `${r.runId}#${r.step}`;
      const existing = log.get(key);
      if (existing && existing.status !== 'retrying') {
        if (existing.status !== 'sending') return 'already-sent';
        if (Date.parse(existing.leaseUntil ?? '') > expiry.now.getTime()) return 'in-doubt';
        if (expiry.onExpired === 'unknown') {
          log.set(key, { ...existing, status: 'unknown', reasonCode: 'unknown', leaseUntil: undefined });
          return 'unknown';
        }
      }
      log.set(key, r);
      return 'claimed';
    },
    async record(_c, r) {
      log.set(`${r.runId}#${r.step}`, r);
    },
    async list() {
      return [...log.values()];
    },
    claimCycle: async () => true,
    async takeCapSlot(_c, claimId, max, windowMs, at) {
      if (cap[claimId] !== undefined) return true;
      const live = Object.values(cap).filter((t) => t > at.getTime() - windowMs);
      if (live.length >= max) return false;
      cap[claimId] = at.getTime();
      return true;
    },
  };
  const c = options.campaign ?? campaign([marketing]);
  const deps: FlowDeps = {
    campaigns: {
      activeCampaigns: async () => [c],
      pausedCampaigns: async () => [],
      campaignVersion: async () => ({ campaign: c, live: true }),
    },
    customers: {
      profile: async () => profile,
      history: async () => ({ profile, touchpoints: [], transitions: [] }),
    },
    consent: {
      canSend: async (_id, _cat, email) => (email ? { ok: true } : { ok: false, reason: 'no-address' }),
    },
    mailer: {
      send: async (mail) => {
        sent.push(mail);
        return { messageId: `m-${sent.length}` };
      },
    },
    log: messageLog,
    events: { publish: async () => {} },
    marketing: { isMarketingPaused: async () => paused },
    stats: { countSkip: async () => {} },
    measurement: {
      globalControlPercent: async () => 0,
      assign: async (_c, a) => a,
      enterGlobal: async (_c, arm, at) => ({ arm, at }),
    },
    clock: () => now,
    settings: {
      frequencyCap: 3,
      frequencyWindowMs: 7 * 24 * 3600_000,
      quietHours: { start: 21, end: 8 },
      timeScale: 1,
      defaultTimeZone: 'UTC',
      sendLeaseMs: 300_000,
    },
  };
  const run = (over: Partial<CampaignRun> = {}): CampaignRun => ({
    runId: 'r-1',
    flow: 'nurture',
    campaignId: 'c-1',
    version: 2,
    customerId: 'u-1',
    eventId: 'e-1',
    correlationId: 'tp-1',
    trigger: { stage: 'decide', at: now.toISOString(), startedAt: now.toISOString() },
    orderId: null,
    productIds: [],
    role: 'customer',
    step: 0,
    waitUntil: now.toISOString(),
    quietDelayed: false,
    pausedSince: null,
    next: 'wait',
    arm: null,
    ...over,
  });
  return {
    deps,
    sent,
    log,
    profile,
    run,
    setPaused: (p: boolean) => {
      paused = p;
    },
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

describe('Flow send step', () => {
  it('sends a marketing step and ends the run when it was the last step', async () => {
    // Prepare
    const w = world();
    // Act
    const next = await runStep(w.deps, w.run());
    // Assess
    expect(w.sent.map((m) => [m.template, m.category, m.to])).toEqual([
      ['cart-reminder', 'marketing', 'u1@example.com'],
    ]);
    expect(next.next).toBe('done');
    expect([...w.log.values()].map((m) => m.status)).toEqual(['sent']);
  });

  it('holds a marketing step while marketing is paused and sends it once the pause ends', async () => {
    // Prepare
    const w = world();
    w.setPaused(true);
    // Act
    const held = await runStep(w.deps, w.run());
    w.advance(3600_000);
    w.setPaused(false);
    const resumed = await runStep(w.deps, held);
    // Assess
    expect(held).toMatchObject({ next: 'wait', step: 0, pausedSince: '2026-06-01T12:00:00.000Z' });
    expect(Date.parse(held.waitUntil) - Date.parse('2026-06-01T12:00:00.000Z')).toBe(3600_000);
    expect(resumed.next).toBe('done');
    expect(w.sent).toHaveLength(1);
  });

  it('gives up on a paused marketing step after three days and says why', async () => {
    // Prepare
    const w = world();
    w.setPaused(true);
    let run = await runStep(w.deps, w.run());
    // Act
    w.advance(3 * 24 * 3600_000);
    run = await runStep(w.deps, run);
    // Assess
    expect(run.next).toBe('done');
    expect(w.sent).toEqual([]);
    expect([...w.log.values()].map((m) => m.reason)).toEqual(['marketing paused (SES reputation alarm)']);
  });

  it('sends transactional mail while marketing is paused', async () => {
    // Prepare
    const w = world({ campaign: campaign([{ wait: {}, template: 'thank-you', category: 'transactional' }]) });
    w.setPaused(true);
    // Act
    await runStep(w.deps, w.run());
    // Assess
    expect(w.sent.map((m) => m.template)).toEqual(['thank-you']);
  });

  it('delays a marketing step to 08:00 in the customer time zone and then sends it without asking again', async () => {
    // Prepare: 22:30 in Berlin (20:30 UTC in summer)
    const w = world({ traits: { timezone: 'Europe/Berlin' }, now: '2026-06-01T20:30:00.000Z' });
    // Act
    const delayed = await runStep(w.deps, w.run());
    w.advance(Date.parse(delayed.waitUntil) - Date.parse('2026-06-01T20:30:00.000Z'));
    const sent = await runStep(w.deps, delayed);
    // Assess
    expect(delayed).toMatchObject({ next: 'wait', quietDelayed: true, step: 0 });
    expect(delayed.waitUntil).toBe('2026-06-02T06:00:00.000Z');
    expect(sent.next).toBe('done');
    expect(w.sent).toHaveLength(1);
  });

  it('counts quiet hours across midnight and not outside them', () => {
    expect(quietMinutesLeft(new Date('2026-06-01T21:00:00Z'), 'UTC', { start: 21, end: 8 })).toBe(11 * 60);
    expect(quietMinutesLeft(new Date('2026-06-01T07:30:00Z'), 'UTC', { start: 21, end: 8 })).toBe(30);
    expect(quietMinutesLeft(new Date('2026-06-01T08:00:00Z'), 'UTC', { start: 21, end: 8 })).toBe(0);
    expect(quietMinutesLeft(new Date('2026-06-01T20:59:00Z'), 'UTC', { start: 21, end: 8 })).toBe(0);
  });

  it('logs a capped step as suppressed and goes on to the next step', async () => {
    // Prepare: three marketing mails already in the window
    const w = world({ campaign: campaign([marketing, { ...marketing, template: 'repeat-offer' }]) });
    for (let i = 0; i < 3; i++)
      await w.deps.log.takeCapSlot(
        'u-1',
        `other-${i}`,
        3,
        7 * 24 * 3600_000,
        new Date('2026-06-01T11:00:00Z'),
      );
    // Act
    const next = await runStep(w.deps, w.run());
    // Assess
    expect(w.sent).toEqual([]);
    expect([...w.log.values()].map((m) => [m.status, m.reason])).toEqual([
      ['suppressed', 'frequency cap: 3 marketing mails per window'],
    ]);
    expect(next).toMatchObject({ next: 'wait', step: 1 });
  });

  it('ends the run without sending when the customer has moved on from the trigger stage', async () => {
    // Prepare
    const w = world({ campaign: campaign([marketing], 'stage-left'), stage: 'act' });
    // Act
    const next = await runStep(w.deps, w.run());
    // Assess
    expect(next.next).toBe('done');
    expect(w.sent).toEqual([]);
    expect([...w.log.values()][0].reason).toBe('exit: stage moved on from decide to act');
  });

  it('never sends a step twice when the task is run again after it sent', async () => {
    // Prepare
    const w = world();
    const run = w.run();
    // Act
    await runStep(w.deps, run);
    await runStep(w.deps, run);
    // Assess
    expect(w.sent).toHaveLength(1);
  });

  it('records a transient failure as retrying and rethrows it for the state machine to retry', async () => {
    // Prepare
    const w = world();
    let failures = 1;
    const send = w.deps.mailer.send;
    w.deps.mailer.send = async (mail) => {
      if (failures-- > 0) throw Object.assign(new Error('SES throttled'), { name: 'TransientSendError' });
      return send(mail);
    };
    // Act
    await expect(runStep(w.deps, w.run())).rejects.toMatchObject({ name: 'TransientSendError' });
    await runStep(w.deps, w.run());
    // Assess
    expect(w.sent).toHaveLength(1);
    expect([...w.log.values()].map((m) => m.status)).toEqual(['sent']);
  });

  describe('a send whose attempt died between its claim and SES (issue 12, item 6)', () => {
    /** The first attempt claims and never comes back, as when its process is killed. */
    const crashOnce = (w: ReturnType<typeof world>) => {
      const send = w.deps.mailer.send;
      let crashed = false;
      w.deps.mailer.send = (mail) => {
        if (crashed) return send(mail);
        crashed = true;
        return new Promise(() => undefined);
      };
    };
    const thankYou = campaign([{ wait: { hours: 0 }, template: 'thank-you', category: 'transactional' }]);

    it('waits out the live lease, then sends transactional mail again: at least once', async () => {
      // Prepare
      const w = world({ campaign: thankYou });
      crashOnce(w);
      void runStep(w.deps, w.run({ flow: 'thank-you' }));
      await new Promise((resolve) => setImmediate(resolve));
      expect([...w.log.values()].map((m) => m.status)).toEqual(['sending']);

      // Act: a later attempt, within the lease and after it
      const claimedAt = Date.parse(w.run().waitUntil);
      const early = await runStep(w.deps, w.run({ flow: 'thank-you' }));
      w.advance(300_001);
      const late = await runStep(w.deps, w.run({ flow: 'thank-you' }));

      // Assess
      expect(early).toMatchObject({ next: 'wait', step: 0 });
      expect(Date.parse(early.waitUntil) - claimedAt).toBe(300_000);
      expect(late.next).toBe('done');
      expect(w.sent.map((m) => m.template)).toEqual(['thank-you']);
      expect([...w.log.values()].map((m) => m.status)).toEqual(['sent']);
    });

    it('records marketing mail as unknown after the lease, and never sends it again: at most once', async () => {
      // Prepare
      const w = world({ now: '2026-06-01T12:00:00.000Z' });
      crashOnce(w);
      void runStep(w.deps, w.run());
      await new Promise((resolve) => setImmediate(resolve));

      // Act
      w.advance(300_001);
      const next = await runStep(w.deps, w.run());

      // Assess
      expect(next.next).toBe('done');
      expect(w.sent).toEqual([]);
      expect([...w.log.values()]).toEqual([
        expect.objectContaining({ status: 'unknown', reasonCode: 'unknown', template: 'cart-reminder' }),
      ]);
    });

    it('claims with a lease and the run, so a sweeper can resend after a restart', async () => {
      // Prepare
      const w = world({ campaign: thankYou });
      crashOnce(w);

      // Act
      void runStep(w.deps, w.run({ flow: 'thank-you' }));
      await new Promise((resolve) => setImmediate(resolve));

      // Assess
      expect([...w.log.values()][0]).toMatchObject({
        status: 'sending',
        category: 'transactional',
        leaseUntil: '2026-06-01T12:05:00.000Z',
        run: { runId: 'r-1', step: 0 },
      });
    });
  });

  it('retries a missing setting instead of failing the mail for good', async () => {
    // Prepare
    const w = world();
    const send = w.deps.mailer.send;
    let configured = false;
    w.deps.mailer.send = async (mail) => {
      if (!configured) throw new ConfigurationError('STAGEFLOW_PUBLIC_URL must be set');
      return send(mail);
    };

    // Act
    await expect(runStep(w.deps, w.run())).rejects.toMatchObject({ name: 'ConfigurationError' });
    const logged = [...w.log.values()].map((m) => m.status);
    configured = true;
    await runStep(w.deps, w.run());

    // Assess
    expect(logged).toEqual(['retrying']);
    expect(w.sent).toHaveLength(1);
    expect([...w.log.values()].map((m) => m.status)).toEqual(['sent']);
  });
});

describe('Flow send step: assignment and control groups', () => {
  const twoSteps = (holdoutPercent: number) => ({
    ...campaign([marketing, { ...marketing, template: 'cart-reminder-2' }]),
    holdoutPercent,
  });

  it('assigns at the first send step and takes a held-out run through every step without sending', async () => {
    // Prepare: a 100% holdout puts everyone in the control group
    const w = world({ campaign: twoSteps(100) });
    const assigned: unknown[] = [];
    w.deps.measurement.assign = async (_c, a) => {
      assigned.push(a);
      return a;
    };

    // Act
    const first = await runStep(w.deps, w.run());
    const second = await runStep(w.deps, first);

    // Assess
    expect(w.sent).toEqual([]);
    expect(first).toMatchObject({ arm: 'control', step: 1, next: 'wait' });
    expect(second.next).toBe('done');
    expect([...w.log.values()].map((m) => [m.status, m.reasonCode, m.step])).toEqual([
      ['held-out', 'held-out', 0],
      ['held-out', 'held-out', 1],
    ]);
    expect(assigned).toEqual([
      { campaignId: 'c-1', arm: 'control', at: '2026-06-01T12:00:00.000Z', goal: 'purchase', windowDays: 7 },
    ]);
  });

  it('keeps the arm a customer was given before, whatever the holdout is now', async () => {
    const w = world({ campaign: twoSteps(100) });
    w.deps.measurement.assign = async (_c, a) => ({ ...a, arm: 'treatment' });
    await runStep(w.deps, w.run());
    expect(w.sent.map((m) => m.template)).toEqual(['cart-reminder']);
  });

  it('does not assign a customer whose exit condition is met first', async () => {
    const w = world({
      campaign: { ...campaign([marketing], 'stage-left'), holdoutPercent: 50 },
      stage: 'act',
    });
    let assigned = 0;
    w.deps.measurement.assign = async (_c, a) => {
      assigned++;
      return a;
    };
    await runStep(w.deps, w.run());
    expect(assigned).toBe(0);
    expect([...w.log.values()].map((m) => m.reasonCode)).toEqual(['exit']);
  });

  it('holds a global-control customer out of marketing mail and outside the campaign experiment', async () => {
    // Prepare: every bucket is below 100
    const w = world();
    w.deps.measurement.globalControlPercent = async () => 100;
    let assigned = 0;
    w.deps.measurement.assign = async (_c, a) => {
      assigned++;
      return a;
    };

    // Act
    await runStep(w.deps, w.run());

    // Assess
    expect(w.sent).toEqual([]);
    expect(assigned).toBe(0);
    expect([...w.log.values()].map((m) => [m.status, m.reasonCode])).toEqual([
      ['suppressed', 'global-control'],
    ]);
  });

  it('still sends transactional mail to a global-control customer', async () => {
    const w = world({ campaign: campaign([{ wait: {}, template: 'thank-you', category: 'transactional' }]) });
    w.deps.measurement.globalControlPercent = async () => 100;
    await runStep(w.deps, w.run());
    expect(w.sent.map((m) => m.template)).toEqual(['thank-you']);
  });

  it('gives every suppressed and failed item a reasonCode', async () => {
    const w = world({ traits: { email: undefined } });
    await runStep(w.deps, w.run());
    expect([...w.log.values()].map((m) => m.reasonCode)).toEqual(['no-address']);
  });
});

describe('exitReason: an order taken back', () => {
  const w = world();
  const tp = (event: string, orderId: string, timestamp: string) =>
    ({ messageId: `${event}-${orderId}`, event, timestamp, properties: { order_id: orderId } }) as never;
  const history = (...touchpoints: never[]) => ({ touchpoints }) as never;
  const bought = tp('Order Completed', 'o-1', '2026-05-01T10:00:00.000Z');

  it('stops a run about an order once that order is refunded or cancelled, whatever the exit', () => {
    for (const undo of ['Order Refunded', 'Order Cancelled']) {
      const h = history(bought, tp(undo, 'o-1', '2026-05-02T10:00:00.000Z'));
      for (const exit of ['none', 'order-reviewed', 'purchased']) {
        expect(exitReason(exit, w.run({ orderId: 'o-1' }), w.profile, h)).toBe(
          'exit: order o-1 refunded or cancelled',
        );
      }
    }
  });

  it('goes on when another order was refunded, or for a run about no order', () => {
    const h = history(bought, tp('Order Refunded', 'o-2', '2026-05-02T10:00:00.000Z'));
    expect(exitReason('order-reviewed', w.run({ orderId: 'o-1' }), w.profile, h)).toBeNull();
    expect(exitReason('none', w.run({ orderId: null }), w.profile, h)).toBeNull();
  });
});
