import { mkdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

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

/** The serious and critical axe violations on the page, as "rule: selectors" lines. */
export async function axeViolations(page: Page, ms = 60_000): Promise<string[]> {
  const { violations } = await bounded(
    `axe on ${page.url()}`,
    new AxeBuilder({ page }).exclude(SCRIPTLESS_FRAMES).analyze(),
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
