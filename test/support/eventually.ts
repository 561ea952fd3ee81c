/**
 * Retries an assertion until it passes or the deadline passes, then throws its last error.
 * For asynchronous delivery (stream → relay → bus → rule): poll for the outcome, never sleep
 * a fixed time and never assert on how long it took.
 */
export async function eventually<T>(
  assertion: () => T | Promise<T>,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
