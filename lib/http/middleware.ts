import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import {
  type Authenticator,
  keyContextFrom,
  keyFromAuthorization,
  keyRateLimit,
  missingKeyError,
  type Principal,
  principalFor,
  type Scope,
  TokenBuckets,
} from '../auth/index.js';
import {
  InvalidEncodingError,
  MalformedJsonError,
  PayloadTooLargeError,
  StageflowError,
  TooManyRequestsError,
  ValidationError,
} from '../shared/errors.js';
import { issueErrors, type JsonIssue } from '../shared/json-values.js';
import {
  DependencyUnavailableError,
  isTransientDependencyError,
  type ResendSafety,
} from '../shared/transient.js';
import { decodeBody, InvalidUtf8Error, JsonSyntaxError, type ParsedJson, parseJson } from './json-input.js';
import { internalError, problemHeaders, statusOf, toProblem } from './problem.js';
import { ROUTES } from './routes.js';

export type HttpEvent = APIGatewayProxyEventV2 & {
  /** Parsed JSON body, set by jsonBody(). */
  parsedBody?: unknown;
  /** Values of the body that cannot be accepted as sent, set by jsonBody() (lib/http/json-input.ts). */
  bodyIssues?: JsonIssue[];
  principal?: Principal;
};
export type HttpResult = Exclude<APIGatewayProxyResultV2, string>;

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const problem = (error: StageflowError, instance?: string): HttpResult => ({
  statusCode: statusOf(error),
  headers: { 'content-type': 'application/problem+json', ...problemHeaders(error) },
  body: JSON.stringify(toProblem(error, instance)),
});

/** Header lookup that ignores case (API Gateway lowercases, local callers may not). */
export const header = (
  event: { headers?: Record<string, string | undefined> | null },
  name: string,
): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
};

export interface Logger {
  error(message: string, extra: Record<string, unknown>): void;
  warn?(message: string, extra: Record<string, unknown>): void;
}

const logged = (error: unknown) =>
  error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : error;

/**
 * Maps every error to RFC 9457 problem+json in one place. Only 4xx detail is exposed; a 5xx
 * becomes a generic problem and the real error goes to the log. A transient dependency failure
 * (throttling, a lock or transaction conflict, a timeout, a dropped connection:
 * lib/shared/transient.ts) is a 503 with Retry-After, not a 500: the write often landed. Its
 * detail says a resend is safe only where it is (resendSafety).
 */
export function problemResponses(logger: Logger = console): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      const instance = request.event?.rawPath;
      if (error instanceof StageflowError && error.expose) {
        request.response = problem(error, instance);
        return;
      }
      if (isTransientDependencyError(error)) {
        (logger.warn ?? logger.error).call(logger, 'request failed transiently', { error: logged(error) });
        request.response = problem(
          new DependencyUnavailableError(error, resendSafety(request.event)),
          instance,
        );
        return;
      }
      logger.error('request failed', { error: logged(error) });
      request.response = problem(internalError(), instance);
    },
  };
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether a request may be resent after a transient failure: ingest is idempotent by
 * messageId, GET/PUT/PATCH/DELETE set (or read) the same state again; any other POST may create
 * or send something twice (POST /v1/campaigns a new id, POST /v1/keys a new key, test-send a
 * mail), so its client is told to check first. Unknown means unsafe.
 */
export function resendSafety(event: Partial<HttpEvent> | undefined): ResendSafety {
  const [routeMethod, routePath] = (event?.routeKey ?? '').split(' ');
  const method = (event?.requestContext?.http?.method ?? routeMethod ?? '').toUpperCase();
  if (IDEMPOTENT_METHODS.has(method)) return 'idempotent';
  const path = routePath ?? event?.rawPath?.replace(/\/+$/, '');
  const ingest = ROUTES.some((r) => r.fn === 'ingest' && r.method === method && r.path === path);
  return ingest ? 'ingest' : 'unsafe';
}

