import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The flags every browser test launches Chromium with (headless, no sandbox as root in CI). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const SYSTEM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Chromium that `npx playwright install chromium` left in playwright's cache, newest first. */
function fromPlaywrightCache(): string | undefined {
  const cache = process.env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  if (!existsSync(cache)) return undefined;
  const dirs = readdirSync(cache)
    .filter((d) => /^chromium(_headless_shell)?-\d+$/.test(d))
    .sort()
    .reverse();
  for (const dir of dirs) {
    for (const binary of [
      'chrome-linux/chrome',
      'chrome-linux64/chrome',
      'chrome-headless-shell-linux64/chrome-headless-shell',
      'chrome-linux/headless_shell',
    ]) {
      const path = join(cache, dir, binary);
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}

function found(): string | undefined {
  for (const name of ['PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH', 'CHROMIUM_PATH', 'CHROME_PATH']) {
    const path = process.env[name];
    if (path && existsSync(path)) return path;
  }
  return SYSTEM.find((path) => existsSync(path)) ?? fromPlaywrightCache();
}

const isRootOnDebian = () => process.getuid?.() === 0 && existsSync('/etc/debian_version');

/**
 * A Chromium for the browser tests: from PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH / CHROMIUM_PATH,
 * the system's, or playwright's cache; else installed (apt-get as root on Debian, otherwise
 * `npx playwright install chromium`). Throws a plain message when none can be had.
 */
export function ensureChromium(log: (line: string) => void = (line) => console.log(line)): string {
  const existing = found();
  if (existing) return existing;
  const tried: string[] = [];
  if (isRootOnDebian()) {
    log('browser tests: no Chromium found; installing Debian’s (apt-get install -y chromium)…');
    const update = spawnSync('apt-get', ['update'], { stdio: 'ignore' });
    const install = spawnSync('apt-get', ['install', '-y', 'chromium'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (update.status === 0 && install.status === 0 && found()) return found()!;
    tried.push(`apt-get install -y chromium (exit ${install.status ?? update.status})`);
  }
  log('browser tests: installing Chromium with `npx playwright install chromium`…');
  try {
    execFileSync('npx', ['--yes', 'playwright', 'install', 'chromium'], {
      stdio: 'ignore',
      timeout: 600_000,
    });
  } catch (error) {
    tried.push(`npx playwright install chromium (${(error as Error).message.split('\n')[0]})`);
  }
  const installed = found();
  if (installed) return installed;
  throw new Error(
    `The browser tests need Chromium and none was found or could be installed (tried: ${tried.join('; ')}). ` +
      'Install one (Debian: apt-get install chromium) or set PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH to its binary.',
  );
}
