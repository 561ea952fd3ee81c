import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../lib/auth/api-keys.js';
import { Authenticator, keyContextFrom, principalFor } from '../../lib/auth/authenticate.js';
import { accessTokenVerifier, CognitoTokenVerifier } from '../../lib/auth/aws-cognito-tokens.js';
import { Credentials, looksLikeJwt, scopeOfGroups } from '../../lib/auth/user-tokens.js';
import { MemoryKeyStore } from '../support/memory-key-store.js';

/**
 * Console users' Cognito access tokens, verified by aws-jwt-verify against a key pair made
 * here: the verifier gets its JWKS through cacheJwks, so nothing is downloaded.
 */

const POOL = 'eu-central-1_Stageflow1';
const CLIENT = 'consoleclient0123456789';
const ISSUER = `https://cognito-idp.eu-central-1.amazonaws.com/${POOL}`;
const KID = 'test-key-1';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let privateKey: KeyObject;
let otherKey: KeyObject;
let credentials: Credentials;
let store: MemoryKeyStore;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A signed JWT in Cognito's access-token shape; `claims` override or (undefined) remove fields. */
function token(claims: Record<string, unknown> = {}, key: KeyObject = privateKey): string {
  const body: Record<string, unknown> = {
    sub: '0f3c8a52-1111-4e2b-9a57-5d7e1c2b3a4f',
    iss: ISSUER,
    client_id: CLIENT,
    token_use: 'access',
    scope: 'openid email',
    auth_time: nowSeconds() - 60,
    iat: nowSeconds() - 60,
    exp: nowSeconds() + 3600,
    jti: 'b5e1',
    username: 'mara@shop.example',
    'cognito:groups': ['marketers'],
    ...claims,
  };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  const signingInput = `${b64url({ alg: 'RS256', kid: KID, typ: 'JWT' })}.${b64url(body)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key).toString('base64url');
  return `${signingInput}.${signature}`;
}

beforeAll(async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey = pair.privateKey;
  otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const verifier = accessTokenVerifier({ userPoolId: POOL, clientId: CLIENT });
  const jwk = pair.publicKey.export({ format: 'jwk' });
  verifier.cacheJwks({ keys: [{ ...jwk, kid: KID, alg: 'RS256', use: 'sig' }] } as never);
  store = new MemoryKeyStore();
  credentials = new Credentials(new Authenticator(store), new CognitoTokenVerifier(verifier), {});
});

describe('console users (Cognito access tokens)', () => {
  it('gives a marketer admin, named by their email so updatedBy records the person', async () => {
    const context = await credentials.check(token());
    expect(context).toMatchObject({
      status: 'valid',
      keyId: 'user:0f3c8a52-1111-4e2b-9a57-5d7e1c2b3a4f',
      name: 'mara@shop.example',
      scope: 'admin',
    });
    expect(context.rateLimit).toBeGreaterThan(0);
    expect(principalFor(context, 'admin', 'PATCH')).toEqual({
      keyId: context.keyId,
      name: 'mara@shop.example',
      scope: 'admin',
    });
    // The context survives API Gateway's hand-over to the routes.
    expect(keyContextFrom({ ...context })).toEqual(context);
  });

  it('gives a viewer read: every GET, and a 403 for a change', async () => {
    const context = await credentials.check(
      token({ username: 'vic@shop.example', 'cognito:groups': ['viewers'] }),
    );
    expect(context).toMatchObject({ status: 'valid', name: 'vic@shop.example', scope: 'read' });
    expect(principalFor(context, 'admin', 'GET').scope).toBe('read');
    expect(() => principalFor(context, 'admin', 'POST')).toThrow(/vic@shop\.example is a viewer/);
  });

  it('makes a user in both groups a marketer', () => {
    expect(scopeOfGroups(['viewers', 'marketers'])).toBe('admin');
    expect(scopeOfGroups(['support'])).toBe('');
  });

  it('answers an expired token with 401 "expired", so the console goes back to sign-in', async () => {
    const context = await credentials.check(token({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }));
    expect(context).toMatchObject({ status: 'expired', scope: '', keyId: '' });
    expect(keyContextFrom({ ...context })?.status).toBe('expired');
    expect(() => principalFor(context, 'admin', 'GET')).toThrow(
      expect.objectContaining({ kind: 'unauthenticated', message: expect.stringMatching(/expired/) }),
    );
  });

  it('refuses a token of another app client as an unknown credential (401)', async () => {
    const context = await credentials.check(token({ client_id: 'someotherclient' }));
    expect(context).toMatchObject({ status: 'unknown', scope: '' });
    expect(() => principalFor(context, 'admin', 'GET')).toThrow(
      expect.objectContaining({ kind: 'unauthenticated' }),
    );
  });

  it('refuses an ID token: only access tokens are credentials', async () => {
    const idToken = token({ token_use: 'id', client_id: undefined, aud: CLIENT, email: 'mara@shop.example' });
    expect((await credentials.check(idToken)).status).toBe('unknown');
  });

  it('refuses a token signed by another key, or from another pool', async () => {
    expect((await credentials.check(token({}, otherKey))).status).toBe('unknown');
    expect((await credentials.check(token({ iss: `${ISSUER}x` }))).status).toBe('unknown');
  });

  it('knows a user in no Stageflow group but refuses them everything (403)', async () => {
    const context = await credentials.check(token({ 'cognito:groups': undefined }));
    expect(context).toMatchObject({ status: 'valid', scope: '', name: 'mara@shop.example' });
    expect(() => principalFor(context, 'admin', 'GET')).toThrow(
      expect.objectContaining({ kind: 'forbidden', message: expect.stringMatching(/no Stageflow group/) }),
    );
  });

  it('keeps API keys working unchanged beside tokens', async () => {
    const { key, record } = await createKey(store, { name: 'shop', scope: 'ingest' });
    expect(looksLikeJwt(key)).toBe(false);
    expect(await credentials.check(key)).toMatchObject({
      status: 'valid',
      keyId: record.keyId,
      scope: 'ingest',
    });
  });

  it('treats a token as an unknown key where no user pool is configured (the local stack)', async () => {
    const local = new Credentials(new Authenticator(new MemoryKeyStore()), null, {});
    expect(looksLikeJwt(token())).toBe(true);
    expect(await local.check(token())).toMatchObject({ status: 'unknown', scope: '' });
  });
});
