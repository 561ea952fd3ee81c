import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Scope } from '../auth/index.js';
import { type HttpEvent, type HttpResult, problemResponses, requireKey } from '../http/middleware.js';
import { scopeOf } from '../http/routes.js';
import { container, logger } from './container.js';

/**
 * The two ways a function is built (docs/architecture.md). Both inject the Lambda context and a
 * correlation id into the one logger on every invocation, and reset what the previous
 * invocation appended, so no handler can forget to or leak one request's keys into the next.
 */

type HttpMiddleware = middy.MiddlewareObj<HttpEvent, HttpResult>;

export interface HttpHandlerOptions {
  /**
   * Who may call: a key with this scope; `'route'` for the scope ROUTES gives the route key
   * (the default); `'public'` for no key at all (health, unsubscribe, the OpenAPI document).
   */
  scope?: Scope | 'route' | 'public';
  /** Middlewares after the key check, in order (body parsing, content type). */
  use?: HttpMiddleware[];
}

/**
 * An API Gateway handler: the context and the request id as correlation id in the logs, every
 * error as problem+json (lib/http/middleware.ts), then the key check, then `options.use`.
 */
export function httpHandler(
  handle: (event: HttpEvent, context: Context) => Promise<HttpResult>,
  options: HttpHandlerOptions = {},
) {
  const scope = options.scope ?? 'route';
  const handler = middy<HttpEvent, HttpResult>()
    .use(injectLambdaContext(logger, { resetKeys: true, correlationIdPath: 'requestContext.requestId' }))
    .use(problemResponses(logger));
  if (scope !== 'public') {
    handler.use(
      requireKey(
        () => container().authenticator,
        scope === 'route' ? (event) => scopeOf(event.routeKey) : scope,
      ),
    );
  }
  for (const middleware of options.use ?? []) handler.use(middleware);
  return handler.handler(handle);
}

export interface TaskHandlerOptions<I> {
  /**
   * The id the work carries on (the touchpoint's messageId through ingest, relay and flows);
   * without one, the Lambda request id.
   */
  correlationId?: (input: I) => unknown;
}

/**
 * A handler for anything but API Gateway: a state machine task, an EventBridge rule, the
 * table's stream, a deploy trigger. Lambda's own timeout applies, as before: no early one.
 */
export function taskHandler<I, O>(
  handle: (input: I, context: Context) => Promise<O>,
  options: TaskHandlerOptions<I> = {},
) {
  return middy<I, O>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      before: (request) => {
        const id = options.correlationId?.(request.event) ?? request.context?.awsRequestId;
        if (id !== undefined && id !== null && id !== '') logger.setCorrelationId(String(id));
      },
    })
    .handler(handle);
}
