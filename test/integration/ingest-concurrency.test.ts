import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCustomerData } from '../../lib/customers/dynamodb-customer-data.js';
import { DynamoDbJourneyStore } from '../../lib/ingest/dynamodb-journey-store.js';
import { IngestTouchpoints } from '../../lib/ingest/ingest-touchpoints.js';
import type { CommitOutcome, JourneyStore } from '../../lib/ingest/ports.js';
import { defaultModel, replay } from '../../lib/journey/index.js';
import { anonymousCustomerId, keys } from '../../lib/storage/table.js';
import type { Touchpoint } from '../../lib/touchpoints/schema.js';
import { testTable, uid } from '../support/local.js';

/**
 * The ingest use case against DynamoDB Local, with several instances standing in for
 * separate Lambda containers: each has its own in-process queue, so only the profile version
 * keeps them from losing updates. Store hooks force the interleavings that matter.
 */

let table: Awaited<ReturnType<typeof testTable>>;
beforeAll(async () => {
  table = await testTable('ingest-concurrency');
});

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const touchpoint = (fields: Partial<Touchpoint> & Pick<Touchpoint, 'event' | 'timestamp'>): Touchpoint => ({
  messageId: uid('m'),
  type: 'track',
  receivedAt: new Date().toISOString(),
  ...fields,
});

interface Hooks {
  beforeCommit?: () => Promise<void>;
  /** Called when the commit loop reads a customer's history (it replays a late touchpoint). */
  onHistory?: (customerId: string) => void;
  beforeHistory?: () => Promise<void>;
  afterMoveHistory?: () => void;
  moveHistory?: (from: string, to: string) => Promise<number>;
}

/** A "process": its own store adapter and use case, with optional hooks around the store. */
function processWith(hooks: Hooks = {}) {
  const real = new DynamoDbJourneyStore(table.client, table.tableName);
  const outcomes: CommitOutcome[] = [];
  const store: JourneyStore = {
    snapshot: (r) => real.snapshot(r),
    profile: (id) => real.profile(id),
    history: async (id) => {
      hooks.onHistory?.(id);
      await hooks.beforeHistory?.();
      return real.history(id);
    },
    alias: (id) => real.alias(id),
    referralOwner: (code) => real.referralOwner(code),
    claimAlias: (a, c) => real.claimAlias(a, c),
    touchpoints: (id, l, c) => real.touchpoints(id, l, c),
    transitions: (id) => real.transitions(id),
    commit: async (c) => {
      await hooks.beforeCommit?.();
      const outcome = await real.commit(c);
      outcomes.push(outcome);
      return outcome;
    },
    moveHistory: async (from, to) => {
      const moved = await (hooks.moveHistory ?? ((f, t) => real.moveHistory(f, t)))(from, to);
      hooks.afterMoveHistory?.();
      return moved;
    },
  };
  return { ingest: new IngestTouchpoints(store, defaultModel), outcomes, store: real };
}

/** Releases everyone once `parties` callers have arrived; later callers pass straight through. */
function barrier(parties: number) {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return async () => {
    arrived++;
    if (arrived === parties) open();
    if (arrived <= parties) await opened;
  };
}

async function partitionSize(customerId: string) {
  const out = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: keys.customer(customerId) } },
      ConsistentRead: true,
    }),
  );
  return out.Count ?? 0;
}

const engineView = (tps: Touchpoint[]) =>
  tps.map((tp) => ({
    messageId: tp.messageId,
    timestamp: tp.timestamp,
    event: tp.event,
    properties: tp.properties,
    traits: tp.traits,
  }));

