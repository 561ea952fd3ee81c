import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createKey } from '../../lib/auth/api-keys.js';
import { Authenticator, type KeyContext, keyContextFrom, principalFor } from '../../lib/auth/authenticate.js';
import { keyRateLimit, TokenBuckets } from '../../lib/auth/rate-limit.js';
import {
  type HttpEvent,
  type HttpResult,
  json,
  problemResponses,
  requireKey,
} from '../../lib/http/middleware.js';
import { scopeOf } from '../../lib/http/routes.js';
import { MemoryKeyStore } from '../support/memory-key-store.js';

const context = (overrides: Partial<KeyContext> = {}): KeyContext => ({
  status: 'valid',
  keyId: 'abc123def456',
  name: 'shop',
  scope: 'ingest',
  rateLimit: 50,
  rateBurst: 100,
  ...overrides,
});

const event = (options: { authorization?: string; lambda?: unknown; routeKey?: string } = {}): HttpEvent =>
  ({
    version: '2.0',
    routeKey: options.routeKey ?? 'GET /v1/customers/{customerId}',
    rawPath: '/v1/customers/c1',
    rawQueryString: '',
    headers: options.authorization ? { authorization: options.authorization } : {},
    isBase64Encoded: false,
    requestContext: {
      http: { method: 'GET', path: '/v1/customers/c1' },
      ...(options.lambda !== undefined ? { authorizer: { lambda: options.lambda } } : {}),
    },
  }) as unknown as HttpEvent;

/** A handler behind requireKey that echoes the principal. */
const guarded = (auth: Authenticator, buckets = new TokenBuckets()) =>
  middy<HttpEvent, HttpResult>()
    .use(problemResponses({ error: () => {} }))
    .use(
      requireKey(
        () => auth,
        (e) => scopeOf(e.routeKey),
        buckets,
      ),
    )
    .handler(async (e) => json(200, e.principal));

const invoke = (handler: ReturnType<typeof guarded>, e: HttpEvent) =>
  handler(e, {} as Context) as Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;

describe('TokenBuckets', () => {
  it('allows the burst at once, then one request per 1/rate seconds', () => {
    // Prepare
    let now = 0;
    const buckets = new TokenBuckets(() => now);
    const limit = { perSecond: 2, burst: 3 };
    // Act
    const burst = [1, 2, 3].map(() => buckets.take('k', limit).ok);
    const fourth = buckets.take('k', limit);
    now += 500;
    const afterHalfSecond = buckets.take('k', limit);
    // Assess
    expect(burst).toEqual([true, true, true]);
    expect(fourth).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(afterHalfSecond.ok).toBe(true);
  });

  it('keeps one bucket per key', () => {
    // Prepare
    const buckets = new TokenBuckets(() => 0);
    const limit = { perSecond: 1, burst: 1 };
    // Act
    const a = [buckets.take('a', limit).ok, buckets.take('a', limit).ok];
    const b = buckets.take('b', limit).ok;
    // Assess
    expect(a).toEqual([true, false]);
    expect(b).toBe(true);
  });

  it('says how many whole seconds until the next token for a slow rate', () => {
    // Prepare
    const buckets = new TokenBuckets(() => 0);
    const limit = { perSecond: 0.1, burst: 1 };
    buckets.take('k', limit);
    // Act
    const denied = buckets.take('k', limit);
    // Assess
    expect(denied).toEqual({ ok: false, retryAfterSeconds: 10 });
  });

  it('forgets the least recently used key beyond its capacity', () => {
    // Prepare
    const buckets = new TokenBuckets(() => 0, 2);
    const limit = { perSecond: 1, burst: 1 };
    buckets.take('a', limit);
    buckets.take('b', limit);
    // Act
    buckets.take('c', limit);
    // Assess: 'a' was evicted, so it starts with a full bucket again
    expect(buckets.take('a', limit).ok).toBe(true);
    expect(buckets.take('c', limit).ok).toBe(false);
  });
});

