/**
 * A summary of each block of 256 prints of a trade tape: its lowest and
 * highest price and the time of its last print.
 *
 * The tick engine spends most of its time looking for the print where an
 * open position's bracket is reached or its time exit falls due. A block
 * whose lowest and highest prints both leave the bracket alone, and whose
 * last print is before the time exit, cannot hold that print
 * (exits/quiet-blocks.ts), so with the summary the search skips 256 prints
 * per test.
 *
 * Building it reads the whole price column once, about what searching every
 * print once costs (~30 ms on 10 M prints here; reading blocks lazily during
 * a tape's first search measured 45 ms against 31 for the plain search in
 * the engine), so it pays only for a tape that is searched again and again:
 * the configurations of a sweep, a notebook cell run again, the strategies
 * of one run when they hold positions over most of the tape. The engine
 * reports how many prints it searched without the summary
 * (`notePrintsSearched`) and asks for it before each backtest
 * (`printBlocksFor`): it is built once the tape's backtests have searched as
 * many prints as the tape has. That is the ski-rental rule: whatever
 * backtests follow, searching plus building never costs more than twice the
 * best choice made in hindsight, and a tape searched little (strategies
 * rarely in a position) never pays for a build. Like the signal memo
 * (signals/cache.ts), this assumes a tape is not modified once it has been
 * backtested: the summary is kept for the tape object.
 */

/** Prints per block. */
export const PRINT_BLOCK = 256;

export interface PrintBlocks {
  /** Prints per block; block b covers rows [b·size, (b + 1)·size). */
  readonly size: number;
  /** Lowest price of each block (NaN prints left out: no comparison with NaN fires a level). */
  readonly min: Float64Array;
  /** Highest price of each block. */
  readonly max: Float64Array;
  /** Time of each block's last print. */
  readonly lastTime: Float64Array;
}

/**
 * The summary of every block of a trade tape's columns. A block of NaN
 * prints only gets min +∞ and max −∞: nothing in it can reach a level, and
 * those bounds say so to every comparison.
 */
export function buildPrintBlocks(time: Float64Array, price: Float64Array, size = PRINT_BLOCK): PrintBlocks {
  if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`print blocks: size must be a positive integer, got ${size}`);
  if (time.length !== price.length) throw new RangeError(`print blocks: time has ${time.length} rows, price ${price.length}`);
  const n = price.length;
  const count = Math.ceil(n / size);
  const blocks = { size, min: new Float64Array(count), max: new Float64Array(count), lastTime: new Float64Array(count) };
  priceBounds(price, n, size, blocks.min, blocks.max);
  for (let b = 0; b < count; b++) blocks.lastTime[b] = time[Math.min(n, (b + 1) * size) - 1];
  return blocks;
}

/** The loop of `buildPrintBlocks`: two chains per bound so neither waits on the other. */
function priceBounds(price: Float64Array, n: number, size: number, min: Float64Array, max: Float64Array): void {
  for (let b = 0, start = 0; start < n; b++, start += size) {
    const end = start + size < n ? start + size : n;
    let lo0 = Infinity;
    let lo1 = Infinity;
    let hi0 = -Infinity;
    let hi1 = -Infinity;
    let i = start;
    for (; i + 1 < end; i += 2) {
      const u = price[i];
      const v = price[i + 1];
      if (u < lo0) lo0 = u;
      if (v < lo1) lo1 = v;
      if (u > hi0) hi0 = u;
      if (v > hi1) hi1 = v;
    }
    if (i < end) {
      const u = price[i];
      if (u < lo0) lo0 = u;
      if (u > hi0) hi0 = u;
    }
    min[b] = lo0 < lo1 ? lo0 : lo1;
    max[b] = hi0 > hi1 ? hi0 : hi1;
  }
}

interface TapeSearch {
  /** Prints searched without the summary so far. */
  searched: number;
  blocks: PrintBlocks | null;
}

const byTape = new WeakMap<object, TapeSearch>();

/**
 * The tape's block summary, built the first time this is asked after the
 * tape's backtests have searched as many prints without it as the tape has;
 * null before that.
 */
export function printBlocksFor(tape: { readonly time: Float64Array; readonly price: Float64Array }): PrintBlocks | null {
  const s = byTape.get(tape);
  if (s === undefined) return null;
  if (s.blocks === null && s.searched >= tape.price.length) s.blocks = buildPrintBlocks(tape.time, tape.price);
  return s.blocks;
}

/** Record that a backtest searched `prints` prints of this tape without its block summary. */
export function notePrintsSearched(tape: object, prints: number): void {
  const s = byTape.get(tape);
  if (s === undefined) byTape.set(tape, { searched: prints, blocks: null });
  else s.searched += prints;
}
