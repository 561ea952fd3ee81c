import * as z from 'zod';
import { Unsubscribed } from '../../lib/consent/http-schemas.js';
import { Health } from '../../lib/http/edge-schemas.js';
import type { Operations } from '../operation.js';

/** The operations of the health check, this document and the unsubscribe links: one entry per route in ROUTES (lib/http/routes.ts). */
export const metaOperations = {
  'GET /health': {
    operationId: 'health',
    summary: 'Health check',
    description:
      'Healthy means the API answers and its table does (one read of a fixed item, reused for 2 s). ' +
      'Locally it answers only once the default campaigns and templates are seeded.',
    tag: 'Meta',
    responses: { 200: { description: 'The API and its table answer', body: { schema: Health } } },
    errors: { 503: 'The table does not answer (retry after `Retry-After` seconds)' },
  },
  'GET /v1/openapi.json': {
    operationId: 'openapi',
    summary: 'This OpenAPI document',
    tag: 'Meta',
    responses: {
      200: { description: 'The OpenAPI 3.1 document', body: { schema: z.looseObject({}) } },
    },
  },
  'GET /v1/unsubscribe/{token}': {
    operationId: 'unsubscribePage',
    summary: 'The unsubscribe confirmation page (never unsubscribes by itself)',
    description: 'No key: the HMAC token in the link is the authorization. Link scanners prefetch GETs.',
    tag: 'Unsubscribe',
    responses: {
      200: { description: 'An HTML page', body: { schema: z.string(), contentType: 'text/html' } },
    },
    errors: { 400: 'Not a valid unsubscribe link', 404: 'The customer is no longer held' },
  },
  'POST /v1/unsubscribe/{token}': {
    operationId: 'unsubscribe',
    summary: 'Unsubscribe from marketing mail (the page’s button, or RFC 8058 one-click)',
    description:
      'No key: the HMAC token is the authorization. `List-Unsubscribe=One-Click` in the body marks a one-click request.',
    tag: 'Unsubscribe',
    body: {
      schema: z.string(),
      contentType: 'application/x-www-form-urlencoded',
      required: false,
      example: 'List-Unsubscribe=One-Click',
    },
    responses: {
      200: {
        description: 'Unsubscribed: JSON, or the HTML page when the client accepts text/html',
        body: { schema: Unsubscribed },
      },
    },
    errors: { 400: 'Not a valid unsubscribe link', 404: 'The customer is no longer held' },
  },
} satisfies Operations;
