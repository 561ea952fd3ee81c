import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page, type Request, type Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_PATH, ensureConsoleBuilt } from '../../local/console.js';
import type { LocalStack } from '../../local/stack.js';
import { axeViolations, bounded } from '../support/browser.js';
import { CHROMIUM_ARGS, ensureChromium } from '../support/chromium.js';
import { testStack } from '../support/local.js';

const SHOTS = 'test-results/console';
const LOGIN = 'https://login.stageflow.test';
const CLIENT = 'console-client-1';

/**
 * The deployed sign-in (Cognito managed login, authorization code with PKCE) in a real Chromium:
 * config.json names a managed login, which Playwright plays at LOGIN. It checks what the
 * console sends (state, S256 challenge, the verifier that matches it) and answers like Cognito.
 * The local API knows no user pool, so the "access token" the fake login issues is the admin
 * key: the browser side is real, and test/unit/user-tokens.test.ts verifies real tokens.
 * The page's context bypasses CSP only because LOGIN is not the origin the CSP names deployed.
 */
describe('Console sign-in through a managed login', { timeout: 90_000 }, () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  const seen: { authorize?: URL; token?: URLSearchParams; logout?: URL } = {};

  beforeAll(async () => {
    ensureConsoleBuilt();
    const executablePath = ensureChromium();
    stack = await testStack('console-sign-in');
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'en-GB',
      bypassCSP: true,
    });
    context.setDefaultTimeout(15_000);
    context.setDefaultNavigationTimeout(30_000);
    page = await context.newPage();
    await page.route(`${stack.url}${CONSOLE_PATH}config.json`, (route) =>
      route.fulfill({ json: { cognito: { domain: LOGIN, clientId: CLIENT, region: 'eu-central-1' } } }),
    );
    await page.route(`${LOGIN}/**`, (route) =>
      answerAsCognito(route.request()).then((r) => route.fulfill(r)),
    );
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** The managed login's three endpoints, as Cognito answers them. */
  async function answerAsCognito(request: Request): Promise<Parameters<Route['fulfill']>[0]> {
    const url = new URL(request.url());
    const cors: Record<string, string> = { 'access-control-allow-origin': stack.url };
    if (url.pathname === '/oauth2/authorize') {
      seen.authorize = url;
      // The person signs in; Cognito sends the browser back with a code and the state.
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.search = new URLSearchParams({
        code: 'code-1',
        state: url.searchParams.get('state') ?? '',
      }).toString();
      return { status: 302, headers: { location: back.toString() } };
    }
    if (url.pathname === '/oauth2/token') {
      if (request.method() === 'OPTIONS')
        return { status: 204, headers: { ...cors, 'access-control-allow-headers': 'content-type' } };
      const form = new URLSearchParams(request.postData() ?? '');
      seen.token = form;
      const challenge = createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url');
      const ok =
        form.get('code') === 'code-1' && challenge === seen.authorize?.searchParams.get('code_challenge');
      return ok
        ? {
            status: 200,
            headers: cors,
            json: { access_token: stack.keys.admin, id_token: 'x', expires_in: 3600, token_type: 'Bearer' },
          }
        : { status: 400, headers: cors, json: { error: 'invalid_grant' } };
    }
    if (url.pathname === '/logout') {
      seen.logout = url;
      return { status: 302, headers: { location: url.searchParams.get('logout_uri') ?? '/' } };
    }
    return { status: 404 };
  }

  const session = () =>
    page.evaluate<{ via?: string; expiresAt?: number; key?: string } | null>(
      "JSON.parse(sessionStorage.getItem('stageflow.console.session') ?? 'null')",
    );

  it('offers "Sign in" with the managed login instead of the key form, and passes axe', async () => {
    await page.goto(`${stack.url}${CONSOLE_PATH}`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByLabel('API key').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await bounded(
      'screenshot',
      page.screenshot({ path: `${SHOTS}/sign-in-managed-login.png`, fullPage: true }),
      20_000,
    );
  });

  it('signs in with authorization code and PKCE, keeping the token in sessionStorage only', async () => {
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const authorize = seen.authorize as URL;
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT,
      redirect_uri: `${stack.url}${CONSOLE_PATH}`,
      code_challenge_method: 'S256',
    });
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{16,}$/);
    expect(Object.fromEntries(seen.token as URLSearchParams)).toMatchObject({
      grant_type: 'authorization_code',
      client_id: CLIENT,
      code: 'code-1',
      redirect_uri: `${stack.url}${CONSOLE_PATH}`,
    });
    // The code is gone from the address bar, the verifier from storage; the session is the token's.
    expect(page.url()).toBe(`${stack.url}${CONSOLE_PATH}`);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('stageflow.console.pkce')")).toBeNull();
    const signedIn = await session();
    expect(signedIn).toMatchObject({ via: 'cognito', key: stack.keys.admin });
    expect(signedIn?.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);
    expect(await page.evaluate<number>('localStorage.length')).toBe(0);
  });

  it('signs out of the managed login too, and lands on sign-in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${stack.url}${CONSOLE_PATH}`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(Object.fromEntries(seen.logout?.searchParams ?? [])).toEqual({
      client_id: CLIENT,
      logout_uri: `${stack.url}${CONSOLE_PATH}`,
    });
    expect(await session()).toBeNull();
  });

  it('lands an expired sign-in on the sign-in page, saying so', async () => {
    await page.evaluate(
      `sessionStorage.setItem('stageflow.console.session', JSON.stringify({ key: 'expired.jwt.token', via: 'cognito', expiresAt: Date.now() - 1000, who: { keyId: 'user:1', name: 'mara@shop.example', scope: 'admin' } }))`,
    );
    await page.goto(`${stack.url}${CONSOLE_PATH}campaigns`);
    await page.getByText('Your sign-in has expired. Sign in again.').waitFor();
    expect(await session()).toBeNull();
  });

  it('never exchanges a code it did not ask for (forged state)', async () => {
    seen.token = undefined;
    await page.goto(`${stack.url}${CONSOLE_PATH}?code=code-1&state=forged`);
    await page.getByText('The sign-in could not be completed. Please sign in again.').waitFor();
    expect(seen.token).toBeUndefined();
    expect(page.url()).toBe(`${stack.url}${CONSOLE_PATH}`);
  });
});
