// Small numeric and text helpers for the report.

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Decimal megabytes per second, as in the anchors. */
export function mbPerSec(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

export function mib(bytes: number, signed = false): string {
  const text = `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return signed && bytes >= 0 ? `+${text}` : text;
}

export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function mark(met: boolean | undefined): string {
  if (met === undefined) return ' ';
  return met ? '✓' : '✗';
}

/** Renders rows as an aligned plain-text table (also valid Markdown). */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((cell, i) => Math.max(width(cell), ...rows.map((row) => width(row[i] ?? ''))));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => pad(cell, widths[i]!, i > 0)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i > 0 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

// ✓ and ✗ are one column wide on a terminal, like any other character here.
function width(text: string): number {
  return [...text].length;
}

function pad(text: string, size: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return right ? fill + text : text + fill;
}
