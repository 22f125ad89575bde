/**
 * Order-flow imbalance from trades (trade-based OFI).
 *
 * Type: microstructure. Over a rolling time window, the signed share of
 * aggressive volume: (buy taker volume − sell taker volume) / total volume,
 * in [−1, 1]. Positive means buyers are lifting offers. Cont, Kukanov &
 * Stoikov (2014) show that order-flow imbalance explains short-horizon price
 * changes; this is the trade-only variant that needs no book.
 *
 * @see R. Cont, A. Kukanov, S. Stoikov, "The Price Impact of Order Book Events", J. Financial Econometrics 12(1), 2014.
 */
import type { TradeTape } from '../data/tape';

/**
 * Imbalance over the window (t − windowMs, t] ending at each trade, and the
 * number of trades in it. O(n) two-pointer pass; no allocation besides the
 * outputs.
 *
 * @example tradeFlowImbalance(tape, 60_000).imbalance[i] // e.g. 0.42
 */
export function tradeFlowImbalance(tape: TradeTape, windowMs: number): { imbalance: Float64Array; volume: Float64Array; count: Int32Array } {
  const n = tape.length;
  const imbalance = new Float64Array(n);
  const volume = new Float64Array(n);
  const count = new Int32Array(n);
  const { time, amount, side } = tape;
  let tail = 0;
  let signed = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const a = amount[i];
    signed += side[i] * a;
    total += a;
    const cutoff = time[i] - windowMs;
    while (time[tail] <= cutoff) {
      const b = amount[tail];
      signed -= side[tail] * b;
      total -= b;
      tail++;
    }
    volume[i] = total;
    count[i] = i - tail + 1;
    imbalance[i] = total > 0 ? clamp1(signed / total) : 0;
  }
  return { imbalance, volume, count };
}

/** Rounding in the running sums can push |x| a hair past 1. */
export function clamp1(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x;
}
