import { describe, expect, it } from 'vitest';
import { PROTECTED_TRAITS, parseTouchpoint, segmentTypeOf } from '../../lib/touchpoints/parse.js';
import { LIMITS } from '../../lib/touchpoints/schema.js';

const receivedAt = new Date('2025-03-01T10:00:00.000Z');
const HOUR = 3_600_000;

const canonical = (extra: Record<string, unknown> = {}) => ({
  messageId: 'm-1',
  userId: 'u-1',
  event: 'Product Viewed',
  timestamp: '2025-03-01T09:00:00Z',
  ...extra,
});

const errorsOf = (result: ReturnType<typeof parseTouchpoint>) => (result.ok ? [] : result.errors);

describe('parseTouchpoint (Stageflow format)', () => {
  it('returns the stored form with the timestamp normalised to UTC milliseconds', () => {
    // Prepare
    const raw = canonical({
      timestamp: '2025-03-01T11:30:00.5+02:00',
      channel: ' Instagram ',
      properties: { product_id: 'p1' },
      context: { campaign: { source: 'instagram', medium: 'paid_social', name: 'spring' }, ip: '1.2.3.4' },
    });
    // Act
    const result = parseTouchpoint(raw, 'stageflow', { receivedAt });
    // Assess
    expect(result).toEqual({
      ok: true,
      touchpoint: {
        messageId: 'm-1',
        userId: 'u-1',
        event: 'Product Viewed',
        type: 'track',
        timestamp: '2025-03-01T09:30:00.500Z',
        receivedAt: '2025-03-01T10:00:00.000Z',
        channel: 'instagram',
        properties: { product_id: 'p1' },
        context: { campaign: { source: 'instagram', medium: 'paid_social', name: 'spring' }, ip: '1.2.3.4' },
      },
    });
  });

  it('returns the time of receipt as the timestamp when none is sent', () => {
    // Act
    const result = parseTouchpoint(canonical({ timestamp: undefined }), 'stageflow', { receivedAt });
    // Assess
    expect(result.ok && result.touchpoint.timestamp).toBe(receivedAt.toISOString());
  });

  it('returns the campaign source as the channel when no channel is sent', () => {
    // Act
    const result = parseTouchpoint(canonical({ context: { campaign: { source: 'TikTok' } } }), 'stageflow', {
      receivedAt,
    });
    // Assess
    expect(result.ok && result.touchpoint.channel).toBe('tiktok');
  });

  it('returns identify and alias types for the canonical identify and alias events', () => {
    // Act
    const identify = parseTouchpoint(canonical({ event: 'identify', anonymousId: 'a-1' }), 'stageflow', {
      receivedAt,
    });
    const alias = parseTouchpoint(
      canonical({ event: 'alias', properties: { previousId: 'a-2' } }),
      'stageflow',
      { receivedAt },
    );
    // Assess
    expect(identify).toMatchObject({ ok: true, touchpoint: { type: 'identify', anonymousId: 'a-1' } });
    expect(alias).toMatchObject({ ok: true, touchpoint: { type: 'alias', previousId: 'a-2' } });
  });

  it('drops every protected trait and keeps the others', () => {
    // Prepare
    const traits = Object.fromEntries(PROTECTED_TRAITS.map((t) => [t, 'forged']));
    // Act
    const result = parseTouchpoint(
      canonical({ event: 'identify', traits: { ...traits, email: 'ada@example.com' } }),
      'stageflow',
      { receivedAt },
    );
    // Assess
    expect(result.ok && result.touchpoint.traits).toEqual({ email: 'ada@example.com' });
  });

  it('returns "is required" on messageId when it is missing', () => {
    // Act
    const result = parseTouchpoint(canonical({ messageId: undefined }), 'stageflow', { receivedAt });
    // Assess
    expect(result).toMatchObject({ ok: false, status: 400 });
    expect(errorsOf(result)).toEqual([{ path: 'messageId', pointer: '/messageId', message: 'is required' }]);
  });

  it('returns "must be a string" when an id has the wrong type', () => {
    // Act
    const result = parseTouchpoint(canonical({ userId: 42 }), 'stageflow', { receivedAt });
    // Assess
    expect(errorsOf(result)).toEqual([{ path: 'userId', pointer: '/userId', message: 'must be a string' }]);
  });

  it('returns "must be an object" when properties is not an object', () => {
    // Act
    const result = parseTouchpoint(canonical({ properties: 'red' }), 'stageflow', { receivedAt });
    // Assess
    expect(errorsOf(result)).toEqual([
      { path: 'properties', pointer: '/properties', message: 'must be an object' },
    ]);
  });

  it('returns an error on userId when neither userId nor anonymousId is sent', () => {
    // Act
    const result = parseTouchpoint(canonical({ userId: undefined }), 'stageflow', { receivedAt });
    // Assess
    expect(errorsOf(result)).toEqual([
      { path: 'userId', pointer: '/userId', message: 'userId or anonymousId is required' },
    ]);
  });

  it('returns an error on the body when it is not an object', () => {
    for (const raw of ['hello', 42, null, []]) {
      // Act
      const result = parseTouchpoint(raw, 'stageflow', { receivedAt });
      // Assess
      expect(errorsOf(result), JSON.stringify(raw)).toEqual([
        { path: '', pointer: '', message: 'must be a JSON object' },
      ]);
    }
  });

  it('returns an error when the timestamp has no zone or is not a date-time', () => {
    for (const timestamp of [
      '2025-03-01T09:00:00',
      '2025-03-01',
      'yesterday',
      '2025-02-30T09:00:00Z',
      1700000000,
    ]) {
      // Act
      const result = parseTouchpoint(canonical({ timestamp }), 'stageflow', { receivedAt });
      // Assess
      expect(errorsOf(result), String(timestamp)).toEqual([
        {
          path: 'timestamp',
          pointer: '/timestamp',
          message: 'must be an ISO 8601 date-time with a time zone',
        },
      ]);
    }
  });

  it('returns an error when the timestamp is more than 24 h ahead of receipt, and accepts 24 h', () => {
    // Prepare
    const atLimit = new Date(receivedAt.getTime() + 24 * HOUR).toISOString();
    const beyond = new Date(receivedAt.getTime() + 24 * HOUR + 1).toISOString();
    // Act
    const ok = parseTouchpoint(canonical({ timestamp: atLimit }), 'stageflow', { receivedAt });
    const late = parseTouchpoint(canonical({ timestamp: beyond }), 'stageflow', { receivedAt });
    // Assess
    expect(ok.ok).toBe(true);
    expect(errorsOf(late)).toEqual([
      { path: 'timestamp', pointer: '/timestamp', message: 'must not be more than 24 h in the future' },
    ]);
  });

  it('returns 413 when the event is over 32 KB and accepts one just under', () => {
    // Prepare
    const base = JSON.stringify(canonical({ properties: { pad: '' } })).length;
    const fits = canonical({ properties: { pad: 'x'.repeat(LIMITS.eventBytes - base) } });
    const over = canonical({ properties: { pad: 'x'.repeat(LIMITS.eventBytes - base + 1) } });
    // Act
    const ok = parseTouchpoint(fits, 'stageflow', { receivedAt });
    const tooBig = parseTouchpoint(over, 'stageflow', { receivedAt, prefix: ['batch', 7] });
    // Assess
    expect(ok.ok).toBe(true);
    expect(tooBig).toMatchObject({ ok: false, status: 413, messageId: 'm-1' });
    expect(errorsOf(tooBig)).toEqual([
      { path: 'batch[7]', pointer: '/batch/7', message: `exceeds 32768 bytes (got ${32768 + 1})` },
    ]);
  });

  it('returns errors under the batch item path when a prefix is given', () => {
    // Act
    const result = parseTouchpoint(canonical({ timestamp: 'soon', event: '' }), 'stageflow', {
      receivedAt,
      prefix: ['batch', 3],
    });
    // Assess
    expect(result).toMatchObject({ ok: false, status: 400, messageId: 'm-1' });
    expect(errorsOf(result)).toEqual([
      { path: 'batch[3].event', pointer: '/batch/3/event', message: 'must not be empty' },
      {
        path: 'batch[3].timestamp',
        pointer: '/batch/3/timestamp',
        message: 'must be an ISO 8601 date-time with a time zone',
      },
    ]);
  });

  it('returns a nested path when a campaign field has the wrong type', () => {
    // Act
    const result = parseTouchpoint(canonical({ context: { campaign: { source: 7 } } }), 'stageflow', {
      receivedAt,
      prefix: ['batch', 0],
    });
    // Assess
    expect(errorsOf(result)).toEqual([
      {
        path: 'batch[0].context.campaign.source',
        pointer: '/batch/0/context/campaign/source',
        message: 'must be a string',
      },
    ]);
  });
});