describe('keyRateLimit', () => {
  it('uses the key’s own rate with a burst of twice that', () => {
    expect(keyRateLimit(5, {})).toEqual({ perSecond: 5, burst: 10 });
  });

  it('uses STAGEFLOW_KEY_RATE_LIMIT and STAGEFLOW_KEY_RATE_BURST, else 50 and 100', () => {
    expect(keyRateLimit(undefined, {})).toEqual({ perSecond: 50, burst: 100 });
    expect(keyRateLimit(undefined, { STAGEFLOW_KEY_RATE_LIMIT: '20' })).toEqual({ perSecond: 20, burst: 40 });
    expect(
      keyRateLimit(undefined, { STAGEFLOW_KEY_RATE_LIMIT: '20', STAGEFLOW_KEY_RATE_BURST: '25' }),
    ).toEqual({ perSecond: 20, burst: 25 });
    expect(keyRateLimit(undefined, { STAGEFLOW_KEY_RATE_LIMIT: 'lots' })).toEqual({
      perSecond: 50,
      burst: 100,
    });
  });
});

describe('Authenticator.check', () => {
  it('returns valid, revoked or unknown with the key’s id, scope and limit, never its hash', async () => {
    // Prepare
    const store = new MemoryKeyStore();
    const live = await createKey(store, { name: 'shop', scope: 'ingest', rateLimit: 5 });
    const gone = await createKey(store, { name: 'old', scope: 'admin' });
    await store.revoke(gone.record.keyId, '2026-01-01T00:00:00.000Z');
    const auth = new Authenticator(store, 0, Date.now, {});
    // Act
    const [a, b, c] = await Promise.all([auth.check(live.key), auth.check(gone.key), auth.check('sf_nope')]);
    // Assess
    expect(a).toEqual({
      status: 'valid',
      keyId: live.record.keyId,
      name: 'shop',
      scope: 'ingest',
      rateLimit: 5,
      rateBurst: 10,
    });
    expect(b).toMatchObject({ status: 'revoked', keyId: gone.record.keyId, scope: 'admin', rateLimit: 50 });
    expect(c).toEqual({ status: 'unknown', keyId: '', name: '', scope: '', rateLimit: 0, rateBurst: 0 });
    expect(JSON.stringify([a, b, c])).not.toContain(live.record.hash);
  });
});

describe('principalFor', () => {
  it('throws 401 for an unknown or revoked key and 403 for an ingest key on an admin route', () => {
    expect(() => principalFor(context({ status: 'unknown', scope: '' }), 'ingest')).toThrow(
      expect.objectContaining({ kind: 'unauthenticated', message: 'The API key is not valid' }),
    );
    expect(() => principalFor(context({ status: 'revoked' }), 'ingest')).toThrow(
      expect.objectContaining({ kind: 'unauthenticated', message: 'The API key has been revoked' }),
    );
    expect(() => principalFor(context(), 'admin')).toThrow(expect.objectContaining({ kind: 'forbidden' }));
    expect(principalFor(context({ scope: 'admin' }), 'admin')).toEqual({
      keyId: 'abc123def456',
      name: 'shop',
      scope: 'admin',
    });
  });

  it('lets a read key make every GET and refuses it every other method with 403', () => {
    const read = context({ scope: 'read', name: 'viewer' });
    expect(principalFor(read, 'admin', 'GET')).toEqual({
      keyId: 'abc123def456',
      name: 'viewer',
      scope: 'read',
    });
    expect(principalFor(read, 'ingest', 'GET').scope).toBe('read');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(() => principalFor(read, 'admin', method)).toThrow(
        expect.objectContaining({
          kind: 'forbidden',
          message: expect.stringContaining('may read but not change'),
        }),
      );
    }
    expect(() => principalFor(read, 'ingest', 'POST')).toThrow(
      expect.objectContaining({ kind: 'forbidden' }),
    );
    // Without a method the check assumes a write, so a forgetful caller fails closed.
    expect(() => principalFor(read, 'admin')).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });
});

