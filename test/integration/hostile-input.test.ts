import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../lib/aws/clients.js';
import { keys } from '../../lib/storage/table.js';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack, uid } from '../support/local.js';

// Issue 12, items 1 to 3: each example of the issue, against the local stack's real handlers.

let stack: LocalStack;
let db: DynamoDBClient;
let ingest: ReturnType<typeof api>;
let admin: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await testStack('hostile-input');
  db = createDynamoClient(stack.dynamodbEndpoint);
  ingest = api(stack);
  admin = api(stack, stack.keys.admin);
});
afterAll(async () => stack.stop());

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

/** Items anywhere in the table that mention `marker`. */
const stored = async (marker: string) => (await scanAll()).filter((i) => JSON.stringify(i).includes(marker));

/** POSTs raw text or bytes, as a client that builds its body by hand would. */
async function postRaw(path: string, body: string | Uint8Array, key = stack.keys.ingest) {
  const res = await fetch(stack.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  });
  // biome-ignore lint/suspicious/noExplicitAny: loosely typed problem+json, as in test/support/local.ts
  const answer: any = await res.json();
  return { status: res.status, type: res.headers.get('content-type'), body: answer };
}

const deep = (levels: number, leaf = '1') => '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);

/** Expects a 400 problem+json whose errors name `pointer`. */
// biome-ignore lint/suspicious/noExplicitAny: loosely typed problem+json, as in test/support/local.ts
function expectRefused(res: { status: number; type?: string | null; body: any }, pointer: string | RegExp) {
  expect(res.status).toBe(400);
  if (res.type !== undefined) expect(res.type).toBe('application/problem+json');
  const pointers = (res.body.errors as { pointer: string }[]).map((e) => e.pointer);
  expect(pointers.some((p) => (typeof pointer === 'string' ? p === pointer : pointer.test(p)))).toBe(true);
}

describe('No 5xx for any input (issue 12, item 1)', () => {
  it.each([
    [
      '/v1/touchpoints',
      (m: string) => `{"messageId":"${m}","userId":"u-1","event":"Deep","properties":${deep(10_000)}}`,
    ],
    [
      '/v1/track',
      (m: string) => `{"messageId":"${m}","userId":"u-1","event":"Deep","properties":${deep(10_000)}}`,
    ],
    ['/v1/identify', (m: string) => `{"messageId":"${m}","userId":"u-1","traits":${deep(10_000)}}`],
    ['/v1/page', (m: string) => `{"messageId":"${m}","userId":"u-1","properties":${deep(10_000)}}`],
  ])('%s refuses JSON nested 10,000 deep with a 400 naming where', async (path, body) => {
    // Prepare
    const messageId = uid('deep');
    // Act
    const res = await postRaw(path, body(messageId));
    // Assess
    expectRefused(res, /^\/(properties|traits)(\/a){63}$/);
    expect(res.body.detail).toMatch(/nests deeper than 64 levels/);
    expect(await stored(messageId)).toEqual([]);
  });

  it('refuses properties nested deeper than DynamoDB stores, and traits too', async () => {
    // Prepare
    const messageId = uid('deep33');
    // Act
    const props = await postRaw(
      '/v1/touchpoints',
      `{"messageId":"${messageId}","userId":"u-1","event":"Deep","properties":${deep(33)}}`,
    );
    const traits = await postRaw(
      '/v1/identify',
      `{"messageId":"${messageId}","userId":"u-1","traits":${deep(33)}}`,
    );
    // Assess
    expectRefused(props, `/properties${'/a'.repeat(16)}`);
    expect(props.body.errors[0].message).toBe('nests deeper than 16 levels');
    expectRefused(traits, `/traits${'/a'.repeat(16)}`);
    expect(await stored(messageId)).toEqual([]);
  });

  it.each([
    ['properties', '__proto__'],
    ['properties', 'constructor'],
    ['traits', '__proto__'],
    ['traits', 'constructor'],
  ])('refuses a %s key %s', async (field, key) => {
    // Prepare
    const messageId = uid('proto');
    // Act
    const res = await postRaw(
      '/v1/touchpoints',
      `{"messageId":"${messageId}","userId":"${uid('u')}","event":"identify","${field}":{"${key}":{"isAdmin":true},"plan":"pro"}}`,
    );
    // Assess
    expectRefused(res, `/${field}/${key}`);
    expect(await stored(messageId)).toEqual([]);
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
  });

  it.each(['1e400', '1e200', '1e-200', '12345678901234567890', '-1e400', '1e-400'])(
    'refuses the number %s by its field, suggesting a string',
    async (literal) => {
      // Prepare
      const messageId = uid('num');
      // Act
      const native = await postRaw(
        '/v1/touchpoints',
        `{"messageId":"${messageId}","userId":"u-1","event":"Order Completed","properties":{"order_id":"o-1","total":${literal}}}`,
      );
      const segment = await postRaw(
        '/v1/track',
        `{"messageId":"${messageId}","userId":"u-1","event":"Order Completed","properties":{"total":${literal}}}`,
      );
      // Assess
      for (const res of [native, segment]) {
        expectRefused(res, '/properties/total');
        expect(res.body.errors[0].message).toMatch(/send it as a string/);
      }
      expect(await stored(messageId)).toEqual([]);
    },
  );

  it('keeps numbers that are exact as sent, and the same values as strings', async () => {
    // Prepare
    const userId = uid('exact');
    // Act
    const res = await postRaw(
      '/v1/touchpoints',
      `{"messageId":"${uid('m')}","userId":"${userId}","event":"identify","traits":{"a":129.90,"b":0.1,"c":9007199254740991,"d":-0,"e":"12345678901234567890","f":"1e400"}}`,
    );
    // Assess
    expect(res.status).toBe(200);
    const customer = await ingest('GET', `/v1/customers/${userId}`);
    expect(customer.body.traits).toEqual({
      a: 129.9,
      b: 0.1,
      c: 9007199254740991,
      d: 0,
      e: '12345678901234567890',
      f: '1e400',
    });
  });

  it('in a batch, rejects only the items with such values and stores the rest once', async () => {
    // Prepare
    const [good, big, proto, deepItem] = [uid('good'), uid('big'), uid('proto'), uid('deep')];
    const body = `{"batch":[
      {"messageId":"${good}","userId":"u-batch","event":"Product Viewed","properties":{"price":19.99}},
      {"messageId":"${big}","userId":"u-batch","event":"Order Completed","properties":{"total":12345678901234567890}},
      {"messageId":"${proto}","userId":"u-batch","event":"identify","traits":{"__proto__":{"x":1}}},
      {"messageId":"${deepItem}","userId":"u-batch","event":"Deep","properties":${deep(10_000)}}]}`;
    // Act
    const native = await postRaw('/v1/touchpoints', body);
    const segment = await postRaw('/v1/batch', body.replaceAll('"event":', '"type":"track","event":'));
    // Assess
    for (const res of [native, segment]) {
      expect(res.status).toBe(200);
      expect(res.body.results.map((r: { status: string }) => r.status)).toEqual([
        res === native ? 'accepted' : 'duplicate',
        'rejected',
        'rejected',
        'rejected',
      ]);
      expect(res.body.results[1].error.errors[0].pointer).toBe('/batch/1/properties/total');
      expect(res.body.results[2].error.errors[0].pointer).toBe('/batch/2/traits/__proto__');
    }
    expect((await stored(good)).filter((i) => i.entity === 'touchpoint')).toHaveLength(1);
    for (const id of [big, proto, deepItem]) expect(await stored(id)).toEqual([]);
  });

  it('refuses the same values in admin writes', async () => {
    // Act
    const res = await postRaw(
      '/v1/campaigns',
      `{"name":"Numbers","flow":"nurture","trigger":{"type":"stage","enters":["research"]},"steps":[{"wait":{"days":1e400},"template":"nurture-research","category":"marketing"}]}`,
      stack.keys.admin,
    );
    // Assess
    expectRefused(res, '/steps/0/wait/days');
  });
});

