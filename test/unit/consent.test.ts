import { describe, expect, it } from 'vitest';
import { addressHash, decide, normaliseAddress, withdrawn } from '../../lib/consent/consent.js';
import {
  SES_EVENTS_RULE_PATTERN,
  SesEvent,
  sesEventsRulePattern,
  suppressionsFrom,
} from '../../lib/consent/ses-events.js';
import { UnsubscribeTokens } from '../../lib/consent/unsubscribe-token.js';
import { matchesPattern as matches } from '../../lib/events/pattern.js';

const tokens = new UnsubscribeTokens(async () => 'a-test-secret-of-enough-length');

describe('Class: UnsubscribeTokens', () => {
  it('returns the customer id of a token it signed', async () => {
    const token = await tokens.sign('user:42/ä');
    expect(token).toMatch(/^u1\.[\w-]+\.[\w-]+$/);
    expect(await tokens.verify(token)).toBe('user:42/ä');
  });

  it('returns null for a token with another customer, another secret or a cut MAC', async () => {
    const token = await tokens.sign('alice');
    const [v, , mac] = token.split('.');
    expect(await tokens.verify(`${v}.${Buffer.from('bob').toString('base64url')}.${mac}`)).toBeNull();
    expect(
      await new UnsubscribeTokens(async () => 'another-secret-of-enough-length').verify(token),
    ).toBeNull();
    expect(await tokens.verify(token.slice(0, -2))).toBeNull();
    expect(await tokens.verify('u2.YWxpY2U.abc')).toBeNull();
    expect(await tokens.verify('')).toBeNull();
  });
});

describe('Function: decide', () => {
  const facts = (over: Partial<Parameters<typeof decide>[2]> = {}) => ({
    traits: {},
    suppressed: false,
    ...over,
  });

  it('lets mail through with an address and no objection', () => {
    expect(decide('marketing', 'a@b.c', facts())).toEqual({ ok: true });
  });

  it('names the first reason in order: address, suppression, consent, unsubscribe, opt-out', () => {
    expect(decide('transactional', undefined, facts({ suppressed: true }))).toEqual({
      ok: false,
      reason: 'no-address',
    });
    expect(decide('transactional', 'a@b.c', facts({ suppressed: true }))).toEqual({
      ok: false,
      reason: 'suppressed',
    });
    expect(decide('transactional', 'a@b.c', facts({ traits: { emailConsent: false } }))).toEqual({
      ok: false,
      reason: 'opted-out',
    });
    expect(
      decide('marketing', 'a@b.c', facts({ unsubscribedAt: 't', traits: { marketingConsent: false } })),
    ).toEqual({
      ok: false,
      reason: 'unsubscribed',
    });
    expect(decide('marketing', 'a@b.c', facts({ traits: { marketingConsent: 'no' } }))).toEqual({
      ok: false,
      reason: 'opted-out',
    });
  });

  it('lets transactional mail past an unsubscribe and a marketing opt-out', () => {
    expect(
      decide('transactional', 'a@b.c', facts({ unsubscribedAt: 't', traits: { marketingConsent: false } })),
    ).toEqual({ ok: true });
  });

  it('reads only a clear no as withdrawn', () => {
    for (const v of [false, 0, 'false', 'No', ' off ', '0']) expect(withdrawn(v)).toBe(true);
    for (const v of [true, undefined, null, 'yes', '', 'maybe']) expect(withdrawn(v)).toBe(false);
  });
});

describe('Function: suppressionsFrom', () => {
  const event = (detailType: string, detail: Record<string, unknown>) =>
    SesEvent.parse({ source: 'aws.ses', 'detail-type': detailType, time: '2026-01-01T00:00:00Z', detail });

  it('suppresses every recipient of a permanent bounce, keyed by the normalised address', () => {
    const out = suppressionsFrom(
      event('Email Bounced', {
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'NoEmail',
          bouncedRecipients: [{ emailAddress: 'Ann <ANN@Example.com>' }, { emailAddress: 'bo@example.com' }],
        },
        mail: { messageId: 'm-1' },
      }),
    );
    expect(out).toEqual([
      expect.objectContaining({
        addressHash: addressHash('ann@example.com'),
        reason: 'bounce',
        detail: 'Permanent/NoEmail',
      }),
      expect.objectContaining({ addressHash: addressHash('bo@example.com'), sesMessageId: 'm-1' }),
    ]);
    expect(normaliseAddress(' Ann <ANN@Example.com> ')).toBe('ann@example.com');
  });

  it('suppresses nothing for transient bounces and not-spam feedback', () => {
    const transient = event('Email Bounced', {
      bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'a@b.c' }] },
    });
    const notSpam = event('Email Complaint Received', {
      complaint: { complainedRecipients: [{ emailAddress: 'a@b.c' }], complaintFeedbackType: 'not-spam' },
    });
    expect(suppressionsFrom(transient)).toEqual([]);
    expect(suppressionsFrom(notSpam)).toEqual([]);
  });

  it('has a rule pattern that matches SES bounces and complaints only, optionally of one configuration set', () => {
    const bounce = {
      source: 'aws.ses',
      'detail-type': 'Email Bounced',
      detail: { mail: { tags: { 'ses:configuration-set': ['stageflow-prod'] } } },
    };
    expect(matches(SES_EVENTS_RULE_PATTERN, bounce)).toBe(true);
    expect(matches(SES_EVENTS_RULE_PATTERN, { ...bounce, 'detail-type': 'Email Delivered' })).toBe(false);
    expect(matches(sesEventsRulePattern('stageflow-prod'), bounce)).toBe(true);
    expect(matches(sesEventsRulePattern('stageflow-dev'), bounce)).toBe(false);
  });
});
