import { type DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../lib/aws/clients.js';
import { defaultModel, type EngineTouchpoint, replay } from '../../lib/journey/index.js';
import { keys } from '../../lib/storage/table.js';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack, uid } from '../support/local.js';

// --- helpers ------------------------------------------------------------------------------------

let stack: LocalStack;
let db: DynamoDBClient;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await testStack('ingest-api');
  db = createDynamoClient(stack.dynamodbEndpoint);
  call = api(stack);
});
afterAll(async () => stack.stop());

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A deterministic PRNG (mulberry32), so a failing shuffle can be reproduced from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const shuffle = <T>(items: T[], random: () => number): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

const basicAuth = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
/** Calls a Segment route the way Segment's libraries do: Basic auth with the write key. */
const segmentCall = (path: string, body: unknown) =>
  api(stack, '')('POST', path, body, { authorization: basicAuth(stack.keys.ingest) });

const getCustomer = (id: string) => call('GET', `/v1/customers/${encodeURIComponent(id)}`);
const getTransitions = (id: string) => call('GET', `/v1/customers/${encodeURIComponent(id)}/transitions`);

async function allTouchpoints(customerId: string, limit = 100) {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await call('GET', `/v1/customers/${encodeURIComponent(customerId)}/touchpoints?${query}`);
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

/** Every stored item of one entity whose attribute `field` is one of `values`, read straight from the table. */
async function storedItems(entity: string, field: string, values: string[]) {
  const wanted = new Set(values);
  const found: Record<string, unknown>[] = [];
  let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: stack.tableName,
        FilterExpression: 'entity = :e',
        ExpressionAttributeValues: { ':e': { S: entity } },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const raw of page.Items ?? []) {
      const item = unmarshall(raw);
      if (wanted.has(item[field] as string)) found.push(item);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}

async function partitionSize(customerId: string) {
  const out = await db.send(
    new QueryCommand({
      TableName: stack.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: keys.customer(customerId) } },
      ConsistentRead: true,
    }),
  );
  return out.Count ?? 0;
}

