import { randomUUID } from 'node:crypto';
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../lib/aws/clients.js';
import type { LocalStack } from '../../local/stack.js';
import { testStack } from '../support/local.js';

/**
 * Issue 12, item 10: arbitrary JSON (deep, wide, odd numbers, odd strings, invalid UTF-8,
 * prototype keys) against every write route, native, Segment and admin. Every answer is 2xx
 * with the item stored exactly once, or 4xx with nothing stored; in a batch the same per item.
 * Never 5xx. `npm test` runs a few runs per route with a fixed seed; `npm run fuzz` runs
 * FUZZ_RUNS (and FUZZ_SEED) for longer.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_412);
const options = (runs: number) => ({ seed: SEED, numRuns: runs, endOnFailure: true });

let stack: LocalStack;
let db: DynamoDBClient;

beforeAll(async () => {
  stack = await testStack('fuzz');
  db = createDynamoClient(stack.dynamodbEndpoint);
});
afterAll(async () => stack.stop());

// --- arbitrary bodies, built as text so they can hold what JSON.stringify cannot write -----------

type Node =
  | { raw: string }
  | { obj: [string, Node][] }
  | { arr: Node[] }
  | { deep: number; array: boolean; inner: Node };

const emit = (n: Node): string => {
  if ('raw' in n) return n.raw;
  if ('obj' in n) return `{${n.obj.map(([k, v]) => `${JSON.stringify(k)}:${emit(v)}`).join(',')}}`;
  if ('arr' in n) return `[${n.arr.map(emit).join(',')}]`;
  return n.array
    ? '['.repeat(n.deep) + emit(n.inner) + ']'.repeat(n.deep)
    : '{"a":'.repeat(n.deep) + emit(n.inner) + '}'.repeat(n.deep);
};
const raw = (value: unknown): Node => ({ raw: JSON.stringify(value) });

const oddNumber = fc.oneof(
  fc.constantFrom(
    '1e400',
    '-1e400',
    '1e200',
    '1e-200',
    '1e-400',
    '12345678901234567890',
    '9007199254740993',
    '9007199254740991',
    '0.1',
    '-0',
    '129.90',
    '1E5',
    '0.30000000000000000001',
  ),
  fc.double().map((d) => (Number.isFinite(d) ? String(d) : '1e999')),
  fc.bigInt().map(String),
);
const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udc00',
    '\ufffd',
    '\u202e',
    '\r\n',
    '😀',
    ' ',
    '',
    'anon:x',
  ),
  fc.string({ unit: 'grapheme', minLength: 200, maxLength: 300 }),
);
// Mostly ordinary keys, so that one odd value at a time gets as far as storage.
const oddKey = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnop_-.1'), minLength: 1, maxLength: 8 }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      '',
      'k'.repeat(300),
      '\ud800',
      'order_id',
      'referralCode',
      'previousId',
      'email',
      'stage',
    ),
  },
);

const { node } = fc.letrec<{ node: Node; leaf: Node }>((tie) => ({
  leaf: fc.oneof(
    { weight: 3, arbitrary: oddNumber.map((s): Node => ({ raw: s })) },
    oddString.map(raw),
    fc.constantFrom<Node>({ raw: 'true' }, { raw: 'null' }, { raw: '{}' }, { raw: '[]' }),
    fc.jsonValue({ maxDepth: 2 }).map(raw),
  ),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: tie('leaf') },
    fc.array(fc.tuple(oddKey, tie('node')), { maxLength: 5 }).map((obj) => ({ obj })),
    fc.array(tie('node'), { maxLength: 4 }).map((arr) => ({ arr })),
    fc.record({ deep: fc.integer({ min: 10, max: 12_000 }), array: fc.boolean(), inner: tie('leaf') }),
    fc.integer({ min: 250, max: 400 }).map((n) => ({
      obj: Array.from({ length: n }, (_, i): [string, Node] => [`k${i}`, { raw: String(i) }]),
    })),
  ),
})) as unknown as { node: fc.Arbitrary<Node> };

/** Fields a route knows, overwritten (or added) with arbitrary values; messageId stays ours. */
const FIELDS = [
  'userId',
  'anonymousId',
  'event',
  'timestamp',
  'channel',
  'properties',
  'traits',
  'context',
  'integrations',
  'previousId',
  'groupId',
  'name',
  'category',
  'type',
  'sentAt',
];
/**
 * What a run changes in a valid item: mostly values put inside its free-form objects, where odd
 * values get furthest (a whole item refused for a bad userId tests little), sometimes whole fields.
 */
type Mutation =
  | { inside: 'properties' | 'traits' | 'context'; key: string; value: Node }
  | { field: string; value: Node };
