/** The five attribution models, as integer micro-unit credits that always sum exactly. */

export const MODELS = ['first', 'last', 'linear', 'position', 'time-decay'] as const;
export type AttributionModel = (typeof MODELS)[number];

const DAY = 86_400_000;
export const MICRO = 1_000_000;

/** Raw weights (summing to 1) for n touches whose ages before the purchase are `ages` (ms, oldest first). */
export function modelWeights(model: AttributionModel, ages: readonly number[]): number[] {
  const n = ages.length;
  if (n === 0) return [];
  switch (model) {
    case 'first':
      return ages.map((_, i) => (i === 0 ? 1 : 0));
    case 'last':
      return ages.map((_, i) => (i === n - 1 ? 1 : 0));
    case 'linear':
      return ages.map(() => 1 / n);
    case 'position':
      if (n === 1) return [1];
      if (n === 2) return [0.5, 0.5];
      return ages.map((_, i) => (i === 0 || i === n - 1 ? 0.4 : 0.2 / (n - 2)));
    case 'time-decay': {
      const raw = ages.map((age) => 2 ** (-age / (7 * DAY)));
      const sum = raw.reduce((a, b) => a + b, 0);
      return raw.map((w) => w / sum);
    }
  }
}

/**
 * Splits `total` integer units by `weights` so the parts are integers summing to `total`
 * exactly (largest remainder; ties to the earlier touch). Each part is within one unit of
 * weight × total, so a credit is exact to 1e-6 and rows always sum to the totals.
 */
export function splitUnits(total: number, weights: readonly number[]): number[] {
  if (total < 0) return splitUnits(-total, weights).map((x) => -x);
  const exact = weights.map((w) => w * total);
  const parts = exact.map((x) => Math.floor(x));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0 && k < order.length; k++, left--) parts[order[k][1]]++;
  return parts;
}