/** The outbox records of one customer, in sort-key (event-time) order. */
async function outboxOf(customerId: string) {
  const out = await db.send(
    new QueryCommand({
      TableName: stack.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :o)',
      ExpressionAttributeValues: { ':pk': { S: keys.customer(customerId) }, ':o': { S: 'O#' } },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((i) => unmarshall(i));
}

function expectProblem(
  res: Awaited<ReturnType<typeof call>>,
  status: number,
  error: { path: string; message: string | RegExp },
) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body).toMatchObject({
    status,
    type: expect.stringMatching(/^https:\/\/stageflow\.dev\/problems\//),
  });
  expect(res.body.title).toEqual(expect.any(String));
  expect(res.body.errors).toContainEqual(
    expect.objectContaining({
      path: error.path,
      message: typeof error.message === 'string' ? error.message : expect.stringMatching(error.message),
    }),
  );
}

// --- the sources' journey -----------------------------------------------------------------------

interface Step {
  kind: 'track' | 'identify';
  who: 'anonymous' | 'user' | 'both';
  event?: string;
  properties?: Record<string, unknown>;
  context?: Record<string, unknown>;
  traits?: Record<string, unknown>;
}

/**
 * The journey from the sources: an anonymous Instagram ad click, research, sign-up, purchase,
 * delivery, a 5-star review and a share.
 */
const JOURNEY: Step[] = [
  {
    kind: 'track',
    who: 'anonymous',
    event: 'Ad Clicked',
    properties: { creative: 'reel-17', placement: 'stories' },
    context: {
      campaign: {
        source: 'instagram',
        medium: 'paid_social',
        name: 'spring_launch',
        content: 'reel-17',
        term: 'trail shoes',
      },
    },
  },
  { kind: 'track', who: 'anonymous', event: 'Products Searched', properties: { query: 'trail shoes' } },
  {
    kind: 'track',
    who: 'anonymous',
    event: 'Product Viewed',
    properties: { product_id: 'p-42', name: 'Ridge Runner', price: 129 },
  },
  { kind: 'identify', who: 'both', traits: { email: 'ada@example.com', firstName: 'Ada' } },
  { kind: 'track', who: 'user', event: 'Product Added', properties: { product_id: 'p-42', cart_id: 'c-1' } },
  { kind: 'track', who: 'user', event: 'Checkout Started', properties: { order_id: 'o-1', value: 129 } },
  {
    kind: 'track',
    who: 'user',
    event: 'Order Completed',
    properties: {
      order_id: 'o-1',
      total: 129,
      currency: 'EUR',
      products: [{ product_id: 'p-42', quantity: 1 }],
    },
  },
  { kind: 'track', who: 'user', event: 'Order Delivered', properties: { order_id: 'o-1' } },
  {
    kind: 'track',
    who: 'user',
    event: 'Product Reviewed',
    properties: { product_id: 'p-42', order_id: 'o-1', rating: 5, review_body: 'Light and grippy.' },
  },
  {
    kind: 'track',
    who: 'user',
    event: 'Product Shared',
    properties: { product_id: 'p-42', share_via: 'instagram' },
  },
];
const JOURNEY_STAGES = ['consider', 'research', 'decide', 'act', 'enjoy', 'refer'];

interface Ids {
  userId: string;
  anonymousId: string;
}
const newIds = (): Ids => ({ userId: uid('user'), anonymousId: uid('anon') });

const identityOf = (step: Step, ids: Ids) => ({
  ...(step.who !== 'user' ? { anonymousId: ids.anonymousId } : {}),
  ...(step.who !== 'anonymous' ? { userId: ids.userId } : {}),
});

/** The journey in Stageflow's format, one minute apart from `start`. */
const canonicalJourney = (ids: Ids, start: number) =>
  JOURNEY.map((step, i) => ({
    messageId: uid(`m${i}`),
    ...identityOf(step, ids),
    event: step.kind === 'identify' ? 'identify' : step.event!,
    timestamp: iso(start + i * MINUTE),
    ...(step.properties ? { properties: step.properties } : {}),
    ...(step.context ? { context: step.context } : {}),
    ...(step.traits ? { traits: step.traits } : {}),
  }));

async function sendWithSegment(ids: Ids, start: number, flushAt: number) {
  const analytics = new Analytics({
    writeKey: stack.keys.ingest,
    host: stack.url,
    flushAt,
    flushInterval: 60_000,
    maxRetries: 0,
    // Each request is answered by a shared, busy test machine: give it time, not retries.
    httpRequestTimeout: 60_000,
  });
  const statuses: number[] = [];
  const errors: unknown[] = [];
  analytics.on('http_response', (r) => statuses.push(r.status));
  analytics.on('error', (e) => errors.push(e));
  JOURNEY.forEach((step, i) => {
    const common = { ...identityOf(step, ids), timestamp: new Date(start + i * MINUTE) } as {
      userId: string;
      anonymousId?: string;
      timestamp: Date;
    };
    if (step.kind === 'identify') analytics.identify({ ...common, traits: step.traits });
    else
      analytics.track({ ...common, event: step.event!, properties: step.properties, context: step.context });
  });
  await analytics.closeAndFlush();
  return { statuses, errors };
}

async function expectJourneyEndsInRefer(ids: Ids) {
  const customer = await getCustomer(ids.userId);
  expect(customer.status).toBe(200);
  expect(customer.body).toMatchObject({
    customerId: ids.userId,
    stage: 'refer',
    stagesReached: Object.fromEntries(JOURNEY_STAGES.map((s) => [s, expect.any(String)])),
    counts: { touchpoints: JOURNEY.length, purchases: 1 },
    anonymousIds: [ids.anonymousId],
    traits: { email: 'ada@example.com', firstName: 'Ada' },
  });
  const transitions = await getTransitions(ids.userId);
  expect(transitions.status).toBe(200);
  expect(transitions.body.items.map((t: { to: string }) => t.to)).toEqual(JOURNEY_STAGES);
  const touchpoints = await allTouchpoints(ids.userId);
  expect(touchpoints).toHaveLength(JOURNEY.length);
  expect(touchpoints[0]).toMatchObject({
    event: 'Ad Clicked',
    anonymousId: ids.anonymousId,
    channel: 'instagram',
    context: { campaign: { source: 'instagram', medium: 'paid_social', name: 'spring_launch' } },
  });
  expect(await partitionSize(`anon:${ids.anonymousId}`)).toBe(0);
  return customer.body;
}

describe('The sources journey via @segment/analytics-node', () => {
  it('returns refer with the full transition chain when the journey is sent in one batch', async () => {
    // Prepare
    const ids = newIds();
    // Act
    const sent = await sendWithSegment(ids, Date.now() - 3 * 3600_000, 20);
    // Assess
    expect(sent.errors).toEqual([]);
    expect(sent.statuses).toEqual([200]);
    const customer = await expectJourneyEndsInRefer(ids);
    const outbox = await outboxOf(ids.userId);
    expect(outbox.map((o) => (o.detail as { to: string }).to)).toEqual(JOURNEY_STAGES);
    expect(new Set(outbox.map((o) => o.createdAt)).size).toBe(1); // one transaction, in event order
    expect(customer.acquisition).toMatchObject({
      channel: 'instagram',
      campaign: { source: 'instagram', medium: 'paid_social', name: 'spring_launch', content: 'reel-17' },
    });
  });

  it('returns refer with the full transition chain when each event is flushed on its own', async () => {
    // Prepare
    const ids = newIds();
    // Act
    const sent = await sendWithSegment(ids, Date.now() - 3 * 3600_000, 1);
    // Assess
    expect(sent.errors).toEqual([]);
    expect(sent.statuses).toEqual(Array(JOURNEY.length).fill(200));
    await expectJourneyEndsInRefer(ids);
  });
});

describe('Segment single-call routes', () => {
  it('returns {success: true} for track, identify and page calls sent unchanged', async () => {
    // Prepare
    const ids = newIds();
    const t = Date.now() - 3600_000;
    // Act
    const page = await segmentCall('/v1/page', {
      anonymousId: ids.anonymousId,
      name: 'Trail shoes',
      properties: { url: 'https://shop.test/trail' },
      context: { campaign: { source: 'pinterest', medium: 'social' } },
      timestamp: iso(t),
    });
    const identify = await segmentCall('/v1/identify', {
      userId: ids.userId,
      anonymousId: ids.anonymousId,
      traits: { email: 'grace@example.com' },
      timestamp: iso(t + MINUTE),
    });
    const track = await segmentCall('/v1/track', {
      userId: ids.userId,
      event: 'Product Added to Wishlist',
      properties: { product_id: 'p-7' },
      timestamp: iso(t + 2 * MINUTE),
    });
    // Assess
    for (const res of [page, identify, track]) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
    }
    const customer = await getCustomer(ids.userId);
    expect(customer.body).toMatchObject({
      stage: 'decide',
      counts: { touchpoints: 3 },
      acquisition: { channel: 'pinterest' },
    });
  });
});

