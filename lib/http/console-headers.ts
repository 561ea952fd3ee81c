/**
 * The console's security headers: local/console.ts sends them locally, and the CloudFront
 * response headers policy (infra/console-hosting.ts) sends the same ones deployed.
 */

/**
 * Content-Security-Policy for the console: scripts and styles only from this origin (no inline
 * script, no eval), API calls to this origin, never framed. Deployed, `connectSources` adds the
 * Cognito domain, where the console exchanges its sign-in code for a token.
 */
export function consoleCsp(connectSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ["connect-src 'self'", ...connectSources].join(' '),
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    // The template preview shows a mail's HTML in a sandboxed srcdoc frame.
    "frame-src 'self'",
  ].join('; ');
}

export const CONSOLE_CSP = consoleCsp();

export const CONSOLE_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};
