import middy from '@middy/core';
import {
  type HttpEvent,
  type HttpResult,
  json,
  problemResponses,
  requireKey,
} from '../lib/http/middleware.js';
import { scopeOf } from '../lib/http/routes.js';
import { analytics } from '../lib/runtime/analytics.js';
import { container, logger } from '../lib/runtime/container.js';
import { NotFoundError } from '../lib/shared/errors.js';

/** GET /v1/analytics/stages|funnel|attribution: reports read from the aggregates (admin keys). */
export const handler = middy<HttpEvent, HttpResult>()
  .use(problemResponses(logger))
  .use(
    requireKey(
      () => container().authenticator,
      (event) => scopeOf(event.routeKey),
    ),
  )
  .handler(async (event) => {
    const { reads } = analytics();
    const query = event.queryStringParameters ?? {};
    switch (event.routeKey) {
      case 'GET /v1/analytics/stages':
        return json(200, await reads.stages(query));
      case 'GET /v1/analytics/funnel':
        return json(200, await reads.funnel(query));
      case 'GET /v1/analytics/attribution':
        return json(200, await reads.attribution(query));
      default:
        throw new NotFoundError(`No report at ${event.rawPath}`);
    }
  });