// --- order and duplicates -----------------------------------------------------------------------

describe('Arrival order and duplicates', () => {
  it('returns the in-order stage and stagesReached when events arrive shuffled, each one to five times', async () => {
    // Prepare
    const seed = 20250301;
    const random = prng(seed);
    const start = Date.now() - 5 * 3600_000;
    // No address: a mail the flows send would come back as an `Email Delivered` touchpoint
    // (lib/engagement) at a moment of its own, and change one customer's counts but not the other's.
    const journey = (ids: Ids) =>
      canonicalJourney(ids, start).map(({ traits, ...tp }) => {
        if (!traits) return tp;
        const { email: _email, ...rest } = traits as Record<string, unknown>;
        return { ...tp, traits: rest };
      });
    const inOrderIds = newIds();
    for (const tp of journey(inOrderIds)) {
      expect((await call('POST', '/v1/touchpoints', tp)).status).toBe(200);
    }
    const ids = newIds();
    const events = journey(ids);
    const deliveries = shuffle(
      events.flatMap((e) => Array.from({ length: 1 + Math.floor(random() * 5) }, () => e)),
      random,
    );
    // Act: singles and batches of up to four, in the shuffled order.
    const statuses: string[] = [];
    for (let i = 0; i < deliveries.length; ) {
      const size = random() < 0.5 ? 1 : 1 + Math.floor(random() * 4);
      const slice = deliveries.slice(i, i + size);
      i += size;
      if (slice.length === 1) {
        const res = await call('POST', '/v1/touchpoints', slice[0]);
        expect(res.status, `seed ${seed}`).toBe(200);
        statuses.push(res.body.duplicate ? 'duplicate' : 'accepted');
      } else {
        const res = await call('POST', '/v1/touchpoints', { batch: slice });
        expect(res.status, `seed ${seed}`).toBe(200);
        statuses.push(...res.body.results.map((r: { status: string }) => r.status));
      }
    }
    // Assess
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(events.length);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(deliveries.length - events.length);
    const inOrder = (await getCustomer(inOrderIds.userId)).body;
    const shuffled = (await getCustomer(ids.userId)).body;
    expect(inOrder.stage).toBe('refer');
    expect(shuffled.stage).toBe(inOrder.stage);
    expect(shuffled.stagesReached).toEqual(inOrder.stagesReached);
    expect(shuffled.counts).toEqual(inOrder.counts);
    expect(shuffled.stagesReached).toEqual(
      replay(
        defaultModel,
        events.map((e) => ({ ...e, campaign: e.context?.campaign }) as EngineTouchpoint),
      ).state.stagesReached,
    );
    const transitions = (await getTransitions(ids.userId)).body.items;
    expect(transitions.map((t: { to: string }) => t.to)).toEqual(JOURNEY_STAGES);
    const stored = await storedItems(
      'touchpoint',
      'messageId',
      events.map((e) => e.messageId),
    );
    const perMessage = new Map<string, number>();
    for (const item of stored)
      perMessage.set(item.messageId as string, (perMessage.get(item.messageId as string) ?? 0) + 1);
    expect([...perMessage.values()]).toEqual(Array(events.length).fill(1));
    expect(new Set(stored.map((i) => i.customerId))).toEqual(new Set([ids.userId]));
    expect(await partitionSize(`anon:${ids.anonymousId}`)).toBe(0);
  });

  it('returns the serial replay when 50 touchpoints for one customer arrive concurrently', async () => {
    // Prepare
    const random = prng(50);
    const userId = uid('busy');
    const start = Date.now() - 2 * 3600_000;
    const menu: { event: string; properties?: Record<string, unknown> }[] = [
      { event: 'Ad Clicked' },
      { event: 'Product Viewed', properties: { product_id: 'p-1' } },
      { event: 'Products Searched', properties: { query: 'tent' } },
      { event: 'Product Added', properties: { product_id: 'p-1' } },
      { event: 'Checkout Started' },
      { event: 'Order Completed', properties: { order_id: 'o-a' } },
      { event: 'Order Completed', properties: { order_id: 'o-b' } },
      { event: 'Order Delivered', properties: { order_id: 'o-a' } },
      { event: 'Product Reviewed', properties: { rating: 5 } },
      { event: 'Product Reviewed', properties: { rating: 1 } },
      { event: 'Product Shared' },
      { event: 'Order Refunded', properties: { order_id: 'o-b' } },
      { event: 'Newsletter Opened' },
    ];
    const inputs = Array.from({ length: 50 }, (_, i) => {
      const pick = menu[Math.floor(random() * menu.length)];
      return {
        messageId: uid(`c${i}`),
        userId,
        ...pick,
        timestamp: iso(start + Math.floor(random() * 90) * MINUTE),
      };
    });
    // Act
    const responses = await Promise.all(inputs.map((tp) => call('POST', '/v1/touchpoints', tp)));
    // Assess
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(responses.filter((r) => r.body.duplicate)).toEqual([]);
    const expected = replay(
      defaultModel,
      inputs.map((tp) => ({
        messageId: tp.messageId,
        timestamp: tp.timestamp,
        event: tp.event,
        properties: tp.properties,
      })),
    );
    const customer = (await getCustomer(userId)).body;
    expect(customer.counts.touchpoints).toBe(50);
    expect(customer.stage).toBe(expected.state.stage);
    expect(customer.stagesReached).toEqual(expected.state.stagesReached);
    expect(customer.counts).toEqual(expected.state.counts);
    const transitions = (await getTransitions(userId)).body.items;
    expect(transitions).toEqual(expected.transitions);
    const touchpoints = await allTouchpoints(userId, 7);
    expect(touchpoints.map((t) => t.messageId)).toEqual(
      [...inputs]
        .sort((a, b) => (`${a.timestamp}#${a.messageId}` < `${b.timestamp}#${b.messageId}` ? -1 : 1))
        .map((t) => t.messageId),
    );
  });
});

