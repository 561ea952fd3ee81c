import type { Campaign, Step } from '../campaigns/index.js';
import { goalOf, waitMs } from '../campaigns/index.js';
import type { CustomerHistory, Profile } from '../ingest/index.js';
import { canonicalEvent, defaultModel } from '../journey/index.js';
import { armOf, inGlobalControl, type ReasonCode } from '../measurement/index.js';
import { TransientSendError } from '../messaging/index.js';
import { firstNameOf, orderIdOf, productIdOf } from '../shared/touchpoint-fields.js';
import type { Touchpoint } from '../touchpoints/index.js';
import type { MessageRecord } from './message-log.js';
import type { FlowDeps } from './ports.js';
import { reviewedOrders } from './reviews.js';
import type { CampaignRun } from './run.js';

const PAUSE_RECHECK_MS = 3600_000;
const PAUSE_GIVE_UP_MS = 3 * 24 * 3600_000;

const isTransient = (error: unknown) => (error as Error)?.name === 'TransientSendError';

const eventOf = (tp: Touchpoint) => canonicalEvent(defaultModel, tp.event);
const orderOf = (tp: Touchpoint) => orderIdOf(tp.properties);

/** The journey model's events that take an order back (`Order Refunded`, `Order Cancelled`). */
const UNDONE = new Set(['order_refunded', 'order_cancelled']);

/**
 * Why a run must stop before its next send, or null if it goes on. Whatever the campaign's
 * exit, a run about one order stops once that order is refunded or cancelled: a review
 * request or a repeat offer for an order the customer sent back is the wrong mail.
 */
export function exitReason(
  exit: string,
  run: CampaignRun,
  profile: Profile,
  history: CustomerHistory | null,
): string | null {
  if (
    run.orderId !== null &&
    history?.touchpoints.some((tp) => UNDONE.has(eventOf(tp)) && orderOf(tp) === run.orderId)
  ) {
    return `exit: order ${run.orderId} refunded or cancelled`;
  }
  switch (exit) {
    case 'stage-left':
      return run.trigger.stage !== null && profile.state.stage !== run.trigger.stage
        ? `exit: stage moved on from ${run.trigger.stage} to ${profile.state.stage}`
        : null;
    case 'order-reviewed': {
      const touchpoints = history?.touchpoints ?? [];
      const reviewed =
        run.orderId !== null
          ? reviewedOrders(touchpoints).has(run.orderId)
          : // A run for no particular order ends with any review after its trigger.
            touchpoints.some((tp) => eventOf(tp) === 'review_posted' && tp.timestamp >= run.trigger.at);
      return reviewed ? `exit: order ${run.orderId ?? ''} reviewed`.trim() : null;
    }
    case 'purchased': {
      const bought = history?.touchpoints.some(
        (tp) => eventOf(tp) === 'purchase' && tp.timestamp > run.trigger.at,
      );
      return bought ? 'exit: purchased again' : null;
    }
    default:
      return null;
  }
}

/** Minutes until quiet hours end in a time zone, or 0 outside them. */
export function quietMinutesLeft(now: Date, timeZone: string, quiet: { start: number; end: number }): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  })
    .formatToParts(now)
    .reduce<Record<string, number>>((acc, p) => {
      if (p.type === 'hour' || p.type === 'minute') acc[p.type] = Number(p.value);
      return acc;
    }, {});
  const minutes = parts.hour * 60 + parts.minute;
  const start = quiet.start * 60;
  const end = quiet.end * 60;
  if (minutes >= start) return 24 * 60 - minutes + end;
  if (minutes < end) return end - minutes;
  return 0;
}

