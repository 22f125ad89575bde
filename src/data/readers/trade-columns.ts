/**
 * The growable columns a trade reader fills: time, price, amount, side and an
 * optional id, plus the map from tape row to source line.
 *
 * Memory: 33 bytes per trade with ids, 25 without (8 + 8 + 8 + 1 [+ 8]).
 * Line numbers are not stored per row: rows follow their lines one to one
 * except where a blank line was skipped, so only those places are kept
 * (`LineMap`). Capacity is sized from an estimate of the row count (the file
 * size over the bytes per row seen so far), so a large file is allocated
 * about once instead of doubling through 2× the memory it needs.
 */

/** Tape row → 1-based source line, stored as the few places where the offset changes. */
export class LineMap {
  private rows: number[] = [];
  private offsets: number[] = [];
  /** `base` = line of row 0 when no line is skipped (header line + 1). */
  constructor(private base = 2) {}
  setBase(base: number): void {
    this.base = base;
  }
  /** From row `row` on, lines are `extra` further down than rows alone would say. */
  shift(row: number, extra: number): void {
    const last = this.rows.length - 1;
    if (last >= 0 && this.rows[last] === row) this.offsets[last] = extra;
    else {
      this.rows.push(row);
      this.offsets.push(extra);
    }
  }
  lineOf(row: number): number {
    // Last change at or before `row` (binary search; the list is short).
    let lo = 0;
    let hi = this.rows.length - 1;
    let extra = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.rows[mid] <= row) {
        extra = this.offsets[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return this.base + row + extra;
  }
}

export class TradeColumns {
  time: Float64Array;
  price: Float64Array;
  amount: Float64Array;
  side: Int8Array;
  id: Float64Array | null;
  length = 0;

  constructor(capacity: number, withIds: boolean) {
    const n = Math.max(1024, Math.ceil(capacity));
    this.time = new Float64Array(n);
    this.price = new Float64Array(n);
    this.amount = new Float64Array(n);
    this.side = new Int8Array(n);
    this.id = withIds ? new Float64Array(n) : null;
  }

  get capacity(): number {
    return this.time.length;
  }

  /** Make room for at least `rows` rows in total (grow to `rows`, or ×1.5 when that is more). */
  reserve(rows: number): void {
    if (rows <= this.time.length) return;
    const n = Math.max(Math.ceil(rows), Math.ceil(this.time.length * 1.5));
    this.time = grow(this.time, n, this.length);
    this.price = grow(this.price, n, this.length);
    this.amount = grow(this.amount, n, this.length);
    this.side = grow(this.side, n, this.length);
    if (this.id) this.id = grow(this.id, n, this.length);
  }

  dropIds(): void {
    this.id = null;
  }

  /**
   * The filled part. Spare capacity above 2% is given back with a copy;
   * below that a view is cheaper than a second allocation of the whole column.
   */
  finish(): { time: Float64Array; price: Float64Array; amount: Float64Array; side: Int8Array; id: Float64Array | undefined } {
    const n = this.length;
    const tight = this.time.length - n <= 0.02 * n;
    const cut = <T extends Float64Array | Int8Array>(a: T): T => (tight ? (a.subarray(0, n) as T) : (a.slice(0, n) as T));
    return {
      time: cut(this.time),
      price: cut(this.price),
      amount: cut(this.amount),
      side: cut(this.side),
      id: this.id ? cut(this.id) : undefined,
    };
  }
}

function grow<T extends Float64Array | Int8Array>(a: T, n: number, used: number): T {
  const b = new (a.constructor as { new (n: number): T })(n);
  b.set(a.subarray(0, used));
  return b;
}
