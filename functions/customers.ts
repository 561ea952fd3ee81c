import middy from '@middy/core';
import { customerView } from '../lib/customers/read-customers.js';
import {
  type HttpEvent,
  type HttpResult,
  json,
  problemResponses,
  requireKey,
} from '../lib/http/middleware.js';
import { NotFoundError } from '../lib/http/problem.js';
import { container, logger } from '../lib/runtime/container.js';

/** GET /v1/customers/{customerId}[/touchpoints|/transitions]. */
export const handler = middy<HttpEvent, HttpResult>()
  .use(problemResponses(logger))
  .use(requireKey(() => container().authenticator, 'ingest'))
  .handler(async (event) => {
    // API Gateway has decoded the path already; decoding again broke ids holding a '%'.
    const customerId = event.pathParameters?.customerId ?? '';
    if (!customerId) throw new NotFoundError('No customer id in the path');
    const { customers } = container();
    // The route, not the decoded path, says which read this is: an id may contain '/touchpoints'.
    if (event.routeKey.endsWith('/touchpoints')) {
      return json(200, await customers.touchpoints(customerId, event.queryStringParameters ?? {}));
    }
    if (event.routeKey.endsWith('/transitions')) return json(200, await customers.transitions(customerId));
    return json(200, customerView(await customers.profile(customerId)));
  });
