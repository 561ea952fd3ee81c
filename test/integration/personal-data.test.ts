import { randomBytes } from 'node:crypto';
import {
  type AttributeValue,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../lib/aws/clients.js';
import { DynamoDbConsentStore } from '../../lib/consent/dynamodb-consent-store.js';
import { ERASURE_STATS_KEY } from '../../lib/customers/dynamodb-customer-data.js';
import { keys, TABLE } from '../../lib/storage/table.js';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { messages, sentTemplates } from '../support/flows.js';
import { api, testStack, uid } from '../support/local.js';

let stack: LocalStack;
let db: DynamoDBClient;
let admin: ReturnType<typeof api>;
let ingest: ReturnType<typeof api>;

beforeAll(async () => {
  process.env.STAGEFLOW_TIME_SCALE = '0.000002'; // flows' waits pass in milliseconds
  stack = await testStack('personal-data');
  db = createDynamoClient(stack.dynamodbEndpoint);
  admin = api(stack, stack.keys.admin);
  ingest = api(stack);
});
afterAll(async () => stack.stop());

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function scanAll(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const raw of page.Items ?? []) items.push(unmarshall(raw));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function erasureStats(): Promise<Record<string, unknown>> {
  const out = await db.send(
    new GetItemCommand({
      TableName: stack.tableName,
      Key: { pk: { S: ERASURE_STATS_KEY.pk }, sk: { S: ERASURE_STATS_KEY.sk } },
      ConsistentRead: true,
    }),
  );
  return out.Item ? unmarshall(out.Item) : {};
}

const post = async (body: Record<string, unknown>) => {
  const res = await ingest('POST', '/v1/touchpoints', body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

/** The sources' journey for a customer referred by someone, with everything the stack stores. */
async function richCustomer() {
  const referrer = uid('referrer');
  await post({
    messageId: uid('m'),
    userId: referrer,
    event: 'identify',
    traits: { email: `${referrer}@example.com` },
  });
  await post({
    messageId: uid('m'),
    userId: referrer,
    event: 'Order Completed',
    properties: { order_id: uid('o') },
  });
  const code = (await ingest('GET', `/v1/customers/${referrer}`)).body.referralCode as string;

  const userId = uid('erase-me');
  const anonymousId = uid('anon');
  const email = `${uid('inbox')}@example.com`;
  const name = `Zelda${randomBytes(4).toString('hex')}`;
  const start = Date.now() - 2 * 3600_000;
  const at = (i: number) => iso(start + i * MINUTE);
  const steps: Record<string, unknown>[] = [
    {
      anonymousId,
      event: 'Ad Clicked',
      context: { campaign: { source: 'instagram', medium: 'paid_social', name: 'spring_launch' } },
    },
    { anonymousId, event: 'Product Viewed', properties: { product_id: 'p-42', referralCode: code } },
    { anonymousId, userId, event: 'identify', traits: { email, firstName: name, lastName: `${name}son` } },
    { userId, event: 'Order Completed', properties: { order_id: uid('order'), total: 129 } },
    { userId, event: 'Order Delivered', properties: {} },
    { userId, event: 'Product Reviewed', properties: { product_id: 'p-42', rating: 1 } },
    { userId, event: 'Product Shared', properties: { product_id: 'p-42' } },
  ];
  const messageIds: string[] = [];
  for (const [i, step] of steps.entries()) {
    const messageId = uid(`m${i}`);
    messageIds.push(messageId);
    await post({ messageId, timestamp: at(i), ...step });
  }
  // Flows mail the customer (message log, frequency cap); an unsubscribe stores consent.
  await eventually(
    async () => expect(sentTemplates(await messages(stack, userId)).length).toBeGreaterThan(0),
    {
      timeoutMs: 30_000,
    },
  );
  await new DynamoDbConsentStore(db, stack.tableName).unsubscribe(userId, new Date().toISOString(), 'page');
  await stack.streamRelay.settled();
  await stack.bus.idle();
  await stack.stepFunctions.idle();
  // The mails' SES events (published as they were sent) become touchpoints of the customer too.
  await stack.bus.idle();
  const engagement = (await scanAll()).filter(
    (i) =>
      i.pk === keys.customer(userId) && i.entity === 'touchpoint' && String(i.messageId).startsWith('ses-'),
  );
  messageIds.push(...engagement.map((i) => String(i.messageId)));
  return { userId, anonymousId, email, name, referrer, code, messageIds, start };
}

describe('Personal data', () => {
  let c: Awaited<ReturnType<typeof richCustomer>>;
  beforeAll(async () => {
    c = await richCustomer();
  });

  it('exports everything held on the customer as JSON', async () => {
    // Act
    const res = await admin('GET', `/v1/customers/${c.userId}/export`);
    const viaAnonymousId = await admin('GET', `/v1/customers/anon:${c.anonymousId}/export`);
    // Assess
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc).toMatchObject({
      customerId: c.userId,
      profile: { customerId: c.userId, traits: { email: c.email, firstName: c.name } },
      identityLinks: { anonymousIds: [c.anonymousId] },
      referral: { code: expect.any(String), referredBy: c.referrer, referredAt: expect.any(String) },
      consent: { unsubscribedAt: expect.any(String), method: 'page' },
    });
    expect(doc.touchpoints.map((t: { messageId: string }) => t.messageId).sort()).toEqual(
      [...c.messageIds].sort(),
    );
    expect(doc.transitions.length).toBeGreaterThan(0);
    expect(doc.complaints).toHaveLength(1);
    expect(doc.messages.length).toBeGreaterThan(0);
    expect(doc.messages).toEqual(expect.arrayContaining([expect.objectContaining({ to: c.email })]));
    expect(doc.identityLinks.linkedAt[c.anonymousId]).toEqual(expect.any(String));
    expect(viaAnonymousId.status).toBe(200);
    expect(viaAnonymousId.body.customerId).toBe(c.userId);
  });

  it('keeps touchpoints only until their TTL: event time plus the retention days (400)', async () => {
    // Act
    const ttl = await db.send(new DescribeTimeToLiveCommand({ TableName: stack.tableName }));
    const items = (await scanAll()).filter(
      (i) => i.pk === keys.customer(c.userId) && i.entity === 'touchpoint',
    );
    // Assess
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: TABLE.ttlAttribute,
      TimeToLiveStatus: 'ENABLED',
    });
    expect(items).toHaveLength(c.messageIds.length);
    for (const item of items) {
      const expected = Math.floor(Date.parse(item.timestamp as string) / 1000) + 400 * 24 * 3600;
      expect(item[TABLE.ttlAttribute]).toBe(expected);
    }
  });

  it('erases the customer: no item anywhere holds its id, email, name or anonymous id', async () => {
    // Prepare
    const before = await erasureStats();
    const needles = [c.userId, c.anonymousId, c.email, c.name];
    const holding = (items: Record<string, unknown>[]) =>
      items.filter((i) => needles.some((n) => JSON.stringify(i).includes(n)));
    expect(holding(await scanAll()).length).toBeGreaterThan(10);
    // Act
    const res = await admin('DELETE', `/v1/customers/${c.userId}`);
    // Assess
    expect(res.status).toBe(204);
    expect(holding(await scanAll())).toEqual([]);
    const after = await erasureStats();
    expect(Number(after.erasedCustomers ?? 0) - Number(before.erasedCustomers ?? 0)).toBe(1);
    expect(Number(after.erasedTouchpoints ?? 0) - Number(before.erasedTouchpoints ?? 0)).toBe(
      c.messageIds.length,
    );
    expect(JSON.stringify(after)).not.toMatch(/erase-me|anon-|@/);
    // The referrer is untouched, and its referral code still works for others.
    expect((await ingest('GET', `/v1/customers/${c.referrer}`)).body.referralCode).toBe(c.code);
  });

  it('erases a referrer: its friends keep their history, but no item anywhere holds the referrer id', async () => {
    // Prepare: A refers B, and B's first purchase converts the referral
    const a = uid('referrer-gone');
    const b = uid('friend-stays');
    await post({ messageId: uid('m'), userId: a, event: 'identify', traits: { email: `${a}@example.com` } });
    const code = (await ingest('GET', `/v1/customers/${a}`)).body.referralCode as string;
    await post({
      messageId: uid('m'),
      userId: b,
      event: 'Product Viewed',
      properties: { referralCode: code },
    });
    await post({
      messageId: uid('m'),
      userId: b,
      event: 'Order Completed',
      properties: { order_id: uid('o') },
    });
    expect((await ingest('GET', `/v1/customers/${b}`)).body.referredBy).toBe(a);
    await stack.streamRelay.settled();
    await stack.bus.idle();
    await stack.stepFunctions.idle();
    await stack.bus.idle(); // the reward mails' SES events
    expect(
      (await scanAll()).filter((i) => i.pk === `C#${b}` && JSON.stringify(i).includes(a)).length,
    ).toBeGreaterThan(0);

    // Act
    expect((await admin('DELETE', `/v1/customers/${a}`)).status).toBe(204);

    // Assess
    expect((await scanAll()).filter((i) => JSON.stringify(i).includes(a))).toEqual([]);
    const friend = (await ingest('GET', `/v1/customers/${b}`)).body;
    expect(friend.referredBy).toBeNull();
    expect(friend.stage).toBe('act');
  });

  it('erases a referred friend, and with it the link the referrer holds', async () => {
    // Prepare
    const a = uid('referrer-stays');
    const b = uid('friend-gone');
    await post({ messageId: uid('m'), userId: a, event: 'identify', traits: { email: `${a}@example.com` } });
    const code = (await ingest('GET', `/v1/customers/${a}`)).body.referralCode as string;
    await post({
      messageId: uid('m'),
      userId: b,
      event: 'Product Viewed',
      properties: { referralCode: code },
    });
    expect((await scanAll()).filter((i) => i.pk === `C#${a}` && JSON.stringify(i).includes(b))).toHaveLength(
      1,
    );

    // Act
    expect((await admin('DELETE', `/v1/customers/${b}`)).status).toBe(204);

    // Assess
    expect((await scanAll()).filter((i) => JSON.stringify(i).includes(b))).toEqual([]);
    expect((await ingest('GET', `/v1/customers/${a}`)).status).toBe(200);
  });

  it('answers 404 to the export and the reads, and 204 to a second DELETE, counting once', async () => {
    // Prepare
    const before = await erasureStats();
    // Act
    const exported = await admin('GET', `/v1/customers/${c.userId}/export`);
    const read = await ingest('GET', `/v1/customers/${c.userId}`);
    const viaAnonymousId = await ingest('GET', `/v1/customers/anon:${c.anonymousId}`);
    const again = await admin('DELETE', `/v1/customers/${c.userId}`);
    const never = await admin('DELETE', `/v1/customers/${uid('never-known')}`);
    // Assess
    expect(exported.status).toBe(404);
    expect(exported.headers.get('content-type')).toBe('application/problem+json');
    expect(read.status).toBe(404);
    expect(viaAnonymousId.status).toBe(404);
    expect(again.status).toBe(204);
    expect(never.status).toBe(204);
    expect((await erasureStats()).erasedCustomers).toBe(before.erasedCustomers);
  });

  it('erases an anonymous visitor by anon:<id> with its dedupe records', async () => {
    // Prepare
    const anonymousId = uid('visitor');
    const messageId = uid('m');
    await post({ messageId, anonymousId, event: 'Ad Clicked' });
    // Act
    const res = await admin('DELETE', `/v1/customers/anon:${anonymousId}`);
    // Assess
    expect(res.status).toBe(204);
    expect(
      (await scanAll()).filter(
        (i) => JSON.stringify(i).includes(anonymousId) || i.pk === keys.dedupe(messageId),
      ),
    ).toEqual([]);
  });
});

describe('The message log', () => {
  it('lists a customer’s messages on an admin key', async () => {
    // Prepare
    const userId = uid('mail');
    await post({
      messageId: uid('m'),
      userId,
      event: 'identify',
      traits: { email: `${userId}@example.com` },
    });
    await post({ messageId: uid('m'), userId, event: 'Order Completed', properties: { order_id: uid('o') } });
    await eventually(
      async () => expect(sentTemplates(await messages(stack, userId))).toContain('thank-you'),
      {
        timeoutMs: 30_000,
      },
    );
    // Act
    const res = await admin('GET', `/v1/customers/${userId}/messages`);
    const unknown = await admin('GET', `/v1/customers/${uid('nobody')}/messages`);
    // Assess
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ template: 'thank-you', status: 'sent', flow: 'thank-you' }),
      ]),
    );
    expect(unknown.status).toBe(404);
  });
});
