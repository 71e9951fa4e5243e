import { unambiguous } from './unambiguous.ts';

/** A cell: text, or nothing (printed as `-`). */
export type Cell = string | number | null | undefined;

// Every cell is shown unambiguously: a control character would break the line or move the cursor
// (a user agent, a client name, an audit detail are user input), and look-alike letters would let
// two addresses print the same (docs/security.md SEC-113).
function cellText(value: Cell): string {
  if (value === null || value === undefined || value === '') return '-';
  return unambiguous(String(value));
}

const width = (text: string): number => text.length;

/**
 * Rows as a CLI table, the way `docker ps` or `kubectl get` print them: a header line of
 * upper-case column names (the first row's keys), then one line per row, columns left-aligned
 * and two spaces apart, no index column, no quotes, no trailing spaces. Empty cells print `-`.
 *
 * @example
 * formatTable([{ id: 'a1', email: 'ada@example.com' }])
 * // ID  EMAIL
 * // a1  ada@example.com
 */
export function formatTable(rows: ReadonlyArray<Readonly<Record<string, Cell>>>): string {
  const first = rows[0];
  if (first === undefined) return '';
  const columns = Object.keys(first);
  const lines = [columns.map((c) => c.toUpperCase()), ...rows.map((row) => columns.map((c) => cellText(row[c])))];
  const widths = columns.map((_, i) => Math.max(...lines.map((line) => width(line[i]!))));
  return `${lines.map((line) => line.map((text, i) => (i === line.length - 1 ? text : text + ' '.repeat(widths[i]! - width(text)))).join('  ')).join('\n')}\n`;
}

/** Prints the table, or `empty` when there are no rows. */
export function printTable(rows: ReadonlyArray<Readonly<Record<string, Cell>>>, empty = '(none)'): void {
  process.stdout.write(rows.length === 0 ? `${empty}\n` : formatTable(rows));
}
