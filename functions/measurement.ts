import middy from '@middy/core';
import { onlyFor } from '../lib/http/conditional.js';
import { mergePatchContentType } from '../lib/http/content-type.js';
import {
  type HttpEvent,
  type HttpResult,
  json,
  jsonBody,
  problemResponses,
  requireKey,
} from '../lib/http/middleware.js';
import { pathParameter } from '../lib/http/path-parameters.js';
import { scopeOf } from '../lib/http/routes.js';
import { container, logger } from '../lib/runtime/container.js';
import { measurementApi } from '../lib/runtime/measurement.js';
import { NotFoundError } from '../lib/shared/errors.js';

const PATCH = 'PATCH /v1/settings';

/** Campaign metrics, the global control report and the settings (admin keys). */
export const handler = middy<HttpEvent, HttpResult>()
  .use(problemResponses(logger))
  .use(
    requireKey(
      () => container().authenticator,
      (event) => scopeOf(event.routeKey),
    ),
  )
  .use(onlyFor((e) => e.routeKey === PATCH, mergePatchContentType()))
  .use(onlyFor((e) => e.routeKey === PATCH, jsonBody({ limitBytes: 16 * 1024 })))
  .handler(async (event) => {
    const { reads, settings } = measurementApi();
    const query = event.queryStringParameters ?? {};
    switch (event.routeKey) {
      case 'GET /v1/campaigns/metrics':
        return json(200, await reads.campaigns(query));
      case 'GET /v1/campaigns/{campaignId}/metrics':
        return json(200, await reads.campaign(pathParameter(event, 'campaignId'), query));
      case 'GET /v1/analytics/global-control':
        return json(200, await reads.globalControl(query));
      case 'GET /v1/settings':
        return json(200, await settings.get());
      case PATCH:
        return json(200, await settings.patch(event.parsedBody));
      default:
        throw new NotFoundError(`No route ${event.routeKey}`);
    }
  });
