// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, as the browser tests read it
type Json = any;

const points = (d: number) =>
  new Intl.NumberFormat('en-GB', {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  }).format(d * 100);

const relative = (l: number) =>
  new Intl.NumberFormat('en-GB', {
    style: 'percent',
    maximumFractionDigits: 0,
    signDisplay: 'exceptZero',
  }).format(l);

/**
 * The lift statement as the console words it in English (en-GB), written again from the API's
 * conversion figures, so the browser tests compare the screen with the API, not with the
 * console's own code.
 */
export function expectedLift(c: Json): string {
  if (c.goal === 'none') return 'no goal to measure';
  if (c.significant === null) {
    if (c.holdoutPercent === 0)
      return 'cannot be measured: the holdout is 0%, so nobody is held out to compare with';
    // What a verdict still needs: the API's `needed`, per group (30 customers each).
    const { control = 0, treatment = 0 } = c.needed ?? {};
    const s = (n: number) => (n === 1 ? '' : 's');
    if (control && treatment)
      return `not enough data: ${control} more held-out and ${treatment} more mailed customers needed`;
    if (control) return `not enough data: ${control} more held-out customer${s(control)} needed`;
    if (treatment) return `not enough data: ${treatment} more mailed customer${s(treatment)} needed`;
    return 'not enough data';
  }
  const statement = `${points(c.difference)} pts (95%: ${points(c.interval95[0])} to ${points(c.interval95[1])})`;
  if (!c.significant) return `no significant difference (${statement})`;
  return c.lift === null ? statement : `${statement}, ${relative(c.lift)}`;
}

/**
 * The campaigns list's lift cell: a campaign with a goal that nobody has entered yet waits for
 * customers (the row says which trigger); else the lift statement.
 */
export function expectedListLift(m: Json): string {
  const waiting = m.entered === 0 && m.sent === 0 && m.heldOut === 0;
  return waiting && m.conversion.goal !== 'none' ? 'waiting for customers' : expectedLift(m.conversion);
}

/**
 * The held-out line under the mailed conversion rate in the campaigns list (en-GB), from the
 * API's figures: a result once the lift can be judged, else a rate "so far" with its customers.
 */
export function expectedControlLine(c: Json, percent: (r: number | null) => string): string {
  if (c.significant !== null) return `held-out group converted ${percent(c.control.rate)}`;
  const n = c.control.customers;
  return `held out: ${percent(c.control.rate)} so far (${n} ${n === 1 ? 'customer' : 'customers'})`;
}
