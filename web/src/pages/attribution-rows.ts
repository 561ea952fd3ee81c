/**
 * The attribution table's pure logic: which row is "no campaign / direct", the currencies a
 * report has, sorting by a column, and the top row per currency. Revenue is never added across
 * currencies (there is no exchange rate to trust), so each currency is its own column.
 */

export type OneModel = 'first' | 'last' | 'linear' | 'position' | 'time-decay';
export const MODELS: readonly OneModel[] = ['first', 'last', 'linear', 'position', 'time-decay'];
export type Money = Record<string, number>;
export type By = 'channel' | 'campaign';

/** A row as GET /v1/analytics/attribution answers it (one model flat, or all five side by side). */
export interface AttributionRow {
  key: Record<string, string>;
  label?: string;
  conversions: number | Record<OneModel, number>;
  revenue: Money | Record<OneModel, Money>;
}

/** What the analytics store credits an order to when no touchpoint named a campaign / channel (lib/analytics/facts.ts). */
export const UNATTRIBUTED: Record<By, string> = { campaign: '(none)', channel: 'direct' };

/** Whether the row is the orders that came with no campaign (by campaign) or no channel (by channel). */
export const isUnattributed = (by: By, row: AttributionRow): boolean => keyOf(by, row) === UNATTRIBUTED[by];

export const keyOf = (by: By, row: AttributionRow): string =>
  row.key[by] ?? Object.values(row.key).join(' / ');

/** A row's conversions and revenue under one model (a one-model report has them flat). */
export function creditOf(row: AttributionRow, model: OneModel): { conversions: number; revenue: Money } {
  const conversions = typeof row.conversions === 'number' ? row.conversions : (row.conversions[model] ?? 0);
  const perModel = MODELS.every((m) => m in row.revenue);
  const revenue = (perModel ? (row.revenue as Record<OneModel, Money>)[model] : row.revenue) as Money;
  return { conversions, revenue: revenue ?? {} };
}

/** The currencies of a report, in the order of their total (largest first), then by code. */
export function currenciesOf(totals: Money, rows: readonly AttributionRow[]): string[] {
  const codes = new Set(Object.keys(totals));
  for (const row of rows)
    for (const m of MODELS) for (const c of Object.keys(creditOf(row, m).revenue)) codes.add(c);
  return [...codes].sort((a, b) => (totals[b] ?? 0) - (totals[a] ?? 0) || a.localeCompare(b));
}

export type SortColumn =
  | { kind: 'name' }
  | { kind: 'conversions'; model: OneModel }
  | { kind: 'revenue'; model: OneModel; currency: string };
export interface Sort {
  column: SortColumn;
  direction: 'ascending' | 'descending';
}

export const sameColumn = (a: SortColumn, b: SortColumn): boolean =>
  a.kind === b.kind &&
  (a.kind === 'name' ||
    (a.model === (b as { model: OneModel }).model &&
      (a.kind !== 'revenue' || a.currency === (b as { currency: string }).currency)));

/** Clicking a column: a new column starts descending (names ascending), the same one flips. */
export function nextSort(current: Sort, column: SortColumn): Sort {
  if (sameColumn(current.column, column))
    return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  return { column, direction: column.kind === 'name' ? 'ascending' : 'descending' };
}

const cellValue = (row: AttributionRow, column: SortColumn): number => {
  if (column.kind === 'name') return 0;
  const credit = creditOf(row, column.model);
  return column.kind === 'conversions' ? credit.conversions : (credit.revenue[column.currency] ?? 0);
};

/**
 * The rows in the order asked for, the unattributed row ("no campaign") always last, so the first
 * row answers "which campaign". Ties keep a stable order by name.
 */
export function sortRows<R extends AttributionRow>(
  rows: readonly R[],
  by: By,
  sort: Sort,
  nameOf: (row: R) => string = (row) => row.label ?? keyOf(by, row),
): R[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const ua = isUnattributed(by, a);
    const ub = isUnattributed(by, b);
    if (ua !== ub) return ua ? 1 : -1;
    const byName = nameOf(a).localeCompare(nameOf(b));
    if (sort.column.kind === 'name') return sign * byName;
    return sign * (cellValue(a, sort.column) - cellValue(b, sort.column)) || byName;
  });
}

/**
 * Per currency, the attributed row (not "no campaign") with the most revenue under `model`, or
 * none when no attributed row earned any in that currency. Equal amounts: every leader is named.
 */
export function leadersByCurrency<R extends AttributionRow>(
  rows: readonly R[],
  by: By,
  model: OneModel,
  currencies: readonly string[],
): { currency: string; amount: number; rows: R[] }[] {
  const out: { currency: string; amount: number; rows: R[] }[] = [];
  for (const currency of currencies) {
    let amount = 0;
    let leaders: R[] = [];
    for (const row of rows) {
      if (isUnattributed(by, row)) continue;
      const value = creditOf(row, model).revenue[currency] ?? 0;
      // Credits are exact to 1e-6 (the API's rounding): closer than that is a tie.
      if (value > amount + 1e-6) {
        amount = value;
        leaders = [row];
      } else if (value > 0 && Math.abs(value - amount) <= 1e-6) leaders.push(row);
    }
    if (leaders.length > 0) out.push({ currency, amount, rows: leaders });
  }
  return out;
}
