/**
 * The statistics behind campaign and global-control lift (docs/measurement.md). Pure functions,
 * no I/O: two proportions compared with Newcombe's score interval and the test that inverts it,
 * and two means with Welch's interval.
 *
 * Precision matters here because the documented reference values go down to p ≈ 3e-13: the
 * normal tail is computed from erfc (series below 2, continued fraction above), which keeps
 * about 15 significant digits far into the tail, where `1 - Φ(z)` would keep none.
 */

/** The 97.5% quantile of the standard normal, to double precision. */
export const Z_975 = 1.959963984540054;

/** Fewer customers than this in either arm: too few to call a result significant either way. */
export const MIN_ARM_CUSTOMERS = 30;

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * The complementary error function, to about 1e-15 relative. Below 2 from the series
 * erf(x) = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) (all terms positive, so no cancellation);
 * from 2 on from Laplace's continued fraction, evaluated with the modified Lentz method.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-x * x) * sum;
  }
  if (x > 27) return 0;
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))).
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 1000; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/** P(Z > z) for a standard normal Z, precise in the far tail. */
export const normalUpperTail = (z: number): number => 0.5 * erfc(z / Math.SQRT2);

export interface ArmCount {
  customers: number;
  converted: number;
}

export interface ProportionComparison {
  /** rate_t − rate_c. */
  difference: number;
  /** difference / rate_c; null when rate_c is 0. */
  lift: number | null;
  /**
   * Two-sided p-value of the test that inverts the Newcombe interval: 1 − the confidence level
   * at which the interval just reaches 0. So pValue < 0.05 exactly when `interval95` excludes 0.
   */
  pValue: number | null;
  /** Newcombe's hybrid score interval (1998, method 10) of the difference, 95%. */
  interval95: [number, number] | null;
  /** pValue < 0.05 (⇔ 0 outside interval95); null while either arm has fewer than 30 customers. */
  significant: boolean | null;
}

const rateOf = (a: ArmCount) => (a.customers > 0 ? a.converted / a.customers : 0);

/**
 * Wilson's score interval of x/n at normal quantile z (Newcombe 1998, method 3, no continuity
 * correction). Unlike the Wald interval it stays inside [0, 1] and has width at 0% and 100%.
 */
export function wilsonInterval(converted: number, customers: number, z: number): [number, number] {
  const p = converted / customers;
  const z2 = z * z;
  const centre = (p + z2 / (2 * customers)) / (1 + z2 / customers);
  const half =
    (z / (1 + z2 / customers)) * Math.sqrt((p * (1 - p)) / customers + z2 / (4 * customers * customers));
  // Clamped only against rounding: mathematically the bounds lie in [0, p] and [p, 1].
  return [Math.min(p, Math.max(0, centre - half)), Math.max(p, Math.min(1, centre + half))];
}

/**
 * Newcombe's hybrid score interval of p_t − p_c (1998, method 10): with Wilson intervals
 * [l, u] of each rate, d − √((p_t − l_t)² + (u_c − p_c)²) to d + √((u_t − p_t)² + (p_c − l_c)²).
 */
export function newcombeInterval(treatment: ArmCount, control: ArmCount, z = Z_975): [number, number] {
  const pt = rateOf(treatment);
  const pc = rateOf(control);
  const [lt, ut] = wilsonInterval(treatment.converted, treatment.customers, z);
  const [lc, uc] = wilsonInterval(control.converted, control.customers, z);
  const d = pt - pc;
  return [d - Math.hypot(pt - lt, uc - pc), d + Math.hypot(ut - pt, pc - lc)];
}

/**
 * The p-value of the Newcombe interval read as a test: the z at which the bound nearer 0 just
 * reaches it, as 2·P(Z > z). That bound moves monotonically towards 0 and past it as z grows
 * (each Wilson interval widens to [0, 1]), so bisection cannot fail; with d > 0 the lower
 * bound at z → ∞ is p_t − √(p_t² + (1 − p_c)²) < 0, so the root exists.
 */
function newcombePValue(treatment: ArmCount, control: ArmCount): number {
  const d = rateOf(treatment) - rateOf(control);
  if (d === 0) return 1;
  const [hi, lo] = d > 0 ? [treatment, control] : [control, treatment];
  const bound = (z: number) => newcombeInterval(hi, lo, z)[0];
  let zLow = 0;
  let zHigh = 4;
  while (bound(zHigh) > 0 && zHigh < 64) zHigh *= 2;
  for (let i = 0; i < 200 && zHigh - zLow > 1e-13 * zHigh; i++) {
    const mid = (zLow + zHigh) / 2;
    if (bound(mid) > 0) zLow = mid;
    else zHigh = mid;
  }
  return Math.min(1, 2 * normalUpperTail((zLow + zHigh) / 2));
}