const validTimeZone = (tz: unknown): tz is string => {
  if (typeof tz !== 'string' || !tz) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** What a template can say about the customer and the order, never more. */
function templateData(run: CampaignRun, profile: Profile, history: CustomerHistory | null) {
  const traits = profile.state.traits;
  const purchase = run.orderId
    ? history?.touchpoints.find((tp) => eventOf(tp) === 'purchase' && orderOf(tp) === run.orderId)
    : undefined;
  const products = Array.isArray(purchase?.properties?.products)
    ? (purchase.properties.products as Record<string, unknown>[]).map((p) => ({
        name: String(p.name ?? p.product_id ?? ''),
        productId: String(productIdOf(p) ?? ''),
      }))
    : run.productIds.map((id) => ({ name: id, productId: id }));
  const referralCode = (profile as Profile & { referralCode?: string }).referralCode;
  return {
    firstName: firstNameOf(traits),
    orderId: run.orderId,
    products,
    referralCode,
    role: run.role,
  };
}

/**
 * One send step of a campaign run. Checks, at the moment of sending: the campaign still
 * runs, the exit condition, consent and suppression, quiet hours and the frequency cap
 * (marketing only); then sends at most once. Returns the run's next state.
 */
export async function runStep(deps: FlowDeps, started: CampaignRun): Promise<CampaignRun> {
  let run = started;
  const now = deps.clock();
  const found = await deps.campaigns.campaignVersion(run.campaignId, run.version);
  const profile = await deps.customers.profile(run.customerId);
  const step: Step | undefined = found?.campaign.steps[run.step];
  const base = (
    status: MessageRecord['status'],
    reason?: string,
    to: string | null = null,
    reasonCode?: ReasonCode,
  ): MessageRecord => ({
    flow: run.flow,
    campaignId: run.campaignId,
    campaignVersion: run.version,
    template: step?.template ?? '',
    to,
    at: now.toISOString(),
    status,
    ...(reason ? { reason } : {}),
    ...(reasonCode ? { reasonCode } : {}),
    runId: run.runId,
    step: run.step,
    orderId: run.orderId,
  });
  const done = (): CampaignRun => ({ ...run, next: 'done' });

  if (!found || !step || !profile) {
    if (profile)
      await deps.log.record(run.customerId, base('suppressed', 'campaign deleted', null, 'campaign-paused'));
    return done();
  }
  if (!found.live) {
    await deps.log.record(
      run.customerId,
      base('suppressed', 'campaign paused or deleted', null, 'campaign-paused'),
    );
    return done();
  }
  const history =
    found.campaign.exit === 'none' && !run.orderId ? null : await deps.customers.history(run.customerId);
  const exit = exitReason(found.campaign.exit, run, profile, history);
  if (exit) {
    await deps.log.record(run.customerId, base('suppressed', exit, null, 'exit'));
    return done();
  }

  // Measurement (docs/measurement.md): the global control group gets no marketing mail at all;
  // then the customer is assigned in this campaign (once), and a held-out run sends nothing.
  // With no global control group nobody is held and nothing is measured: no place is recorded.
  const percent = step.category === 'marketing' ? await deps.measurement.globalControlPercent() : 0;
  if (percent > 0) {
    const place = await deps.measurement.enterGlobal(
      run.customerId,
      inGlobalControl(run.customerId, percent) ? 'control' : 'treatment',
      now.toISOString(),
    );
    if (!place) return done();
    if (place.arm === 'control') {
      await deps.log.record(
        run.customerId,
        base('suppressed', `global control group (${percent}%)`, null, 'global-control'),
      );
      return advance(deps, run, found.campaign.steps, now);
    }
  }
  if (run.arm === null) {
    const assigned = await assign(deps, run, found.campaign, now);
    if (!assigned) return done();
    run = { ...run, arm: assigned };
  }
  if (run.arm === 'control') {
    await deps.log.record(
      run.customerId,
      base('held-out', `held out (${found.campaign.holdoutPercent}% control group)`, null, 'held-out'),
    );
    return advance(deps, run, found.campaign.steps, now);
  }

  const email = typeof profile.state.traits.email === 'string' ? profile.state.traits.email : undefined;
  const consent = await deps.consent.canSend(run.customerId, step.category, email);
  if (!consent.ok) {
    // An address that is not one addr-spec is never sent to, nor stored again in the log.
    const shown = consent.reason === 'invalid-address' ? null : (email ?? null);
    await deps.log.record(run.customerId, {
      ...base('suppressed', consent.reason, shown),
      reasonCode: consent.reason,
    });
    return done();
  }
  const to = email!;

  if (step.category === 'marketing' && (await deps.marketing.isMarketingPaused())) {
    // Paused while SES reputation is at risk: hold the step and look again in an hour; after
    // three days of pause the moment has passed, and the step is logged as suppressed.
    const since = run.pausedSince ?? now.toISOString();
    if (now.getTime() - Date.parse(since) >= PAUSE_GIVE_UP_MS * deps.settings.timeScale) {
      await deps.log.record(
        run.customerId,
        base('suppressed', 'marketing paused (SES reputation alarm)', to, 'marketing-paused'),
      );
      return advance(deps, run, found.campaign.steps, now);
    }
    const waitUntil = new Date(now.getTime() + PAUSE_RECHECK_MS * deps.settings.timeScale).toISOString();
    return { ...run, waitUntil, pausedSince: since, next: 'wait' };
  }

  if (step.category === 'marketing') {
    const tz = validTimeZone(profile.state.traits.timezone)
      ? (profile.state.traits.timezone as string)
      : deps.settings.defaultTimeZone;
    const quiet = quietMinutesLeft(now, tz, deps.settings.quietHours);
    if (quiet > 0 && !run.quietDelayed) {
      // Delayed, never dropped: wait until the quiet hours end, then send without asking again.
      const waitUntil = new Date(now.getTime() + quiet * 60_000 * deps.settings.timeScale).toISOString();
      return { ...run, waitUntil, quietDelayed: true, next: 'wait' };
    }
    const slot = await deps.log.takeCapSlot(
      run.customerId,
      `${run.runId}#${run.step}`,
      deps.settings.frequencyCap,
      deps.settings.frequencyWindowMs * deps.settings.timeScale,
      now,
    );
    if (!slot) {
      await deps.log.record(
        run.customerId,
        base(
          'suppressed',
          `frequency cap: ${deps.settings.frequencyCap} marketing mails per window`,
          to,
          'frequency-cap',
        ),
      );
      return advance(deps, run, found.campaign.steps, now);
    }
  }

  const claim = await deps.log.claim(
    run.customerId,
    {
      ...base('sending', undefined, to),
      category: step.category,
      leaseUntil: new Date(now.getTime() + deps.settings.sendLeaseMs).toISOString(),
      run,
    },
    // After a crash between claim and SES: transactional mail at least once, marketing at most once.
    { now, onExpired: step.category === 'transactional' ? 'resend' : 'unknown' },
  );
  if (claim === 'in-doubt') {
    // Another attempt holds the claim, or died holding it: look again once its lease ran out
    // (real time, not scaled: it outlasts any live attempt). The Wait state brings us back.
    const waitUntil = new Date(now.getTime() + deps.settings.sendLeaseMs).toISOString();
    return { ...run, waitUntil, next: 'wait' };
  }
  if (claim !== 'claimed') return advance(deps, run, found.campaign.steps, now);
  try {
    const sent = await deps.mailer.send({
      customerId: run.customerId,
      to,
      template: step.template,
      locale: typeof profile.state.traits.locale === 'string' ? profile.state.traits.locale : undefined,
      category: step.category,
      data: templateData(run, profile, history),
      message: { runId: run.runId, step: run.step, campaignId: run.campaignId },
      trackingConsent: profile.state.traits.trackingConsent,
    });
    await deps.log.record(run.customerId, {
      ...base('sent', undefined, to),
      providerMessageId: sent.messageId,
    });
  } catch (error) {
    // A missing setting is the deployment's fault, not the mail's: retried until it is fixed.
    if (isTransient(error) || (error as Error)?.name === 'ConfigurationError') {
      await deps.log.record(
        run.customerId,
        base('retrying', (error as Error).message, to, 'transient-error'),
      );
      if (!isTransient(error)) throw error;
      throw new TransientSendError((error as Error).message, { cause: error });
    }
    await deps.log.record(run.customerId, base('failed', (error as Error).message, to, 'send-failed'));
  }
  return advance(deps, run, found.campaign.steps, now);
}

function advance(deps: FlowDeps, run: CampaignRun, steps: Step[], now: Date): CampaignRun {
  const next = run.step + 1;
  if (next >= steps.length) return { ...run, next: 'done' };
  const waitUntil = new Date(
    now.getTime() + waitMs(steps[next].wait) * deps.settings.timeScale,
  ).toISOString();
  return { ...run, step: next, waitUntil, quietDelayed: false, pausedSince: null, next: 'wait' };
}

/** After Step Functions gave up retrying a send: record the failure so the log says why. */
export async function recordFailure(
  deps: FlowDeps,
  run: CampaignRun & { error?: { Error?: string; Cause?: string } },
): Promise<CampaignRun> {
  const found = await deps.campaigns.campaignVersion(run.campaignId, run.version);
  await deps.log.record(run.customerId, {
    flow: run.flow,
    campaignId: run.campaignId,
    campaignVersion: run.version,
    template: found?.campaign.steps[run.step]?.template ?? '',
    to: null,
    at: deps.clock().toISOString(),
    status: 'failed',
    reason: `${run.error?.Error ?? 'Error'}: ${run.error?.Cause ?? 'send failed after retries'}`.slice(
      0,
      500,
    ),
    reasonCode: 'send-failed',
    runId: run.runId,
    step: run.step,
    orderId: run.orderId,
  });
  return { ...run, next: 'done' };
}

/**
 * The customer's arm in the campaign: assigned the first time one of their runs gets here
 * (first send step, exit condition not met), deterministically by customer and campaign;
 * a later run of the same campaign keeps that arm. Null when the customer is gone.
 */
async function assign(deps: FlowDeps, run: CampaignRun, campaign: Campaign, now: Date) {
  const assignment = await deps.measurement.assign(run.customerId, {
    campaignId: run.campaignId,
    arm: armOf(run.customerId, run.campaignId, campaign.holdoutPercent),
    at: now.toISOString(),
    goal: goalOf(campaign),
    windowDays: campaign.conversionWindowDays ?? 7,
  });
  return assignment?.arm ?? null;
}
