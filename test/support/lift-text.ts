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
