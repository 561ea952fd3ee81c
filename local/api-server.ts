import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import { statusOf, toProblem } from '../lib/http/problem.js';
import { AUTHORIZER, matchPath, ROUTES, type Route } from '../lib/http/routes.js';
import { Lru } from '../lib/lru.js';
import { toPointer, ValidationError } from '../lib/shared/errors.js';
import { lambdaContext } from './lambda-context.js';

// biome-ignore lint/suspicious/noExplicitAny: handlers of every shape are served
export type LambdaHandler = (event: any, context: Context) => Promise<any>;

const MAX_BODY_BYTES = 10 * 1024 * 1024; // API Gateway's own payload limit

export interface ApiServerOptions {
  host: string;
  port: number;
  handlers: Record<string, LambdaHandler>;
  routes?: readonly Route[];
  /**
   * The Lambda authorizer API Gateway runs before every route not marked `public`
   * (configured by AUTHORIZER in lib/http/routes.ts, result cache included). Without it every
   * route goes straight to its handler, which then authenticates by itself.
   */
  authorizer?: { handler: LambdaHandler };
  /** Serves what is not the API (the console's static files); true when it answered. */
  staticFiles?: (req: IncomingMessage, res: ServerResponse) => boolean;
  log?: (line: string) => void;
}

/**
 * Serves the Lambda handlers the way API Gateway (HTTP API, payload 2.0) calls them: each
 * request becomes an APIGatewayProxyEventV2 and each result becomes the HTTP response.
 */
export function startApiServer(options: ApiServerOptions): Promise<Server> {
  const routes = options.routes ?? ROUTES;
  const authorizations = new AuthorizerCache();
  const server = createServer(async (req, res) => {
    const started = Date.now();
    const served: { route?: Route } = {};
    try {
      if (options.staticFiles?.(req, res)) return;
      await serve(req, res, routes, options, authorizations, served);
    } catch (error) {
      sendProblem(res, 500, 'Internal error', (error as Error).message);
    } finally {
      // The route template, never the raw path: paths carry customer ids, which may be emails.
      const what = served.route ? `${served.route.method} ${served.route.path}` : `${req.method} (no route)`;
      options.log?.(`${what} ${res.statusCode} ${Date.now() - started}ms`);
    }
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  routes: readonly Route[],
  options: ApiServerOptions,
  authorizations: AuthorizerCache,
  served: { route?: Route },
) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  let matched: { route: Route; params: Record<string, string> } | undefined;
  for (const route of routes) {
    const params = matchPath(route.path, url.pathname);
    if (params && route.method === method) {
      matched = { route, params };
      break;
    }
  }
  if (!matched) {
    sendProblem(res, 404, 'Not found', `No route ${method} ${url.pathname}`);
    return;
  }
  served.route = matched.route;
  // API Gateway HTTP APIs hand Lambda the path and its parameters percent-decoded.
  const pathParameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(matched.params)) {
    const decoded = decodePath(value);
    if (decoded === null) {
      // What API Gateway refuses before any handler runs; the handlers never decode again.
      const error = new ValidationError(
        [
          {
            path: name,
            pointer: toPointer(name),
            message: `"${value.slice(0, 100)}" is not valid percent-encoding`,
          },
        ],
        'Malformed path',
      );
      res.writeHead(statusOf(error), { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify(toProblem(error, url.pathname)));
      return;
    }
    pathParameters[name] = decoded;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      sendProblem(res, 413, 'Payload too large', `The request body exceeds ${MAX_BODY_BYTES} bytes`);
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  // Bytes that are not UTF-8 go to the handler base64-encoded, as API Gateway sends a body it
  // treats as binary, so the handler can refuse them; decoding here would turn every invalid
  // byte into U+FFFD and make different ids equal (lib/http/json-input.ts, decodeBody).
  const binary = !isUtf8(bytes);
  const body = bytes.toString(binary ? 'base64' : 'utf8');
  const event = toEvent(req, url, method, matched.route, pathParameters, body, binary);
  if (options.authorizer && !matched.route.public) {
    const outcome = await authorize(event, options.authorizer, authorizations);
    if (outcome.status !== 200) {
      // API Gateway's own bare answers, which no handler sees and no problem+json wraps.
      res.writeHead(outcome.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: outcome.message }));
      return;
    }
    (event.requestContext as { authorizer?: unknown }).authorizer = { lambda: outcome.context };
  }
  const handler = options.handlers[matched.route.fn];
  const result = await handler(event, lambdaContext(matched.route.fn));
  const statusCode = result?.statusCode ?? 200;
  const headers: Record<string, string> = { ...(result?.headers ?? {}) };
  if (result?.cookies?.length) res.setHeader('set-cookie', result.cookies);
  const payload =
    typeof result === 'string'
      ? result
      : result?.isBase64Encoded
        ? Buffer.from(result.body ?? '', 'base64')
        : (result?.body ?? '');
  res.writeHead(statusCode, headers);
  res.end(payload);
}

