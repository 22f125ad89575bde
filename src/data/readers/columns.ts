/**
 * Building blocks for the readers: growable typed-array columns (so parsing a
 * million rows does not create a million objects) and strict field parsers
 * that turn a bad cell into a `DataError` naming the file and line.
 */
import { DataError } from '../../util/errors';

/** A Float64Array that doubles its capacity as rows are pushed. */
export class Float64Column {
  private buf: Float64Array;
  length = 0;
  constructor(initialCapacity = 1024) {
    this.buf = new Float64Array(Math.max(16, initialCapacity));
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = v;
  }
  /** The filled part, trimmed to its length (a copy, so the spare capacity is freed). */
  finish(): Float64Array {
    return this.buf.slice(0, this.length);
  }
}

/** An Int8Array that doubles its capacity as rows are pushed (taker sides, book sides). */
export class Int8Column {
  private buf: Int8Array;
  length = 0;
  constructor(initialCapacity = 1024) {
    this.buf = new Int8Array(Math.max(16, initialCapacity));
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Int8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = v;
  }
  finish(): Int8Array {
    return this.buf.slice(0, this.length);
  }
}

/** A Uint32Array column, used for the source line number of each row. */
export class Uint32Column {
  private buf: Uint32Array;
  length = 0;
  constructor(initialCapacity = 1024) {
    this.buf = new Uint32Array(Math.max(16, initialCapacity));
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Uint32Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = v;
  }
  finish(): Uint32Array {
    return this.buf.slice(0, this.length);
  }
}

/**
 * Parse a numeric cell. Empty cells and text that is not a number are
 * malformed rows (DataError). The literal `NaN`/`nan` is let through as NaN so
 * the validator reports it as "price is NaN" — a clearer message for a file
 * that really contains NaN.
 */
export function parseNumberCell(cell: string, column: string, file: string, line: number): number {
  const v = Number(cell);
  if (v === v && cell.length > 0 && cell.trim().length > 0) return v;
  if (cell.trim().toLowerCase() === 'nan') return NaN;
  throw new DataError(file, line, cell.trim() === '' ? `empty ${column}` : `${column} '${cell}' is not a number`);
}

/** Taker side text → code: buy/b → +1, sell/s → -1, anything else (unknown, empty) → 0. */
export function sideCode(cell: string): 1 | -1 | 0 {
  switch (cell) {
    case 'buy':
    case 'Buy':
    case 'BUY':
    case 'b':
      return 1;
    case 'sell':
    case 'Sell':
    case 'SELL':
    case 's':
      return -1;
    default:
      return 0;
  }
}

/**
 * An integer epoch timestamp written as digits → integer ms. The unit is
 * taken from the digit count (10 = s, 13 = ms, 16 = µs, 19 = ns, which covers
 * 2001..2286), so 19-digit ns values are never pushed through a float: the
 * string is cut before conversion. Returns NaN when the text is not all digits.
 */
export function epochDigitsToMs(s: string): number {
  const n = s.length;
  if (n === 0 || n > 19) return NaN;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
  }
  if (n >= 17) return Number(s.slice(0, n - 6)); // ns: drop the last 6 digits (floor to ms)
  if (n >= 15) return Number(s.slice(0, n - 3)); // µs
  if (n >= 12) return Number(s); // ms
  return Number(s) * 1000; // s
}

/**
 * A date-time text in UTC → ms. Accepts `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fffffffff]]`
 * with a space or `T`, and an optional `Z` or `±HH:MM` offset (no offset = UTC, the
 * convention of exchange data exports). Fractions below 1 ms are truncated.
 * Returns NaN when the text does not match.
 */
export function isoTextToMs(s: string): number {
  const m = ISO_RE.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const ms = frac ? Number((frac + '00').slice(0, 3)) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), h ? Number(h) : 0, mi ? Number(mi) : 0, sec ? Number(sec) : 0, ms);
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const hh = Number(zone.slice(1, 3));
    const mm = Number(zone.slice(-2));
    t -= sign * (hh * 60 + mm) * 60_000;
  }
  return t;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$/;

/**
 * A timestamp cell in any of the forms the plain CSV readers accept: integer
 * epoch digits (s/ms/µs/ns by digit count), a decimal epoch in ms, or an ISO-like
 * UTC date-time. DataError when none fits.
 */
export function parseTimestampCell(cell: string, file: string, line: number): number {
  const t = cell.trim();
  let ms = epochDigitsToMs(t);
  if (ms === ms) return ms;
  ms = isoTextToMs(t);
  if (ms === ms) return ms;
  const v = Number(t);
  if (t !== '' && v === v) return Math.floor(v);
  throw new DataError(file, line, t === '' ? 'empty timestamp' : `timestamp '${cell}' is neither epoch digits nor an ISO date-time`);
}

/** Lower-cased, trimmed header names (quotes removed). */
export function parseHeader(line: string): string[] {
  return line.split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1').toLowerCase());
}