// --- bad input ----------------------------------------------------------------------------------

describe('Bad input', () => {
  const good = (extra: Record<string, unknown> = {}) => ({
    messageId: uid('m'),
    userId: uid('u'),
    event: 'Product Viewed',
    timestamp: iso(Date.now() - MINUTE),
    ...extra,
  });

  it('returns 400 naming the body when the JSON is malformed', async () => {
    // Act
    const canonical = await call('POST', '/v1/touchpoints', '{"messageId": "m1", "userId":');
    const segment = await segmentCall('/v1/track', '{"event": ');
    // Assess
    expectProblem(canonical, 400, { path: '', message: /JSON/ });
    expect(canonical.body.detail).toMatch(/^The request body is not valid JSON/);
    expectProblem(segment, 400, { path: '', message: /JSON/ });
  });

  it('returns 400 naming messageId when it is missing', async () => {
    // Act
    const res = await call('POST', '/v1/touchpoints', good({ messageId: undefined }));
    // Assess
    expectProblem(res, 400, { path: 'messageId', message: 'is required' });
    expect(res.body.detail).toBe('messageId: is required');
  });

  it('returns 400 naming the field when a field has the wrong type', async () => {
    // Act
    const res = await call('POST', '/v1/touchpoints', good({ event: 42, properties: [1] }));
    // Assess
    expectProblem(res, 400, { path: 'event', message: 'must be a string' });
    expectProblem(res, 400, { path: 'properties', message: 'must be an object' });
  });

  it('returns 400 naming userId when neither id is sent', async () => {
    // Act
    const res = await call('POST', '/v1/touchpoints', good({ userId: undefined }));
    // Assess
    expectProblem(res, 400, { path: 'userId', message: 'userId or anonymousId is required' });
  });

  it('returns 413 on /v1/touchpoints and 400 on Segment routes when one event exceeds 32 KB', async () => {
    // Prepare
    const big = { pad: 'x'.repeat(33 * 1024) };
    // Act
    const canonical = await call('POST', '/v1/touchpoints', good({ properties: big }));
    const track = await segmentCall('/v1/track', { ...good({ properties: big }), type: 'track' });
    // Assess
    expectProblem(canonical, 413, { path: '', message: /^exceeds 32768 bytes/ });
    expectProblem(track, 400, { path: '', message: /^exceeds 32768 bytes/ });
  });

  it('returns 413 on /v1/touchpoints and 400 on Segment routes when the request exceeds 500 KB', async () => {
    // Prepare
    const items = Array.from({ length: 20 }, () => good({ properties: { pad: 'x'.repeat(30 * 1024) } }));
    // Act
    const canonical = await call('POST', '/v1/touchpoints', { batch: items });
    const segment = await segmentCall('/v1/batch', { batch: items.map((i) => ({ ...i, type: 'track' })) });
    // Assess
    expectProblem(canonical, 413, { path: '', message: /^exceeds 512000 bytes/ });
    expectProblem(segment, 400, { path: '', message: /^exceeds 512000 bytes/ });
    const stored = await storedItems(
      'touchpoint',
      'messageId',
      items.map((i) => i.messageId),
    );
    expect(stored).toEqual([]);
  });

  it('returns 400 naming timestamp when it has no zone or is not a date-time', async () => {
    for (const timestamp of ['2025-03-01T10:00:00', 'last tuesday']) {
      // Act
      const res = await call('POST', '/v1/touchpoints', good({ timestamp }));
      // Assess
      expectProblem(res, 400, {
        path: 'timestamp',
        message: 'must be an ISO 8601 date-time with a time zone',
      });
    }
  });

  it('returns 400 naming timestamp when it is more than 24 h in the future', async () => {
    // Act
    const res = await call('POST', '/v1/touchpoints', good({ timestamp: iso(Date.now() + 25 * 3600_000) }));
    // Assess
    expectProblem(res, 400, { path: 'timestamp', message: 'must not be more than 24 h in the future' });
  });

  it('returns 401 when no key is sent', async () => {
    // Prepare
    const tp = good();
    // Act
    const canonical = await api(stack, '')('POST', '/v1/touchpoints', tp);
    const segment = await api(stack, '')('POST', '/v1/batch', { batch: [{ ...tp, type: 'track' }] });
    // Assess
    for (const res of [canonical, segment]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body).toMatchObject({ status: 401, detail: expect.stringMatching(/API key is required/) });
    }
    expect(await storedItems('touchpoint', 'messageId', [tp.messageId])).toEqual([]);
  });

  it('returns 401 when the key is wrong, as Bearer or as Basic', async () => {
    // Act
    const bearer = await api(stack, 'sf_ingest_not_a_key')('POST', '/v1/touchpoints', good());
    const basic = await api(stack, '')('POST', '/v1/track', good(), {
      authorization: basicAuth('not-a-key'),
    });
    const read = await api(stack, 'sf_ingest_not_a_key')('GET', `/v1/customers/${uid('u')}`);
    // Assess
    for (const res of [bearer, basic, read]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body).toMatchObject({ status: 401, detail: 'The API key is not valid' });
    }
  });

  it('returns 200 with per-item results and stores the 9 good items when one of 10 is bad', async () => {
    // Prepare
    const userId = uid('u');
    const t = Date.now() - 3600_000;
    const batch = Array.from({ length: 10 }, (_, i) => good({ userId, timestamp: iso(t + i * MINUTE) }));
    batch[3] = { ...batch[3], timestamp: 'not a time' };
    // Act
    const res = await call('POST', '/v1/touchpoints', { batch });
    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.body).toMatchObject({ accepted: 9, duplicate: 0, rejected: 1 });
    expect(res.body.results).toHaveLength(10);
    expect(res.body.results[3]).toEqual({
      index: 3,
      messageId: batch[3].messageId,
      status: 'rejected',
      error: {
        status: 400,
        title: 'Invalid touchpoint',
        detail: 'batch[3].timestamp: must be an ISO 8601 date-time with a time zone',
        errors: [
          {
            path: 'batch[3].timestamp',
            pointer: '/batch/3/timestamp',
            message: 'must be an ISO 8601 date-time with a time zone',
          },
        ],
      },
    });
    for (const [i, r] of res.body.results.entries()) {
      if (i !== 3) expect(r).toEqual({ index: i, messageId: batch[i].messageId, status: 'accepted' });
    }
    const stored = (await allTouchpoints(userId)).map((tp) => tp.messageId);
    expect(stored).toEqual(batch.filter((_, i) => i !== 3).map((b) => b.messageId));
  });

  it('returns 200 and rejects only the bad item when a Segment batch holds one', async () => {
    // Prepare
    const anonymousId = uid('a');
    const batch = [
      { type: 'track', anonymousId, event: 'Product Viewed', messageId: uid('m') },
      { type: 'purchase', anonymousId, event: 'Order Completed', messageId: uid('m') },
      { type: 'page', anonymousId, messageId: uid('m') },
    ];
    // Act
    const res = await segmentCall('/v1/batch', { batch, context: { campaign: { source: 'youtube' } } });
    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, accepted: 2, rejected: 1 });
    expect(res.body.results[1]).toMatchObject({
      index: 1,
      status: 'rejected',
      error: { errors: [{ path: 'batch[1].type', message: expect.stringMatching(/^must be one of/) }] },
    });
    const customer = (await getCustomer(`anon:${anonymousId}`)).body;
    expect(customer).toMatchObject({
      stage: 'research',
      counts: { touchpoints: 2 },
      acquisition: { channel: 'youtube' },
    });
  });
});

