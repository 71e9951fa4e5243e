/** A cell: text, or nothing (printed as `-`). */
export type Cell = string | number | null | undefined;

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators: a value holding one would
// break the line or move the cursor (a user agent, a client name, an audit detail are user input).
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function cellText(value: Cell): string {
  if (value === null || value === undefined || value === '') return '-';
  return String(value).replace(controlCharacters, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Width in characters (code points), so an accented address lines up like an ASCII one. */
const width = (text: string): number => Array.from(text).length;

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
