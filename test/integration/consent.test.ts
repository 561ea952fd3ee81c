import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as sesEvents } from '../../functions/ses-events.js';
import { messaging } from '../../lib/runtime/messaging.js';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack, uid } from '../support/local.js';

const sesEvent = (detailType: string, detail: Record<string, unknown>) => ({
  version: '0',
  id: uid('evt'),
  'detail-type': detailType,
  source: 'aws.ses',
  account: '123456789012',
  time: '2026-11-23T10:00:00Z',
  region: 'eu-central-1',
  resources: [],
  detail,
});

const bounce = (address: string, bounceType: 'Permanent' | 'Transient') =>
  sesEvent('Email Bounced', {
    eventType: 'Bounce',
    bounce: {
      bounceType,
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: address, action: 'failed', status: '5.1.1' }],
      timestamp: '2026-11-23T10:00:00Z',
      feedbackId: 'f-1',
    },
    mail: { messageId: 'ses-1', destination: [address] },
  });

// biome-ignore lint/suspicious/noExplicitAny: the handler's context is not used
const invoke = (event: unknown) => sesEvents(event as any, {} as any);

describe('Consent: traits, unsubscribe links and the suppression list', () => {
  let stack: LocalStack;
  const identify = (userId: string, traits: Record<string, unknown>) =>
    api(stack)('POST', '/v1/identify', { userId, traits, messageId: uid('m') });
  const customer = async (traits: Record<string, unknown> = {}) => {
    const userId = uid('u');
    const email = `${userId}@example.com`;
    await identify(userId, { email, ...traits });
    return { userId, email };
  };
  const linkOf = async (customerId: string) => messaging().mailer.unsubscribeUrl(customerId);

  beforeAll(async () => {
    stack = await testStack('consent');
  });
  afterAll(async () => stack.stop());

  it('takes an opt-out from an identify trait: marketing stops, transactional goes on', async () => {
    const { userId, email } = await customer({ marketingConsent: false });
    const { consent } = messaging();
    expect(await consent.canSend(userId, 'marketing', email)).toEqual({ ok: false, reason: 'opted-out' });
    expect(await consent.canSend(userId, 'transactional', email)).toEqual({ ok: true });
    expect(await consent.canSend(userId, 'transactional', undefined)).toEqual({
      ok: false,
      reason: 'no-address',
    });
  });

  it('shows a confirm page on GET without unsubscribing, in the customer language', async () => {
    const { userId, email } = await customer({ locale: 'de-DE' });
    const res = await fetch(await linkOf(userId));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<form method="post">');
    expect(html).toContain('Abmelden');
    expect(await messaging().consent.canSend(userId, 'marketing', email)).toEqual({ ok: true });
  });

  it('unsubscribes at once on an RFC 8058 one-click POST, marketing only', async () => {
    const { userId, email } = await customer();
    const res = await fetch(await linkOf(userId), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'unsubscribed' });
    const { consent } = messaging();
    expect(await consent.canSend(userId, 'marketing', email)).toEqual({ ok: false, reason: 'unsubscribed' });
    expect(await consent.canSend(userId, 'transactional', email)).toEqual({ ok: true });
    // A later opt-in trait does not undo an unsubscribe.
    await identify(userId, { marketingConsent: true });
    expect(await consent.canSend(userId, 'marketing', email)).toEqual({ ok: false, reason: 'unsubscribed' });
  });

  it('answers the confirm page form with an HTML page', async () => {
    const { userId } = await customer();
    const res = await fetch(await linkOf(userId), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: 'confirm=yes',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You are unsubscribed');
    const again = await fetch(await linkOf(userId));
    expect(await again.text()).toContain('You are unsubscribed');
  });

  it('refuses a forged or altered token: nobody can unsubscribe someone else', async () => {
    const victim = await customer();
    const attacker = await customer();
    const mine = await linkOf(attacker.userId);
    const [base, token] = mine.split('/v1/unsubscribe/');
    const [v, , mac] = token.split('.');
    const forged = `${base}/v1/unsubscribe/${v}.${Buffer.from(victim.userId).toString('base64url')}.${mac}`;

    const post = await fetch(forged, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(post.status).toBe(400);
    expect(post.headers.get('content-type')).toContain('application/problem+json');
    const page = await fetch(forged);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('Link not valid');
    expect((await fetch(`${base}/v1/unsubscribe/garbage`, { method: 'POST' })).status).toBe(400);
    expect(await messaging().consent.canSend(victim.userId, 'marketing', victim.email)).toEqual({ ok: true });
  });

  it('answers 404 for a valid token of a customer it does not hold', async () => {
    const res = await fetch(await linkOf(uid('erased')), { method: 'POST' });
    expect(res.status).toBe(404);
  });

  it('suppresses an address on a permanent bounce, for every kind of mail', async () => {
    const { userId, email } = await customer();
    expect(await invoke(bounce(email.toUpperCase(), 'Permanent'))).toEqual({
      suppressed: 1,
      engagement: 'ignored',
    });
    expect(await invoke(bounce(email, 'Permanent'))).toEqual({ suppressed: 0, engagement: 'ignored' });
    const { consent } = messaging();
    expect(await consent.canSend(userId, 'marketing', email)).toEqual({ ok: false, reason: 'suppressed' });
    expect(await consent.canSend(userId, 'transactional', email)).toEqual({
      ok: false,
      reason: 'suppressed',
    });
  });

  it('ignores a transient bounce and suppresses on a complaint', async () => {
    const { userId, email } = await customer();
    expect(await invoke(bounce(email, 'Transient'))).toEqual({ suppressed: 0, engagement: 'ignored' });
    expect(await messaging().consent.canSend(userId, 'marketing', email)).toEqual({ ok: true });
    const complaint = sesEvent('Email Complaint Received', {
      eventType: 'Complaint',
      complaint: { complainedRecipients: [{ emailAddress: email }], complaintFeedbackType: 'abuse' },
      mail: { messageId: 'ses-2' },
    });
    expect(await invoke(complaint)).toEqual({ suppressed: 1, engagement: 'ignored' });
    expect(await messaging().consent.canSend(userId, 'marketing', email)).toEqual({
      ok: false,
      reason: 'suppressed',
    });
  });

  it('ignores events that are not SES bounces or complaints', async () => {
    expect(
      await invoke({ source: 'stageflow', 'detail-type': 'Customer Stage Changed', detail: {} }),
    ).toEqual({
      suppressed: 0,
      engagement: 'ignored',
    });
  });
});
