import { describe, expect, it } from 'vitest';
import { UnsubscribeTokens } from '../../lib/consent/unsubscribe-token.js';
import {
  applyEvent,
  type Engagement,
  HEADLINE_PRECEDENCE,
  headlineOf,
} from '../../lib/engagement/engagement.js';
import { emailIdOf, messageKeyOf, messageKeyTags } from '../../lib/engagement/message-key.js';
import { engagementTouchpoint, MAX_LINK_CHARS } from '../../lib/engagement/record-engagement.js';
import {
  engagementOf,
  engagementRulePattern,
  isMachineOpen,
  SES_DETAIL_TYPES,
  SesEngagementEvent,
} from '../../lib/engagement/ses-event.js';
import { matchesPattern } from '../../lib/events/pattern.js';
import { TemplateMailer } from '../../lib/messaging/mailer.js';
import type { OutgoingEmail } from '../../lib/messaging/ports.js';
import { parseTouchpoint } from '../../lib/touchpoints/parse.js';
import {
  acceptedEvents,
  type LocalMail,
  sesBusEvent,
  simulatorOutcome,
  trackHtml,
} from '../../local/ses-events.js';

const key = { customerId: 'cust-1', runId: 'a'.repeat(32), step: 1 };
const mail: LocalMail = {
  messageId: 'ses-1',
  from: 'Shop <shop@example.com>',
  to: ['ada@example.com'],
  subject: 'Hello',
  tags: { category: 'marketing', ...messageKeyTags(key) },
  configurationSet: 'stageflow-dev',
  tracked: true,
  links: [],
  sentAt: '2026-11-20T10:00:00.000Z',
};
/** An SES event as EventBridge delivers it. */
const envelope = (e: ReturnType<typeof sesBusEvent>) =>
  SesEngagementEvent.parse({ source: e.source, 'detail-type': e.detailType, time: e.time, detail: e.detail });
const at = (min: number) => new Date(Date.parse(mail.sentAt) + min * 60_000);

describe('message key tags', () => {
  it('round-trips every customer id, long and non-Latin ones too, in tag values SES accepts', () => {
    for (const customerId of ['c-1', 'anon:x', 'ü'.repeat(256), '👩‍💻'.repeat(60), 'a/b+c=d']) {
      const tags = messageKeyTags({ ...key, customerId });
      for (const value of Object.values(tags)) expect(value).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
      expect(Object.keys(tags).length).toBeLessThanOrEqual(8);
      const asSesPublishes = Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, [v]]));
      expect(messageKeyOf(asSesPublishes)).toEqual({ ...key, customerId });
    }
  });

  it('round-trips a run id with hyphens in it (the step is the last -<digits>)', () => {
    const hyphenated = { ...key, runId: 'crashed-transactional-2', step: 3 };
    const tags = messageKeyTags(hyphenated);
    const asSesPublishes = Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, [v]]));
    expect(messageKeyOf(asSesPublishes)).toEqual(hyphenated);
  });

  it('finds no key in mail Stageflow did not tag, or with a tampered customer part', () => {
    expect(messageKeyOf({ category: ['x'] })).toBeNull();
    expect(messageKeyOf({ sf_msg: [`${key.runId}-01`] })).toBeNull();
    expect(messageKeyOf({ sf_msg: [`${key.runId}-01`], sf_c0: ['!!'] })).toBeNull();
    expect(emailIdOf(key)).toBe(`${key.runId}-01`);
  });
});