type Authorization =
  | { status: 200; context: Record<string, unknown> }
  | { status: 401 | 403 | 500; message: string };

/**
 * API Gateway's authorizer result cache: per identity source value, for the configured TTL, and
 * bounded, since the identity is whatever header a client sends.
 */
class AuthorizerCache {
  private readonly entries = new Lru<string, { result: Authorization; until: number }>(10_000);
  get(identity: string): Authorization | undefined {
    const hit = this.entries.get(identity);
    if (hit && hit.until > Date.now()) return hit.result;
    this.entries.delete(identity);
    return undefined;
  }
  set(identity: string, result: Authorization, ttlSeconds: number): void {
    if (ttlSeconds > 0) this.entries.set(identity, { result, until: Date.now() + ttlSeconds * 1000 });
  }
}

/**
 * What API Gateway does before a route with the Lambda authorizer (payload 2.0, simple
 * responses, configured by AUTHORIZER): with an identity source, no header is a 401 without
 * calling the authorizer and results are cached per header; `isAuthorized: false` is a 403; an
 * authorizer that fails is a 500. Otherwise its context becomes `requestContext.authorizer.lambda`.
 */
async function authorize(
  event: APIGatewayProxyEventV2,
  authorizer: NonNullable<ApiServerOptions['authorizer']>,
  cache: AuthorizerCache,
): Promise<Authorization> {
  const identity = event.headers[AUTHORIZER.header];
  // With an identity source, API Gateway itself answers a request that lacks it.
  if (AUTHORIZER.identitySource && !identity) return { status: 401, message: 'Unauthorized' };
  // API Gateway caches per identity source value, so only with an identity source.
  const cacheable = AUTHORIZER.identitySource !== null && identity && AUTHORIZER.cacheTtlSeconds > 0;
  const cached = cacheable ? cache.get(identity) : undefined;
  if (cached) return cached;
  const { body: _body, isBase64Encoded: _b64, version, ...rest } = event;
  const request: APIGatewayRequestAuthorizerEventV2 = {
    ...rest,
    version,
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${event.requestContext.http.method}${event.rawPath}`,
    identitySource: AUTHORIZER.identitySource && identity ? [identity] : [],
    cookies: event.cookies ?? [],
  };
  let result: Authorization;
  try {
    const out = await authorizer.handler(request, lambdaContext(AUTHORIZER.function));
    result = out?.isAuthorized
      ? { status: 200, context: (out.context ?? {}) as Record<string, unknown> }
      : { status: 403, message: 'Forbidden' };
  } catch {
    // Not cached: API Gateway retries the authorizer on the next request.
    return { status: 500, message: 'Internal Server Error' };
  }
  if (cacheable) cache.set(identity, result, AUTHORIZER.cacheTtlSeconds);
  return result;
}

const decodePath = (path: string): string | null => {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
};

/** The event API Gateway (HTTP API, payload 2.0) would send; `pathParameters` already decoded. */
export function toEvent(
  req: IncomingMessage,
  url: URL,
  method: string,
  route: Route,
  pathParameters: Record<string, string>,
  body: string,
  isBase64Encoded = false,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const now = new Date();
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: decodePath(url.pathname) ?? url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    cookies: headers.cookie?.split(';').map((c) => c.trim()),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
    body: body.length ? body : undefined,
    isBase64Encoded,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: decodePath(url.pathname) ?? url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
  };
}

function sendProblem(res: ServerResponse, status: number, title: string, detail: string) {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', title, status, detail }));
}
