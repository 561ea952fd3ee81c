import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient, dynamoClient } from '../../lib/aws/clients.js';
import { DynamoDbCustomerLists } from '../../lib/customers/dynamodb-customer-lists.js';
import { reindexCustomerLists } from '../../lib/customers/dynamodb-reindex-lists.js';
import { defaultModel, initialState } from '../../lib/journey/index.js';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { api, testStack, uid } from '../support/local.js';

let stack: LocalStack;
let admin: ReturnType<typeof api>;
let ingest: ReturnType<typeof api>;

const HOUR = 3_600_000;
/** Whole hours back from now, so each customer's last activity falls in its own hour. */
const hoursAgo = (h: number, minute = 0) => {
  const t = new Date(Date.now() - h * HOUR);
  t.setUTCMinutes(minute, 0, 0);
  return t.toISOString();
};

// One run's customers; the table is this file's own, so the unfiltered list holds only them.
const run = uid('lists');
const ada = `${run}-ada`;
const ben = `${run}-ben`;
const cleo = `${run}-cleo`;
const anon = `${run}-visitor`;

// biome-ignore lint/suspicious/noExplicitAny: list items are loosely typed JSON
type Item = any;

async function listAll(query: string, limit = 2): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const sep = query ? '&' : '';
    const res = await admin(
      'GET',
      `/v1/customers?${query}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('more than 50 pages');
}

const ids = (items: Item[]) => items.map((i) => i.customerId);

beforeAll(async () => {
  stack = await testStack('customer-lists');
  admin = api(stack, stack.keys.admin);
  ingest = api(stack);
  const batch = [
    // Ada: an Instagram ad, signed up, bought. Last active 3 hours ago.
    {
      messageId: `${run}-a1`,
      anonymousId: `${run}-ada-device`,
      event: 'Ad Clicked',
      timestamp: hoursAgo(5),
      context: { campaign: { source: 'instagram', medium: 'paid_social', name: 'autumn-sound' } },
    },
    {
      messageId: `${run}-a2`,
      userId: ada,
      anonymousId: `${run}-ada-device`,
      event: 'identify',
      timestamp: hoursAgo(4),
      traits: { email: 'Ada.Lovelace@Example.com', firstName: 'Ada' },
    },
    {
      messageId: `${run}-a3`,
      userId: ada,
      event: 'Order Completed',
      timestamp: hoursAgo(3),
      properties: { order_id: `${run}-o1`, total: 129 },
    },
    // Ben: the newsletter mail's click first (never an acquisition), then a Google search.
    {
      messageId: `${run}-b1`,
      userId: ben,
      event: 'Email Link Clicked',
      timestamp: hoursAgo(4),
      context: { campaign: { source: 'stageflow', medium: 'email', name: 'nurture-research' } },
    },
    {
      messageId: `${run}-b2`,
      userId: ben,
      event: 'Product Viewed',
      timestamp: hoursAgo(2),
      channel: 'Google',
      traits: { email: 'ben@example.com', firstName: 'Ben' },
    },
    // Cleo: no channel at all (direct), in the cart an hour ago.
    { messageId: `${run}-c1`, userId: cleo, event: 'Product Added', timestamp: hoursAgo(1) },
    // An anonymous visitor from the same Instagram campaign, just now.
    {
      messageId: `${run}-v1`,
      anonymousId: anon,
      event: 'Ad Clicked',
      timestamp: hoursAgo(0),
      context: { campaign: { source: 'instagram', name: 'autumn-sound' } },
    },
  ];
  const res = await ingest('POST', '/v1/touchpoints', { batch });
  expect(res.body.accepted).toBe(batch.length);
});
afterAll(async () => stack.stop());

describe('GET /v1/customers', () => {
  it('lists the most recently active customers first, anonymous ones as anon:<id>', async () => {
    const items = await eventually(
      async () => {
        const all = await listAll('');
        expect(all).toHaveLength(4);
        return all;
      },
      { timeoutMs: 60_000 },
    );
    expect(ids(items)).toEqual([`anon:${anon}`, cleo, ben, ada]);
    expect(items.find((i: Item) => i.customerId === ada)).toEqual({
      customerId: ada,
      stage: 'act',
      stageSince: hoursAgo(3),
      email: 'Ada.Lovelace@Example.com',
      firstName: 'Ada',
      acquisition: {
        channel: 'instagram',
        campaign: { source: 'instagram', medium: 'paid_social', name: 'autumn-sound' },
        at: hoursAgo(5),
        touchpointId: `${run}-a1`,
      },
    });
  });

  it('filters by stage, channel, campaign and email, each from an index', async () => {
    expect(ids(await listAll('stage=act'))).toEqual([ada]);
    expect(ids(await listAll('stage=consider'))).toEqual([`anon:${anon}`]);
    expect(ids(await listAll('stage=refer'))).toEqual([]);
    // Channel: newest acquisition first; the mail's click did not make Ben an email customer.
    expect(ids(await listAll('channel=instagram'))).toEqual([`anon:${anon}`, ada]);
    expect(ids(await listAll('channel=Google'))).toEqual([ben]);
    expect(ids(await listAll('channel=email'))).toEqual([]);
    expect(ids(await listAll('channel=direct'))).toEqual([cleo]);
    expect(ids(await listAll(`campaign=autumn-sound`))).toEqual([`anon:${anon}`, ada]);
    expect(ids(await listAll(`campaign=${encodeURIComponent('(none)')}`))).toEqual([cleo, ben]);
    expect(ids(await listAll('campaign=nurture-research'))).toEqual([]);
    // Email: exact and case-insensitive, never a prefix.
    expect(ids(await listAll(`email=${encodeURIComponent(' ada.lovelace@EXAMPLE.com ')}`))).toEqual([ada]);
    expect(ids(await listAll('email=ada.lovelace@example.co'))).toEqual([]);
  });

  it('never scans: every list is a Query on one of the customer indexes', async () => {
    // Prepare: record every command the API's handlers send through the process's DynamoDB
    // client. Bus rules (flow starts, SES events) run handlers in this thread too, and on a busy
    // machine their writes land among the lists'; a command belongs to a request when the
    // local API server's serve() is on its (async) stack.
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 100;
    dynamoClient().middlewareStack.add(
      (next, context) => async (args) => {
        if (new Error().stack?.includes('local/api-server.ts')) {
          sent.push({ name: context.commandName as string, input: args.input as Record<string, unknown> });
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordListCommands' },
    );
    try {
      // Act
      for (const query of [
        '',
        'stage=act',
        'channel=instagram',
        'campaign=autumn-sound',
        'email=ben@example.com',
      ]) {
        await listAll(query, 1);
      }
    } finally {
      dynamoClient().middlewareStack.remove('recordListCommands');
      Error.stackTraceLimit = limit;
    }
    // Assess: no Scan; the only table reads are index queries (the key check is a GetItem).
    expect(sent.map((c) => c.name)).not.toContain('ScanCommand');
    const queries = sent.filter((c) => c.name === 'QueryCommand');
    expect(queries.length).toBeGreaterThan(0);
    expect(new Set(queries.map((q) => q.input.IndexName))).toEqual(
      new Set(['customers-by-stage', 'customers-by-channel', 'customers-by-campaign', 'customers-by-email']),
    );
    expect(
      sent.filter((c) => c.name !== 'QueryCommand' && c.name !== 'GetItemCommand'),
      JSON.stringify(sent.map((c) => [c.name, c.input.IndexName])),
    ).toEqual([]);
  });

  it('answers 400 naming the parameters for two filters, an unknown stage or parameter, and bad cursors', async () => {
    const two = await admin('GET', '/v1/customers?stage=act&channel=instagram');
    expect(two.status).toBe(400);
    expect(two.headers.get('content-type')).toContain('application/problem+json');
    expect(two.body.errors.map((e: Item) => e.path)).toEqual(['stage', 'channel']);
    expect(two.body.detail).toMatch(/only one of stage, channel, campaign, email/);

    const stage = await admin('GET', '/v1/customers?stage=bought');
    expect(stage.status).toBe(400);
    expect(stage.body.errors).toEqual([
      expect.objectContaining({ path: 'stage', message: expect.stringContaining('consider, research') }),
    ]);

    const unknown = await admin('GET', '/v1/customers?stag=act');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.errors)).toContain('stag');

    const limit = await admin('GET', '/v1/customers?limit=0');
    expect(limit.status).toBe(400);
    expect(limit.body.errors[0].path).toBe('limit');

    const garbage = await admin('GET', '/v1/customers?cursor=not-a-cursor');
    expect(garbage.status).toBe(400);
    expect(garbage.body.errors).toEqual([expect.objectContaining({ path: 'cursor' })]);

    // A cursor from one list is refused by another.
    const first = await admin('GET', '/v1/customers?channel=instagram&limit=1');
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const other = await admin(
      'GET',
      `/v1/customers?stage=act&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(other.status).toBe(400);
    expect(other.body.errors[0].message).toMatch(/another list/);
  });

  it('is for admin keys: an ingest key gets 403', async () => {
    const res = await ingest('GET', '/v1/customers');
    expect(res.status).toBe(403);
  });

  it('moves a visitor who signs up from anon:<id> to the user, and drops an erased customer from every list', async () => {
    // Act: the visitor identifies as a new user.
    const dana = `${run}-dana`;
    await ingest('POST', '/v1/identify', {
      userId: dana,
      anonymousId: anon,
      messageId: `${run}-v2`,
      timestamp: hoursAgo(0, 1),
      traits: { email: 'dana@example.com' },
    });
    // Assess
    await eventually(async () => {
      expect(ids(await listAll('channel=instagram'))).toEqual([dana, ada]);
      expect(ids(await listAll(''))).not.toContain(`anon:${anon}`);
    });

    // Act: erase Ada.
    expect((await admin('DELETE', `/v1/customers/${ada}`)).status).toBe(204);
    // Assess: gone from the unfiltered list and every filtered one.
    await eventually(async () => {
      expect(ids(await listAll(''))).toEqual([dana, cleo, ben]);
      expect(ids(await listAll('stage=act'))).toEqual([]);
      expect(ids(await listAll('channel=instagram'))).toEqual([dana]);
      expect(ids(await listAll('campaign=autumn-sound'))).toEqual([dana]);
      expect(ids(await listAll('email=ada.lovelace@example.com'))).toEqual([]);
    });
  });

  it('lists customers stored before the lists existed once customers:reindex has run', async () => {
    // Prepare: a profile as an older version stored it, without the list keys.
    const db = createDynamoClient(stack.dynamodbEndpoint);
    const old = `${run}-old`;
    const state = {
      ...initialState(),
      stage: 'research',
      stageSince: hoursAgo(30),
      stagesReached: { research: hoursAgo(30) },
      counts: { touchpoints: 1, purchases: 0 },
      traits: { email: 'old@example.com', firstName: 'Otto' },
      lastKey: `${hoursAgo(30)}#${run}-old-1`,
    };
    await db.send(
      new PutItemCommand({
        TableName: stack.tableName,
        Item: marshall({
          pk: `C#${old}`,
          sk: 'PROFILE',
          entity: 'profile',
          customerId: old,
          stage: 'research',
          state,
          version: 3,
          anonymousIds: [],
          modelVersion: '1',
          createdAt: hoursAgo(30),
          updatedAt: hoursAgo(30),
        }),
      }),
    );
    expect(ids(await listAll('email=old@example.com'))).toEqual([]);

    // Act
    const outcome = await reindexCustomerLists(db, stack.tableName);
    await reindexCustomerLists(db, stack.tableName); // idempotent: a second run changes nothing

    // Assess
    expect(outcome.updated).toBeGreaterThanOrEqual(1);
    await eventually(async () => {
      expect(ids(await listAll('email=OLD@example.com'))).toEqual([old]);
      expect(ids(await listAll('stage=research'))).toContain(old);
      expect(ids(await listAll('channel=direct'))).toContain(old);
      expect((await listAll('')).at(-1)).toEqual({
        customerId: old,
        stage: 'research',
        stageSince: hoursAgo(30),
        email: 'old@example.com',
        firstName: 'Otto',
        acquisition: null,
      });
    });
  });

  it("lists a stage's stalled customers with stalledAfterDays: the same customers the stages report counts", async () => {
    // Prepare: Eve put something in the cart three days ago and has not moved since; Cleo's cart
    // is an hour old (decide too, not stalled).
    const eve = `${run}-eve`;
    const at = (days: number) => new Date(Date.now() - days * 24 * HOUR).toISOString();
    const res = await ingest('POST', '/v1/touchpoints', {
      batch: [
        { messageId: `${run}-e1`, userId: eve, event: 'Product Viewed', timestamp: at(3.2) },
        { messageId: `${run}-e2`, userId: eve, event: 'Product Added', timestamp: at(3) },
      ],
    });
    expect(res.body.accepted).toBe(2);
    await eventually(async () => expect(ids(await listAll('stage=decide'))).toEqual([cleo, eve]));

    // Act and assess: stalled after 2 days is Eve alone, after 4 days nobody; page by page too.
    expect(ids(await listAll('stage=decide&stalledAfterDays=2', 1))).toEqual([eve]);
    expect(ids(await listAll('stage=decide&stalledAfterDays=4'))).toEqual([]);
    await eventually(async () => {
      const report = (await admin('GET', '/v1/analytics/stages?stalledAfterDays=2')).body;
      expect(report.lagSeconds).toBe(0);
      const decide = report.stages.find((s: Item) => s.stage === 'decide');
      expect(decide).toMatchObject({ customers: 2, stalled: 1 });
    });

    // Bad values: problem+json naming the parameter.
    for (const [query, reason] of [
      ['stalledAfterDays=2', /needs stage/],
      ['channel=direct&stalledAfterDays=2', /needs stage/],
      ['stage=decide&stalledAfterDays=0', /.+/],
      ['stage=decide&stalledAfterDays=two', /.+/],
      ['stage=decide&stalledAfterDays=1.5', /.+/],
    ] as const) {
      const bad = await admin('GET', `/v1/customers?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(bad.body.errors, query).toEqual([
        expect.objectContaining({ path: 'stalledAfterDays', message: expect.stringMatching(reason) }),
      ]);
    }
    // A cursor of the whole stage is not one of its stalled customers' list.
    const whole = await admin('GET', '/v1/customers?stage=decide&limit=1');
    const mixed = await admin(
      'GET',
      `/v1/customers?stage=decide&stalledAfterDays=2&cursor=${encodeURIComponent(whole.body.nextCursor)}`,
    );
    expect(mixed.status).toBe(400);
    expect(mixed.body.errors[0].message).toMatch(/another list/);

    // A long stage: the adapter may read one entry per page and one page per request, as if
    // the partition were far longer than a request may read. Cleo (not stalled) is newest.
    const stages = defaultModel.model.stages.map((s) => s.name);
    const lists = new DynamoDbCustomerLists(dynamoClient(), stack.tableName, stages, {
      pageSize: 1,
      pages: 1,
    });
    const stalled = {
      by: 'stage',
      value: 'decide',
      enteredBefore: new Date(Date.now() - 2 * 24 * HOUR).toISOString(),
    } as const;
    // Act: follow the cursor to the end, one request each.
    const pages: { ids: string[]; requests: number }[] = [];
    let after: string | null = null;
    do {
      const before = lists.stats.requests;
      const page = await lists.list(stalled, 5, after);
      pages.push({ ids: page.items.map((i) => i.customerId), requests: lists.stats.requests - before });
      after = page.after;
    } while (after !== null && pages.length < 20);
    // Assess: every request sent one query; the first page is empty (Cleo read and dropped) but
    // goes on, and together the pages hold exactly the stalled customers.
    expect(pages.every((p) => p.requests === 1)).toBe(true);
    expect(pages[0]).toEqual({ ids: [], requests: 1 });
    expect(pages.flatMap((p) => p.ids)).toEqual([`${run}-eve`]);
  });
});
