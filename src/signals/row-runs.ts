/**
 * Runs of tape rows that share one value of a formula (an interval's fit, a
 * VPIN bucket's value): the form a signal takes when it changes a few
 * thousand times over millions of trades. Run r covers rows `row[r] …
 * row[r + 1] − 1` (the last run to the end of the tape); a strategy fills
 * its decisions run by run instead of reading one value per row.
 */

/**
 * Growable per-run columns for a scan that discovers runs as it goes:
 * doubling, so O(log runs) allocations in all and none per row.
 */
export class RunColumns<K extends string> {
  private row: Int32Array;
  private readonly cols = new Map<K, Float64Array>();
  private len = 0;

  constructor(private readonly names: readonly K[]) {
    this.row = new Int32Array(64);
    for (const k of names) this.cols.set(k, new Float64Array(64));
  }

  /** Start run `length` at `row`; returns its index (write its values with `set`). */
  push(row: number): number {
    if (this.len === this.row.length) {
      const cap = 2 * this.len;
      this.row = grownInt32(this.row, cap);
      for (const k of this.names) this.cols.set(k, grownFloat64(this.cols.get(k)!, cap));
    }
    this.row[this.len] = row;
    return this.len++;
  }

  set(k: K, r: number, v: number): void {
    this.cols.get(k)![r] = v;
  }

  /** The runs so far, trimmed to length (fresh arrays). */
  done(): { length: number; row: Int32Array } & Record<K, Float64Array> {
    const n = this.len;
    const out = { length: n, row: this.row.slice(0, n) } as { length: number; row: Int32Array } & Record<K, Float64Array>;
    for (const k of this.names) (out as Record<K, Float64Array>)[k] = this.cols.get(k)!.slice(0, n);
    return out;
  }
}

/** Run lookup over `{ length, row }` as returned by `RunColumns.done`. */
export interface RowRuns {
  length: number;
  row: Int32Array;
}

/**
 * The run holding `row`, searching forward from run `hint`: a caller
 * visiting rows in increasing order passes the last answer back, so a walk
 * over the whole tape costs O(rows visited + runs).
 */
export function runOf(runs: RowRuns, row: number, hint = 0): number {
  let s = hint;
  while (s + 1 < runs.length && runs.row[s + 1] <= row) s++;
  return s;
}

/** One past the last row of run r (`tapeLength` for the last run). */
export function runEnd(runs: RowRuns, r: number, tapeLength: number): number {
  return r + 1 < runs.length ? runs.row[r + 1] : tapeLength;
}

/**
 * Starting capacity of a scan's run columns: one run per sampling interval of
 * `dtMs` the tape spans (plus one), never more than one per row, at least 16;
 * a scan doubles its columns should rounding ever need more.
 */
export function runCapacity(time: Float64Array, n: number, dtMs: number): number {
  const span = n > 0 ? Math.floor(time[n - 1] / dtMs) - Math.floor(time[0] / dtMs) + 2 : 1;
  return Math.max(16, Math.min(n + 1, span === span ? span : n + 1));
}

/** A copy of `a` in a longer array of `cap` elements (a growing run column). */
export function grownInt32(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

/** A copy of `a` in a longer array of `cap` elements (a growing run column). */
export function grownFloat64(a: Float64Array, cap: number): Float64Array {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}