// --- identity -----------------------------------------------------------------------------------

describe('Identity', () => {
  it('merges the anonymous history into the user when an identify links them', async () => {
    // Prepare
    const { userId, anonymousId } = newIds();
    const t = Date.now() - 3600_000;
    const click = {
      messageId: uid('m'),
      anonymousId,
      event: 'ad_click',
      timestamp: iso(t),
      context: { campaign: { source: 'tiktok', name: 'launch' } },
    };
    await call('POST', '/v1/touchpoints', click);
    await call('POST', '/v1/touchpoints', {
      messageId: uid('m'),
      anonymousId,
      event: 'product_view',
      timestamp: iso(t + MINUTE),
    });
    const before = await getCustomer(`anon:${anonymousId}`);
    // Act
    const identify = await call('POST', '/v1/touchpoints', {
      messageId: uid('m'),
      userId,
      anonymousId,
      event: 'identify',
      timestamp: iso(t + 2 * MINUTE),
      traits: { email: 'lin@example.com' },
    });
    // Assess
    expect(before.body).toMatchObject({ customerId: `anon:${anonymousId}`, stage: 'research' });
    expect(identify.body).toMatchObject({ customerId: userId, stage: 'research', duplicate: false });
    const customer = (await getCustomer(userId)).body;
    expect(customer).toMatchObject({
      customerId: userId,
      stage: 'research',
      anonymousIds: [anonymousId],
      counts: { touchpoints: 3 },
      acquisition: { channel: 'tiktok', touchpointId: click.messageId },
      traits: { email: 'lin@example.com' },
    });
    expect(customer.stagesReached).toEqual({ consider: iso(t), research: iso(t + MINUTE) });
    expect((await allTouchpoints(userId)).map((tp) => tp.messageId)[0]).toBe(click.messageId);
    expect(await partitionSize(`anon:${anonymousId}`)).toBe(0);
  });

  it('counts later anonymous-only touchpoints for the user and answers anon:<id> with the user', async () => {
    // Prepare
    const { userId, anonymousId } = newIds();
    const t = Date.now() - 3600_000;
    const view = { messageId: uid('m'), anonymousId, event: 'Product Viewed', timestamp: iso(t) };
    await call('POST', '/v1/touchpoints', view);
    await call('POST', '/v1/touchpoints', {
      messageId: uid('m'),
      userId,
      anonymousId,
      event: 'identify',
      timestamp: iso(t + MINUTE),
    });
    // Act
    const cart = await call('POST', '/v1/touchpoints', {
      messageId: uid('m'),
      anonymousId,
      event: 'Product Added',
      timestamp: iso(t + 2 * MINUTE),
    });
    const retried = await call('POST', '/v1/touchpoints', view);
    const viaAnonymous = await getCustomer(`anon:${anonymousId}`);
    // Assess
    expect(cart.body).toEqual({
      customerId: userId,
      stage: 'decide',
      previousStage: 'research',
      changed: true,
      duplicate: false,
    });
    expect(retried.body).toEqual({
      customerId: userId,
      stage: 'decide',
      previousStage: 'decide',
      changed: false,
      duplicate: true,
    });
    expect(viaAnonymous.status).toBe(200);
    expect(viaAnonymous.body).toMatchObject({
      customerId: userId,
      stage: 'decide',
      counts: { touchpoints: 3 },
    });
    expect(await partitionSize(`anon:${anonymousId}`)).toBe(0);
  });

  it('merges the histories when Segment /v1/alias links an anonymous id to a user', async () => {
    // Prepare
    const { userId, anonymousId } = newIds();
    const t = Date.now() - 3600_000;
    await segmentCall('/v1/track', {
      anonymousId,
      event: 'Products Searched',
      timestamp: iso(t),
      messageId: uid('m'),
    });
    await segmentCall('/v1/track', {
      anonymousId,
      event: 'Checkout Started',
      timestamp: iso(t + MINUTE),
      messageId: uid('m'),
    });
    // Act
    const res = await segmentCall('/v1/alias', {
      userId,
      previousId: anonymousId,
      timestamp: iso(t + 2 * MINUTE),
    });
    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    const customer = (await getCustomer(userId)).body;
    expect(customer).toMatchObject({
      stage: 'decide',
      anonymousIds: [anonymousId],
      counts: { touchpoints: 3 },
    });
    const transitions = (await getTransitions(userId)).body.items;
    expect(transitions.map((x: { to: string }) => x.to)).toEqual(['research', 'decide']);
  });

  it('keeps the first link when a second user identifies with the same anonymous id', async () => {
    // Prepare
    const { userId, anonymousId } = newIds();
    const other = uid('other');
    const t = Date.now() - 3600_000;
    await call('POST', '/v1/touchpoints', {
      messageId: uid('m'),
      anonymousId,
      event: 'Ad Clicked',
      timestamp: iso(t),
    });
    await call('POST', '/v1/touchpoints', {
      messageId: uid('m'),
      userId,
      anonymousId,
      event: 'identify',
      timestamp: iso(t + MINUTE),
    });
    // Act
    const second = await call('POST', '/v1/touchpoints', {
      messageId: uid('m'),
      userId: other,
      anonymousId,
      event: 'Product Viewed',
      timestamp: iso(t + 2 * MINUTE),
    });
    // Assess
    expect(second.body).toMatchObject({ customerId: other, stage: 'research' });
    expect((await getCustomer(other)).body).toMatchObject({ anonymousIds: [], counts: { touchpoints: 1 } });
    expect((await getCustomer(userId)).body).toMatchObject({
      anonymousIds: [anonymousId],
      counts: { touchpoints: 2 },
    });
  });
});

