/** The contract between a strategy and the engine. */

/** A strategy's decisions over a tape, one value per row, each made knowing rows ≤ i only. */
export interface StrategySignals {
  /** +1 enter long, −1 enter short, 0 nothing (ignored while a position is open). */
  entry: Int8Array;
  /** Exit requests: bit 1 = exit a long, bit 2 = exit a short. Used when signal exits are on. */
  exit?: Uint8Array;
  /** Counters a strategy wants reported (e.g. how many decisions a VPIN gate allowed and blocked). */
  stats?: Record<string, number>;
}

/** The entry column's bytes as 32-bit words for `firstDecisionFrom` (null when the column's offset is not a multiple of 4). */
export function decisionWords(entry: Int8Array): Int32Array | null {
  return (entry.byteOffset & 3) === 0 ? new Int32Array(entry.buffer, entry.byteOffset, entry.length >> 2) : null;
}

/**
 * The first row in [i, end) with a non-zero decision, or `end`. Rows are read
 * four at a time through `words` (a 32-bit view of the same bytes) once i is
 * aligned, so a flat stretch costs a quarter of the loop turns.
 */
export function firstDecisionFrom(a: Int8Array, words: Int32Array | null, i: number, end: number): number {
  if (words !== null) {
    while (i < end && (i & 3) !== 0) {
      if (a[i] !== 0) return i;
      i++;
    }
    let k = i >> 2;
    const kEnd = end >> 2;
    while (k < kEnd && words[k] === 0) k++;
    if (k << 2 > i) i = k << 2;
  }
  while (i < end && a[i] === 0) i++;
  return i;
}

/** The first row in [i, end) whose exit flags have a bit of `mask` set (1: a long's exit, 2: a short's), or `end`. */
export function firstExitFlagFrom(exit: Uint8Array, mask: number, i: number, end: number): number {
  while (i < end && (exit[i] & mask) === 0) i++;
  return i;
}

/**
 * How many rows in [from, to) hold a non-zero decision. Four rows at a time
 * through `words` (a 32-bit view of the same bytes, see `decisionWords`):
 * a byte is non-zero iff the high bit of ((b & 0x7f) + 0x7f) | b is set,
 * and the four high bits are summed with one multiply.
 */
export function countDecisions(a: Int8Array, words: Int32Array | null, from: number, to: number): number {
  let c = 0;
  let i = from;
  if (words !== null) {
    while (i < to && (i & 3) !== 0) c += a[i++] !== 0 ? 1 : 0;
    const kEnd = to >> 2;
    for (let k = i >> 2; k < kEnd; k++) {
      const w = words[k];
      if (w === 0) continue;
      const hi = (((w & 0x7f7f7f7f) + 0x7f7f7f7f) | w) & 0x80808080;
      c += Math.imul(hi >>> 7, 0x01010101) >>> 24;
    }
    if (kEnd << 2 > i) i = kEnd << 2;
  }
  while (i < to) c += a[i++] !== 0 ? 1 : 0;
  return c;
}

/** How many rows in [from, to) hold a positive (long) decision; zero words (`decisionWords`) are skipped four rows at a time. */
export function countPositive(a: Int8Array, words: Int32Array | null, from: number, to: number): number {
  let c = 0;
  let i = from;
  if (words !== null) {
    while (i < to && (i & 3) !== 0) c += a[i++] > 0 ? 1 : 0;
    const kEnd = to >> 2;
    for (let k = i >> 2; k < kEnd; k++) {
      if (words[k] === 0) continue;
      const r = k << 2;
      c += (a[r] > 0 ? 1 : 0) + (a[r + 1] > 0 ? 1 : 0) + (a[r + 2] > 0 ? 1 : 0) + (a[r + 3] > 0 ? 1 : 0);
    }
    if (kEnd << 2 > i) i = kEnd << 2;
  }
  while (i < to) c += a[i++] > 0 ? 1 : 0;
  return c;
}