describe('IngestTouchpoints across processes', () => {
  it('loses no update when four processes commit for one customer at the same moment', async () => {
    // Prepare
    const userId = uid('u');
    const start = Date.now() - 3600_000;
    const gate = barrier(4);
    const processes = Array.from({ length: 4 }, () => processWith({ beforeCommit: gate }));
    const events = [
      'Product Viewed',
      'Ad Clicked',
      'Product Added',
      'Order Completed',
      'Order Delivered',
      'Product Shared',
    ];
    const sent = processes.map((_, p) =>
      events.map((event, i) =>
        touchpoint({
          userId,
          event,
          timestamp: iso(start + ((p * 7 + i * 5) % 24) * MINUTE),
          properties: { order_id: `o-${p}` },
        }),
      ),
    );
    // Act: each process sends its touchpoints one request at a time, all processes at once.
    await Promise.all(
      processes.map(async ({ ingest }, p) => {
        for (const tp of sent[p]) {
          const [result] = await ingest.execute([tp]);
          expect(result.status).toBe('accepted');
        }
      }),
    );
    // Assess
    const all = sent.flat();
    const expected = replay(defaultModel, engineView(all));
    const history = await processes[0].store.history(userId);
    expect(history.touchpoints.map((t) => t.messageId).sort()).toEqual(all.map((t) => t.messageId).sort());
    expect(history.profile?.state).toEqual(expected.state);
    expect(history.transitions).toEqual(expected.transitions);
    const lost = processes.flatMap((p) => p.outcomes).filter((o) => !o.ok);
    expect(lost.length).toBeGreaterThanOrEqual(3); // the barrier made three of the first four commits lose
  });

  it('moves an anonymous touchpoint to the user when its commit races the identify that links it', async () => {
    // Prepare
    const userId = uid('u');
    const anonymousId = uid('a');
    const t = Date.now() - 3600_000;
    const click = touchpoint({
      anonymousId,
      event: 'Ad Clicked',
      timestamp: iso(t),
      context: { campaign: { source: 'instagram' } },
    });
    let merged!: () => void;
    const mergeDone = new Promise<void>((resolve) => {
      merged = resolve;
    });
    const identifier = processWith({ afterMoveHistory: () => merged() });
    const visitor = processWith({ beforeCommit: () => mergeDone }); // commits only after the merge
    const identify = touchpoint({
      userId,
      anonymousId,
      event: 'identify',
      type: 'identify',
      timestamp: iso(t + MINUTE),
    });
    // Act
    const [[clickResult], [identifyResult]] = await Promise.all([
      visitor.ingest.execute([click]),
      identifier.ingest.execute([identify]),
    ]);
    // Assess
    expect(visitor.outcomes[0]).toEqual({ ok: false, reason: 'aliased' });
    expect(clickResult).toMatchObject({ status: 'accepted', customerId: userId, stage: 'consider' });
    expect(identifyResult).toMatchObject({ status: 'accepted', customerId: userId });
    const history = await identifier.store.history(userId);
    expect(history.touchpoints.map((tp) => tp.messageId)).toEqual([click.messageId, identify.messageId]);
    expect(history.profile?.state.acquisition).toMatchObject({
      campaign: { source: 'instagram' },
      touchpointId: click.messageId,
    });
    expect(history.profile?.anonymousIds).toEqual([anonymousId]);
    expect(await partitionSize(anonymousCustomerId(anonymousId))).toBe(0);
  });

  it('finishes the merge when an identify is retried after failing between claim and move', async () => {
    // Prepare
    const userId = uid('u');
    const anonymousId = uid('a');
    const t = Date.now() - 3600_000;
    const view = touchpoint({ anonymousId, event: 'Product Viewed', timestamp: iso(t) });
    const identify = touchpoint({
      userId,
      anonymousId,
      event: 'identify',
      type: 'identify',
      timestamp: iso(t + MINUTE),
    });
    const healthy = processWith();
    await healthy.ingest.execute([view]);
    const crashing = processWith({
      moveHistory: async () => {
        throw new Error('container froze');
      },
    });
    // Act
    const first = await crashing.ingest.execute([identify]).catch((e: Error) => e);
    const [retried] = await healthy.ingest.execute([identify]);
    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(retried).toMatchObject({ status: 'accepted', customerId: userId, stage: 'research' });
    const history = await healthy.store.history(userId);
    expect(history.touchpoints.map((tp) => tp.messageId)).toEqual([view.messageId, identify.messageId]);
    expect(history.profile?.state.counts.touchpoints).toBe(2);
    expect(await partitionSize(anonymousCustomerId(anonymousId))).toBe(0);
  });

  it('keeps every touchpoint once when one batch holds the anonymous history and its identify', async () => {
    // Prepare
    const userId = uid('u');
    const anonymousId = uid('a');
    const t = Date.now() - 3600_000;
    const { ingest, outcomes, store } = processWith();
    const batch = [
      touchpoint({
        anonymousId,
        event: 'Ad Clicked',
        timestamp: iso(t),
        context: { campaign: { source: 'tiktok' } },
      }),
      touchpoint({ userId, event: 'Product Added', timestamp: iso(t + 2 * MINUTE) }),
      touchpoint({ userId, anonymousId, event: 'identify', type: 'identify', timestamp: iso(t + MINUTE) }),
      touchpoint({ anonymousId, event: 'Product Viewed', timestamp: iso(t + 3 * MINUTE) }),
    ];
    // Act
    const results = await ingest.execute(batch);
    // Assess
    expect(results.map((r) => [r.status, r.customerId])).toEqual(batch.map(() => ['accepted', userId]));
    expect(outcomes).toEqual([{ ok: true }]); // one transaction for the whole merged history
    const history = await store.history(userId);
    expect(history.transitions.map((x) => x.to)).toEqual(['consider', 'decide']);
    expect(await partitionSize(anonymousCustomerId(anonymousId))).toBe(0);
  });
});