describe('keyContextFrom', () => {
  it('reads the authorizer context and refuses anything else', () => {
    expect(keyContextFrom(context())).toEqual(context());
    expect(keyContextFrom({ ...context(), rateLimit: '7' })).toMatchObject({ rateLimit: 7 });
    for (const bad of [undefined, null, 'x', {}, { status: 'valid' }, { ...context(), status: 'ok' }]) {
      expect(keyContextFrom(bad), JSON.stringify(bad)).toBeNull();
    }
    expect(keyContextFrom({ ...context(), scope: 'root' })).toBeNull();
  });
});

describe('requireKey', () => {
  it('trusts the authorizer context and looks nothing up', async () => {
    // Prepare
    const store = new MemoryKeyStore();
    const handler = guarded(new Authenticator(store));
    // Act
    const res = await invoke(handler, event({ authorization: 'Bearer whatever', lambda: context() }));
    // Assess
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ keyId: 'abc123def456', name: 'shop', scope: 'ingest' });
    expect(store.gets).toBe(0);
  });

  it('checks the key itself when there is no authorizer context', async () => {
    // Prepare
    const store = new MemoryKeyStore();
    const { key, record } = await createKey(store, { name: 'shop', scope: 'ingest' });
    const handler = guarded(new Authenticator(store));
    // Act
    const res = await invoke(handler, event({ authorization: `Bearer ${key}` }));
    // Assess
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).keyId).toBe(record.keyId);
    expect(store.gets).toBe(1);
  });

  it('answers problem+json 401, 403 and 429 from the authorizer context', async () => {
    // Prepare
    const handler = guarded(new Authenticator(new MemoryKeyStore()));
    const admin = 'POST /v1/campaigns';
    // Act
    const missing = await invoke(handler, event({ lambda: context() }));
    const malformed = await invoke(handler, event({ authorization: 'Token x', lambda: context() }));
    const unknown = await invoke(
      handler,
      event({ authorization: 'Bearer x', lambda: context({ status: 'unknown', scope: '', keyId: '' }) }),
    );
    const revoked = await invoke(
      handler,
      event({ authorization: 'Bearer x', lambda: context({ status: 'revoked' }) }),
    );
    const scope = await invoke(
      handler,
      event({ authorization: 'Bearer x', lambda: context(), routeKey: admin }),
    );
    // Assess
    for (const [res, status] of [
      [missing, 401],
      [malformed, 401],
      [unknown, 401],
      [revoked, 401],
      [scope, 403],
    ] as const) {
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toBe('application/problem+json');
    }
    expect(JSON.parse(malformed.body).detail).toMatch(/must be "Bearer <key>"/);
    expect(JSON.parse(revoked.body).detail).toBe('The API key has been revoked');
  });

  it('answers 429 with Retry-After once the key’s burst is spent', async () => {
    // Prepare
    const handler = guarded(new Authenticator(new MemoryKeyStore()), new TokenBuckets(() => 0));
    const e = () => event({ authorization: 'Bearer x', lambda: context({ rateLimit: 1, rateBurst: 2 }) });
    // Act
    const statuses = [];
    let last: Awaited<ReturnType<typeof invoke>> | undefined;
    for (let i = 0; i < 3; i++) {
      last = await invoke(handler, e());
      statuses.push(last.statusCode);
    }
    // Assess
    expect(statuses).toEqual([200, 200, 429]);
    expect(last?.headers['retry-after']).toBe('1');
    expect(last?.headers['content-type']).toBe('application/problem+json');
  });
});

describe('scopeOf', () => {
  it('reads the scope from ROUTES and fails closed for an unknown route', () => {
    expect(scopeOf('POST /v1/touchpoints')).toBe('ingest');
    expect(scopeOf('GET /v1/customers/{customerId}')).toBe('ingest');
    expect(scopeOf('DELETE /v1/campaigns/{campaignId}')).toBe('admin');
    expect(scopeOf('GET /v1/nowhere')).toBe('admin');
  });
});