describe('Text that is really text (issue 12, item 2)', () => {
  it('refuses invalid UTF-8 instead of turning m-\\xFF and m-\\xFE into the same id', async () => {
    // Prepare
    const body = (byte: number, customer: string) =>
      Buffer.concat([
        Buffer.from(`{"messageId":"m-`),
        Buffer.from([byte]),
        Buffer.from(`","userId":"${customer}","event":"Product Viewed"}`),
      ]);
    const [first, second] = [uid('utf8a'), uid('utf8b')];
    // Act
    const a = await postRaw('/v1/touchpoints', body(0xff, first));
    const b = await postRaw('/v1/touchpoints', body(0xfe, second));
    const segment = await postRaw('/v1/batch', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]));
    // Assess
    for (const res of [a, b, segment]) {
      expect(res.status).toBe(400);
      expect(res.body.type).toBe('https://stageflow.dev/problems/invalid-encoding');
    }
    expect(await stored(first)).toEqual([]);
    expect(await stored(second)).toEqual([]);
    expect(await stored('m-\ufffd')).toEqual([]);
  });

  it('refuses lone surrogates in ids', async () => {
    // Act
    const res = await postRaw('/v1/track', `{"userId":"u-\\ud800","event":"Product Viewed"}`);
    // Assess
    expectRefused(res, '/userId');
  });

  it.each([
    ['userId', { userId: 'u-\u0000x' }, '/userId'],
    ['anonymousId', { anonymousId: 'a\u0000b' }, '/anonymousId'],
    ['messageId', { messageId: 'm\u0001', userId: 'u-1' }, '/messageId'],
    ['messageId', { messageId: 'm\u007f', userId: 'u-1' }, '/messageId'],
    ['orderId', { userId: 'u-1', properties: { order_id: 'o\u0000-1' } }, '/properties/order_id'],
  ])('refuses NUL and control characters in %s', async (_name, fields, pointer) => {
    // Prepare
    const body = { messageId: uid('ctl'), event: 'Order Completed', ...fields };
    // Act
    const native = await ingest('POST', '/v1/touchpoints', body);
    // Assess
    expectRefused(native, pointer);
    expect(await stored(body.messageId)).toEqual([]);
  });

  it('refuses control characters in alias and group ids, campaign names and template names', async () => {
    // Act
    const alias = await ingest('POST', '/v1/alias', { userId: 'u-1', previousId: 'a\u0000' });
    const group = await ingest('POST', '/v1/group', { userId: 'u-1', groupId: 'g\n1' });
    const campaign = await admin('POST', '/v1/campaigns', {
      name: 'Spring\u0000nurture',
      flow: 'nurture',
      trigger: { type: 'stage', enters: ['research'] },
      steps: [{ wait: 'PT2H', template: 'nurture-research', category: 'marketing' }],
    });
    const template = await admin('PUT', '/v1/templates/spring%00offer', {
      locales: { en: { subject: 'Hi', html: '<p>Hi</p><a href="{{unsubscribeUrl}}">Unsubscribe</a>' } },
    });
    // Assess
    expectRefused(alias, '/previousId');
    expectRefused(group, '/groupId');
    expectRefused(campaign, '/name');
    expect(template.status).toBe(400);
  });
});

