import { Random } from './random.js';

/**
 * How a simulated customer reacts to a campaign mail (`npm run simulate -- --live`). The true
 * effect is known here, so the lift the campaign report measures can be checked against it.
 */
export interface Reactions {
  /** Chance a mailed customer opens the mail (loads the pixel). */
  open: number;
  /** Chance an opener clicks a link in it. */
  click: number;
  /** Chance a customer buys within the run when the mail did not reach them (held out, suppressed). */
  base: number;
  /**
   * Added to `base` for a customer who was mailed (a true absolute effect of the mail: 0.1 turns
   * a 20% purchase rate into 30%). Capped so the chance stays within [0, 1].
   */
  effect: number;
}

export const DEFAULT_REACTIONS: Reactions = { open: 0.4, click: 0.3, base: 0.2, effect: 0.1 };

/** Where the flows put a customer: mailed (treated, a mail went), held out, or neither. */
export type Exposure = 'mailed' | 'held-out' | 'not-mailed';

export interface Decision {
  opens: boolean;
  clicks: boolean;
  buys: boolean;
}

/**
 * What customer `index` of `seed` does. The three draws are taken in the same order whatever the
 * exposure (common random numbers), so the same seed gives the same decisions and a customer
 * who buys without the mail would also buy with it.
 */
export function decide(seed: number, index: number, exposure: Exposure, reactions: Reactions): Decision {
  const random = Random.of(seed ^ 0x5eed11fe, index);
  const [u1, u2, u3] = [random.next(), random.next(), random.next()];
  const mailed = exposure === 'mailed';
  const opens = mailed && u1 < reactions.open;
  const clicks = opens && u2 < reactions.click;
  const chance = Math.min(1, Math.max(0, reactions.base + (mailed ? reactions.effect : 0)));
  return { opens, clicks, buys: u3 < chance };
}

/** Checks the options a person typed; the message names the option. */
export function reactionErrors(r: Reactions): string[] {
  const errors: string[] = [];
  for (const name of ['open', 'click', 'base'] as const) {
    if (!Number.isFinite(r[name]) || r[name] < 0 || r[name] > 1) errors.push(`--${name} must be from 0 to 1`);
  }
  if (!Number.isFinite(r.effect) || r.effect < -1 || r.effect > 1)
    errors.push('--effect must be from -1 to 1');
  return errors;
}