const mutation: fc.Arbitrary<Mutation[]> = fc.array(
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        inside: fc.constantFrom('properties', 'traits', 'context'),
        key: oddKey,
        value: node,
      }),
    },
    { weight: 1, arbitrary: fc.record({ field: fc.oneof(fc.constantFrom(...FIELDS), oddKey), value: node }) },
  ),
  { minLength: 1, maxLength: 3 },
) as fc.Arbitrary<Mutation[]>;
/** Invalid UTF-8 bytes spliced into the body at a relative position, or none. */
const corruption: fc.Arbitrary<[number, number] | null> = fc.oneof(
  { weight: 5, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom(0xff, 0xfe, 0xc3, 0xed, 0x80),
    ),
  },
);

const base: Record<string, (id: string) => Record<string, unknown>> = {
  '/v1/touchpoints': (id) => ({
    userId: `u-${id}`,
    event: 'Product Viewed',
    properties: { product_id: 'p-1' },
  }),
  '/v1/track': (id) => ({
    userId: `u-${id}`,
    event: 'Order Completed',
    properties: { order_id: `o-${id}`, total: 10 },
  }),
  '/v1/identify': (id) => ({
    userId: `u-${id}`,
    anonymousId: `a-${id}`,
    traits: { email: `${id}@example.com` },
  }),
  '/v1/alias': (id) => ({ userId: `u-${id}`, previousId: `a-${id}` }),
  '/v1/page': (id) => ({ anonymousId: `a-${id}`, name: 'Home', properties: { path: '/' } }),
  '/v1/screen': (id) => ({ userId: `u-${id}`, name: 'Checkout' }),
  '/v1/group': (id) => ({ userId: `u-${id}`, groupId: `g-${id}`, traits: { plan: 'pro' } }),
};
const SEGMENT_TYPES = ['track', 'identify', 'alias', 'page', 'screen', 'group'] as const;

function item(messageId: string, fields: Record<string, unknown>, mutations: Mutation[]): Node {
  const entries = new Map<string, Node>(Object.entries(fields).map(([k, v]) => [k, raw(v)]));
  const inside = new Map<string, [string, Node][]>();
  for (const m of mutations) {
    if ('field' in m) {
      if (m.field !== 'messageId') entries.set(m.field, m.value);
    } else inside.set(m.inside, [...(inside.get(m.inside) ?? []), [m.key, m.value]]);
  }
  for (const [field, added] of inside) {
    const current = fields[field];
    const kept =
      current && typeof current === 'object' && !Array.isArray(current)
        ? Object.entries(current).map(([k, v]): [string, Node] => [k, raw(v)])
        : [];
    entries.set(field, { obj: [...kept, ...added] });
  }
  entries.set('messageId', raw(messageId));
  return { obj: [...entries] };
}

function bytesOf(text: string, corrupt: [number, number] | null): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (!corrupt) return bytes;
  const at = Math.floor(corrupt[0] * bytes.length);
  return Buffer.concat([bytes.subarray(0, at), Buffer.from([corrupt[1]]), bytes.subarray(at)]);
}

// --- calls and what is stored ----------------------------------------------------------------

