import { describe, expect, it } from 'vitest';
import { ingestRequest } from '../../lib/ingest/http-ingest.js';
import { IngestTouchpoints } from '../../lib/ingest/ingest-touchpoints.js';
import { defaultModel, replay } from '../../lib/journey/index.js';
import { ValidationError } from '../../lib/shared/errors.js';
import { mergeTraits, SYSTEM_TRAITS, TRAIT_LIMITS } from '../../lib/shared/trait-limits.js';
import { anonymousCustomerId } from '../../lib/storage/table.js';
import { parseTouchpoint } from '../../lib/touchpoints/parse.js';
import { MemoryJourneyStore } from '../support/memory-journey-store.js';

/**
 * A customer's traits are one DynamoDB item's worth (the profile, at most 400 KB): bounded at
 * ingest per touchpoint (a 400 naming the field) and in the fold, so no order of identifies and
 * no merge of two profiles makes the profile grow without bound.
 */

const receivedAt = new Date('2026-05-01T10:00:00.000Z');
const T0 = Date.parse('2026-05-01T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const keysFrom = (from: number, n: number, value: unknown = 'x') =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${from + i}`, value]));
/** The keys that count against the cap: all but the ones Stageflow reads. */
const ownKeys = (traits: Record<string, unknown>) => Object.keys(traits).filter((k) => !SYSTEM_TRAITS.has(k));
const errorsOf = (result: ReturnType<typeof parseTouchpoint>) => (result.ok ? [] : result.errors);

describe('traits at ingest', () => {
  const identify = (traits: Record<string, unknown>) => ({
    messageId: 'm-1',
    userId: 'u-1',
    event: 'identify',
    timestamp: iso(T0),
    traits,
  });

  it(`takes ${TRAIT_LIMITS.keys} keys, and a value of exactly ${TRAIT_LIMITS.valueBytes} bytes`, () => {
    const value = 'a'.repeat(TRAIT_LIMITS.valueBytes - 2); // with its quotes, exactly the limit
    const traits = { ...keysFrom(0, TRAIT_LIMITS.keys - 1), notes: value };
    expect(parseTouchpoint(identify(traits), 'stageflow', { receivedAt }).ok).toBe(true);
  });

  it('refuses more keys with a 400 naming traits and the reason', () => {
    const result = parseTouchpoint(identify(keysFrom(0, TRAIT_LIMITS.keys + 1)), 'stageflow', { receivedAt });
    expect(result).toMatchObject({ ok: false, status: 400 });
    expect(errorsOf(result)).toEqual([
      {
        path: 'traits',
        pointer: '/traits',
        message: `has ${TRAIT_LIMITS.keys + 1} keys; a customer keeps at most ${TRAIT_LIMITS.keys} traits (besides the ones Stageflow reads: consent, email, name, locale, timezone)`,
      },
    ]);
  });

  it('refuses a value over the size limit, naming the trait, on Segment identify too', () => {
    const big = { notes: 'é'.repeat(600) }; // 1,202 bytes as JSON
    for (const [raw, format] of [
      [identify(big), 'stageflow'],
      [{ userId: 'u-1', traits: big }, 'identify'],
    ] as const) {
      expect(errorsOf(parseTouchpoint(raw, format, { receivedAt }))).toEqual([
        {
          path: 'traits.notes',
          pointer: '/traits/notes',
          message: `is 1202 bytes as JSON; a trait value may be at most ${TRAIT_LIMITS.valueBytes} bytes`,
        },
      ]);
    }
  });

  it('bounds the top-level traits of Segment track, page, screen and alias calls the same way', () => {
    const calls = [
      [{ userId: 'u-1', event: 'Viewed', traits: keysFrom(0, TRAIT_LIMITS.keys + 1) }, 'track'],
      [{ userId: 'u-1', name: 'Home', traits: keysFrom(0, TRAIT_LIMITS.keys + 1) }, 'page'],
      [{ userId: 'u-1', name: 'Home', traits: keysFrom(0, TRAIT_LIMITS.keys + 1) }, 'screen'],
      [{ userId: 'u-1', previousId: 'a-1', traits: keysFrom(0, TRAIT_LIMITS.keys + 1) }, 'alias'],
    ] as const;
    for (const [raw, format] of calls) {
      const result = parseTouchpoint(raw, format, { receivedAt });
      expect(result, format).toMatchObject({ ok: false, status: 400 });
      expect(errorsOf(result).map((e) => e.path)).toEqual(['traits']);
    }
    const big = parseTouchpoint(
      { userId: 'u-1', event: 'Viewed', traits: { notes: 'x'.repeat(2000) } },
      'track',
      {
        receivedAt,
      },
    );
    expect(errorsOf(big).map((e) => e.pointer)).toEqual(['/traits/notes']);
    expect(
      parseTouchpoint({ userId: 'u-1', event: 'Viewed', traits: 'x' }, 'track', { receivedAt }),
    ).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it('answers a single call with a 400 problem and rejects only that item in a batch', async () => {
    const ingest = new IngestTouchpoints(new MemoryJourneyStore(), defaultModel);
    const error = await ingestRequest(
      'identify',
      { userId: 'u-1', traits: keysFrom(0, 101) },
      ingest,
      receivedAt,
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.errors[0]).toMatchObject({ path: 'traits' });

    const batch = {
      batch: [
        { type: 'identify', userId: 'u-1', traits: { email: 'ada@example.com' } },
        { type: 'identify', userId: 'u-2', traits: { blob: 'x'.repeat(2000) } },
      ],
    };
    const res = await ingestRequest('batch', batch, ingest, receivedAt);
    const body = JSON.parse(res.body as string);
    expect(body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(body.results[1].error.errors[0]).toMatchObject({
      path: 'batch[1].traits.blob',
      pointer: '/batch/1/traits/blob',
    });
  });
});

describe('traits in the profile', () => {
  it('updates known keys but adds none beyond the cap, and leaves out values stored before the limit', () => {
    const full = keysFrom(0, TRAIT_LIMITS.keys);
    const merged = mergeTraits(full, { k0: 'new', extra: 1, huge: 'x'.repeat(5000) });
    expect(Object.keys(merged)).toHaveLength(TRAIT_LIMITS.keys);
    expect(merged.k0).toBe('new');
    expect(merged).not.toHaveProperty('extra');
    expect(merged).not.toHaveProperty('huge');
  });

  it('stays bounded through many identifies, keeping the first keys in event time whatever the arrival order', () => {
    const identifies = Array.from({ length: 5 }, (_, i) => ({
      messageId: `m-${i}`,
      timestamp: iso(T0 + i * 60_000),
      event: 'identify',
      traits: { ...keysFrom(i * 60, 60), email: `v${i}@example.com` },
    }));
    const inOrder = replay(defaultModel, identifies).state.traits;
    const shuffled = replay(defaultModel, [...identifies].reverse()).state.traits;
    expect(ownKeys(inOrder)).toHaveLength(TRAIT_LIMITS.keys);
    expect(shuffled).toEqual(inOrder);
    expect(inOrder.email).toBe('v4@example.com'); // a known key keeps taking the newest value
    expect(inOrder).toHaveProperty('k0');
    expect(inOrder).not.toHaveProperty('k200');
  });

  it('keeps a merge of an anonymous and a user profile within the cap', async () => {
    const store = new MemoryJourneyStore();
    const ingest = new IngestTouchpoints(store, defaultModel, () => receivedAt);
    const at = (ms: number) => iso(T0 + ms);
    await ingest.execute([
      {
        messageId: 'a-1',
        anonymousId: 'anon-1',
        type: 'identify',
        event: 'identify',
        timestamp: at(0),
        receivedAt: at(0),
        traits: keysFrom(0, 80),
      },
    ]);
    await ingest.execute([
      {
        messageId: 'u-1',
        userId: 'user-1',
        type: 'identify',
        event: 'identify',
        timestamp: at(1000),
        receivedAt: at(1000),
        traits: keysFrom(500, 80),
      },
    ]);
    expect(Object.keys((await store.profile(anonymousCustomerId('anon-1')))!.state.traits)).toHaveLength(80);
    // The user identifies with the anonymous id: the two histories are merged and replayed.
    await ingest.execute([
      {
        messageId: 'u-2',
        userId: 'user-1',
        anonymousId: 'anon-1',
        type: 'identify',
        event: 'identify',
        timestamp: at(2000),
        receivedAt: at(2000),
        traits: { email: 'ada@example.com' },
      },
    ]);
    const traits = (await store.profile('user-1'))!.state.traits;
    expect(ownKeys(traits)).toHaveLength(TRAIT_LIMITS.keys);
    expect(traits).toHaveProperty('k79'); // the anonymous history came first in event time
    expect(traits).toHaveProperty('k519');
    expect(traits).not.toHaveProperty('k520');
    expect(traits.email).toBe('ada@example.com'); // new on a full profile, but Stageflow reads it
  });
});

describe('traits Stageflow reads are never dropped by the cap', () => {
  it('keeps an opt-out and a new address on a full profile, still bounded', () => {
    const full = keysFrom(0, TRAIT_LIMITS.keys);
    const merged = mergeTraits(full, {
      marketingConsent: false,
      emailConsent: false,
      email: 'a@example.com',
      extra: 1,
    });
    expect(merged).toMatchObject({ marketingConsent: false, emailConsent: false, email: 'a@example.com' });
    expect(merged).not.toHaveProperty('extra');
    for (const key of SYSTEM_TRAITS) expect(key).not.toMatch(/^k\d+$/);
  });

  it('keeps a late opt-out when a profile with more than the cap (stored before it) is replayed', () => {
    const early = {
      messageId: 'm-0',
      timestamp: iso(T0),
      event: 'identify',
      traits: keysFrom(0, TRAIT_LIMITS.keys + 20),
    };
    const optOut = {
      messageId: 'm-1',
      timestamp: iso(T0 + 60_000),
      event: 'identify',
      traits: { marketingConsent: false, locale: 'de' },
    };
    const traits = replay(defaultModel, [optOut, early]).state.traits;
    expect(traits.marketingConsent).toBe(false);
    expect(traits.locale).toBe('de');
    expect(ownKeys(traits)).toHaveLength(TRAIT_LIMITS.keys);
  });

  it('does not count them against the keys of one touchpoint', () => {
    const traits = { ...keysFrom(0, TRAIT_LIMITS.keys), email: 'a@example.com', marketingConsent: false };
    const tp = { messageId: 'm-1', userId: 'u-1', event: 'identify', timestamp: iso(T0), traits };
    expect(parseTouchpoint(tp, 'stageflow', { receivedAt }).ok).toBe(true);
  });
});
