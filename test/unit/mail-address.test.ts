import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../lib/campaigns/campaign.js';
import { recipientAddress } from '../../lib/consent/address.js';
import { decide } from '../../lib/consent/consent.js';
import { UnsubscribeTokens } from '../../lib/consent/unsubscribe-token.js';
import type { MessageRecord } from '../../lib/flows/message-log.js';
import type { FlowDeps, OutgoingMail } from '../../lib/flows/ports.js';
import type { CampaignRun } from '../../lib/flows/run.js';
import { runStep } from '../../lib/flows/send-step.js';
import type { Profile } from '../../lib/ingest/ports.js';
import { initialState } from '../../lib/journey/index.js';
import { PermanentSendError } from '../../lib/messaging/errors.js';
import { TemplateMailer } from '../../lib/messaging/mailer.js';
import type { OutgoingEmail } from '../../lib/messaging/ports.js';

// Issue 12: each of these was handed to SES as a recipient.
const HOSTILE = ['@', 'a@x, b@y', 'ada@example.com\r\nBcc: evil@example.com', 'Ada <ada@example.com>'];

describe('Function: recipientAddress', () => {
  it.each([
    ['ada@example.com', 'ada@example.com'],
    ['a@b.c', 'a@b.c'],
    ['first.last+tag@sub.example.co.uk', 'first.last+tag@sub.example.co.uk'],
    ['"ada lovelace"@example.com', '"ada lovelace"@example.com'],
    ['  ada@example.com\t', 'ada@example.com'],
    ['jo@müller.de', 'jo@xn--mller-kva.de'],
  ])('takes %j as one addr-spec and sends it as %j', (address, sendable) => {
    expect(recipientAddress(address)).toBe(sendable);
  });

  it.each([
    ...HOSTILE,
    'ada@example.com\n',
    '"ada\r\n"@example.com',
    'a@b@example.com',
    'a..b@example.com',
    'ada@localhost',
    'ada@[127.0.0.1]',
    'ada@10.0.0.1',
    'ada@-example.com',
    'jörg@example.com',
    `${'a'.repeat(65)}@example.com`,
    '',
  ])('refuses %j', (address) => {
    expect(recipientAddress(address)).toBeNull();
  });
});

describe('Function: decide', () => {
  it('tells a missing address from one no mail can go to', () => {
    const facts = { traits: {}, suppressed: false };
    expect(decide('transactional', undefined, facts)).toEqual({ ok: false, reason: 'no-address' });
    expect(decide('transactional', '  ', facts)).toEqual({ ok: false, reason: 'no-address' });
    for (const address of HOSTILE) {
      expect(decide('transactional', address, facts)).toEqual({ ok: false, reason: 'invalid-address' });
    }
  });
});

