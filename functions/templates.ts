import { onlyFor } from '../lib/http/conditional.js';
import { mergePatchContentType } from '../lib/http/content-type.js';
import { json, jsonBody } from '../lib/http/middleware.js';
import { pathParameter } from '../lib/http/path-parameters.js';
import { routeKeyOf } from '../lib/http/routes.js';
import { httpHandler } from '../lib/runtime/handlers.js';
import { messaging } from '../lib/runtime/messaging.js';
import { NotFoundError } from '../lib/shared/errors.js';
import type { TemplateWrite } from '../lib/templates/manage-templates.js';

const PATCH = 'PATCH /v1/templates/{name}';
const WRITES = new Set([
  'PUT /v1/templates/{name}',
  PATCH,
  'POST /v1/templates/{name}/preview',
  'POST /v1/templates/{name}/test-send',
]);
const written = ({ template, created, removedLocales }: TemplateWrite) =>
  json(
    created ? 201 : 200,
    { ...template, removedLocales },
    created ? { location: `/v1/templates/${template.name}` } : {},
  );

/** SES email templates on admin keys: list, read, write, patch, delete, a preview for one customer, a test send. */
export const handler = httpHandler(
  async (event) => {
    const { templates } = messaging();
    if (event.routeKey === 'GET /v1/templates') return json(200, await templates.list());
    const name = pathParameter(event, 'name');
    switch (routeKeyOf<'templates'>(event)) {
      case 'GET /v1/templates/{name}':
        return json(200, await templates.get(name));
      case 'PUT /v1/templates/{name}':
        return written(await templates.put(name, event.parsedBody, event.principal?.name));
      case PATCH:
        return written(await templates.patch(name, event.parsedBody, event.principal?.name));
      case 'DELETE /v1/templates/{name}':
        await templates.delete(name);
        return { statusCode: 204 };
      case 'POST /v1/templates/{name}/preview':
        // The API's own URL stands in for STAGEFLOW_PUBLIC_URL (an API function cannot name its API).
        return json(
          200,
          await templates.preview(name, event.parsedBody, `https://${event.requestContext.domainName}`),
        );
      case 'POST /v1/templates/{name}/test-send':
        return json(
          200,
          await templates.testSend(name, event.parsedBody, `https://${event.requestContext.domainName}`),
        );
      default:
        throw new NotFoundError(`No template route ${event.routeKey}`);
    }
  },
  {
    scope: 'admin',
    use: [
      onlyFor((e) => e.routeKey === PATCH, mergePatchContentType()),
      onlyFor((e) => WRITES.has(e.routeKey), jsonBody({ limitBytes: 1024 * 1024 })),
    ],
  },
);
