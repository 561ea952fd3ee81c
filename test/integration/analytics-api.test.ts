import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DeleteItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../lib/aws/clients.js';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { api, testStack, uid } from '../support/local.js';

const execFileAsync = promisify(execFile);
let stack: LocalStack;
let ingest: ReturnType<typeof api>;
let admin: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await testStack('analytics-api');
  ingest = api(stack);
  admin = api(stack, stack.keys.admin);
});
afterAll(async () => stack.stop());

const run = uid('r');
let seq = 0;
const tp = (
  userId: string,
  at: string,
  event: string,
  extra: {
    channel?: string;
    campaign?: string;
    properties?: Record<string, unknown>;
    anonymousId?: string;
  } = {},
) => ({
  messageId: `${run}-${++seq}`,
  ...(userId ? { userId } : {}),
  ...(extra.anonymousId ? { anonymousId: extra.anonymousId } : {}),
  event,
  timestamp: `${at}Z`,
  ...(extra.channel ? { channel: extra.channel } : {}),
  ...(extra.campaign ? { context: { campaign: { name: extra.campaign } } } : {}),
  ...(extra.properties ? { properties: extra.properties } : {}),
});

const A = `${run}-A`;
const B = `${run}-B`;
const C = `${run}-C`;
const D = `${run}-D`;
const E = `${run}-E`;
const ANON = `${run}-anon`;

/** The five customers of test/unit/analytics-five-customers.test.ts, plus a merged anonymous visitor. */
const HISTORY = [
  tp(A, '2026-11-05T10:00:00', 'Email Opened', { channel: 'email', campaign: 'newsletter-1' }),
  tp(A, '2026-11-01T10:00:00', 'Ad Clicked', { channel: 'instagram', campaign: 'autumn' }),
  tp(A, '2026-11-08T10:00:00', 'Order Completed', {
    properties: { order_id: 'o-A', total: 100, currency: 'EUR' },
  }),
  tp(B, '2026-11-02T00:00:00', 'Ad Clicked', { channel: 'google', campaign: 'spring' }),
  tp(B, '2026-11-03T00:00:00', 'Ad Clicked', { channel: 'instagram', campaign: 'autumn' }),
  tp(B, '2026-11-04T00:00:00', 'Order Completed', { properties: { order_id: 'o-B', revenue: 50 } }),
  tp(C, '2026-11-01T00:00:00', 'Ad Clicked', { channel: 'facebook', campaign: 'c1' }),
  tp(C, '2026-11-02T00:00:00', 'Ad Clicked', { channel: 'google', campaign: 'spring' }),
  tp(C, '2026-11-03T00:00:00', 'Ad Clicked', { channel: 'instagram', campaign: 'autumn' }),
  tp(C, '2026-11-04T00:00:00', 'Order Completed', {
    properties: { order_id: 'o-C', products: [{ price: 10, quantity: 2 }, { price: 5 }] },
  }),
  tp(D, '2026-11-10T00:00:00', 'Order Completed', { properties: { order_id: 'o-D1', total: 40 } }),
  tp(D, '2026-11-11T00:00:00', 'Order Completed', { properties: { order_id: 'o-D2', total: 60 } }),
  tp(D, '2026-11-12T00:00:00', 'Order Refunded', { properties: { order_id: 'o-D2' } }),
  tp(E, '2026-09-01T00:00:00', 'Ad Clicked', { channel: 'tiktok', campaign: 'winter' }),
  tp(E, '2026-11-05T00:00:00', 'Order Completed', { properties: { order_id: 'o-E', total: 80 } }),
  // An anonymous visitor from a newsletter link, identified as E later: E's acquisition moves to the earlier touch.
  tp('', '2026-08-20T00:00:00', 'Ad Clicked', {
    anonymousId: ANON,
    channel: 'newsletter',
    campaign: 'summer',
  }),
  tp(E, '2026-11-06T00:00:00', 'identify', { anonymousId: ANON }),
];

/**
 * The report once it says nothing is left uncounted: lagSeconds sees changes still in the
 * stream as well as those being projected, so polling it alone is enough.
 */