describe('SES event mapping', () => {
  it('maps each of the nine SES event types to its message', () => {
    const kinds = (
      [
        'Send',
        'Delivery',
        'Open',
        'Click',
        'Bounce',
        'Complaint',
        'Reject',
        'Rendering Failure',
        'DeliveryDelay',
      ] as const
    ).map((type) => {
      const mapped = engagementOf(
        envelope(sesBusEvent(type, mail, type === 'Bounce' ? { bounceType: 'Permanent' } : {}, at(2))),
      );
      expect(mapped?.key).toEqual(key);
      return mapped?.kind;
    });
    expect(kinds).toEqual([
      'sent',
      'delivered',
      'opened',
      'clicked',
      'bounced',
      'complained',
      'rejected',
      'renderingFailed',
      'delayed',
    ]);
  });

  it('gives a redelivered event the same id and different events different ids', () => {
    const open = sesBusEvent(
      'Open',
      mail,
      { userAgent: 'Mozilla/5.0 (X11)', ipAddress: '198.51.100.1' },
      at(3),
    );
    const a = engagementOf(envelope(open));
    const b = engagementOf(envelope(structuredClone(open)));
    const c = engagementOf(envelope(sesBusEvent('Open', mail, { userAgent: 'Mozilla/5.0 (X11)' }, at(4))));
    expect(a?.eventId).toBe(b?.eventId);
    expect(a?.eventId).not.toBe(c?.eventId);
    expect(a).toMatchObject({ kind: 'opened', machine: false, at: at(3).toISOString(), subject: 'Hello' });
  });

  it('flags Apple Mail Privacy Protection prefetches as machine opens', () => {
    expect(isMachineOpen('Mozilla/5.0', '203.0.113.5')).toBe(true);
    expect(isMachineOpen('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit', '17.58.63.1')).toBe(true);
    expect(
      isMachineOpen(
        'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
        '66.249.84.1',
      ),
    ).toBe(false);
    expect(isMachineOpen(undefined, undefined)).toBe(false);
  });

  it('ignores not-spam feedback and events without a Stageflow message key', () => {
    expect(
      engagementOf(envelope(sesBusEvent('Complaint', mail, { complaintFeedbackType: 'not-spam' }))),
    ).toBeNull();
    expect(engagementOf(envelope(sesBusEvent('Delivery', { ...mail, tags: {} })))).toBeNull();
  });

  it('routes every SES event type of the configuration sets, and no other set', () => {
    const pattern = engagementRulePattern(['stageflow-dev', 'stageflow-dev-untracked']);
    for (const detailType of Object.values(SES_DETAIL_TYPES)) {
      const e = { source: 'aws.ses', 'detail-type': detailType, detail: sesBusEvent('Send', mail).detail };
      expect(matchesPattern(pattern, e)).toBe(true);
    }
    const other = sesBusEvent('Send', { ...mail, configurationSet: 'someone-else' });
    expect(
      matchesPattern(pattern, { source: 'aws.ses', 'detail-type': other.detailType, detail: other.detail }),
    ).toBe(false);
  });
});

describe('engagement state', () => {
  const ev = (
    kind: Parameters<typeof applyEvent>[1]['kind'],
    minute: number,
    id: string,
    machine?: boolean,
  ) => ({
    kind,
    at: at(minute).toISOString(),
    eventId: id,
    machine,
  });
  const fold = (events: ReturnType<typeof ev>[]) => {
    let state: Engagement | undefined;
    const counters: Record<string, number> = {};
    for (const e of events) {
      const applied = applyEvent(state, e);
      if (!applied) continue;
      state = applied.engagement;
      for (const [k, n] of Object.entries(applied.counters)) counters[k] = (counters[k] ?? 0) + (n ?? 0);
    }
    const { events: _e, version: _v, ...shown } = state!;
    return { shown, counters };
  };

  it('follows complained > bounced > rejected > clicked > opened > delivered > sent', () => {
    expect(HEADLINE_PRECEDENCE).toEqual([
      'complained',
      'bounced',
      'rejected',
      'clicked',
      'opened',
      'delivered',
      'sent',
    ]);
    const base = { opens: 0, machineOpens: 0, clicks: 0, events: [], version: 0 };
    expect(headlineOf(base)).toBe('sent');
    expect(headlineOf({ ...base, deliveredAt: 'x' })).toBe('delivered');
    expect(headlineOf({ ...base, deliveredAt: 'x', machineOpenedAt: 'x' })).toBe('delivered');
    expect(headlineOf({ ...base, deliveredAt: 'x', openedAt: 'x' })).toBe('opened');
    expect(headlineOf({ ...base, openedAt: 'x', clickedAt: 'x' })).toBe('clicked');
    expect(headlineOf({ ...base, clickedAt: 'x', rejectedAt: 'x' })).toBe('rejected');
    expect(headlineOf({ ...base, rejectedAt: 'x', bouncedAt: 'x' })).toBe('bounced');
    expect(headlineOf({ ...base, bouncedAt: 'x', complainedAt: 'x' })).toBe('complained');
  });

  it('ends `clicked` when the click arrives before its delivery, with the same counters in any order', () => {
    const events = [
      ev('sent', 0, 's'),
      ev('delivered', 1, 'd'),
      ev('opened', 1, 'm', true),
      ev('opened', 3, 'o1'),
      ev('clicked', 4, 'c1'),
      ev('opened', 8, 'o2'),
      ev('clicked', 9, 'c2'),
    ];
    const inOrder = fold(events);
    expect(inOrder.shown).toMatchObject({
      status: 'clicked',
      opens: 2,
      machineOpens: 1,
      clicks: 2,
      openedAt: at(3).toISOString(),
    });
    expect(inOrder.counters).toEqual({
      delivered: 1,
      openedMachine: 1,
      openedUnique: 1,
      clickedUnique: 1,
      clickedTotal: 2,
    });
    for (let seed = 1; seed < 30; seed++) {
      const shuffled = [...events, ...events, ...events]
        .map((e, i) => ({ e, k: (i * 7919 * seed) % 31 }))
        .sort((a, b) => a.k - b.k)
        .map(({ e }) => e);
      expect(fold(shuffled)).toEqual(inOrder);
    }
    expect(fold([ev('clicked', 4, 'c1'), ev('delivered', 1, 'd')]).shown.status).toBe('clicked');
  });

  it('counts a redelivered event once', () => {
    const once = applyEvent(undefined, ev('clicked', 1, 'c'))!;
    expect(applyEvent(once.engagement, ev('clicked', 1, 'c'))).toBeNull();
  });
});

