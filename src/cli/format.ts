/** Plain-text table and number formatting for terminal output. */

export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

export function fixed(x: number | null | undefined, digits = 4): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

/** Money with enough significant digits for sub-cent edges. */
export function money(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  const d = a >= 100 ? 2 : a >= 1 ? 4 : 6;
  return (x < 0 ? '-$' : '$') + a.toFixed(d);
}

export function int(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : Math.round(x).toLocaleString('en-US');
}

/** Right-aligned columns except the first `leftColumns` (default 1); a rule under the header. */
export function table(header: string[], rows: string[][], leftColumns = 1): string {
  const w = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (r: string[]) => r.map((c, j) => (j < leftColumns ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ');
  return [line(header), w.map((x) => '─'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}