describe('parseTouchpoint (user ids)', () => {
  it('refuses a userId with the anonymous prefix, on every format', () => {
    // Act
    const results = [
      parseTouchpoint(canonical({ userId: 'anon:a-42' }), 'stageflow', { receivedAt }),
      parseTouchpoint({ userId: 'anon:a-42', event: 'Product Viewed' }, 'track', { receivedAt }),
      parseTouchpoint({ userId: 'anon:a-42', previousId: 'a-1' }, 'alias', { receivedAt }),
    ];
    // Assess
    for (const result of results) {
      expect(errorsOf(result)).toEqual([
        expect.objectContaining({
          path: 'userId',
          message: 'must not start with "anon:", the prefix of anonymous visitors',
        }),
      ]);
    }
  });
});

describe('parseTouchpoint (Segment formats)', () => {
  const segment = (extra: Record<string, unknown> = {}) => ({
    messageId: 'seg-1',
    anonymousId: 'anon-1',
    timestamp: '2025-03-01T09:00:00.000Z',
    context: { library: { name: 'analytics-node-next', version: '3.1.0' } },
    integrations: {},
    ...extra,
  });

  it('returns a track touchpoint with the event name as sent', () => {
    // Act
    const result = parseTouchpoint(
      segment({ type: 'track', event: 'Order Completed', properties: { order_id: 'o1', channel: 'TikTok' } }),
      'track',
      { receivedAt },
    );
    // Assess
    expect(result).toMatchObject({
      ok: true,
      touchpoint: {
        messageId: 'seg-1',
        anonymousId: 'anon-1',
        event: 'Order Completed',
        type: 'track',
        channel: 'tiktok',
        properties: { order_id: 'o1', channel: 'TikTok' },
      },
    });
  });

  it('takes a group call without a type on /v1/group, as Segment does for every route', () => {
    // Act
    const result = parseTouchpoint({ userId: 'u-1', groupId: 'g-1', traits: { plan: 'pro' } }, 'group', {
      receivedAt,
    });
    // Assess
    expect(result).toMatchObject({ ok: true, touchpoint: { userId: 'u-1', event: 'group', type: 'group' } });
  });

  it('ignores Segment source channels such as server as the marketing channel', () => {
    // Act
    const result = parseTouchpoint(
      segment({ event: 'Product Viewed', channel: 'server', context: { campaign: { source: 'Instagram' } } }),
      'track',
      { receivedAt },
    );
    // Assess
    expect(result.ok && result.touchpoint.channel).toBe('instagram');
  });

  it('returns a page_view with the page name and category among the properties', () => {
    // Act
    const result = parseTouchpoint(
      segment({ type: 'page', name: 'Pricing', category: 'Docs', properties: { url: 'https://x.test' } }),
      'page',
      { receivedAt },
    );
    // Assess
    expect(result).toMatchObject({
      ok: true,
      touchpoint: {
        event: 'page_view',
        type: 'page',
        properties: { name: 'Pricing', category: 'Docs', url: 'https://x.test' },
      },
    });
  });

  it('returns an identify with its traits, protected ones dropped', () => {
    // Act
    const result = parseTouchpoint(
      segment({ type: 'identify', userId: 'u-1', traits: { email: 'ada@example.com', stage: 'refer' } }),
      'identify',
      { receivedAt },
    );
    // Assess
    expect(result).toMatchObject({
      ok: true,
      touchpoint: { event: 'identify', type: 'identify', userId: 'u-1', anonymousId: 'anon-1' },
    });
    expect(result.ok && result.touchpoint.traits).toEqual({ email: 'ada@example.com' });
  });

  it('returns an alias with previousId, and requires both ids', () => {
    // Act
    const ok = parseTouchpoint(segment({ type: 'alias', userId: 'u-1', previousId: 'anon-1' }), 'alias', {
      receivedAt,
    });
    const missing = parseTouchpoint(segment({ type: 'alias', userId: 'u-1' }), 'alias', { receivedAt });
    // Assess
    expect(ok).toMatchObject({
      ok: true,
      touchpoint: { type: 'alias', userId: 'u-1', previousId: 'anon-1' },
    });
    expect(errorsOf(missing)).toEqual([
      { path: 'previousId', pointer: '/previousId', message: 'is required' },
    ]);
  });

  it('returns the same derived messageId for a timestamped call retried without one', () => {
    // Prepare
    const raw = segment({ messageId: undefined, event: 'Product Viewed' });
    // Act
    const a = parseTouchpoint(raw, 'track', { receivedAt });
    const b = parseTouchpoint({ ...raw }, 'track', { receivedAt: new Date(receivedAt.getTime() + 5000) });
    const other = parseTouchpoint({ ...raw, event: 'Product Added' }, 'track', { receivedAt });
    // Assess
    expect(a.ok && a.touchpoint.messageId).toMatch(/^sf-[0-9a-f]{32}$/);
    expect(b.ok && b.touchpoint.messageId).toBe(a.ok && a.touchpoint.messageId);
    expect(other.ok && other.touchpoint.messageId).not.toBe(a.ok && a.touchpoint.messageId);
  });

  it('returns "is required" on event when a track call has none', () => {
    // Act
    const result = parseTouchpoint(segment({ type: 'track' }), 'track', { receivedAt, prefix: ['batch', 2] });
    // Assess
    expect(errorsOf(result)).toEqual([
      { path: 'batch[2].event', pointer: '/batch/2/event', message: 'is required' },
    ]);
  });

  it('returns 413 for an oversize Segment event, like the Stageflow format', () => {
    // Act
    const result = parseTouchpoint(
      segment({ event: 'Product Viewed', properties: { pad: 'x'.repeat(LIMITS.eventBytes) } }),
      'track',
      { receivedAt },
    );
    // Assess
    expect(result).toMatchObject({ ok: false, status: 413 });
  });
});

describe('segmentTypeOf', () => {
  it('returns the call type when it is one Segment defines', () => {
    expect(segmentTypeOf({ type: 'screen' }, ['batch', 0])).toBe('screen');
  });

  it('returns an error on batch[i].type when the type is missing or unknown', () => {
    for (const raw of [{}, { type: 'purchase' }, null]) {
      expect(segmentTypeOf(raw, ['batch', 4])).toEqual({
        path: 'batch[4].type',
        pointer: '/batch/4/type',
        message: 'must be one of track, identify, alias, page, screen, group',
      });
    }
  });
});