export interface JsonBodyOptions {
  limitBytes: number;
  /** Status for an oversize body: 413, or 400 where Segment compatibility asks for it. */
  oversizeStatus?: 400 | 413 | ((event: HttpEvent) => 400 | 413);
  /**
   * Leave value problems (JSON_LIMITS, lib/http/json-input.ts) on `event.bodyIssues` for the
   * handler, which rejects only the batch items they are in; otherwise any of them is a 400.
   */
  perItemIssues?: boolean;
}

/**
 * Enforces the body size limit and parses JSON strictly (lib/http/json-input.ts): bytes that
 * are not UTF-8, text that is not JSON, and values that cannot be accepted as sent (too deep,
 * numbers a double or DynamoDB cannot hold, reserved keys, lone surrogates) are each a 400
 * problem naming the field, before anything serialises or stores the body.
 */
export function jsonBody(options: JsonBodyOptions): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      const { event } = request;
      const raw = event.body ?? '';
      const size = event.isBase64Encoded ? Buffer.byteLength(raw, 'base64') : Buffer.byteLength(raw, 'utf8');
      if (size > options.limitBytes) {
        const status =
          typeof options.oversizeStatus === 'function'
            ? options.oversizeStatus(event)
            : options.oversizeStatus;
        throw new PayloadTooLargeError('', size, options.limitBytes, status === 400);
      }
      let text: string;
      try {
        text = decodeBody(raw, event.isBase64Encoded);
      } catch (error) {
        if (error instanceof InvalidUtf8Error) throw new InvalidEncodingError(error.message);
        throw error;
      }
      if (text.trim() === '') throw new MalformedJsonError('the body is empty');
      let parsed: ParsedJson;
      try {
        parsed = parseJson(text);
      } catch (error) {
        if (error instanceof JsonSyntaxError) throw new MalformedJsonError(error.message);
        throw error;
      }
      event.parsedBody = parsed.value;
      event.bodyIssues = parsed.issues;
      if (parsed.issues.length > 0 && !options.perItemIssues) {
        throw new ValidationError(issueErrors(parsed.issues), 'Invalid request body');
      }
    },
  };
}

/** One token bucket per key for every route this process serves (docs/security.md). */
const keyBuckets = new TokenBuckets();

/** `requestContext.authorizer.lambda`, which only API Gateway's Lambda authorizer can set. */
const authorizerContextOf = (event: HttpEvent): unknown =>
  (event.requestContext as { authorizer?: { lambda?: unknown } }).authorizer?.lambda;

/**
 * Authenticates the caller's key, requires a scope (admin keys pass every scope) and applies
 * the key's rate limit. Behind the Lambda authorizer (functions/authorize.ts) the key has been
 * checked already and its context is trusted, so nothing is looked up twice; without it (a
 * direct invocation, a route without the authorizer) the key is checked here. Either way the
 * answer is a problem+json 401 (no, unknown or revoked key), 403 (scope) or 429 (rate).
 */
export function requireKey(
  authenticator: () => Authenticator,
  scope: Scope | ((event: HttpEvent) => Scope),
  buckets: TokenBuckets = keyBuckets,
): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      const { event } = request;
      const required = typeof scope === 'function' ? scope(event) : scope;
      const authorization = header(event, 'authorization');
      const key = keyFromAuthorization(authorization);
      if (key === null) throw missingKeyError(authorization);
      const context = keyContextFrom(authorizerContextOf(event)) ?? (await authenticator().check(key));
      event.principal = principalFor(context, required, event.requestContext?.http?.method ?? 'POST');
      const limit =
        context.rateLimit > 0
          ? { perSecond: context.rateLimit, burst: context.rateBurst }
          : keyRateLimit(undefined);
      const taken = buckets.take(context.keyId, limit);
      if (!taken.ok) throw new TooManyRequestsError(taken.retryAfterSeconds);
    },
  };
}
