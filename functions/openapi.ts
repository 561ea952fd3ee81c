import document from '../docs/openapi.json' with { type: 'json' };
import type { HttpEvent, HttpResult } from '../lib/http/middleware.js';
import { httpHandler } from '../lib/runtime/handlers.js';

/**
 * GET /v1/openapi.json: no key, no I/O. Serves docs/openapi.json (bundled at build time; a test
 * keeps it in step with the zod schemas and ROUTES) with this API's own URL as the first server.
 */
export const handler = httpHandler(
  async (event: HttpEvent): Promise<HttpResult> => {
    const host = event.requestContext?.domainName;
    const local = event.requestContext?.apiId === 'local';
    const servers = host
      ? [{ url: `${local ? 'http' : 'https'}://${host}`, description: 'This API' }, ...document.servers]
      : document.servers;
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
      body: JSON.stringify({ ...document, servers }),
    };
  },
  { scope: 'public' },
);
