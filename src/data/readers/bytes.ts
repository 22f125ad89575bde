/**
 * Field parsers that read straight from bytes, for the ingest hot loops
 * (fast-csv.ts, trades-jsonl.ts). Each one handles the common, simple form
 * itself and hands anything else to the string parser in columns.ts, so the
 * result is always exactly what the string path would give — including its
 * error messages.
 */
import { parseNumberCell, parseTimestampCell, sideCode } from './columns';

/** 10^0 … 10^22: every one exactly representable as a double. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

const latin1 = (buf: Uint8Array, s: number, e: number): string => Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1');

/**
 * The decimal number in `buf[s, e)`, exactly as `Number(text)` gives it, or
 * the string parser's DataError for a bad cell.
 *
 * Fast path (Clinger 1990, "How to read floating point numbers accurately"):
 * an optional sign, at most 15 digits and at most one dot. The digits form an
 * integer m < 10^15 < 2^53 and the scale 10^k (k ≤ 15) is exact, so m / 10^k
 * is one correctly rounded IEEE division — the same double as the correctly
 * rounded decimal conversion `Number()` performs. Exponents, spaces, 16+ digit
 * mantissas, `NaN` and junk go to `parseNumberCell`.
 */
export function parseDecimalBytes(buf: Uint8Array, s: number, e: number, column: string, file: string, line: number): number {
  let i = s;
  let neg = false;
  if (i < e) {
    const c0 = buf[i];
    if (c0 === 45) {
      neg = true;
      i++;
    } else if (c0 === 43) i++;
  }
  let m = 0;
  let digits = 0;
  let scale = 0;
  let dot = false;
  for (; i < e; i++) {
    const c = buf[i];
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (dot) scale++;
    } else if (c === 46 && !dot) dot = true;
    else break;
  }
  if (i === e && digits > 0 && digits <= 15) {
    const v = scale === 0 ? m : m / POW10[scale];
    return neg ? -v : v;
  }
  return parseNumberCell(latin1(buf, s, e), column, file, line);
}

/**
 * An epoch timestamp cell in `buf[s, e)` → integer ms. Pure digit runs are
 * converted by their length as `epochDigitsToMs` does (10 = s, 13 = ms,
 * 16 = µs, 19 = ns; sub-ms digits are dropped, not rounded) without building
 * a string; anything else (ISO text, decimals) goes to `parseTimestampCell`.
 */
export function parseEpochMsBytes(buf: Uint8Array, s: number, e: number, file: string, line: number): number {
  const n = e - s;
  if (n > 0 && n <= 19) {
    const keep = n >= 17 ? n - 6 : n >= 15 ? n - 3 : n;
    let v = 0;
    let ok = true;
    for (let i = s; i < e; i++) {
      const c = buf[i];
      if (c < 48 || c > 57) {
        ok = false;
        break;
      }
      if (i - s < keep) v = v * 10 + (c - 48);
    }
    if (ok) return n <= 11 ? v * 1000 : v;
  }
  return parseTimestampCell(latin1(buf, s, e), file, line);
}

/** Strict variant for formats whose time must be epoch digits (Tardis µs): NaN when it is not. */
export function epochDigitsBytes(buf: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n === 0 || n > 19) return NaN;
  const keep = n >= 17 ? n - 6 : n >= 15 ? n - 3 : n;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) return NaN;
    if (i - s < keep) v = v * 10 + (c - 48);
  }
  return n <= 11 ? v * 1000 : v;
}

/**
 * Taker side in `buf[s, e)` → +1 / −1 / 0 as `sideCode` maps it. The usual
 * spellings are matched on bytes; others (with spaces when `trim`) go through
 * the string function.
 */
export function sideBytes(buf: Uint8Array, s: number, e: number, trim: boolean): number {
  const n = e - s;
  // Lower-case 'buy' / 'sell' (ccxt, Tardis, Binance) on bytes; every other spelling via sideCode.
  if (n === 3 && buf[s] === 98 && buf[s + 1] === 117 && buf[s + 2] === 121) return 1;
  if (n === 4 && buf[s] === 115 && buf[s + 1] === 101 && buf[s + 2] === 108 && buf[s + 3] === 108) return -1;
  const text = latin1(buf, s, e);
  return sideCode(trim ? text.trim() : text);
}

/** A non-negative integer id in `buf[s, e)` when it is ≤ 15 plain digits, else NaN (caller falls back). */
export function smallIntBytes(buf: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n === 0 || n > 15) return NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) return NaN;
    v = v * 10 + (c - 48);
  }
  return v;
}

export { latin1 as bytesToLatin1 };
