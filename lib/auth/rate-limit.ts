import { keyRateLimitDefaults } from '../config.js';
import { Lru } from '../lru.js';

/** A key's allowance: a sustained rate and the burst it may spend at once. */
export interface RateLimit {
  /** Requests per second, refilled continuously. */
  perSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell. */
  burst: number;
}

export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One token bucket per key, in this process's memory. A Lambda container, or the local stack,
 * enforces the limit on the requests it serves; a key spread over N warm containers can reach
 * up to N times its limit, which the stage-wide API Gateway throttle caps (docs/security.md).
 */
export class TokenBuckets {
  private readonly buckets: Lru<string, Bucket>;

  constructor(
    private readonly now: () => number = Date.now,
    /** Buckets kept at most; the least recently used go first (a full bucket loses nothing). */
    maxKeys = 10_000,
  ) {
    this.buckets = new Lru(maxKeys);
  }

  take(id: string, limit: RateLimit): TakeResult {
    const now = this.now();
    const burst = Math.max(1, limit.burst);
    const rate = Math.max(Number.EPSILON, limit.perSecond);
    const found = this.buckets.get(id);
    const bucket: Bucket = found
      ? { tokens: Math.min(burst, found.tokens + ((now - found.at) / 1000) * rate), at: now }
      : { tokens: burst, at: now };
    this.buckets.set(id, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true, remaining: Math.floor(bucket.tokens) };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate)) };
  }
}

/**
 * The limit of a key without its own `rateLimit`: STAGEFLOW_KEY_RATE_LIMIT requests per second
 * (default 50) with a burst of STAGEFLOW_KEY_RATE_BURST (default twice the rate). A key's own
 * rateLimit gets a burst of twice its rate.
 */
export function keyRateLimit(own: number | undefined, env?: Record<string, string | undefined>): RateLimit {
  if (own && own > 0) return { perSecond: own, burst: Math.max(1, Math.ceil(own * 2)) };
  return keyRateLimitDefaults(env);
}