describe('engagement touchpoints', () => {
  const message = { campaignId: 'spring' };
  it('gives a click channel email and the campaign id as utm campaign, an open neither', () => {
    const click = engagementTouchpoint(
      { key, kind: 'clicked', at: at(1).toISOString(), eventId: 'e1', link: 'https://shop.example/p' },
      message,
      { campaignName: 'Spring sale', subject: 'Hello' },
    );
    expect(click).toEqual({
      messageId: 'ses-e1',
      userId: 'cust-1',
      event: 'Email Link Clicked',
      timestamp: at(1).toISOString(),
      channel: 'email',
      properties: {
        email_id: emailIdOf(key),
        campaign_id: 'spring',
        campaign_name: 'Spring sale',
        email_subject: 'Hello',
        link_url: 'https://shop.example/p',
      },
      context: { campaign: { name: 'spring', source: 'stageflow', medium: 'email' } },
    });
    const open = engagementTouchpoint(
      { key, kind: 'opened', at: at(1).toISOString(), eventId: 'e2' },
      message,
      {},
    );
    expect(open).not.toHaveProperty('channel');
    expect(open).not.toHaveProperty('context');
    expect(open?.event).toBe('Email Opened');
    expect(engagementTouchpoint({ key, kind: 'complained', at: 'x', eventId: 'e' }, message, {})?.event).toBe(
      'Email Marked as Spam',
    );
    expect(engagementTouchpoint({ key, kind: 'sent', at: 'x', eventId: 'e' }, message, {})).toBeNull();
    const anon = engagementTouchpoint(
      { key: { ...key, customerId: 'anon:v1' }, kind: 'delivered', at: 'x', eventId: 'e' },
      message,
      {},
    );
    expect(anon).toMatchObject({ anonymousId: 'v1' });
  });
});

