import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerResult,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { keyFromAuthorization } from '../lib/auth/api-keys.js';
import type { KeyContext } from '../lib/auth/authenticate.js';
import { header } from '../lib/http/middleware.js';
import { credentials } from '../lib/runtime/credentials.js';
import { taskHandler } from '../lib/runtime/handlers.js';
import { logger } from '../lib/runtime/logger.js';

const UNKNOWN: KeyContext = { status: 'unknown', keyId: '', name: '', scope: '', rateLimit: 0, rateBurst: 0 };
const MISSING: KeyContext = { ...UNKNOWN, status: 'missing' };

/**
 * The HTTP API's Lambda authorizer (payload 2.0, simple responses, no identity source: it is
 * called for every request, and caches key lookups itself; see AUTHORIZER).
 *
 * It authenticates but does not decide: every request that reaches it is authorized, with the
 * key's (or the signed-in console user's: lib/auth/user-tokens.ts) status, id, scope and rate
 * limit as context. The route's requireKey middleware then
 * answers 401 (unknown or revoked key), 403 (ingest key on an admin route) or 429 as
 * problem+json. A denial here could only be API Gateway's bare `{"message":"Forbidden"}` 403,
 * which is wrong for a bad key, and a cached result is shared by every route, so it must not
 * depend on the route's scope (docs/security.md). A request without the header gets status
 * `missing`, which the route answers with a problem+json 401.
 */
export const handler = taskHandler(
  async (
    event: APIGatewayRequestAuthorizerEventV2,
  ): Promise<APIGatewaySimpleAuthorizerWithContextResult<KeyContext> | APIGatewaySimpleAuthorizerResult> => {
    const authorization = header(event, 'authorization') ?? event.identitySource?.[0];
    if (!authorization) return { isAuthorized: true, context: MISSING };
    const credential = keyFromAuthorization(authorization);
    // An unparseable header is an unknown key; the route explains what the header must look like.
    // A console user's Cognito access token is checked by its signature, an API key by its hash.
    const context = credential === null ? UNKNOWN : await credentials().check(credential);
    // The key id is not secret; the key, the token, its hash and the header never reach a log.
    logger.debug('key checked', { keyId: context.keyId || undefined, status: context.status });
    return { isAuthorized: true, context };
  },
  { correlationId: (event) => event.requestContext?.requestId },
);