// --- reads --------------------------------------------------------------------------------------

describe('Customer reads', () => {
  it('returns 404 problem+json when the customer is unknown', async () => {
    // Act
    const res = await getCustomer(uid('nobody'));
    const touchpoints = await call('GET', `/v1/customers/${uid('nobody')}/touchpoints`);
    // Assess
    for (const r of [res, touchpoints]) {
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.body).toMatchObject({ status: 404, title: 'Not found' });
    }
  });

  it('returns the customer when the id needs percent-encoding in the path', async () => {
    // Prepare
    const userId = `Zoë 100% #${uid('x')}/touchpoints`;
    await call('POST', '/v1/touchpoints', { messageId: uid('m'), userId, event: 'Product Viewed' });
    // Act
    const profile = await getCustomer(userId);
    const touchpoints = await call('GET', `/v1/customers/${encodeURIComponent(userId)}/touchpoints`);
    const malformed = await call('GET', '/v1/customers/%E0%A4%A');
    // Assess
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ customerId: userId, stage: 'research' });
    expect(touchpoints.body.items).toHaveLength(1);
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toBe('application/problem+json');
  });

  it('returns the profile with stage, stageSince, stagesReached, traits, counts and anonymousIds', async () => {
    // Prepare
    const userId = uid('u');
    const t = Date.now() - 3600_000;
    await call('POST', '/v1/touchpoints', {
      messageId: uid('m'),
      userId,
      event: 'Product Viewed',
      timestamp: iso(t),
    });
    await call('POST', '/v1/touchpoints', {
      messageId: uid('m'),
      userId,
      event: 'Order Completed',
      timestamp: iso(t + MINUTE),
      properties: { order_id: 'o-9' },
      traits: { city: 'Leipzig' },
    });
    // Act
    const res = await getCustomer(userId);
    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      customerId: userId,
      stage: 'act',
      stageSince: iso(t + MINUTE),
      stagesReached: { research: iso(t), act: iso(t + MINUTE) },
      traits: { city: 'Leipzig' },
      counts: { touchpoints: 2, purchases: 1 },
      anonymousIds: [],
    });
  });

  it('returns touchpoints in event-time order, page by page, with no cursor after the last page', async () => {
    // Prepare
    const userId = uid('u');
    const t = Date.now() - 3600_000;
    const sent = Array.from({ length: 6 }, (_, i) => ({
      messageId: uid(`m${i}`),
      userId,
      event: 'Product Viewed',
      timestamp: iso(t + i * MINUTE),
    }));
    for (const tp of shuffle(sent, prng(6))) await call('POST', '/v1/touchpoints', tp);
    // Act
    const pages: { items: { messageId: string }[]; nextCursor: string | null }[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(
        'GET',
        `/v1/customers/${userId}/touchpoints?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      pages.push(res.body);
      cursor = res.body.nextCursor;
    } while (cursor && pages.length < 5);
    // Assess
    expect(pages.map((p) => p.items.length)).toEqual([3, 3]);
    expect(pages.at(-1)?.nextCursor).toBeNull();
    expect(pages.flatMap((p) => p.items.map((i) => i.messageId))).toEqual(sent.map((s) => s.messageId));
  });

  it('returns 400 naming the parameter when limit or cursor is invalid', async () => {
    // Prepare
    const userId = uid('u');
    await call('POST', '/v1/touchpoints', { messageId: uid('m'), userId, event: 'Product Viewed' });
    // Act
    const limit = await call('GET', `/v1/customers/${userId}/touchpoints?limit=0`);
    const cursor = await call('GET', `/v1/customers/${userId}/touchpoints?cursor=bm9wZQ`);
    // Assess
    expectProblem(limit, 400, { path: 'limit', message: /./ });
    expectProblem(cursor, 400, { path: 'cursor', message: 'is not a cursor this API returned' });
  });

  it('returns transitions as {items: [{from, to, at, touchpointId}]} in event-time order', async () => {
    // Prepare
    const userId = uid('u');
    const t = Date.now() - 3600_000;
    const view = { messageId: uid('m'), userId, event: 'Product Viewed', timestamp: iso(t + MINUTE) };
    const click = { messageId: uid('m'), userId, event: 'Ad Clicked', timestamp: iso(t) };
    await call('POST', '/v1/touchpoints', view);
    await call('POST', '/v1/touchpoints', click);
    // Act
    const res = await getTransitions(userId);
    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        { from: null, to: 'consider', at: click.timestamp, touchpointId: click.messageId, orderId: null },
        { from: 'consider', to: 'research', at: view.timestamp, touchpointId: view.messageId, orderId: null },
      ],
    });
  });
});
