import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  accessTokenOf,
  authorizeUrl,
  callbackOf,
  codeChallenge,
  cognitoConfigOf,
  logoutUrl,
  randomToken,
  tokenRequest,
} from '../../web/src/pkce.js';

/** The console's managed-login helpers (web/src/pkce.ts): PKCE S256, the URLs and the exchange. */

const CONFIG = {
  domain: 'https://stageflow-dev-123456789012.auth.eu-central-1.amazoncognito.com',
  clientId: 'abc123client',
  region: 'eu-central-1',
};
const CONSOLE = 'https://d111.cloudfront.net/console/';

describe('PKCE helpers', () => {
  it('makes a verifier of 43 URL-safe characters, different every time', () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
  });

  it('derives the S256 challenge: base64url(SHA-256(verifier)), no padding', async () => {
    for (const verifier of [randomToken(), 'dBjftJeZ4CVP-mJ92K9hmJ8Nk_qV4Ssc7ezZzd0dY6k']) {
      expect(await codeChallenge(verifier)).toBe(createHash('sha256').update(verifier).digest('base64url'));
    }
  });

  it('sends the browser to /oauth2/authorize with code, client, redirect, state and challenge', () => {
    const url = new URL(authorizeUrl(CONFIG, { redirectUri: CONSOLE, state: 's1', challenge: 'c1' }));
    expect(`${url.origin}${url.pathname}`).toBe(`${CONFIG.domain}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'abc123client',
      redirect_uri: CONSOLE,
      scope: 'openid email',
      state: 's1',
      code_challenge_method: 'S256',
      code_challenge: 'c1',
    });
  });

  it('exchanges the code with the verifier at /oauth2/token as a form post, no secret', () => {
    const request = tokenRequest(CONFIG, { code: 'k1', verifier: 'v1', redirectUri: CONSOLE });
    expect(request.url).toBe(`${CONFIG.domain}/oauth2/token`);
    expect(request.init.method).toBe('POST');
    expect(request.init.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request.init.body))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'abc123client',
      code: 'k1',
      redirect_uri: CONSOLE,
      code_verifier: 'v1',
    });
  });

  it('reads the access token and its expiry from the token answer', () => {
    expect(accessTokenOf({ access_token: 'a.b.c', id_token: 'x', expires_in: 3600 }, 1_000)).toEqual({
      accessToken: 'a.b.c',
      expiresAt: 3_601_000,
    });
    expect(accessTokenOf({ error: 'invalid_grant' })).toBeNull();
    expect(accessTokenOf(null)).toBeNull();
  });

  it('signs out at /logout and comes back to the console', () => {
    const url = new URL(logoutUrl(CONFIG, CONSOLE));
    expect(url.pathname).toBe('/logout');
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'abc123client', logout_uri: CONSOLE });
  });

  it('recognizes the way back: a code with state, an error, or no redirect at all', () => {
    expect(callbackOf('?code=k1&state=s1')).toEqual({ code: 'k1', state: 's1' });
    expect(callbackOf('?error=access_denied&error_description=User+is+disabled')).toEqual({
      error: 'User is disabled',
    });
    expect(callbackOf('?code=k1')).toBeNull();
    expect(callbackOf('')).toBeNull();
  });

  it('takes the Cognito sign-in from config.json only when it is complete (else key sign-in)', () => {
    expect(cognitoConfigOf({ cognito: { ...CONFIG, domain: `${CONFIG.domain}/` } })).toEqual(CONFIG);
    expect(cognitoConfigOf({ signIn: 'key' })).toBeNull();
    expect(cognitoConfigOf({ cognito: { ...CONFIG, domain: 'http://evil.example' } })).toBeNull();
    expect(cognitoConfigOf({ cognito: { ...CONFIG, clientId: '' } })).toBeNull();
    expect(cognitoConfigOf(null)).toBeNull();
  });
});
