export interface Figure {
  id: string;
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. `>= 0.7`; absent for figures reported for information. */
  target?: string;
  pass?: boolean;
  detail?: string;
}

const fmt = (n: number): string =>
  Number.isInteger(n)
    ? n.toLocaleString('en-US')
    : Math.abs(n) >= 100
      ? Math.round(n).toLocaleString('en-US')
      : n.toFixed(2);

export const formatValue = (f: Figure) => `${fmt(f.value)}${f.unit ? ` ${f.unit}` : ''}`;

/** A plain-text table, one row per figure, with PASS/FAIL where a target applies. */
export function table(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.id,
    f.name,
    formatValue(f),
    f.target ?? '',
    f.pass === undefined ? 'info' : f.pass ? 'PASS' : 'FAIL',
  ]);
  const head = ['', 'figure', 'value', 'target', 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
