import { exportDocument } from '../lib/customers/dynamodb-customer-data.js';
import { customerView } from '../lib/customers/read-customers.js';
import { json } from '../lib/http/middleware.js';
import { pathParameter } from '../lib/http/path-parameters.js';
import { routeKeyOf } from '../lib/http/routes.js';
import { logger } from '../lib/runtime/container.js';
import { customerReads } from '../lib/runtime/customers.js';
import { httpHandler } from '../lib/runtime/handlers.js';
import { personalData } from '../lib/runtime/personal-data.js';
import { LinkedCustomerError, NotFoundError } from '../lib/shared/errors.js';

/**
 * GET /v1/customers/{customerId}[/touchpoints|/transitions] on ingest keys; the customer lists
 * (GET /v1/customers), the message log (per customer, and across customers: GET /v1/messages), the export of everything held and erasure on admin
 * keys (scopes from ROUTES).
 */
export const handler = httpHandler(
  async (event) => {
    if (event.routeKey === 'GET /v1/messages') {
      return json(200, await personalData().search.execute(event.queryStringParameters ?? {}));
    }
    if (event.routeKey === 'GET /v1/customers') {
      return json(200, await customerReads().customerLists.execute(event.queryStringParameters ?? {}));
    }
    const customerId = pathParameter(event, 'customerId');
    const { customers } = customerReads();
    // The route, not the decoded path, says which call this is: an id may contain '/touchpoints'.
    switch (routeKeyOf<'customers'>(event)) {
      case 'GET /v1/customers/{customerId}/touchpoints':
        return json(200, await customers.touchpoints(customerId, event.queryStringParameters ?? {}));
      case 'GET /v1/customers/{customerId}/transitions':
        return json(200, await customers.transitions(customerId));
      case 'GET /v1/customers/{customerId}/messages': {
        const profile = await customers.profile(customerId);
        return json(200, { items: await personalData().messages.list(profile.customerId) });
      }
      case 'GET /v1/customers/{customerId}/export': {
        const { data } = personalData();
        const found = await data.resolve(customerId);
        if (!found.exists) throw new NotFoundError(`No customer "${customerId}"`);
        return json(200, exportDocument(await data.gather(found.customerId)));
      }
      case 'DELETE /v1/customers/{customerId}': {
        const { data } = personalData();
        const found = await data.resolve(customerId);
        // Erasure erases exactly the customer named: an anonymous id that an identify linked to
        // a user is that user's now, and erasing the user takes their own id.
        if (found.linked) throw new LinkedCustomerError(customerId, found.customerId);
        const outcome = await data.erase(await data.gather(found.customerId));
        // Who erased and how much, never whom: the id may be an email address.
        logger.info('customer erased', {
          keyId: event.principal?.keyId,
          erased: outcome.erased,
          itemsDeleted: outcome.itemsDeleted,
        });
        return { statusCode: 204 };
      }
      default:
        return json(200, customerView(await customers.profile(customerId)));
    }
  },
  { scope: 'route' },
);
