import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack } from '../support/local.js';

describe('Keys API and the read scope', () => {
  let stack: LocalStack;
  let admin: ReturnType<typeof api>;
  beforeAll(async () => {
    process.env.STAGEFLOW_AUTH_CACHE_MS = '0';
    stack = await testStack('keys');
    admin = api(stack, stack.keys.admin);
  });
  afterAll(async () => stack.stop());

  it('says who the calling key is, for any valid key', async () => {
    const ingest = await api(stack)('GET', '/v1/keys/current');
    expect(ingest.status).toBe(200);
    expect(ingest.body).toEqual({ keyId: expect.any(String), name: expect.any(String), scope: 'ingest' });
    expect((await api(stack, 'sf_nope')('GET', '/v1/keys/current')).status).toBe(401);
  });

  it('creates a read key shown once, lists it without the key, and revokes it', async () => {
    const created = await admin('POST', '/v1/keys', { name: 'viewer', scope: 'read' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^sf_read_/);
    const listed = (await admin('GET', '/v1/keys')).body.items.find(
      (k: { keyId: string }) => k.keyId === created.body.keyId,
    );
    expect(listed).toEqual({
      ...created.body,
      key: undefined,
      revokedAt: null,
      revokedBy: null,
      rateLimit: null,
    });
    // Every change records who made it: the admin key's name.
    const adminName = (await admin('GET', '/v1/keys/current')).body.name;
    expect(listed.createdBy).toBe(adminName);
    expect(JSON.stringify((await admin('GET', '/v1/keys')).body)).not.toContain(created.body.key);

    const viewer = api(stack, created.body.key);
    expect((await viewer('GET', '/v1/campaigns')).status).toBe(200);
    expect((await viewer('GET', '/v1/templates')).status).toBe(200);
    expect((await viewer('GET', '/v1/keys/current')).body.scope).toBe('read');
    const refused = await viewer('POST', '/v1/keys', { name: 'sneaky', scope: 'admin' });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('may read but not change');
    expect(
      (await viewer('POST', '/v1/touchpoints', { messageId: 'm', userId: 'u', event: 'x' })).status,
    ).toBe(403);

    expect((await admin('DELETE', `/v1/keys/${created.body.keyId}`)).body).toMatchObject({
      revokedAt: expect.any(String),
      revokedBy: adminName,
    });
    expect((await viewer('GET', '/v1/campaigns')).status).toBe(401);
  });

  it('refuses a bad key request naming the field, an unknown key id with 404, and an ingest key with 403', async () => {
    const bad = await admin('POST', '/v1/keys', { name: '', scope: 'root' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['name', 'scope']);
    expect((await admin('DELETE', '/v1/keys/000000000000')).status).toBe(404);
    expect((await api(stack)('GET', '/v1/keys')).status).toBe(403);
  });
});
