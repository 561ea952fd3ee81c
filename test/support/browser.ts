import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeEach, expect } from 'vitest';
import { CONSOLE_PATH } from '../../local/console.js';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.js';

/**
 * Frames whose scripts are disabled (`sandbox` without `allow-scripts`, such as the console's
 * mail preview). axe cannot test them: @axe-core/playwright injects axe into every frame with a
 * 1 s race, and when the injection wins that race it then awaits `axe.runPartial()` inside the
 * frame, whose timers never fire where scripts are disabled, so `analyze()` never returns (and
 * `page.evaluate` has no timeout, so Playwright's default timeout does not end it). Whether the
 * injection wins depends on the machine's load: that is why the German-preview test hung in some
 * runs and passed in others. The iframe element itself (its title) is still checked.
 */
export const SCRIPTLESS_FRAMES = 'iframe[sandbox]:not([sandbox~="allow-scripts"])';

/** Rejects with `what` when `promise` has not settled after `ms`: a clear failure instead of a hang. */
export async function bounded<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The serious and critical axe violations on the page, as "rule: selectors" lines.
 * Legacy mode: axe.run() in the page, which tests same-origin frames itself, instead of
 * runPartial() in every frame and finishRun() in a blank page opened for each check; that
 * halves each check (2 s instead of 4.5 s a page at load 8), and the browser tests run
 * some sixty. The rules and what they test are the same: the console has no cross-origin
 * frame, and the one without scripts (SCRIPTLESS_FRAMES) is excluded either way.
 */
export async function axeViolations(page: Page, ms = 60_000): Promise<string[]> {
  const { violations } = await bounded(
    `axe on ${page.url()}`,
    new AxeBuilder({ page }).exclude(SCRIPTLESS_FRAMES).setLegacyMode(true).analyze(),
    ms,
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** A screenshot under `dir`, bounded, that never throws (it runs when a test has already failed). */
export async function screenshotQuietly(
  page: Page | undefined,
  dir: string,
  name: string,
): Promise<string | null> {
  if (!page || page.isClosed()) return null;
  mkdirSync(dir, { recursive: true });
  const path = `${dir}/${name.replace(/[^\w.-]+/g, '-').slice(0, 120)}.png`;
  try {
    await page.screenshot({ path, fullPage: true, timeout: 10_000 });
    return path;
  } catch {
    return null;
  }
}

/** A browser on the console: the page, what it complained of, and how to close it all. */
export interface ConsoleSession {
  browser: Browser;
  page: Page;
  /** Console errors and uncaught exceptions since the last `pageErrors.length = 0`. */
  pageErrors: string[];
  /** Signs in with a key on the sign-in page and waits for the overview. */
  signIn(key: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Chromium on the console of `stack`, as every browser test starts it: 1280×800, en-GB (or the
 * locale given), every wait bounded, console errors and uncaught exceptions collected, and
 * signed in with `key` when one is given (else on the sign-in page, untouched).
 */
export async function openConsole(
  stack: { url: string },
  options: { key?: string; locale?: string; viewport?: { width: number; height: number } } = {},
): Promise<ConsoleSession> {
  const browser = await chromium.launch({ executablePath: ensureChromium(), args: CHROMIUM_ARGS });
  // axe runs in a page of the same context, so the page needs a context of its own.
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    locale: options.locale ?? 'en-GB',
  });
  // Every Playwright wait is bounded; page.evaluate is not, hence bounded() around axe.
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
  });
  const signIn = async (key: string) => {
    await page.goto(`${stack.url}${CONSOLE_PATH}`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The sign-in page has an h1 of its own: wait for its form to go before the page's heading,
    // or a loaded machine navigates while sign-in is still in flight and lands on sign-in.
    await page.getByLabel('API key').waitFor({ state: 'detached', timeout: 60_000 });
    await page.getByRole('heading', { level: 1 }).first().waitFor();
  };
  if (options.key) await signIn(options.key);
  return { browser, page, pageErrors, signIn, close: () => browser.close() };
}

/** Where a browser test's failure screenshot goes (reportFailures). */
export const FAILED_SHOTS = 'test-results/console/failed';

/**
 * What every browser test asserts of a page it shows: no serious or critical axe violation,
 * and a full-page screenshot at `file` (a .png under test-results/, its folder made) for a
 * person to look at. `timeout` bounds the screenshot (default: the context's 15 s); a long
 * page on a loaded machine needs more.
 */
export async function checkPage(page: Page, file: string, options: { timeout?: number } = {}): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true, ...options });
  expect(await axeViolations(page)).toEqual([]);
}

/** Closes the browser, then stops the stack; either may be missing when `beforeAll` failed. */
export async function closeAll(
  session: ConsoleSession | undefined,
  stack: { stop(): Promise<void> } | undefined,
): Promise<void> {
  await session?.close();
  await stack?.stop();
}

/**
 * The hooks of a browser test file that opens one session on one stack: `reportFailures`
 * before each test, and `closeAll` after them all. A getter, as both are made in `beforeAll`.
 */
export function sessionHooks(
  get: () => { session?: ConsoleSession; stack?: { stop(): Promise<void> } },
): void {
  beforeEach(reportFailures(() => get().session, FAILED_SHOTS));
  afterAll(() => closeAll(get().session, get().stack));
}

/**
 * For `beforeEach`: clears the page's complaints, and when the test fails saves a screenshot of
 * where it stopped and prints what the page complained of.
 */
export function reportFailures(session: () => ConsoleSession | undefined, dir: string) {
  return ({ task, onTestFailed }: { task: { name: string }; onTestFailed: (fn: () => unknown) => void }) => {
    const s = session();
    if (s) s.pageErrors.length = 0;
    onTestFailed(async () => {
      const current = session();
      const shot = await screenshotQuietly(current?.page, dir, task.name);
      console.error(
        [
          `"${task.name}" failed on ${current?.page.url()}`,
          shot ? `screenshot: ${shot}` : 'no screenshot',
          ...(current?.pageErrors ?? []),
        ].join('\n  '),
      );
    });
  };
}

/**
 * Opens a section from the header's navigation, by its link's name. On a phone the navigation
 * is folded behind the menu button: it is opened first, as a person would.
 */
export async function goToSection(page: Page, name: string): Promise<void> {
  const menu = page.getByRole('button', { name: /^(Menu|Menü)$/ });
  if ((await menu.isVisible()) && (await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
  await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
}
