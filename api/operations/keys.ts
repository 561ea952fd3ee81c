import { CreateKeyBody } from '../../lib/auth/aws-key-admin.js';
import { ApiKey, KeyList, NewKey, Principal } from '../../lib/auth/http-schemas.js';
import type { Operations } from '../operation.js';

/** The operations of API keys (the console's key admin): one entry per route in ROUTES (lib/http/routes.ts). */
export const keysOperations = {
  'GET /v1/keys/current': {
    operationId: 'currentKey',
    summary: 'The calling key: id, name and scope (the console tells viewers from marketers by it)',
    tag: 'Keys',
    responses: { 200: { description: 'The calling key', body: { schema: Principal } } },
  },
  'GET /v1/keys': {
    operationId: 'listKeys',
    summary: 'Every API key (never the key or its hash)',
    tag: 'Keys',
    responses: { 200: { description: 'The keys, oldest first', body: { schema: KeyList } } },
  },
  'POST /v1/keys': {
    operationId: 'createKey',
    summary: 'Create a key; the plain key is in this response only',
    tag: 'Keys',
    body: { schema: CreateKeyBody },
    responses: { 201: { description: 'Created', body: { schema: NewKey } } },
  },
  'DELETE /v1/keys/{keyId}': {
    operationId: 'revokeKey',
    summary: 'Revoke a key (revoking twice keeps the first time)',
    tag: 'Keys',
    responses: { 200: { description: 'Revoked', body: { schema: ApiKey } } },
    errors: { 404: 'No such key' },
  },
} satisfies Operations;
