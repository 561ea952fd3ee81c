/**
 * A Map with a size limit that drops its least recently used entry first. Every in-memory
 * cache keyed by something a client chooses (an API key, a header) is one of these, so no
 * input can grow a process's memory without bound.
 */
export class Lru<K, V> {
  // A Map iterates in insertion order: re-inserting on every use keeps the oldest first.
  private readonly entries = new Map<K, V>();

  constructor(readonly maxSize: number) {
    if (!Number.isInteger(maxSize) || maxSize < 1) throw new RangeError('maxSize must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** The value without touching its recency. */
  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Stores the value as the most recently used, dropping the least recently used beyond maxSize. */
  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxSize) this.entries.delete(this.entries.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Entries from the least to the most recently used. */
  entriesOldestFirst(): IterableIterator<[K, V]> {
    return this.entries.entries();
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }
}
