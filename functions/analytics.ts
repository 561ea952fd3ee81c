import { json } from '../lib/http/middleware.js';
import { routeKeyOf } from '../lib/http/routes.js';
import { analyticsReports } from '../lib/runtime/analytics-reports.js';
import { httpHandler } from '../lib/runtime/handlers.js';
import { NotFoundError } from '../lib/shared/errors.js';

/** GET /v1/analytics/stages|funnel|attribution: reports read from the aggregates (admin keys). */
export const handler = httpHandler(
  async (event) => {
    const reads = analyticsReports();
    const query = event.queryStringParameters ?? {};
    switch (routeKeyOf<'analytics'>(event)) {
      case 'GET /v1/analytics/stages':
        return json(200, await reads.stages(query));
      case 'GET /v1/analytics/funnel':
        return json(200, await reads.funnel(query));
      case 'GET /v1/analytics/attribution':
        return json(200, await reads.attribution(query));
      default:
        throw new NotFoundError(`No report at ${event.rawPath}`);
    }
  },
  { scope: 'route' },
);
