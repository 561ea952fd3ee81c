import { createHash, randomBytes } from 'node:crypto';

/**
 * Ingest keys write touchpoints and read customers; admin keys can do everything; read keys
 * (the console's viewers) make every GET an admin key can and write nothing.
 */
export type Scope = 'ingest' | 'admin' | 'read';

export const SCOPES = ['ingest', 'admin', 'read'] as const satisfies readonly Scope[];

export interface ApiKeyRecord {
  /** Public, non-secret id: the first 12 hex digits of the hash. */
  keyId: string;
  hash: string;
  name: string;
  scope: Scope;
  createdAt: string;
  /** Who created it: the creating key's name or user, or `npm run keys` (absent on older keys). */
  createdBy?: string;
  revokedAt?: string;
  revokedBy?: string;
  /** Requests per second this key may make; 0 means the deployment default. */
  rateLimit?: number;
}

/** Keys are stored and compared only as SHA-256 hex digests. */
export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');
export const keyIdOf = (hash: string): string => hash.slice(0, 12);

/** A new random key with a prefix that says its scope (`sf_ingest_…`, `sf_admin_…`). */
export const generateKey = (scope: Scope): string => `sf_${scope}_${randomBytes(24).toString('base64url')}`;

/**
 * The key from `Authorization: Bearer <key>` or `Basic base64(<key>:)` (what
 * @segment/analytics-node sends with its write key). Null when absent or unparseable.
 */
export function keyFromAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, ...rest] = header.trim().split(/\s+/);
  const value = rest.join(' ');
  if (!value) return null;
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
    return user || null;
  }
  return null;
}

/** Port for key storage. */
export interface KeyStore {
  get(hash: string): Promise<ApiKeyRecord | null>;
  put(record: ApiKeyRecord): Promise<void>;
  list(): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked (the first revocation's time and author stay). */
  revoke(keyId: string, at: string, by?: string): Promise<boolean>;
}

/** Creates a key, stores only its hash, and returns the plain key once. */
export async function createKey(
  store: KeyStore,
  input: { name: string; scope: Scope; key?: string; rateLimit?: number; createdBy?: string },
): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = input.key ?? generateKey(input.scope);
  const hash = hashKey(key);
  const record: ApiKeyRecord = {
    keyId: keyIdOf(hash),
    hash,
    name: input.name,
    scope: input.scope,
    createdAt: new Date().toISOString(),
    ...(input.createdBy ? { createdBy: input.createdBy } : {}),
    ...(input.rateLimit ? { rateLimit: input.rateLimit } : {}),
  };
  await store.put(record);
  return { key, record };
}
