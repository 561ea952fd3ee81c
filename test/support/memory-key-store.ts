import type { ApiKeyRecord, KeyStore } from '../../lib/auth/api-keys.js';

/** The KeyStore port in memory; counts lookups so caching can be observed. */
export class MemoryKeyStore implements KeyStore {
  readonly records = new Map<string, ApiKeyRecord>();
  gets = 0;

  async get(hash: string) {
    this.gets++;
    const record = this.records.get(hash);
    return record ? { ...record } : null; // a copy, as a real store reads a fresh item
  }
  async put(record: ApiKeyRecord) {
    this.records.set(record.hash, record);
  }
  async list() {
    return [...this.records.values()];
  }
  async revoke(keyId: string, at: string, by?: string) {
    const record = [...this.records.values()].find((r) => r.keyId === keyId);
    if (!record) return false;
    if (!record.revokedAt && by) record.revokedBy = by;
    record.revokedAt ??= at;
    return true;
  }
}
