/** Statistics and the printed table. */

/** One row of a side table (start-up and memory, scale-out): a measured value against its baseline and target. */
export interface SideTableRow {
  name: string;
  value: number;
  unit: string;
  runs: number[];
  baseline: string;
  ratio: number | null;
  target: string;
  result: string;
}

/** How a side table prints its numbers. */
export interface SideTableFormat {
  /** Decimals of the value (default 0). */
  valueDigits?: (row: SideTableRow) => number;
  /** Decimals of the ratio (default 3). */
  ratioDigits?: number;
  /** What a row without a ratio shows (default '-'). */
  noRatio?: string;
}

/** A side table (start-up and memory, scale-out, code flow) as printed under the main one. */
export function renderSideTable(rows: readonly SideTableRow[], format: SideTableFormat = {}): string {
  const { valueDigits = () => 0, ratioDigits = 3, noRatio = '-' } = format;
  return renderTable(
    ['benchmark', 'value', 'runs', 'baseline', 'ratio', 'target', 'result'],
    rows.map((r) => [r.name, `${r.value.toFixed(valueDigits(r))} ${r.unit}`, r.runs.map((v) => v.toFixed(0)).join(' / '), r.baseline, r.ratio === null ? noRatio : `${r.ratio.toFixed(ratioDigits)}x`, r.target, r.result]),
    new Set([1, 4]),
  );
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Spread of the runs around their median, in percent: how far to trust the ratio. */
export function spreadPercent(values: readonly number[]): number {
  const mid = median(values);
  if (values.length < 2 || !(mid > 0)) return 0;
  return ((Math.max(...values) - Math.min(...values)) / mid) * 100;
}

export function formatRate(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '-';
  const digits = value >= 1000 ? 0 : value >= 100 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

export function formatPercent(share: number | null): string {
  return share === null || !Number.isFinite(share) ? '-' : `${Math.round(share * 100)}%`;
}

/** A plain-text table with a header rule; `rightAligned` names the numeric columns. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}
