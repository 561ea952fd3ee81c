import middy from '@middy/core';
import { onlyFor } from '../lib/http/conditional.js';
import {
  type HttpEvent,
  type HttpResult,
  json,
  jsonBody,
  problemResponses,
  requireKey,
} from '../lib/http/middleware.js';
import { NotFoundError } from '../lib/http/problem.js';
import { container, logger } from '../lib/runtime/container.js';
import { messaging } from '../lib/runtime/messaging.js';

const WRITES = new Set(['PUT /v1/templates/{name}', 'POST /v1/templates/{name}/preview']);

/** SES email templates on admin keys: list, read, write, delete, and a preview for one customer. */
export const handler = middy<HttpEvent, HttpResult>()
  .use(problemResponses(logger))
  .use(requireKey(() => container().authenticator, 'admin'))
  .use(onlyFor((e) => WRITES.has(e.routeKey), jsonBody({ limitBytes: 1024 * 1024 })))
  .handler(async (event) => {
    const { templates } = messaging();
    const name = decodeURIComponent(event.pathParameters?.name ?? '');
    switch (event.routeKey) {
      case 'GET /v1/templates':
        return json(200, await templates.list());
      case 'GET /v1/templates/{name}':
        return json(200, await templates.get(name));
      case 'PUT /v1/templates/{name}': {
        const { template, created } = await templates.put(name, event.parsedBody);
        return json(created ? 201 : 200, template, created ? { location: `/v1/templates/${name}` } : {});
      }
      case 'DELETE /v1/templates/{name}':
        await templates.delete(name);
        return { statusCode: 204 };
      case 'POST /v1/templates/{name}/preview':
        // The API's own URL stands in for STAGEFLOW_PUBLIC_URL (an API function cannot name its API).
        return json(
          200,
          await templates.preview(name, event.parsedBody, `https://${event.requestContext.domainName}`),
        );
      default:
        throw new NotFoundError(`No template route ${event.routeKey}`);
    }
  });
