import { ForbiddenError, UnauthorizedError } from '../http/problem.js';
import { type ApiKeyRecord, hashKey, type KeyStore, keyFromAuthorization, type Scope } from './api-keys.js';

export interface Principal {
  keyId: string;
  name: string;
  scope: Scope;
}

const CACHE_TTL_MS = 30_000;

/**
 * Checks an Authorization header against the stored key hashes. Lookups are cached per
 * process for 30 s (positive and negative), so a revocation takes effect within that time.
 */
export class Authenticator {
  private readonly cache = new Map<string, { record: ApiKeyRecord | null; until: number }>();

  constructor(
    private readonly store: KeyStore,
    private readonly ttlMs = CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(authorization: string | undefined, required: Scope): Promise<Principal> {
    const key = keyFromAuthorization(authorization);
    if (key === null) {
      throw new UnauthorizedError(
        authorization
          ? 'The Authorization header must be "Bearer <key>" or Basic with the key as user name'
          : 'An API key is required: send "Authorization: Bearer <key>"',
      );
    }
    const record = await this.lookup(hashKey(key));
    if (!record) throw new UnauthorizedError('The API key is not valid');
    if (record.revokedAt) throw new UnauthorizedError('The API key has been revoked');
    if (required === 'admin' && record.scope !== 'admin') {
      throw new ForbiddenError(
        `This route needs an admin key; key ${record.keyId} has scope "${record.scope}"`,
      );
    }
    return { keyId: record.keyId, name: record.name, scope: record.scope };
  }

  private async lookup(hash: string): Promise<ApiKeyRecord | null> {
    const hit = this.cache.get(hash);
    if (hit && hit.until > this.now()) return hit.record;
    const record = await this.store.get(hash);
    this.cache.set(hash, { record, until: this.now() + this.ttlMs });
    return record;
  }
}
