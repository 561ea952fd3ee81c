import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONSOLE_HEADERS } from '../lib/http/console-headers.js';

/**
 * The marketer console (web/) on the local stack: built with Vite when missing or stale, and
 * served under /console/ from the API's own origin, so it calls the API without CORS. Deployed,
 * CloudFront serves the same files with the same headers (docs/console.md).
 */

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const CONSOLE_DIR = join(ROOT, 'web');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');
export const CONSOLE_PATH = '/console/';
export const CONSOLE_CONFIG_PATH = '/console/config.json';
/** The local console's config.json: no `cognito`, so sign-in is with an admin or read key. */
export const LOCAL_CONSOLE_CONFIG = { signIn: 'key' } as const;

// The same headers CloudFront sends deployed (lib/http/console-headers.ts).
export { CONSOLE_CSP, CONSOLE_HEADERS } from '../lib/http/console-headers.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const newest = (path: string): number => {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
};

/** The console's sources: a build older than any of them is stale. */
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(CONSOLE_DIR, p));

/** Whether web/dist is missing or older than its sources. */
export function consoleBuildIsStale(): boolean {
  const built = join(CONSOLE_DIST, 'index.html');
  if (!existsSync(built)) return true;
  return Math.max(...SOURCES.map(newest)) > statSync(built).mtimeMs;
}

/**
 * Builds the console with Vite unless web/dist is fresh; a fresh clone's `npm install && npm
 * start` (or `npm test`) needs nothing else. Throws with Vite's output when the build fails.
 */
export function ensureConsoleBuilt(log: (line: string) => void = () => {}): void {
  if (!consoleBuildIsStale()) return;
  log('building the console (web/, vite build)…');
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const out = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: CONSOLE_DIR,
    encoding: 'utf8',
  });
  if (out.status !== 0) {
    throw new Error(`the console build failed:\n${out.stdout}\n${out.stderr}`);
  }
}

/**
 * Serves web/dist under /console/: files with their content type, hashed assets cached for a
 * year, and every other path under /console/ the app's index.html (the app routes by path).
 * Answers `/` and `/console` with a redirect. Returns false for any other path (the API's).
 */
export function serveConsole(req: IncomingMessage, res: ServerResponse, dist = CONSOLE_DIST): boolean {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/' || url.pathname === '/console') {
    res.writeHead(302, { location: CONSOLE_PATH });
    res.end();
    return true;
  }
  if (!url.pathname.startsWith(CONSOLE_PATH)) return false;
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('Method not allowed');
    return true;
  }
  // Deployed, config.json names the Cognito sign-in (infra/console-hosting.ts); locally there is
  // none, so the console signs in with a key.
  if (url.pathname === CONSOLE_CONFIG_PATH) {
    const body = JSON.stringify(LOCAL_CONSOLE_CONFIG);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'cache-control': 'no-cache',
      ...CONSOLE_HEADERS,
    });
    res.end(method === 'HEAD' ? undefined : body);
    return true;
  }
  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname.slice(CONSOLE_PATH.length));
  } catch {
    relative = '';
  }
  const file = normalize(join(dist, relative));
  const inside = file.startsWith(dist + sep);
  const isFile = inside && existsSync(file) && statSync(file).isFile();
  // An asset that is not there is a 404; any other path is a page of the app.
  if (!isFile && relative.startsWith('assets/')) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...CONSOLE_HEADERS });
    res.end('Not found');
    return true;
  }
  const index = join(dist, 'index.html');
  if (!isFile && !existsSync(index)) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', ...CONSOLE_HEADERS });
    res.end('The console is not built: run `npm start` (it builds web/) or `npm run console:build`.');
    return true;
  }
  const path = isFile ? file : index;
  const body = readFileSync(path);
  res.writeHead(200, {
    'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
    'content-length': String(body.length),
    // Vite names assets by content hash; the page itself must always be revalidated.
    'cache-control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...CONSOLE_HEADERS,
  });
  res.end(method === 'HEAD' ? undefined : body);
  return true;
}
