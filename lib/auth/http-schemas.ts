import * as z from 'zod';
import { SCOPES } from './api-keys.js';

/**
 * The key routes' contract (functions/keys.ts): the calling key, the key list, a new key with
 * its plain value, and a revoked key. api/openapi.ts documents them; the integration tests check
 * every response against them.
 */

const KeyScope = z.enum(SCOPES);
export const Principal = z.object({ keyId: z.string(), name: z.string(), scope: KeyScope });
export const ApiKey = z.object({
  keyId: z.string(),
  name: z.string(),
  scope: KeyScope,
  createdAt: z.string(),
  createdBy: z
    .string()
    .nullable()
    .describe("Who created it: a key's name, a user, or `npm run keys`; null on older keys"),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable().describe('Who revoked it; null while valid or when not recorded'),
  rateLimit: z.number().nullable(),
});
export const KeyList = z.object({ items: z.array(ApiKey) });
export const NewKey = ApiKey.extend({
  key: z.string().describe('The plain key: shown this once, never stored'),
});
