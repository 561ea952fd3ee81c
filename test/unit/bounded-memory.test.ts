import '../../local/polyfills.js';
import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../events/index.js';
import { createKey } from '../../lib/auth/api-keys.js';
import { AUTH_CACHE_MAX_KEYS, Authenticator } from '../../lib/auth/authenticate.js';
import { Lru } from '../../lib/lru.js';
import { LocalEventBus } from '../../local/event-bus.js';
import { LocalStepFunctions } from '../../local/step-functions.js';
import { MemoryKeyStore } from '../support/memory-key-store.js';

describe('Class: Lru', () => {
  it('drops the least recently used entry beyond its size, counting a read as a use', () => {
    // Prepare
    const lru = new Lru<string, number>(2);
    lru.set('a', 1).set('b', 2);

    // Act: reading a makes b the oldest
    lru.get('a');
    lru.set('c', 3);

    // Assess
    expect([...lru.entriesOldestFirst()]).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
    expect(lru.has('b')).toBe(false);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new Lru(0)).toThrow(RangeError);
  });
});

describe('Class: Authenticator (issue 12, item 8)', () => {
  it('keeps at most maxKeys lookups however many distinct unknown keys a client sends', async () => {
    // Prepare
    const store = new MemoryKeyStore();
    const shop = await createKey(store, { name: 'shop', scope: 'ingest' });
    const auth = new Authenticator(store, 30_000, Date.now, {}, 100);

    // Act: an attacker's random keys, then the shop's own key
    for (let i = 0; i < 5_000; i++) await auth.check(`sf_random_${i}_${Math.random()}`);
    const valid = await auth.check(shop.key);

    // Assess
    expect(auth.cachedKeys).toBe(100);
    expect(valid.status).toBe('valid');
  });

  it('defaults to a bound', () => {
    expect(new Authenticator(new MemoryKeyStore()).cachedKeys).toBe(0);
    expect(AUTH_CACHE_MAX_KEYS).toBeLessThanOrEqual(10_000);
  });
});

describe('Class: LocalStepFunctions (issue 12, item 8)', () => {
  it('forgets finished executions beyond keepFinished, but never a running one', async () => {
    // Prepare: one machine that ends at once, one that waits
    const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:quick';
    const slowArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:slow';
    const sfn = new LocalStepFunctions({
      definitions: {
        [arn]: { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } },
        [slowArn]: { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 1, End: true } } },
      },
      resolveTask: () => undefined,
      timeScale: 1,
      keepFinished: 10,
    });

    // Act
    sfn.startExecution(slowArn, 'waiting', '{}');
    for (let i = 0; i < 50; i++) sfn.startExecution(arn, `run-${i}`, '{}');
    await new Promise((resolve) => setImmediate(resolve));
    await eventuallyFinished(sfn, 10);

    // Assess: the last ten finished, and the running one
    const kept = [...sfn.executions.values()];
    expect(kept.filter((e) => e.status === 'SUCCEEDED').map((e) => e.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `run-${40 + i}`),
    );
    expect(kept.filter((e) => e.status === 'RUNNING').map((e) => e.name)).toEqual(['waiting']);
    await sfn.idle();
    expect(sfn.executions.size).toBe(10);
  });
});

async function eventuallyFinished(sfn: LocalStepFunctions, count: number) {
  for (let i = 0; i < 200; i++) {
    if ([...sfn.executions.values()].filter((e) => e.status === 'SUCCEEDED').length >= count) {
      const running = [...sfn.executions.values()].filter(
        (e) => e.name.startsWith('run-') && e.status === 'RUNNING',
      );
      if (running.length === 0) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Class: LocalEventBus (issue 12, item 8)', () => {
  it('keeps the newest keepEvents events, archived events and deliveries', async () => {
    // Prepare
    const bus = new LocalEventBus({ name: 'bounded', keepEvents: 5 });
    const rule = bus.addRule('all', { source: [EVENT_SOURCE] }, () => undefined);

    // Act
    for (let i = 0; i < 20; i++) {
      bus.put([
        {
          Source: EVENT_SOURCE,
          DetailType: 'Customer Stage Changed',
          Detail: JSON.stringify({ eventId: `e${i}` }),
          EventBusName: 'bounded',
        },
      ]);
    }
    await bus.idle();

    // Assess
    expect(bus.events.map((e) => e.detail.eventId)).toEqual(['e15', 'e16', 'e17', 'e18', 'e19']);
    expect(bus.archive).toHaveLength(5);
    expect(rule.delivered).toHaveLength(5);
  });
});
