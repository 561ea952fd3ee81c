import * as z from 'zod';
import { ConfigurationError } from '../config.js';
import type { FlowSettings } from './ports.js';
import { timeScale } from './time-scale.js';

const Env = z.object({
  STAGEFLOW_FREQUENCY_CAP: z.coerce.number().int().min(1).default(3),
  STAGEFLOW_FREQUENCY_WINDOW_DAYS: z.coerce.number().positive().default(7),
  STAGEFLOW_QUIET_HOURS: z
    .string()
    .regex(/^\d{1,2}-\d{1,2}$/, 'must look like 21-8 (start hour - end hour)')
    .default('21-8'),
  STAGEFLOW_DEFAULT_TIME_ZONE: z.string().default('UTC'),
  // Longer than a send task can run (flowSend's timeout is 30 s): an unexpired claim is live.
  STAGEFLOW_SEND_LEASE_SECONDS: z.coerce.number().positive().default(300),
});

/** Flow settings from the environment, validated once: cap, window, quiet hours, time scale, send lease. */
export function flowSettings(env: NodeJS.ProcessEnv = process.env): FlowSettings {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new ConfigurationError(
      `Invalid flow settings: ${parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`,
    );
  }
  const [start, end] = parsed.data.STAGEFLOW_QUIET_HOURS.split('-').map(Number);
  return {
    frequencyCap: parsed.data.STAGEFLOW_FREQUENCY_CAP,
    frequencyWindowMs: parsed.data.STAGEFLOW_FREQUENCY_WINDOW_DAYS * 24 * 3600 * 1000,
    quietHours: { start, end },
    timeScale: timeScale(),
    defaultTimeZone: parsed.data.STAGEFLOW_DEFAULT_TIME_ZONE,
    sendLeaseMs: parsed.data.STAGEFLOW_SEND_LEASE_SECONDS * 1000,
  };
}
