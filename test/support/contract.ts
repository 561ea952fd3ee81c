import * as z from 'zod';
import { OPERATIONS } from '../../api/openapi.js';
import { Problem } from '../../lib/http/edge-schemas.js';
import { ROUTES } from '../../lib/http/routes.js';

/**
 * Every response an integration test receives through `api()` (test/support/local.ts) is
 * checked against the contract the OpenAPI document is generated from (api/operations/): the
 * route's documented schema for that status, and problem+json for every error. A handler whose
 * answer drifts from its schema fails the test that called it, not a reader of the docs later.
 */

const routes = ROUTES.map((r) => ({
  key: `${r.method} ${r.path}`,
  method: r.method,
  pattern: new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`),
}));

/** The route key (`METHOD /path/{param}`) a request path is served by, if any. */
export function routeOf(method: string, url: string): string | undefined {
  const path = url.split('?')[0];
  return routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(path))?.key;
}

const issues = (error: z.core.$ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

/** Why a response breaks its route's contract, or null when it keeps it (or no route serves it). */
export function contractViolation(
  method: string,
  url: string,
  status: number,
  contentType: string | null,
  body: unknown,
): string | null {
  const key = routeOf(method, url);
  if (!key) return null; // not an API route: a 404 for an unknown path, say
  const operation = OPERATIONS[key];
  const where = `${key} answered ${status}`;
  const type = (contentType ?? '').split(';')[0].trim();
  if (status >= 400) {
    if (type !== 'application/problem+json')
      return `${where} as ${type || 'no content type'}, not problem+json`;
    // An error with a body of its own (a batch's 503 lists its items) is checked against it.
    const parsed = z.safeParse(operation.responses[status]?.body?.schema ?? Problem, body);
    return parsed.success ? null : `${where} with a body that is not a Problem: ${issues(parsed.error)}`;
  }
  const documented = operation.responses[status];
  if (!documented) return `${where}, a status its operation does not document`;
  if (!documented.body) return body === undefined ? null : `${where} with a body; none is documented`;
  if (type !== 'application/json') return null; // an HTML page, checked by the tests that ask for one
  const parsed = z.safeParse(documented.body.schema, body);
  return parsed.success ? null : `${where} with a body that breaks its schema: ${issues(parsed.error)}`;
}

/** Throws when a response breaks its route's contract. */
export function expectContract(
  method: string,
  url: string,
  status: number,
  contentType: string | null,
  body: unknown,
): void {
  const violation = contractViolation(method, url, status, contentType, body);
  if (violation) throw new Error(`API contract: ${violation}`);
}
