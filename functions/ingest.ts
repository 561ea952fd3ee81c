import { jsonBody } from '../lib/http/middleware.js';
import { ingestRequest, ingestRouteOf, isSegmentRoute } from '../lib/ingest/http-ingest.js';
import type { IngestTouchpoints } from '../lib/ingest/ingest-touchpoints.js';
import { container, logger } from '../lib/runtime/container.js';
import { httpHandler } from '../lib/runtime/handlers.js';
import { NotFoundError } from '../lib/shared/errors.js';
import { LIMITS } from '../lib/touchpoints/schema.js';

/**
 * Logs each stored touchpoint under its messageId as the correlation id, which the outbox
 * record, the relay and the flows carry on. A stage change is INFO, the rest DEBUG; ids and
 * stages only, never traits or properties (they hold emails and names).
 */
const logged = (useCase: IngestTouchpoints): Pick<IngestTouchpoints, 'execute'> => ({
  async execute(touchpoints, options) {
    const results = await useCase.execute(touchpoints, options);
    for (const r of results) {
      const line = {
        correlationId: r.messageId,
        status: r.status,
        stage: r.stage,
        previousStage: r.previousStage,
      };
      if (r.status === 'failed') logger.warn('touchpoint failed transiently', line);
      else if (r.changed) logger.info('touchpoint changed the stage', line);
      else logger.debug('touchpoint stored', line);
    }
    return results;
  },
});

/** POST /v1/touchpoints and the Segment-compatible /v1/{track,identify,alias,page,screen,group,batch}. */
export const handler = httpHandler(
  async (event) => {
    const route = ingestRouteOf(event.rawPath);
    if (!route) throw new NotFoundError(`No ingest route ${event.rawPath}`);
    return ingestRequest(route, event.parsedBody, logged(container().ingest), new Date(), event.bodyIssues);
  },
  {
    scope: 'ingest',
    use: [
      jsonBody({
        limitBytes: LIMITS.requestBytes,
        oversizeStatus: (event) => (isSegmentRoute(ingestRouteOf(event.rawPath)) ? 400 : 413),
        perItemIssues: true,
      }),
    ],
  },
);
