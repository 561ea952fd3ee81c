const DAY = 86_400_000;

/**
 * Whether some customers in a funnel still have time to reach later steps: a customer first seen
 * in [from, to) has `windowDays` after that to reach each step, so while `to` + windowDays lies
 * after `now` the last steps' drop-off is not final (orders minutes old show a 100% drop-off
 * after "enjoy" only because nobody could have referred anyone yet). Answers the first day whose
 * customers' windows are still open (UTC, `YYYY-MM-DD`), or null when every window has ended.
 */
export function openWindowsFrom(to: string, windowDays: number, now: number): string | null {
  const end = Date.parse(`${to}T00:00:00Z`) + windowDays * DAY;
  if (!Number.isFinite(end) || end <= now) return null;
  return new Date(now - windowDays * DAY).toISOString().slice(0, 10);
}

/** The local stack serves the console from a loopback address; deployed, CloudFront does. */
export const isLocalHost = (hostname: string): boolean =>
  hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