describe('Ids never cross (issue 12, item 3)', () => {
  it('keeps user ids and anonymous ids apart in reads, export and erasure', async () => {
    // Prepare: alice signs in on the device that was anonymous "bob"; bob is also a user
    const alice = uid('alice');
    const bob = uid('bob');
    const email = `${alice}@example.com`;
    await ingest('POST', '/v1/identify', {
      messageId: uid('m'),
      userId: alice,
      anonymousId: bob,
      traits: { email },
    });
    // Act: before user bob has a profile
    const early = await ingest('GET', `/v1/customers/${bob}`);
    const earlyDelete = await admin('DELETE', `/v1/customers/${bob}`);
    // Assess
    expect(early.status).toBe(404);
    expect(earlyDelete.status).toBe(204);
    expect((await ingest('GET', `/v1/customers/${alice}`)).body.traits.email).toBe(email);

    // Act: user bob arrives
    await ingest('POST', '/v1/track', { messageId: uid('m'), userId: bob, event: 'Product Viewed' });
    const asUser = await ingest('GET', `/v1/customers/${bob}`);
    const asAnonymous = await ingest('GET', `/v1/customers/anon:${bob}`);
    const exported = await admin('GET', `/v1/customers/${bob}/export`);
    const eraseAnonymous = await admin('DELETE', `/v1/customers/anon:${bob}`);
    // Assess
    expect(asUser.body).toMatchObject({ customerId: bob, traits: {} });
    expect(JSON.stringify(asUser.body)).not.toContain(email);
    expect(asAnonymous.body).toMatchObject({ customerId: alice, traits: { email } });
    expect(exported.body.customerId).toBe(bob);
    expect(JSON.stringify(exported.body)).not.toContain(email);
    expect(eraseAnonymous.status).toBe(409);
    expect(eraseAnonymous.body.detail).toContain(alice);

    // Act: erasing bob erases exactly bob
    const erased = await admin('DELETE', `/v1/customers/${bob}`);
    // Assess
    expect(erased.status).toBe(204);
    expect((await ingest('GET', `/v1/customers/${bob}`)).status).toBe(404);
    expect((await ingest('GET', `/v1/customers/${alice}`)).body).toMatchObject({
      customerId: alice,
      traits: { email },
      anonymousIds: [bob],
    });
    expect((await scanAll()).some((i) => i.pk === keys.alias(bob) && i.customerId === alice)).toBe(true);
  });
});

describe('The trait cap over HTTP', () => {
  /** `n` trait keys of a shop's own (none of the SYSTEM_TRAITS Stageflow admits besides). */
  const ownTraits = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`trait${i}`, i]));

  it.each([
    ['/v1/identify', {}],
    ['/v1/touchpoints', { event: 'identify' }],
  ])('%s refuses 101 trait keys with a 400 naming traits, and takes 100', async (path, extra) => {
    // Prepare
    const userId = uid('cap');
    const over = uid('over');
    const at = uid('at');
    // Act
    const refused = await ingest('POST', path, { messageId: over, userId, traits: ownTraits(101), ...extra });
    const taken = await ingest('POST', path, { messageId: at, userId, traits: ownTraits(100), ...extra });
    // Assess: the field and the reason, nothing stored of the refused one; all 100 kept
    expectRefused({ ...refused, type: refused.headers.get('content-type') }, '/traits');
    expect(refused.body.errors[0].message).toMatch(/^has 101 keys; a customer keeps at most 100 traits/);
    expect(await stored(over)).toEqual([]);
    expect(taken.status).toBe(200);
    const customer = await ingest('GET', `/v1/customers/${userId}`);
    expect(customer.body.traits).toEqual(ownTraits(100));
  });
});
