import {
  CreateKeyBody,
  createApiKey,
  KeyAdminError,
  listApiKeys,
  revokeApiKey,
} from '../lib/auth/aws-key-admin.js';
import { onlyFor } from '../lib/http/conditional.js';
import { json, jsonBody } from '../lib/http/middleware.js';
import { routeKeyOf } from '../lib/http/routes.js';
import { container } from '../lib/runtime/container.js';
import { httpHandler } from '../lib/runtime/handlers.js';
import { fieldErrors, NotFoundError, ValidationError } from '../lib/shared/errors.js';

/**
 * The key CLI's functions over HTTP for the console (admin), and `GET /v1/keys/current`: who the
 * calling key is, so the console knows a viewer (read) from a marketer (admin) before any write.
 */
export const handler = httpHandler(
  async (event) => {
    const store = container().keyStore;
    switch (routeKeyOf<'keys'>(event)) {
      case 'GET /v1/keys/current':
        return json(200, event.principal);
      case 'GET /v1/keys':
        return json(200, { items: await listApiKeys(store) });
      case 'POST /v1/keys': {
        const parsed = CreateKeyBody.safeParse(event.parsedBody);
        if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid key');
        const { key, view } = await createApiKey(store, { ...parsed.data, createdBy: event.principal?.name });
        // The only time the plain key exists outside the caller: it is never stored or logged.
        return json(201, { ...view, key }, { 'cache-control': 'no-store' });
      }
      case 'DELETE /v1/keys/{keyId}': {
        const keyId = decodeURIComponent(event.pathParameters?.keyId ?? '');
        try {
          return json(200, (await revokeApiKey(store, keyId, new Date(), event.principal?.name)).view);
        } catch (error) {
          if (error instanceof KeyAdminError) throw new NotFoundError(`No key with id ${keyId}`);
          throw error;
        }
      }
      default:
        throw new NotFoundError(`No key route ${event.routeKey}`);
    }
  },
  {
    scope: 'route',
    use: [onlyFor((e) => e.routeKey === 'POST /v1/keys', jsonBody({ limitBytes: 4 * 1024 }))],
  },
);
