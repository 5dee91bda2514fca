/**
 * Output of the admin subcommands: aligned tables and `key: value` blocks for people,
 * JSON for scripts (--json: one JSON document on stdout, nothing else there).
 */
import type { AdminIo } from './io.js';

export type Cell = string | number | boolean | undefined | null;

export interface Column<T> {
  header: string;
  value: (row: T) => Cell;
  /** default: right for numbers, left otherwise */
  align?: 'left' | 'right';
}

function text(cell: Cell): string {
  if (cell === undefined || cell === null || cell === '') return '-';
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no';
  return String(cell);
}

/** Columns separated by two spaces, a header line, no trailing blanks. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => text(r[i]).length)));
  const right = columns.map((c, i) => c.align === 'right' || (c.align === undefined && cells.length > 0 && cells.every((r) => typeof r[i] === 'number')));
  const line = (values: string[]): string => values
    .map((v, i) => (right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
    .join('  ')
    .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map((r) => line(r.map(text)))].join('\n') + '\n';
}

/** `name: value` lines, names aligned */
export function renderFields(fields: ReadonlyArray<readonly [string, Cell]>): string {
  const width = Math.max(...fields.map(([name]) => name.length));
  return fields.map(([name, value]) => `${`${name}:`.padEnd(width + 1)} ${text(value)}`.trimEnd()).join('\n') + '\n';
}

export function printJson(io: AdminIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** epoch ms → `2025-01-31T12:00:00.123Z`; 0 or absent → undefined (shown as "-") */
export function time(ms: number | undefined): string | undefined {
  return ms ? new Date(ms).toISOString() : undefined;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** a body on one line: control characters escaped, cut at `width` with an ellipsis */
export function preview(body: string, encoding: string | undefined, width = 48): string {
  if (encoding === 'base64') return `<${Buffer.from(body, 'base64').length} bytes, binary>`;
  const flat = body.replace(CONTROL, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
