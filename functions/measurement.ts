import { onlyFor } from '../lib/http/conditional.js';
import { mergePatchContentType } from '../lib/http/content-type.js';
import { json, jsonBody } from '../lib/http/middleware.js';
import { pathParameter } from '../lib/http/path-parameters.js';
import { httpHandler } from '../lib/runtime/handlers.js';
import { measurementApi } from '../lib/runtime/measurement.js';
import { NotFoundError } from '../lib/shared/errors.js';

const PATCH = 'PATCH /v1/settings';

/** Campaign metrics, the global control report and the settings (admin keys; GETs also read keys). */
export const handler = httpHandler(
  async (event) => {
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
        // Every change records who made it (the key's name, or the signed-in user).
        return json(200, await settings.patch(event.parsedBody, event.principal?.name));
      default:
        throw new NotFoundError(`No route ${event.routeKey}`);
    }
  },
  {
    use: [
      onlyFor((e) => e.routeKey === PATCH, mergePatchContentType()),
      onlyFor((e) => e.routeKey === PATCH, jsonBody({ limitBytes: 16 * 1024 })),
    ],
  },
);
