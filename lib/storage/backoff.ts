/** Full-jitter exponential backoff for unprocessed items and retries, capped at `capMs`. */
export function backoff(attempt: number, baseMs = 5, capMs = 200): Promise<void> {
  const ms = Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The backoff between retries of one customer's commit: capped at 1 s. The base is about one
 * commit's round trip and the cap lets many writers racing for one hot customer spread out:
 * with a 200 ms cap, 50 concurrent touchpoints for one customer kept colliding and cost twice
 * the requests.
 */
export const commitBackoff = (attempt: number): Promise<void> => backoff(attempt, 20, 1000);
