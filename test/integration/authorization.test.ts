import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKey,
  KeyAdminError,
  listApiKeys,
  resolveTarget,
  revokeApiKey,
} from '../../lib/auth/aws-key-admin.js';
import type { DynamoDbKeyStore } from '../../lib/auth/dynamodb-key-store.js';
import { freePort } from '../../local/dynamodb.js';
import { lambdaContext } from '../../local/lambda-context.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { api, dynamodbEndpoint, uid, uniqueTable } from '../support/local.js';

/**
 * Authorization against the local stack, which runs the Lambda authorizer before every
 * non-public route as API Gateway does (cached here for 1 s instead of 60, so a revocation
 * shows within the test).
 */
let stack: LocalStack;
let store: DynamoDbKeyStore;

beforeAll(async () => {
  stack = await startLocalStack({
    dynamodbEndpoint: dynamodbEndpoint(),
    tableName: uniqueTable('authz'),
    port: await freePort(),
    sesPort: 0,
  });
  const target = await resolveTarget({ table: stack.tableName, endpoint: stack.dynamodbEndpoint });
  store = target.store as DynamoDbKeyStore;
});
afterAll(async () => stack.stop());

const touchpoint = (overrides: Record<string, unknown> = {}) => ({
  messageId: uid('m'),
  userId: uid('u'),
  event: 'Product Viewed',
  timestamp: new Date(Date.now() - 60_000).toISOString(),
  ...overrides,
});

const expectProblem = (res: Awaited<ReturnType<ReturnType<typeof api>>>, status: number) => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body).toMatchObject({
    status,
    type: expect.stringMatching(/^https:\/\/stageflow\.dev\/problems\//),
  });
};

