import { describe, expect, it } from 'vitest';
import { createKey, generateKey, hashKey, keyFromAuthorization } from '../../lib/auth/api-keys.js';
import { Authenticator } from '../../lib/auth/authenticate.js';
import { problemHeaders, statusOf } from '../../lib/http/problem.js';
import { ForbiddenError, UnauthorizedError } from '../../lib/shared/errors.js';
import { MemoryKeyStore } from '../support/memory-key-store.js';

const basic = (user: string, password = '') =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('keyFromAuthorization', () => {
  it('returns the key of a Bearer header, whatever the scheme case', () => {
    expect(keyFromAuthorization('Bearer sf_ingest_abc')).toBe('sf_ingest_abc');
    expect(keyFromAuthorization('bearer   sf_ingest_abc ')).toBe('sf_ingest_abc');
  });

  it('returns the user name of a Basic header, as analytics-node sends its write key', () => {
    expect(keyFromAuthorization(basic('write-key'))).toBe('write-key');
    expect(keyFromAuthorization(basic('write-key', 'ignored'))).toBe('write-key');
    expect(keyFromAuthorization(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBe('no-colon');
  });

  it('returns null when the header is missing, empty or of another scheme', () => {
    for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Token abc', basic(''), 'sf_ingest_abc']) {
      expect(keyFromAuthorization(header), String(header)).toBeNull();
    }
  });
});

describe('Authenticator', () => {
  const setup = async () => {
    const store = new MemoryKeyStore();
    const ingest = await createKey(store, { name: 'shop', scope: 'ingest' });
    const admin = await createKey(store, { name: 'ops', scope: 'admin' });
    let now = 1_000_000;
    const clock = {
      advance: (ms: number) => {
        now += ms;
      },
    };
    const auth = new Authenticator(store, 30_000, () => now);
    return { store, ingest, admin, auth, clock };
  };

  it('stores only the hash of a created key', async () => {
    // Prepare
    const { store, ingest } = await setup();
    // Assess
    const stored = JSON.stringify([...store.records.values()]);
    expect(stored).not.toContain(ingest.key);
    expect(ingest.record.hash).toBe(hashKey(ingest.key));
    expect(ingest.record.keyId).toBe(ingest.record.hash.slice(0, 12));
    expect(ingest.key).toMatch(/^sf_ingest_/);
    expect(generateKey('admin')).toMatch(/^sf_admin_[A-Za-z0-9_-]{32}$/);
  });

  it('returns the principal when an ingest key is sent as Bearer or Basic', async () => {
    // Prepare
    const { ingest, auth } = await setup();
    // Act
    const viaBearer = await auth.authenticate(`Bearer ${ingest.key}`, 'ingest');
    const viaBasic = await auth.authenticate(basic(ingest.key), 'ingest');
    // Assess
    const expected = { keyId: ingest.record.keyId, name: 'shop', scope: 'ingest' };
    expect(viaBearer).toEqual(expected);
    expect(viaBasic).toEqual(expected);
  });

  it('returns the principal when an admin key is used on an ingest route', async () => {
    // Prepare
    const { admin, auth } = await setup();
    // Act
    const principal = await auth.authenticate(`Bearer ${admin.key}`, 'ingest');
    // Assess
    expect(principal.scope).toBe('admin');
  });

  it('throws 403 when an ingest key is used on an admin route', async () => {
    // Prepare
    const { ingest, auth } = await setup();
    // Act
    const attempt = auth.authenticate(`Bearer ${ingest.key}`, 'admin');
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ForbiddenError);
    await expect(attempt).rejects.toMatchObject({ kind: 'forbidden' });
  });

  it('throws 401 when the key is missing, malformed or unknown', async () => {
    // Prepare
    const { auth } = await setup();
    // Act + Assess
    await expect(auth.authenticate(undefined, 'ingest')).rejects.toMatchObject({
      kind: 'unauthenticated',
      message: 'An API key is required: send "Authorization: Bearer <key>"',
    });
    await expect(auth.authenticate('Token abc', 'ingest')).rejects.toMatchObject({
      kind: 'unauthenticated',
      message: 'The Authorization header must be "Bearer <key>" or Basic with the key as user name',
    });
    await expect(auth.authenticate('Bearer sf_ingest_wrong', 'ingest')).rejects.toMatchObject({
      kind: 'unauthenticated',
      message: 'The API key is not valid',
    });
  });

  it('throws 401 once a revoked key has left the cache, and not before', async () => {
    // Prepare
    const { store, ingest, auth, clock } = await setup();
    await auth.authenticate(`Bearer ${ingest.key}`, 'ingest');
    await store.revoke(ingest.record.keyId, new Date().toISOString());
    // Act
    const cached = await auth.authenticate(`Bearer ${ingest.key}`, 'ingest');
    clock.advance(30_001);
    const afterTtl = auth.authenticate(`Bearer ${ingest.key}`, 'ingest');
    // Assess
    expect(cached.keyId).toBe(ingest.record.keyId);
    await expect(afterTtl).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(afterTtl).rejects.toMatchObject({ message: 'The API key has been revoked' });
  });

  it('looks a key up once per cache period, for known and unknown keys alike', async () => {
    // Prepare
    const { store, ingest, auth, clock } = await setup();
    // Act
    for (let i = 0; i < 5; i++) {
      await auth.authenticate(`Bearer ${ingest.key}`, 'ingest');
      await auth.authenticate('Bearer nope', 'ingest').catch(() => undefined);
    }
    const within = store.gets;
    clock.advance(30_001);
    await auth.authenticate(`Bearer ${ingest.key}`, 'ingest');
    // Assess
    expect(within).toBe(2);
    expect(store.gets).toBe(3);
  });

  it('returns 401 problems that tell the client both schemes it may use', () => {
    // Act
    const headers = problemHeaders(new UnauthorizedError('x'));
    // Assess
    expect(statusOf(new UnauthorizedError('x'))).toBe(401);
    expect(headers['www-authenticate']).toBe('Bearer realm="stageflow", Basic realm="stageflow"');
  });
});
