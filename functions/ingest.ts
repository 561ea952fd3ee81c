import middy from '@middy/core';
import {
  type HttpEvent,
  type HttpResult,
  jsonBody,
  problemResponses,
  requireKey,
} from '../lib/http/middleware.js';
import { NotFoundError } from '../lib/http/problem.js';
import { ingestRequest, ingestRouteOf, isSegmentRoute } from '../lib/ingest/http-ingest.js';
import { container, logger } from '../lib/runtime/container.js';
import { LIMITS } from '../lib/touchpoints/schema.js';

/** POST /v1/touchpoints and the Segment-compatible /v1/{track,identify,alias,page,screen,group,batch}. */
export const handler = middy<HttpEvent, HttpResult>()
  .use(problemResponses(logger))
  .use(requireKey(() => container().authenticator, 'ingest'))
  .use(
    jsonBody({
      limitBytes: LIMITS.requestBytes,
      oversizeStatus: (event) => (isSegmentRoute(ingestRouteOf(event.rawPath)) ? 400 : 413),
    }),
  )
  .handler(async (event) => {
    const route = ingestRouteOf(event.rawPath);
    if (!route) throw new NotFoundError(`No ingest route ${event.rawPath}`);
    return ingestRequest(route, event.parsedBody, container().ingest, new Date());
  });
