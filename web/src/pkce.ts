/**
 * Deployed sign-in through Cognito's managed login: the authorization code flow with PKCE
 * (RFC 7636), as small pure helpers; cognito.ts wires them to the page. No DOM here, so
 * test/unit/pkce.test.ts runs them in Node.
 */

/** What /console/config.json says when the console runs deployed (infra/console-hosting.ts). */
export interface CognitoConfig {
  /** The managed login's base URL: `https://<prefix>.auth.<region>.amazoncognito.com`. */
  domain: string;
  clientId: string;
  region: string;
}

/** The Cognito part of config.json, or null when there is none (the local stack: key sign-in). */
export function cognitoConfigOf(value: unknown): CognitoConfig | null {
  const cognito = (value as { cognito?: Record<string, unknown> } | null)?.cognito;
  if (!cognito || typeof cognito !== 'object') return null;
  const { domain, clientId, region } = cognito;
  if (typeof domain !== 'string' || !/^https:\/\/[^/]+$/.test(domain.replace(/\/+$/, ''))) return null;
  if (typeof clientId !== 'string' || !clientId || typeof region !== 'string') return null;
  return { domain: domain.replace(/\/+$/, ''), clientId, region };
}

const base64url = (bytes: Uint8Array): string => {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

/** A random URL-safe string: 32 bytes make a 43-character code verifier (RFC 7636 allows 43–128). */
export const randomToken = (bytes = 32): string => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

/** The S256 code challenge of a verifier: base64url(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** Where the browser goes to sign in: the managed login's /oauth2/authorize. */
export function authorizeUrl(
  config: CognitoConfig,
  request: { redirectUri: string; state: string; challenge: string },
): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: request.redirectUri,
    scope: 'openid email',
    state: request.state,
    code_challenge_method: 'S256',
    code_challenge: request.challenge,
  });
  return `${config.domain}/oauth2/authorize?${query}`;
}

/** The token request that trades the code (and the verifier only this tab has) for tokens. */
export function tokenRequest(
  config: CognitoConfig,
  exchange: { code: string; verifier: string; redirectUri: string },
): { url: string; init: { method: 'POST'; headers: Record<string, string>; body: string } } {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: config.clientId,
    code: exchange.code,
    redirect_uri: exchange.redirectUri,
    code_verifier: exchange.verifier,
  });
  return {
    url: `${config.domain}/oauth2/token`,
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    },
  };
}

/** The access token and when it expires, from the token endpoint's answer; null if it has none. */
export function accessTokenOf(
  response: unknown,
  now = Date.now(),
): { accessToken: string; expiresAt: number } | null {
  const r = response as { access_token?: unknown; expires_in?: unknown } | null;
  if (!r || typeof r.access_token !== 'string' || !r.access_token) return null;
  const seconds = typeof r.expires_in === 'number' && r.expires_in > 0 ? r.expires_in : 3600;
  return { accessToken: r.access_token, expiresAt: now + seconds * 1000 };
}

/** Signing out of the managed login too, then back to the console (a registered logout URL). */
export function logoutUrl(config: CognitoConfig, logoutUri: string): string {
  const query = new URLSearchParams({ client_id: config.clientId, logout_uri: logoutUri });
  return `${config.domain}/logout?${query}`;
}

/**
 * The code and state of a redirect back from the managed login (`?code=…&state=…`), or its
 * error (`?error=access_denied&error_description=…`); null when the URL is no such redirect.
 */
export function callbackOf(search: string): { code: string; state: string } | { error: string } | null {
  const query = new URLSearchParams(search);
  const error = query.get('error');
  if (error) return { error: query.get('error_description') || error };
  const code = query.get('code');
  const state = query.get('state');
  return code && state ? { code, state } : null;
}
