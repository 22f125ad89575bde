/**
 * The one CSV cell writer of every file edgelab writes (ledgers, orders,
 * signals, OOS trades, portfolio tables, fetched tapes).
 *
 * Numbers are written so they read back as the same double: `String(x)` is
 * ECMAScript's shortest round-trip form (integers such as 13-digit ms
 * timestamps come out exact; a float gives the fewest digits that parse back
 * to it). Never round here — a rounded cell is a different number (a fill at
 * …907 ms written …910 is a time at which no trade exists). The one value
 * not kept bit for bit is −0, written `0` as JSON writes it: it arises only as
 * the sign of a zero product (a flat short's gross P&L) and means zero.
 * Non-finite numbers, null and undefined are empty cells; a reader treats an
 * empty numeric cell as missing.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    return Number.isFinite(v) ? String(v) : '';
  }
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line of cells (no newline). */
export function csvLine(cells: readonly unknown[]): string {
  let s = '';
  for (let j = 0; j < cells.length; j++) s += (j ? ',' : '') + csvCell(cells[j]);
  return s;
}

/** A whole CSV document: header, rows, each line ending with `\n`. */
export function toCsv(header: readonly string[], rows: Iterable<readonly unknown[]>): string {
  const out = [csvLine(header)];
  for (const r of rows) out.push(csvLine(r));
  return out.join('\n') + '\n';
}
