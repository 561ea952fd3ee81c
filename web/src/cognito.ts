import {
  accessTokenOf,
  authorizeUrl,
  type CognitoConfig,
  codeChallenge,
  cognitoConfigOf,
  logoutUrl,
  randomToken,
  tokenRequest,
} from './pkce';

/**
 * The deployed console's sign-in with Cognito's managed login (authorization code with PKCE).
 * The code verifier and state wait in sessionStorage while the browser is at the managed
 * login; the access token then lives in the session like a key (session.ts), never elsewhere.
 */

const PENDING = 'stageflow.console.pkce';

/** Where the managed login sends people back, and signs them out to: a registered URL. */
export const consoleUrl = () => `${location.origin}/console/`;

let config: Promise<CognitoConfig | null> | undefined;

/**
 * /console/config.json's Cognito settings (deployed), or null: the local stack answers without
 * any, and a missing or broken file means key sign-in too.
 */
export function loadCognitoConfig(): Promise<CognitoConfig | null> {
  config ??= (async () => {
    try {
      const response = await fetch('/console/config.json', { cache: 'no-cache' });
      if (!response.ok) return null;
      return cognitoConfigOf(await response.json());
    } catch {
      return null;
    }
  })();
  return config;
}

/** Goes to the managed login, remembering the verifier and state for the way back. */
export async function startSignIn(cognito: CognitoConfig): Promise<void> {
  const verifier = randomToken();
  const state = randomToken(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  location.assign(
    authorizeUrl(cognito, { redirectUri: consoleUrl(), state, challenge: await codeChallenge(verifier) }),
  );
}

/** Why a sign-in could not be finished. */
export class SignInFailed extends Error {
  constructor(
    readonly reason: 'state' | 'exchange' | 'refused',
    detail?: string,
  ) {
    super(detail ?? reason);
    this.name = 'SignInFailed';
  }
}

/**
 * Finishes the sign-in on the way back: checks the state against this tab's, trades the code
 * and verifier for the access token, and drops the code from the address bar.
 */
export async function finishSignIn(
  cognito: CognitoConfig,
  callback: { code: string; state: string },
): Promise<{ accessToken: string; expiresAt: number }> {
  const pending = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', consoleUrl());
  const { verifier, state } = pending
    ? (JSON.parse(pending) as { verifier: string; state: string })
    : ({} as never);
  // A code this tab did not ask for (or asked for in another tab) is never exchanged.
  if (!verifier || state !== callback.state) throw new SignInFailed('state');
  const request = tokenRequest(cognito, { code: callback.code, verifier, redirectUri: consoleUrl() });
  let body: unknown;
  try {
    const response = await fetch(request.url, request.init);
    body = await response.json();
    if (!response.ok) throw new SignInFailed('exchange', (body as { error?: string }).error);
  } catch (error) {
    throw error instanceof SignInFailed ? error : new SignInFailed('exchange');
  }
  const token = accessTokenOf(body);
  if (!token) throw new SignInFailed('exchange');
  return token;
}

/** Ends the managed login's own session too, then comes back to the console's sign-in. */
export async function signOutOfCognito(): Promise<void> {
  const cognito = await loadCognitoConfig();
  if (cognito) location.assign(logoutUrl(cognito, consoleUrl()));
}