describe('IngestTouchpoints with long histories', () => {
  it('merges a guest with a long post-purchase history when the guest finally signs up', async () => {
    // Prepare: a guest checkout customer with 30 orders, each delivered, reviewed and shared.
    const userId = uid('u');
    const anonymousId = uid('guest');
    const t = Date.now() - 20 * 24 * 3600_000;
    const { ingest, store } = processWith();
    const steps = ['Order Completed', 'Order Delivered', 'Product Reviewed', 'Product Viewed'];
    const history = Array.from({ length: 120 }, (_, i) =>
      touchpoint({
        anonymousId,
        event: steps[i % 4],
        timestamp: iso(t + i * 60 * MINUTE),
        properties: { order_id: `o-${Math.floor(i / 4)}`, rating: 5 },
      }),
    );
    await ingest.execute(history);
    const before = await store.history(anonymousCustomerId(anonymousId));
    // Act
    const [identified] = await ingest.execute([
      touchpoint({
        userId,
        anonymousId,
        event: 'identify',
        type: 'identify',
        timestamp: iso(t + 121 * 60 * MINUTE),
      }),
    ]);
    // Assess
    expect(before.transitions).toHaveLength(120);
    expect(identified).toMatchObject({ status: 'accepted', customerId: userId, stage: 'repeat' });
    const merged = await store.history(userId);
    expect(merged.touchpoints).toHaveLength(121);
    expect(merged.transitions).toEqual(replay(defaultModel, engineView([...history])).transitions);
    expect(merged.profile?.state.counts).toEqual({ touchpoints: 121, purchases: 30 });
    const published = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :o)',
        ExpressionAttributeValues: { ':pk': { S: keys.customer(userId) }, ':o': { S: 'O#' } },
        ConsistentRead: true,
      }),
    );
    const events = (published.Items ?? []).map((i) => unmarshall(i).detail as { at: string; to: string });
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(100);
    expect(events.at(-1)).toMatchObject({ to: 'repeat', at: history.at(-1)?.timestamp });
  });
});

describe('IngestTouchpoints for engagement (only customers that exist)', () => {
  const opened = (userId: string, at: number) =>
    touchpoint({ userId, event: 'Email Opened', timestamp: iso(at), properties: { email_id: 'r-01' } });
  const erase = async (customerId: string) => {
    const data = new DynamoDbCustomerData(table.client, table.tableName);
    await data.erase(await data.gather(customerId));
  };
  const dedupeExists = async (messageId: string) => {
    const out = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: keys.dedupe(messageId) } },
        ConsistentRead: true,
      }),
    );
    return (out.Count ?? 0) > 0;
  };

  it('never creates a customer who does not exist', async () => {
    const userId = uid('u');
    const open = opened(userId, Date.now() - MINUTE);
    const { ingest } = processWith();
    const [result] = await ingest.execute([open], { onlyExistingCustomers: true });
    expect(result).toMatchObject({ status: 'skipped', customerId: userId });
    expect(await partitionSize(userId)).toBe(0);
    expect(await dedupeExists(open.messageId)).toBe(false);
  });

  it.each([
    ['an open in order, erased before its commit', MINUTE, 'commit', false],
    ['a late click (the commit loop replays), erased before its commit', -MINUTE, 'commit', true],
    ['a late click, erased between reading the profile and the history it replays', -MINUTE, 'history', true],
  ] as const)('writes nothing when an erasure races engagement: %s', async (_, offset, eraseAt, replays) => {
    // Prepare: a customer with a history
    const userId = uid('u');
    const t = Date.now() - 3600_000;
    await processWith().ingest.execute([
      touchpoint({
        userId,
        event: 'identify',
        type: 'identify',
        timestamp: iso(t),
        traits: { email: `${userId}@example.com` },
      }),
    ]);
    let erased = false;
    let historyReads = 0;
    const eraseOnce = async () => {
      if (erased) return;
      erased = true;
      await erase(userId);
    };
    const racing = processWith({
      onHistory: () => {
        historyReads++;
      },
      beforeCommit: eraseAt === 'commit' ? eraseOnce : undefined,
      beforeHistory: eraseAt === 'history' ? eraseOnce : undefined,
    });
    // Act: the engagement touchpoint, with the erasure landing where the case says
    const [result] = await racing.ingest.execute([opened(userId, t + offset)], {
      onlyExistingCustomers: true,
    });
    // Assess: the commit loop took the path meant (a replay reads the history), and the profile
    // did not come back, nor anything else in the partition
    expect(erased).toBe(true);
    expect(historyReads > 0).toBe(replays);
    expect(result).toMatchObject({ status: 'skipped' });
    expect(await partitionSize(userId)).toBe(0);
    expect(await racing.store.profile(userId)).toBeNull();
  });

  it('stores engagement for a customer who exists, in order or late', async () => {
    const userId = uid('u');
    const t = Date.now() - 3600_000;
    const { ingest, store } = processWith();
    await ingest.execute([touchpoint({ userId, event: 'Product Viewed', timestamp: iso(t) })]);
    const results = await ingest.execute([opened(userId, t + MINUTE)], { onlyExistingCustomers: true });
    const late = await ingest.execute([opened(userId, t - MINUTE)], { onlyExistingCustomers: true });
    expect([...results, ...late].map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect((await store.history(userId)).touchpoints).toHaveLength(3);
  });
});
