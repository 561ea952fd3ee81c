import { Lru } from '../lru.js';
import { ForbiddenError, UnauthorizedError } from '../shared/errors.js';
import { type ApiKeyRecord, hashKey, type KeyStore, keyFromAuthorization, type Scope } from './api-keys.js';
import { keyRateLimit } from './rate-limit.js';

export interface Principal {
  keyId: string;
  name: string;
  scope: Scope;
}

/**
 * What a credential check found: a live key or user, no key with that hash (or a token that is
 * not valid), a revoked key, an expired user sign-in (user-tokens.ts), or nothing sent.
 */
export type KeyStatus = 'valid' | 'unknown' | 'revoked' | 'expired' | 'missing';

/**
 * The outcome of a key check, as the Lambda authorizer hands it to every route in
 * `requestContext.authorizer.lambda`: flat strings and numbers, never the key or its hash.
 * Unknown keys carry empty ids and a zero limit.
 */
export interface KeyContext {
  status: KeyStatus;
  keyId: string;
  name: string;
  scope: Scope | '';
  /** Requests per second this key may make (its own rateLimit or the deployment default). */
  rateLimit: number;
  /** Requests it may make at once. */
  rateBurst: number;
}

const CACHE_TTL_MS = 30_000;
/** Key lookups kept at most: unknown keys are cached too, and a client can send any number of them. */
export const AUTH_CACHE_MAX_KEYS = 10_000;

/**
 * Checks keys against the stored SHA-256 hashes. Lookups are cached per process for
 * `ttlMs` (default 30 s, positive and negative), so a revocation takes effect within that time;
 * at most `maxKeys` of them (least recently used go first), so random keys cannot fill memory.
 */
export class Authenticator {
  private readonly cache: Lru<string, { record: ApiKeyRecord | null; until: number }>;

  constructor(
    private readonly store: KeyStore,
    private readonly ttlMs = CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
    private readonly env?: Record<string, string | undefined>,
    maxKeys = AUTH_CACHE_MAX_KEYS,
  ) {
    this.cache = new Lru(maxKeys);
  }

  /** Lookups held in the cache now (for tests and the bench). */
  get cachedKeys(): number {
    return this.cache.size;
  }

  /** The context of one plain key; never throws for a bad key, only for a store failure. */
  async check(key: string): Promise<KeyContext> {
    const record = await this.lookup(hashKey(key));
    if (!record) return { status: 'unknown', keyId: '', name: '', scope: '', rateLimit: 0, rateBurst: 0 };
    const limit = keyRateLimit(record.rateLimit, this.env);
    return {
      status: record.revokedAt ? 'revoked' : 'valid',
      keyId: record.keyId,
      name: record.name,
      scope: record.scope,
      rateLimit: limit.perSecond,
      rateBurst: limit.burst,
    };
  }

  /** Parses the Authorization header, checks the key and requires `required`; throws 401/403. */
  async authenticate(
    authorization: string | undefined,
    required: Scope,
    method = 'POST',
  ): Promise<Principal> {
    const key = keyFromAuthorization(authorization);
    if (key === null) throw missingKeyError(authorization);
    return principalFor(await this.check(key), required, method);
  }

  private async lookup(hash: string): Promise<ApiKeyRecord | null> {
    const hit = this.cache.get(hash);
    if (hit && hit.until > this.now()) return hit.record;
    const record = await this.store.get(hash);
    if (this.ttlMs > 0) this.cache.set(hash, { record, until: this.now() + this.ttlMs });
    return record;
  }
}

/** The 401 for a request without a usable Authorization header. */
export function missingKeyError(authorization: string | undefined): UnauthorizedError {
  return new UnauthorizedError(
    authorization
      ? 'The Authorization header must be "Bearer <key>" or Basic with the key as user name'
      : 'An API key is required: send "Authorization: Bearer <key>"',
  );
}

/** Methods that change nothing: a read key may make them on any route admin may. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Whether a key of scope `has` may call a route needing `required` with `method`: admin may do
 * everything, ingest its own routes, read every GET that admin or ingest may make and no write.
 */
export function scopeAllows(has: Scope, required: Scope, method: string): boolean {
  if (has === 'admin') return true;
  if (has === 'read') return READ_METHODS.has(method.toUpperCase());
  return has === required;
}

/**
 * Turns a key check into the caller, or the 401 (unknown, revoked) or 403 (scope) it earns.
 * `method` matters only to read keys; the default is a write, so a caller that forgets it
 * refuses a read key rather than letting it write.
 */
export function principalFor(context: KeyContext, required: Scope, method = 'POST'): Principal {
  if (context.status === 'missing') throw missingKeyError(undefined);
  if (context.status === 'expired') throw new UnauthorizedError('The sign-in has expired: sign in again');
  if (context.status === 'revoked') throw new UnauthorizedError('The API key has been revoked');
  if (context.status !== 'valid') throw new UnauthorizedError('The API key is not valid');
  // Only a console user can be valid without a scope: signed in, but in neither group.
  if (context.scope === '') {
    throw new ForbiddenError(
      `User ${context.name || context.keyId} is in no Stageflow group: add them to marketers or viewers (npm run users)`,
    );
  }
  if (!scopeAllows(context.scope, required, method)) {
    throw new ForbiddenError(
      context.scope === 'read'
        ? context.keyId.startsWith('user:')
          ? `User ${context.name} is a viewer: they may read but not change anything`
          : `Key ${context.keyId} has scope "read": it may read but not change anything`
        : `This route needs an ${required} key; key ${context.keyId} has scope "${context.scope}"`,
    );
  }
  return { keyId: context.keyId, name: context.name, scope: context.scope };
}

const STATUSES: readonly string[] = [
  'valid',
  'unknown',
  'revoked',
  'expired',
  'missing',
] satisfies KeyStatus[];
const CONTEXT_SCOPES: readonly string[] = ['', 'ingest', 'admin', 'read'] satisfies (Scope | '')[];

/**
 * Reads a KeyContext from `requestContext.authorizer.lambda`, or null when there is none or it
 * is not one (a route without the authorizer, a direct invocation). Only API Gateway can set
 * that field; a client cannot.
 */
export function keyContextFrom(value: unknown): KeyContext | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v.status !== 'string' || !STATUSES.includes(v.status)) return null;
  if (typeof v.scope !== 'string' || !CONTEXT_SCOPES.includes(v.scope)) return null;
  const rateLimit = Number(v.rateLimit);
  const rateBurst = Number(v.rateBurst);
  return {
    status: v.status as KeyStatus,
    keyId: typeof v.keyId === 'string' ? v.keyId : '',
    name: typeof v.name === 'string' ? v.name : '',
    scope: v.scope as Scope | '',
    rateLimit: Number.isFinite(rateLimit) ? rateLimit : 0,
    rateBurst: Number.isFinite(rateBurst) ? rateBurst : 0,
  };
}