/**
 * Treatment against control. With an empty arm nothing can be said (all null but the
 * difference). Interval and p-value come from one method (Newcombe's score interval and its
 * inversion), so they never disagree, and both stay honest at 0% or 100% and at small n.
 */
export function compareProportions(treatment: ArmCount, control: ArmCount): ProportionComparison {
  const difference = rateOf(treatment) - rateOf(control);
  const rc = rateOf(control);
  const lift = rc === 0 ? null : difference / rc;
  if (treatment.customers === 0 || control.customers === 0) {
    return { difference, lift, pValue: null, interval95: null, significant: null };
  }
  const interval95 = newcombeInterval(treatment, control);
  const pValue = newcombePValue(treatment, control);
  const enough = treatment.customers >= MIN_ARM_CUSTOMERS && control.customers >= MIN_ARM_CUSTOMERS;
  // Decided on the interval, the figure shown; the p-value agrees up to bisection rounding.
  const excludesZero = interval95[0] > 0 || interval95[1] < 0;
  return { difference, lift, pValue, interval95, significant: enough ? excludesZero : null };
}

/** Customers each arm still needs before the lift is judged at all; see `customersNeeded`. */
export interface CustomersNeeded {
  treatment: number;
  control: number;
}

/**
 * How many more customers each arm needs before a verdict is drawn, from the exact rule that
 * withholds one (`significant` is null while either arm has fewer than MIN_ARM_CUSTOMERS):
 * max(0, 30 − customers) per arm. Null once both arms have enough. It is the rule's minimum, not
 * a power calculation: with 30 per arm only a large difference can be significant, and the
 * answer then may well be "no significant difference".
 */
export function customersNeeded(treatment: ArmCount, control: ArmCount): CustomersNeeded | null {
  const more = (a: ArmCount) => Math.max(0, MIN_ARM_CUSTOMERS - a.customers);
  const needed = { treatment: more(treatment), control: more(control) };
  return needed.treatment === 0 && needed.control === 0 ? null : needed;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 digits). */
export function logGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the regularized incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = Math.abs(d) < tiny ? tiny : d;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + aa / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + aa / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** I_x(a, b), the regularized incomplete beta function. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast on this side of the mean; use the symmetry on the other.
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(a, b, x)) / a
    : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T > t) for Student's t with `df` (not necessarily whole) degrees of freedom, t ≥ 0. */
export function studentUpperTail(t: number, df: number): number {
  return 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/**
 * The quantile t with P(T ≤ t) = p, for p in (0.5, 1): bisection on the CDF above (the CDF is
 * monotone, so it cannot fail to converge), to 1e-13. An infinite df is the normal quantile.
 */
export function studentQuantile(p: number, df: number): number {
  if (!(p > 0.5 && p < 1)) throw new RangeError('p must be in (0.5, 1)');
  const tail = 1 - p;
  let lo = 0;
  let hi = 1;
  while (studentUpperTail(hi, df) > tail) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentUpperTail(mid, df) > tail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The sufficient statistics of one arm's per-customer values. */
export interface Moments {
  n: number;
  sum: number;
  sumSquares: number;
}

export interface MeanComparison {
  treatment: number | null;
  control: number | null;
  difference: number | null;
  /** Welch's 95% interval of the difference of means; null with fewer than 2 customers in an arm. */
  interval95: [number, number] | null;
}

const sampleVariance = (m: Moments) => Math.max(0, (m.sumSquares - (m.sum * m.sum) / m.n) / (m.n - 1));

/**
 * Means of two arms and Welch's 95% interval of their difference: standard error
 * √(s²_t/n_t + s²_c/n_c), Welch–Satterthwaite degrees of freedom, Student's t quantile.
 */
export function compareMeans(treatment: Moments, control: Moments): MeanComparison {
  const mt = treatment.n > 0 ? treatment.sum / treatment.n : null;
  const mc = control.n > 0 ? control.sum / control.n : null;
  const difference = mt !== null && mc !== null ? mt - mc : null;
  if (difference === null || treatment.n < 2 || control.n < 2) {
    return { treatment: mt, control: mc, difference, interval95: null };
  }
  const vt = sampleVariance(treatment) / treatment.n;
  const vc = sampleVariance(control) / control.n;
  const se = Math.sqrt(vt + vc);
  if (se === 0) return { treatment: mt, control: mc, difference, interval95: [difference, difference] };
  const df = (vt + vc) ** 2 / (vt ** 2 / (treatment.n - 1) + vc ** 2 / (control.n - 1));
  const t = studentQuantile(0.975, df);
  return { treatment: mt, control: mc, difference, interval95: [difference - t * se, difference + t * se] };
}