describe('a hostile clicked link', () => {
  const click = (link: string) =>
    engagementTouchpoint(
      { key, kind: 'clicked', at: at(1).toISOString(), eventId: 'e9', link },
      { campaignId: 'spring' },
      {},
    );

  it("keeps a huge link's first 2,048 characters, so the click still passes ingest and lands in the history", () => {
    const huge = `https://shop.example/p?${'a'.repeat(40_000)}`;
    const tp = click(huge);
    const link = (tp!.properties as { link_url: string }).link_url;
    expect(link).toHaveLength(MAX_LINK_CHARS);
    expect(link.endsWith('…')).toBe(true);
    expect(huge.startsWith(link.slice(0, -1))).toBe(true);
    const parsed = parseTouchpoint(tp, 'stageflow', { receivedAt: at(2) });
    expect(parsed.ok).toBe(true);
  });

  it('records script and control-character links as data, untouched, and ingest takes them', () => {
    for (const link of [
      'javascript:alert(1)',
      'https://x.example/\r\nSet-Cookie: a=b',
      '<script>alert(1)</script>',
    ]) {
      const tp = click(link);
      expect((tp!.properties as { link_url: string }).link_url).toBe(link);
      expect(parseTouchpoint(tp, 'stageflow', { receivedAt: at(2) }).ok).toBe(true);
    }
  });
});

describe('local SES', () => {
  it('rewrites links but the unsubscribe URL and ses:no-track ones, and adds a pixel', () => {
    const html =
      '<html><body><a href="https://shop.example/?a&#x3D;1&amp;b=2">Shop</a> <a href="https://api/v1/unsubscribe/u1.x.y">Unsub</a> <a ses:no-track href="https://x.example">x</a></body></html>';
    const out = trackHtml(html, 'http://ses', 'https://api/v1/unsubscribe/u1.x.y');
    expect(out.links).toEqual(['https://shop.example/?a=1&b=2']);
    expect(out.html).toContain('href="http://ses/t/c/__ID__/0"');
    expect(out.html).toContain('href="https://api/v1/unsubscribe/u1.x.y"');
    expect(out.html).toContain('href="https://x.example"');
    expect(out.html).toMatch(/<img src="http:\/\/ses\/t\/o\/__ID__\.gif"[^>]*><\/body>/);
  });

  it('answers the mailbox simulator as SES does', () => {
    const types = (to: string) => acceptedEvents({ ...mail, to: [to] }).map((e) => e.detail.eventType);
    expect(types('ada@example.com')).toEqual(['Send', 'Delivery']);
    expect(types('bounce@simulator.amazonses.com')).toEqual(['Send', 'Bounce']);
    expect(types('suppressionlist@simulator.amazonses.com')).toEqual(['Send', 'Bounce']);
    expect(types('complaint+x@simulator.amazonses.com')).toEqual(['Send', 'Delivery', 'Complaint']);
    expect(simulatorOutcome('success@simulator.amazonses.com')).toBeNull();
  });
});

describe('Class: TemplateMailer, tracking', () => {
  const send = async (settings: { tracking?: 'on' | 'off' }, trackingConsent?: unknown) => {
    const sent: OutgoingEmail[] = [];
    const mailer = new TemplateMailer(
      {
        send: async (email) => {
          sent.push(email);
          return { messageId: 'ses-1' };
        },
      },
      new UnsubscribeTokens(async () => 'a-test-secret-of-enough-length'),
      {
        templatePrefix: 'sf-',
        publicUrl: 'https://api.example',
        shopName: 'Shop',
        shopUrl: 'https://shop.example',
        ...settings,
      },
    );
    await mailer.send({
      customerId: 'cust-1',
      to: 'ada@example.com',
      template: 'cart-reminder',
      locale: 'en',
      category: 'marketing',
      data: {},
      message: { runId: key.runId, step: 1, campaignId: 'spring' },
      trackingConsent,
    });
    return sent[0];
  };

  it('tags every mail with its message key and campaign, tracked by default', async () => {
    const email = await send({});
    expect(email.tracked).toBe(true);
    expect(email.tags).toMatchObject({ campaign: 'spring', category: 'marketing', ...messageKeyTags(key) });
    expect(messageKeyOf(Object.fromEntries(Object.entries(email.tags).map(([k, v]) => [k, [v]])))).toEqual(
      key,
    );
  });

  it('sends untracked when trackingConsent clearly says no, or tracking is off for everyone', async () => {
    expect((await send({}, false)).tracked).toBe(false);
    expect((await send({}, 'no')).tracked).toBe(false);
    expect((await send({}, true)).tracked).toBe(true);
    expect((await send({ tracking: 'off' }, true)).tracked).toBe(false);
  });
});