describe('Keys and scopes', () => {
  it('returns problem+json 401 saying a key is required when no key is sent', async () => {
    // Act
    const ingest = await api(stack, '')('POST', '/v1/touchpoints', touchpoint());
    const admin = await api(stack, '')('DELETE', `/v1/customers/${uid('c')}`);
    // Assess
    for (const res of [ingest, admin]) {
      expectProblem(res, 401);
      expect(res.body.detail).toMatch(/API key is required/);
      expect(res.headers.get('www-authenticate')).toMatch(/Bearer/);
    }
  });

  it('returns problem+json 401 when the key is unknown or the header malformed', async () => {
    // Act
    const unknown = await api(stack, 'sf_ingest_not_a_key')('POST', '/v1/touchpoints', touchpoint());
    const malformed = await api(stack, '')('GET', `/v1/customers/${uid('c')}`, undefined, {
      authorization: 'Token abc',
    });
    // Assess
    expectProblem(unknown, 401);
    expect(unknown.body.detail).toBe('The API key is not valid');
    expect(unknown.headers.get('www-authenticate')).toMatch(/Bearer/);
    expectProblem(malformed, 401);
    expect(malformed.body.detail).toMatch(/must be "Bearer <key>"/);
  });

  it('returns 401 for a key once it is revoked', async () => {
    // Prepare
    const { key, view } = await createApiKey(store, { name: 'shop to revoke', scope: 'ingest' });
    const call = api(stack, key);
    expect((await call('POST', '/v1/touchpoints', touchpoint())).status).toBe(200);
    // Act
    const revoked = await revokeApiKey(store, view.keyId);
    // Assess: within the authorizer cache time plus the key lookup cache time
    expect(revoked.outcome).toBe('revoked');
    const res = await eventually(
      async () => {
        const r = await call('POST', '/v1/touchpoints', touchpoint());
        expect(r.status).toBe(401);
        return r;
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    expectProblem(res, 401);
    expect(res.body.detail).toBe('The API key has been revoked');
    expect((await revokeApiKey(store, view.keyId)).outcome).toBe('already-revoked');
  });

  it('returns 403 when an ingest key calls an admin route, and lets an admin key through', async () => {
    // Prepare
    const customerId = uid('c');
    await api(stack)('POST', '/v1/touchpoints', touchpoint({ userId: customerId }));
    // Act
    const ingestCalls = await Promise.all([
      api(stack)('GET', '/v1/campaigns'),
      api(stack)('PUT', '/v1/templates/x', { locales: { en: { subject: 's', html: 'h' } } }),
      api(stack)('GET', `/v1/customers/${customerId}/export`),
      api(stack)('GET', `/v1/customers/${customerId}/messages`),
      api(stack)('DELETE', `/v1/customers/${customerId}`),
    ]);
    const adminExport = await api(stack, stack.keys.admin)('GET', `/v1/customers/${customerId}/export`);
    const ingestRead = await api(stack)('GET', `/v1/customers/${customerId}`);
    // Assess
    for (const res of ingestCalls) {
      expectProblem(res, 403);
      expect(res.body.detail).toMatch(/needs an admin key/);
    }
    expect(adminExport.status).toBe(200);
    expect(ingestRead.status).toBe(200);
  });

  it('returns 429 with Retry-After when a key exceeds its rate limit', async () => {
    // Prepare: 1 request per second, a burst of 2
    const { key } = await createApiKey(store, { name: 'slow shop', scope: 'ingest', rateLimit: 1 });
    const call = api(stack, key);
    // Act
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => call('POST', '/v1/touchpoints', touchpoint())),
    );
    // Assess
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(3);
    const throttled = responses.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(3);
    for (const res of throttled) {
      expectProblem(res, 429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // Other keys are not affected.
    expect((await api(stack)('POST', '/v1/touchpoints', touchpoint())).status).toBe(200);
  });
});

describe('Fields a client must not set', () => {
  it('ignores a client-sent stage, consent and referral fields, on both ingest formats', async () => {
    // Prepare: the same journey twice, once with forged fields
    const forged = uid('forged');
    const control = uid('control');
    const at = (m: number) => new Date(Date.now() - 10 * 60_000 + m * 60_000).toISOString();
    const protectedTraits = {
      stage: 'repeat',
      stagesReached: { repeat: '2020-01-01T00:00:00.000Z' },
      referralCode: 'FORGED',
      referredBy: 'someone-else',
      unsubscribed: false,
      consent: 'all',
      suppressed: false,
      rewardIssued: true,
    };
    const send = async (userId: string, withForgery: boolean) => {
      const extra = withForgery ? { stage: 'repeat', referredBy: 'someone-else', customerId: 'other' } : {};
      const traits = withForgery ? { ...protectedTraits, firstName: 'Ada' } : { firstName: 'Ada' };
      expect(
        (
          await api(stack)(
            'POST',
            '/v1/touchpoints',
            touchpoint({ userId, event: 'identify', timestamp: at(0), traits, ...extra }),
          )
        ).status,
      ).toBe(200);
      expect(
        (await api(stack)('POST', '/v1/identify', { userId, traits, timestamp: at(1), ...extra })).status,
      ).toBe(200);
      expect(
        (
          await api(stack)('POST', '/v1/track', {
            userId,
            event: 'Products Searched',
            timestamp: at(2),
            ...extra,
          })
        ).status,
      ).toBe(200);
    };
    // Act
    await send(forged, true);
    await send(control, false);
    // Assess
    const a = (await api(stack)('GET', `/v1/customers/${forged}`)).body;
    const b = (await api(stack)('GET', `/v1/customers/${control}`)).body;
    expect(a.stage).toBe(b.stage);
    expect(a.stage).not.toBe('repeat');
    expect(Object.keys(a.stagesReached)).toEqual(Object.keys(b.stagesReached));
    expect(a.traits).toEqual({ firstName: 'Ada' });
    expect(a.referredBy).toBeNull();
    expect(a.referralCode).not.toBe('FORGED');
    const touchpoints = (await api(stack)('GET', `/v1/customers/${forged}/touchpoints`)).body.items;
    for (const tp of touchpoints) {
      expect(tp.stage).toBeUndefined();
      expect(tp.referredBy).toBeUndefined();
      expect(tp.customerId).toBeUndefined();
      expect(Object.keys(tp.traits ?? {})).not.toEqual(expect.arrayContaining(['stage']));
    }
  });
});

describe('The Lambda authorizer (functions/authorize.ts)', () => {
  const request = (authorization?: string) =>
    ({
      version: '2.0',
      type: 'REQUEST',
      routeArn: 'arn:aws:execute-api:local:000000000000:local/$default/GET/v1/campaigns',
      identitySource: authorization ? [authorization] : [],
      routeKey: 'GET /v1/campaigns',
      rawPath: '/v1/campaigns',
      rawQueryString: '',
      cookies: [],
      headers: authorization ? { authorization } : {},
      requestContext: {},
    }) as unknown as APIGatewayRequestAuthorizerEventV2;

  it('authorizes every request and says what it found, a missing key included; it denies none by scope', async () => {
    // Prepare
    const { handler } = await import('../../functions/authorize.js');
    const { key, view } = await createApiKey(store, {
      name: 'authorizer probe',
      scope: 'ingest',
      rateLimit: 7,
    });
    // Act
    const valid = await handler(request(`Bearer ${key}`), lambdaContext('authorize'));
    const unknown = await handler(request('Bearer sf_ingest_nope'), lambdaContext('authorize'));
    const malformed = await handler(request('Token x'), lambdaContext('authorize'));
    const none = await handler(request(), lambdaContext('authorize'));
    // Assess
    expect(valid).toEqual({
      isAuthorized: true,
      context: {
        status: 'valid',
        keyId: view.keyId,
        name: 'authorizer probe',
        scope: 'ingest',
        rateLimit: 7,
        rateBurst: 14,
      },
    });
    expect(unknown).toMatchObject({ isAuthorized: true, context: { status: 'unknown', keyId: '' } });
    expect(malformed).toMatchObject({ isAuthorized: true, context: { status: 'unknown' } });
    expect(none).toMatchObject({ isAuthorized: true, context: { status: 'missing', keyId: '' } });
    expect(JSON.stringify(valid)).not.toContain(key);
  });
});

describe('npm run keys', () => {
  it('lists keys without their hashes and explains an unknown key id', async () => {
    // Prepare
    const { key } = await createApiKey(store, { name: 'listed shop', scope: 'ingest' });
    // Act
    const views = await listApiKeys(store);
    const unknown = () => revokeApiKey(store, 'ffffffffffff');
    // Assess
    expect(views.map((v) => v.name)).toContain('listed shop');
    expect(Object.keys(views[0]).sort()).toEqual([
      'createdAt',
      'createdBy',
      'keyId',
      'name',
      'rateLimit',
      'revokedAt',
      'revokedBy',
      'scope',
    ]);
    const stored = await store.list();
    expect(JSON.stringify(views)).not.toContain(stored[0].hash);
    expect(JSON.stringify(views)).not.toContain(key);
    await expect(unknown()).rejects.toBeInstanceOf(KeyAdminError);
    await expect(unknown()).rejects.toThrow(/npm run keys -- list/);
  });

  it('creates, lists and revokes a key from the command line', async () => {
    // Prepare
    const run = (...args: string[]) =>
      promisify(execFile)(
        'npx',
        ['tsx', 'scripts/keys.ts', ...args, '--table', stack.tableName, '--endpoint', stack.dynamodbEndpoint],
        { env: { ...process.env, NODE_NO_WARNINGS: '1' } },
      );
    // Act
    const created = await run('create', '--name', 'cli shop', '--scope', 'admin');
    const key = created.stdout.trim();
    const listed = await run('list', '--json');
    const keyId = (JSON.parse(listed.stdout) as { keyId: string; name: string }[]).find(
      (k) => k.name === 'cli shop',
    )?.keyId;
    const revoked = await run('revoke', keyId ?? '');
    // Assess
    expect(key).toMatch(/^sf_admin_[A-Za-z0-9_-]{32}$/);
    expect(created.stderr).toMatch(/created admin key [0-9a-f]{12} "cli shop"/);
    expect(created.stderr).toMatch(/shown this once/);
    expect(listed.stdout).not.toContain(key);
    expect(revoked.stderr).toMatch(new RegExp(`revoked admin key ${keyId}`));
    expect((await api(stack, key)('GET', '/v1/campaigns')).status).toBe(401);
  });

  it('says how to start the local stack when none is running', async () => {
    await expect(resolveTarget({ stateFile: '.stageflow/tmp/no-such-file.json' })).rejects.toThrow(
      /npm start/,
    );
  });
});