const campaign: Campaign = {
  campaignId: 'c-1',
  version: 1,
  status: 'active',
  name: 'Thanks',
  flow: 'thank-you',
  trigger: { type: 'stage', enters: ['act'] },
  steps: [{ wait: {}, template: 'thank-you', category: 'transactional' }],
  audience: {},
  exit: 'none',
  holdoutPercent: 0,
  conversionWindowDays: 7,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

/** The send step with the real send rule and in-memory stand-ins for storage and SES. */
function sendTo(email: string) {
  const now = new Date('2026-06-01T12:00:00.000Z');
  const sent: OutgoingMail[] = [];
  const log: MessageRecord[] = [];
  const profile: Profile = {
    customerId: 'u-1',
    state: { ...initialState(), stage: 'act', traits: { email } },
    version: 1,
    anonymousIds: [],
    modelVersion: 'm@1',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const deps: FlowDeps = {
    campaigns: {
      activeCampaigns: async () => [campaign],
      campaignVersion: async () => ({ campaign, live: true }),
      pausedCampaigns: async () => [],
    },
    customers: {
      profile: async () => profile,
      history: async () => ({ profile, touchpoints: [], transitions: [] }),
    },
    consent: {
      canSend: async (_id, category, to) => decide(category, to, { traits: {}, suppressed: false }),
    },
    mailer: {
      send: async (mail) => {
        sent.push(mail);
        return { messageId: 'ses-1' };
      },
    },
    log: {
      claim: async (_c, r) => {
        log.push(r);
        return 'claimed';
      },
      record: async (_c, r) => {
        log.push(r);
      },
      list: async () => log,
      takeCapSlot: async () => true,
      claimCycle: async () => true,
    },
    events: { publish: async () => {} },
    stats: { countSkip: async () => {} },
    measurement: {
      globalControlPercent: async () => 0,
      assign: async (_c, a) => a,
      enterGlobal: async (_c, arm, at) => ({ arm, at }),
    },
    marketing: { isMarketingPaused: async () => false },
    clock: () => now,
    settings: {
      frequencyCap: 3,
      frequencyWindowMs: 7 * 24 * 3600_000,
      quietHours: { start: 21, end: 8 },
      timeScale: 1,
      sendLeaseMs: 300_000,
      defaultTimeZone: 'UTC',
    },
  };
  const run: CampaignRun = {
    runId: 'r-1',
    flow: 'thank-you',
    campaignId: 'c-1',
    version: 1,
    customerId: 'u-1',
    eventId: 'e-1',
    correlationId: 'tp-1',
    trigger: { stage: 'act', at: now.toISOString(), startedAt: now.toISOString() },
    orderId: 'o-1',
    productIds: [],
    role: 'customer',
    step: 0,
    waitUntil: now.toISOString(),
    quietDelayed: false,
    pausedSince: null,
    next: 'wait',
    arm: null,
  };
  return { deps, run, sent, log };
}

describe('Flow send step: recipients', () => {
  it.each(HOSTILE)('never sends to %j and logs it as suppressed, invalid-address', async (email) => {
    // Prepare
    const w = sendTo(email);

    // Act
    const next = await runStep(w.deps, w.run);

    // Assess
    expect(w.sent).toEqual([]);
    expect(next.next).toBe('done');
    expect(w.log).toEqual([
      expect.objectContaining({
        status: 'suppressed',
        reason: 'invalid-address',
        reasonCode: 'invalid-address',
        to: null,
      }),
    ]);
  });

  it('sends to a valid address', async () => {
    const w = sendTo('ada@example.com');
    await runStep(w.deps, w.run);
    expect(w.sent.map((m) => m.to)).toEqual(['ada@example.com']);
  });
});

describe('Class: TemplateMailer', () => {
  const mailer = (publicUrl: string) => {
    const sent: OutgoingEmail[] = [];
    const m = new TemplateMailer(
      {
        send: async (email) => {
          sent.push(email);
          return { messageId: 'ses-1' };
        },
      },
      new UnsubscribeTokens(async () => 'a-test-secret-of-enough-length'),
      { templatePrefix: 'sf-', publicUrl, shopName: 'Shop', shopUrl: 'https://shop.example' },
    );
    return { m, sent };
  };
  const mail = (to: string, data: Record<string, unknown> = {}) => ({
    customerId: 'u-1',
    to,
    template: 'thank-you',
    locale: 'en',
    category: 'marketing' as const,
    data,
  });

  it('refuses every recipient that is not one addr-spec before SES sees it', async () => {
    const { m, sent } = mailer('https://api.example');
    for (const to of HOSTILE) {
      await expect(m.send(mail(to))).rejects.toBeInstanceOf(PermanentSendError);
    }
    expect(sent).toEqual([]);
  });

  it('sends one line per value and per header, and the punycode of a domain', async () => {
    // Prepare
    const { m, sent } = mailer('https://api.example\r\nBcc: evil@example.com');

    // Act
    await m.send(mail('jo@müller.de', { firstName: 'Ada\r\nBcc: evil@example.com', orderId: 'o-1\nX: y' }));

    // Assess
    const [email] = sent;
    expect(email.to).toBe('jo@xn--mller-kva.de');
    for (const h of email.headers) expect(h.value).not.toMatch(/[\r\n]/);
    expect(JSON.stringify(email.templateData)).not.toMatch(/\\r|\\n/);
    expect((email.templateData.raw as Record<string, unknown>).firstName).toBe('Ada Bcc: evil@example.com');
  });
});
