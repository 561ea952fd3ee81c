import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { matchPath, ROUTES, type Route } from '../lib/http/routes.js';

// biome-ignore lint/suspicious/noExplicitAny: handlers of every shape are served
export type LambdaHandler = (event: any, context: Context) => Promise<any>;

const MAX_BODY_BYTES = 10 * 1024 * 1024; // API Gateway's own payload limit

export interface ApiServerOptions {
  host: string;
  port: number;
  handlers: Record<string, LambdaHandler>;
  routes?: readonly Route[];
  log?: (line: string) => void;
}

/**
 * Serves the Lambda handlers the way API Gateway (HTTP API, payload 2.0) calls them: each
 * request becomes an APIGatewayProxyEventV2 and each result becomes the HTTP response.
 */
export function startApiServer(options: ApiServerOptions): Promise<Server> {
  const routes = options.routes ?? ROUTES;
  const server = createServer(async (req, res) => {
    const started = Date.now();
    try {
      await serve(req, res, routes, options);
    } catch (error) {
      sendProblem(res, 500, 'Internal error', (error as Error).message);
    } finally {
      options.log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
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
  // API Gateway HTTP APIs hand Lambda the path and its parameters percent-decoded.
  const pathParameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(matched.params)) {
    const decoded = decodePath(value);
    if (decoded === null) {
      sendProblem(res, 400, 'Bad request', `The path segment "${value}" is not valid percent-encoding`);
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
  const body = Buffer.concat(chunks).toString('utf8');
  const event = toEvent(req, url, method, matched.route, pathParameters, body);
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
    isBase64Encoded: false,
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

function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `stageflow-local-${functionName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:stageflow-local-${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/stageflow-local-${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function sendProblem(res: ServerResponse, status: number, title: string, detail: string) {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', title, status, detail }));
}
