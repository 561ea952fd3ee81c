/**
 * STAGEFLOW_TIME_SCALE multiplies every wait a flow makes (and the frequency-cap window):
 * 1 is real time, 0.00001 makes a day last about a second. Deployed stacks use 1.
 */
export function timeScale(): number {
  const raw = process.env.STAGEFLOW_TIME_SCALE;
  if (raw === undefined || raw === '') return 1;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`STAGEFLOW_TIME_SCALE must be a positive number, got "${raw}"`);
  }
  return value;
}