async function post(path: string, body: Buffer | undefined, method = 'POST', key = stack.keys.ingest) {
  const res = await fetch(stack.url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  // biome-ignore lint/suspicious/noExplicitAny: loosely typed answers
  return { status: res.status, body: json as any };
}

/** Every item whose key or messageId holds `nonce`, straight from the table. */
async function itemsWith(nonce: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: stack.tableName,
        FilterExpression:
          'contains(pk, :n) OR contains(sk, :n) OR contains(messageId, :n) OR contains(#name, :n)',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: { ':n': { S: nonce } },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const r of page.Items ?? []) items.push(unmarshall(r));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

const touchpointsOf = (items: Record<string, unknown>[], messageId: string) =>
  items.filter((i) => i.entity === 'touchpoint' && i.messageId === messageId).length;

const describeCall = (path: string, body: Buffer, status: number, answer: unknown) =>
  `${path} → ${status} ${JSON.stringify(answer).slice(0, 400)}\nbody: ${body.toString('latin1').slice(0, 400)}`;

// --- properties ------------------------------------------------------------------------------

describe('Fuzzing every write route (issue 12, item 10)', () => {
  it.each(Object.keys(base))('%s: 2xx stored once or 4xx stored never', async (path) => {
    await fc.assert(
      fc.asyncProperty(mutation, corruption, async (mutations, corrupt) => {
        const nonce = `fz${randomUUID().slice(0, 12)}`;
        const body = bytesOf(emit(item(`m-${nonce}`, base[path](nonce), mutations)), corrupt);
        const res = await post(path, body);
        const stored = await itemsWith(nonce);
        const why = describeCall(path, body, res.status, res.body);
        if (process.env.FUZZ_DEBUG) console.log(why.slice(0, 300));
        expect(res.status, why).toBeLessThan(500);
        if (res.status < 300) expect(touchpointsOf(stored, `m-${nonce}`), why).toBe(1);
        else {
          expect(res.status, why).toBeGreaterThanOrEqual(400);
          expect(stored, why).toEqual([]);
        }
      }),
      { ...options(RUNS), seed: SEED + path.length },
    );
  });

  it.each(['/v1/batch', '/v1/import', '/v1/touchpoints'])(
    '%s: per item, accepted stored once and rejected never',
    async (path) => {
      const batchItem = fc.tuple(fc.constantFrom(...SEGMENT_TYPES), mutation, fc.boolean());
      await fc.assert(
        fc.asyncProperty(
          fc.array(batchItem, { minLength: 1, maxLength: 6 }),
          fc.array(fc.tuple(fc.constantFrom('context', 'integrations', 'batch', 'extra'), node), {
            maxLength: 1,
          }),
          corruption,
          async (items, envelope, corrupt) => {
            const nonce = `fz${randomUUID().slice(0, 12)}`;
            const ids = items.map((_, i) => `m-${nonce}-${i}`);
            const nodes = items.map(([type, mutations, typed], i) => {
              const fields = base[`/v1/${type}`](`${nonce}-${i}`);
              if (path === '/v1/touchpoints') fields.event = type === 'track' ? 'Product Viewed' : type;
              else if (typed) fields.type = type;
              if (type === 'track') fields.event ??= 'Product Viewed';
              return item(ids[i], fields, mutations);
            });
            const top = new Map<string, Node>([['batch', { arr: nodes }]]);
            for (const [k, v] of envelope) if (k !== 'batch') top.set(k, v);
            const body = bytesOf(emit({ obj: [...top] }), corrupt);
            const res = await post(path, body);
            const stored = await itemsWith(nonce);
            const why = describeCall(path, body, res.status, res.body);
            expect(res.status, why).toBeLessThan(500);
            if (res.status >= 300) {
              expect(stored, why).toEqual([]);
              return;
            }
            const results = res.body.results as { index: number; status: string }[];
            expect(results, why).toHaveLength(items.length);
            for (const r of results) {
              expect(['accepted', 'rejected'], why).toContain(r.status);
              expect(touchpointsOf(stored, ids[r.index]), `${why}\nitem ${r.index}`).toBe(
                r.status === 'accepted' ? 1 : 0,
              );
            }
          },
        ),
        options(Math.max(2, Math.ceil(RUNS / 2))),
      );
    },
  );

  it('admin writes: campaigns and templates', async () => {
    const campaign = (name: string) => ({
      name,
      flow: 'nurture',
      trigger: { type: 'stage', enters: ['research'] },
      steps: [{ wait: 'PT2H', template: 'nurture-research', category: 'marketing' }],
      exit: 'stage-left',
    });
    const template = () => ({
      locales: {
        en: { subject: 'Hi {{firstName}}', html: '<p>Hi</p><a href="{{unsubscribeUrl}}">Unsubscribe</a>' },
      },
    });
    const field = fc.oneof(
      fc.constantFrom('flow', 'trigger', 'steps', 'audience', 'exit', 'holdoutPercent', 'locales', 'status'),
      oddKey,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(field, node), { maxLength: 2 }),
        corruption,
        fc.boolean(),
        async (mutations, corrupt, isCampaign) => {
          const nonce = `fz${randomUUID().slice(0, 12)}`;
          const fields: Record<string, unknown> = isCampaign ? campaign(`Campaign ${nonce}`) : template();
          const entries = new Map<string, Node>(Object.entries(fields).map(([k, v]) => [k, raw(v)]));
          for (const [k, v] of mutations) if (k !== 'name') entries.set(k, v);
          const body = bytesOf(emit({ obj: [...entries] }), corrupt);
          const path = isCampaign ? '/v1/campaigns' : `/v1/templates/${nonce.toLowerCase()}`;
          const res = await post(path, body, isCampaign ? 'POST' : 'PUT', stack.keys.admin);
          const why = describeCall(path, body, res.status, res.body);
          expect(res.status, why).toBeLessThan(500);
          if (isCampaign) {
            const stored = (await itemsWith(nonce)).filter((i) => String(i.sk).startsWith('H#'));
            expect(stored, why).toHaveLength(res.status < 300 ? 1 : 0);
          } else {
            const read = await post(path, undefined, 'GET', stack.keys.admin);
            expect(read.status, why).toBe(res.status < 300 ? 200 : 404);
          }
        },
      ),
      options(RUNS),
    );
  });
});
