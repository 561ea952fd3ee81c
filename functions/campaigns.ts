import type { Campaign } from '../lib/campaigns/campaign.js';
import { ifMatchVersion, onlyFor } from '../lib/http/conditional.js';
import { mergePatchContentType } from '../lib/http/content-type.js';
import { header, json, jsonBody } from '../lib/http/middleware.js';
import { pathParameter } from '../lib/http/path-parameters.js';
import { routeKeyOf } from '../lib/http/routes.js';
import { httpHandler } from '../lib/runtime/handlers.js';
import { messaging } from '../lib/runtime/messaging.js';
import { NotFoundError } from '../lib/shared/errors.js';

const PATCH = 'PATCH /v1/campaigns/{campaignId}';
const WRITES = new Set(['POST /v1/campaigns', 'PUT /v1/campaigns/{campaignId}', PATCH]);
const withTag = (status: number, c: Campaign, extra: Record<string, string> = {}) =>
  json(status, c, { etag: `"${c.version}"`, ...extra });

/** The marketer's campaign API, on admin keys: CRUD, merge patches, versions, activate and pause. */
export const handler = httpHandler(
  async (event) => {
    const { campaigns } = messaging();
    const query = event.queryStringParameters ?? {};
    // Every change records who made it; the console's campaign history shows it.
    const by = event.principal?.name;
    if (event.routeKey === 'GET /v1/campaigns') return json(200, await campaigns.list(query));
    if (event.routeKey === 'POST /v1/campaigns') {
      const created = await campaigns.create(event.parsedBody, by);
      return withTag(201, created, { location: `/v1/campaigns/${created.campaignId}` });
    }
    const id = pathParameter(event, 'campaignId');
    const ifMatch = () => ifMatchVersion(header(event, 'if-match'));
    switch (routeKeyOf<'campaigns'>(event)) {
      case 'GET /v1/campaigns/{campaignId}':
        return withTag(200, await campaigns.get(id, query));
      case 'PUT /v1/campaigns/{campaignId}':
        return withTag(200, await campaigns.update(id, event.parsedBody, ifMatch(), by));
      case PATCH:
        return withTag(200, await campaigns.patch(id, event.parsedBody, ifMatch(), by));
      case 'DELETE /v1/campaigns/{campaignId}':
        await campaigns.delete(id);
        return { statusCode: 204 };
      case 'GET /v1/campaigns/{campaignId}/stats':
        return json(200, await campaigns.stats(id));
      case 'GET /v1/campaigns/{campaignId}/status-changes':
        return json(200, await campaigns.statusChanges(id));
      case 'POST /v1/campaigns/{campaignId}/activate':
        return withTag(200, await campaigns.activate(id, by));
      case 'POST /v1/campaigns/{campaignId}/pause':
        return withTag(200, await campaigns.pause(id, by));
      default:
        throw new NotFoundError(`No campaign route ${event.routeKey}`);
    }
  },
  {
    scope: 'admin',
    use: [
      onlyFor((e) => e.routeKey === PATCH, mergePatchContentType()),
      onlyFor((e) => WRITES.has(e.routeKey), jsonBody({ limitBytes: 64 * 1024 })),
    ],
  },
);
