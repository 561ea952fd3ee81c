import * as z from 'zod';
import { SEED_HOLDOUT_PERCENT } from '../campaigns/index.js';
import { ConfigurationError } from '../config.js';

const Env = z.object({
  STAGEFLOW_SEED_HOLDOUT_PERCENT: z.coerce.number().min(0).max(100).default(SEED_HOLDOUT_PERCENT),
});

/** Measurement settings from the environment (docs/measurement.md), validated on every call (cheap). */
export function measurementEnv(env: NodeJS.ProcessEnv = process.env) {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new ConfigurationError(
      `Invalid measurement settings: ${parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`,
    );
  }
  return { seedHoldoutPercent: parsed.data.STAGEFLOW_SEED_HOLDOUT_PERCENT };
}