async function counted(path: string) {
  return eventually(async () => {
    const res = await admin('GET', path);
    expect(res.status).toBe(200);
    expect(res.body.lagSeconds).toBe(0);
    return res.body;
  });
}

/** `npm run analytics:rebuild` against the test stack's table. */
const rebuild = () =>
  execFileAsync(
    'npx',
    ['tsx', 'scripts/analytics-rebuild.ts', '--table', stack.tableName, '--endpoint', stack.dynamodbEndpoint],
    { env: { ...process.env, STAGEFLOW_REPORT_TIMEZONE: 'UTC' } },
  );

const FUNNEL = '/v1/analytics/funnel?from=2026-08-01&to=2026-12-01&by=cohort&cohort=week';
const ATTRIBUTION =
  '/v1/analytics/attribution?from=2026-11-01&to=2026-12-01&model=all&by=channel&lookbackDays=90';

describe('Analytics API on the local stack', () => {
  it('gives the same figures for events sent shuffled and twice, through the stream projector', async () => {
    // Prepare: every touchpoint twice, in a scrambled order, in a few batches.
    const sends = [...HISTORY, ...HISTORY]
      .map((t, i) => ({ t, k: (i * 7919) % 34 }))
      .sort((a, b) => a.k - b.k);
    for (let i = 0; i < sends.length; i += 9) {
      const res = await ingest('POST', '/v1/touchpoints', { batch: sends.slice(i, i + 9).map((s) => s.t) });
      expect(res.status).toBe(200);
    }
    // Act
    const report = await counted(ATTRIBUTION);
    // Assess: five orders, o-D2 refunded; E's newsletter click (merged in) is within 90 days of o-E.
    expect(report.conversions).toBe(5);
    expect(report.revenue).toEqual({ EUR: 100, USD: 195 });
    const row = (channel: string) =>
      report.rows.find((r: { key: { channel: string } }) => r.key.channel === channel);
    expect(row('instagram').conversions).toMatchObject({
      first: 1,
      last: 2,
      linear: 1.333333,
      position: 1.4,
    });
    expect(row('newsletter').conversions).toMatchObject({ first: 1, last: 0, linear: 0.5 });
    expect(row('tiktok').conversions).toMatchObject({ first: 0, last: 1, linear: 0.5 });
    expect(row('direct').conversions).toMatchObject({ first: 1, last: 1 });

    const funnel = await counted(
      '/v1/analytics/funnel?from=2026-08-01&to=2026-12-01&by=channel&steps=consider,act&windowDays=90',
    );
    const group = (channel: string) =>
      funnel.groups.find((g: { key: { channel: string } }) => g.key.channel === channel);
    // E is acquired by the merged newsletter click, not by the later tiktok ad.
    expect(group('newsletter')).toMatchObject({ customers: 1, steps: [{ reached: 1 }, { reached: 1 }] });
    expect(group('tiktok')).toBeUndefined();
    expect(group('email')).toBeUndefined();

    const stages = await counted('/v1/analytics/stages?stalledAfterDays=14');
    expect(stages.total).toBe(5);
    expect(stages.stages.find((s: { stage: string }) => s.stage === 'act')).toMatchObject({
      customers: 5,
      stalled: 5,
    });
  });

  it('figures equal a recomputation from each customer’s stored touchpoints', async () => {
    const report = await counted(ATTRIBUTION.replace('model=all', 'model=first'));
    let orders = 0;
    for (const id of [A, B, C, D, E]) {
      const res = await ingest('GET', `/v1/customers/${id}/touchpoints?limit=500`);
      const bought = new Set<string>();
      const refunded = new Set<string>();
      for (const t of res.body.items) {
        if (t.event === 'Order Completed') bought.add(t.properties.order_id);
        if (t.event === 'Order Refunded') refunded.add(t.properties.order_id);
      }
      orders += [...bought].filter((o) => !refunded.has(o)).length;
    }
    expect(report.conversions).toBe(orders);
  });

  it('removes an erased customer from every figure', async () => {
    expect((await admin('DELETE', `/v1/customers/${A}`)).status).toBe(204);
    const report = await counted(ATTRIBUTION);
    expect(report.conversions).toBe(4);
    expect(report.revenue).toEqual({ USD: 195 });
    expect(report.rows.find((r: { key: { channel: string } }) => r.key.channel === 'email')).toBeUndefined();
    const stages = await counted('/v1/analytics/stages');
    expect(stages.total).toBe(4);
  });

  it('rebuilds every figure from stored data, idempotently (npm run analytics:rebuild)', async () => {
    // Prepare: the figures as the projector made them, then a table as an upgrade finds it: no analytics items.
    const before = await counted(ATTRIBUTION);
    const funnelBefore = await counted(FUNNEL);
    const db = createDynamoClient(stack.dynamodbEndpoint);
    const scan = await db.send(
      new ScanCommand({ TableName: stack.tableName, ProjectionExpression: 'pk, sk' }),
    );
    const derived = (scan.Items ?? []).filter((i) => /^(AN|AGG)#/.test(i.pk.S ?? ''));
    expect(derived.length).toBeGreaterThan(0);
    for (const key of derived) await db.send(new DeleteItemCommand({ TableName: stack.tableName, Key: key }));
    expect((await counted(ATTRIBUTION)).conversions).toBe(0);
    // Act
    const first = await rebuild();
    // Assess: the same figures, progress on stderr, and a second run changes nothing.
    expect(await counted(ATTRIBUTION)).toMatchObject({ conversions: before.conversions, rows: before.rows });
    expect((await counted(FUNNEL)).groups).toEqual(funnelBefore.groups);
    expect(first.stderr).toMatch(/page 1: \d+ customers, [1-9]\d* changed/);
    const second = await rebuild();
    expect(second.stderr).toMatch(/done: \d+ customers, 0 changed/);
  }, 120_000);

  it('answers 503 "analytics rebuild required" on an earlier layout\'s aggregates until the rebuild has run', async () => {
    // Arrange: the moment after deploying this version over a stack whose aggregates are on
    // layout 2 (an item of its stage partition) and that has not been rebuilt since.
    const before = await counted(ATTRIBUTION);
    const db = createDynamoClient(stack.dynamodbEndpoint);
    await db.send(
      new PutItemCommand({
        TableName: stack.tableName,
        Item: { pk: { S: 'AGG#v2#stages' }, sk: { S: '2026-11-01' }, '3h10': { N: '1' } },
      }),
    );
    await db.send(
      new DeleteItemCommand({
        TableName: stack.tableName,
        Key: { pk: { S: 'AGG#layout' }, sk: { S: 'REBUILT' } },
      }),
    );
    // Act
    const refused = await Promise.all(
      [ATTRIBUTION, FUNNEL, '/v1/analytics/stages'].map((path) => admin('GET', path)),
    );
    await rebuild();
    // Assess: a clear problem+json instead of figures that would count only the customers
    // moved so far; after the rebuild, the figures again.
    for (const res of refused) {
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('retry-after')).toBe('300');
      expect(res.body.detail).toMatch(/^analytics rebuild required: run npm run analytics:rebuild/);
    }
    expect(await counted(ATTRIBUTION)).toMatchObject({ conversions: before.conversions, rows: before.rows });
  }, 120_000);

  it('answers bad parameters with problem+json naming them, and admin keys only', async () => {
    const bad = await admin('GET', '/v1/analytics/attribution?from=2026-11-01&to=2026-12-01&lookbackDays=14');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors).toEqual([
      expect.objectContaining({ path: 'lookbackDays', message: 'must be one of 7, 30, 90' }),
    ]);
    const steps = await admin('GET', '/v1/analytics/funnel?from=2026-11-01&to=2026-12-01&steps=act,consider');
    expect(steps.status).toBe(400);
    expect(steps.body.errors[0].path).toBe('steps');
    const dates = await admin('GET', '/v1/analytics/funnel?from=2026-02-30&to=2026-01-01&windowDays=400');
    expect(dates.status).toBe(400);
    expect(dates.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'from',
      'to',
      'windowDays',
    ]);
    expect((await ingest('GET', '/v1/analytics/stages')).status).toBe(403);
  });
});
