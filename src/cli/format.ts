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

/** Progress reporter on stderr: rewrites one line on a TTY, prints every 10% otherwise. */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr): (done: number, total: number) => void {
  let lastDecile = -1;
  const start = process.hrtime.bigint();
  return (done, total) => {
    const frac = total ? done / total : 1;
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    const rate = secs > 0 ? done / secs : 0;
    const msg = `${label}: ${(frac * 100).toFixed(0)}% (${int(done)}/${int(total)} rows, ${(rate / 1e6).toFixed(1)}M rows/s)`;
    if (stream.isTTY) {
      stream.write(`\r${msg}${done >= total ? '\n' : ''}`);
    } else {
      const decile = Math.floor(frac * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        stream.write(msg + '\n');
      }
    }
  };
}
