/**
 * V1 — order-flow imbalance momentum (microstructure).
 *
 * Enters in the direction of aggressive flow: long when the trade-based
 * imbalance over the last `windowMs` is ≥ `imbalanceThreshold`, short when
 * it is ≤ −threshold; optionally only when the window's volume is at least
 * `volumeRatio` × its trailing average (plan 3.1 `MIN_VOLUME_RATIO`). The
 * signal exit (plan "before" behaviour, `exit_on_signal_reversal`) closes a
 * long when the imbalance reaches the opposite threshold, and vice versa.
 *
 * On ticks the imbalance is exact (taker side of each print; see
 * `tradeFlowImbalance`). On bars, which carry no taker side, volume is split
 * by bulk volume classification (Easley, López de Prado & O'Hara 2012):
 * buy share = Φ(Δclose / σ), σ the standard deviation of close-to-close
 * changes over the trailing `sigmaLookbackMs`. Windows on bars count whole
 * bars: k = max(1, round(windowMs / timeframe)).
 */
import { barFlowImbalance, tradeFlowImbalance } from '../signals/ofi';
import { cachedSeries, paramKey, seenBefore } from '../signals/cache';
import type { BarTape, MarketTape, TradeTape } from '../data/tape';
import type { StrategySignals } from '../core/signals';
import type { Strategy } from './strategy';

export interface V1Params extends Record<string, number> {
  imbalanceThreshold: number;
  volumeRatio: number;
  windowMs: number;
  volumeLookbackMs: number;
  minWindowTrades: number;
  sigmaLookbackMs: number;
}

export const V1_OFI: Strategy<V1Params> = {
  id: 'V1',
  name: 'Order-flow imbalance',
  type: 'microstructure',
  description:
    'Momentum on aggressive order flow: long when buy-taker volume dominates the last window, short when sell-taker volume does.',
  params: {
    imbalanceThreshold: { default: 0.3, min: 0, max: 1, unit: 'fraction', doc: 'Enter when |imbalance| ≥ this (plan 3.1: 0.3 before, 0.7 after).' },
    volumeRatio: { default: 0, min: 0, unit: '× average', doc: 'Require window volume ≥ this × trailing average; 0 disables (plan 3.1: 1.5 after).' },
    windowMs: { default: 60_000, min: 1, series: true, unit: 'ms', doc: 'Imbalance window (ms).' },
    volumeLookbackMs: { default: 3_600_000, min: 1, series: true, unit: 'ms', doc: 'Trailing span whose average window volume the volume ratio compares against (ms).' },
    minWindowTrades: { default: 10, min: 1, integer: true, series: true, unit: 'trades', doc: 'Ticks only: no signal from a window with fewer prints.' },
    sigmaLookbackMs: { default: 86_400_000, min: 1, series: true, unit: 'ms', doc: 'Bars only: span for σ of close-to-close changes in bulk volume classification (ms).' },
  },
  signals(tape: MarketTape, p: V1Params): StrategySignals {
    if (tape.kind !== 'trades') return v1Bars(tape, p);
    // The windowed imbalance and volume ratio do not depend on the thresholds. A single run
    // computes them straight into the decisions (fused, 2 bytes per trade); when the same
    // window runs again on the same tape (a sweep of imbalanceThreshold or volumeRatio),
    // they are computed once, cached, and each configuration only thresholds them.
    const wp = { windowMs: p.windowMs, volumeLookbackMs: p.volumeLookbackMs, minWindowTrades: p.minWindowTrades };
    const key = paramKey('v1-window', wp);
    if (!seenBefore(tape, key)) return v1Ticks(tape, p);
    return v1Threshold(cachedSeries(tape, key, () => v1Window(tape, p)), p);
  },
};

/**
 * Fused one-pass version of `tradeFlowImbalance` plus the volume ratio and
 * the decision, so the engine's input costs 2 bytes per trade rather than
 * three Float64 arrays. A test checks it against `tradeFlowImbalance`.
 */
function v1Ticks(tape: TradeTape, p: V1Params): StrategySignals {
  const n = tape.length;
  const entry = new Int8Array(n);
  const exit = new Uint8Array(n);
  v1TickLoop(tape.time, tape.amount, tape.side, entry, exit, p.imbalanceThreshold, p.windowMs, p.volumeLookbackMs, p.volumeRatio, p.minWindowTrades);
  return { entry, exit };
}

/**
 * The loop of `v1Ticks`, alone in a function of plain arguments. With the
 * setup (property reads, allocations) in the same function, V8 compiled it
 * before those reads had type feedback and threw the code away at the top of
 * every later call, so each run restarted in the interpreter (measured: 220–
 * 240 ms against 105–140 ms on 10 M prints, depending on how the dance went).
 */
function v1TickLoop(
  time: Float64Array,
  amount: Float64Array,
  side: Int8Array,
  entry: Int8Array,
  exit: Uint8Array,
  thr: number,
  W: number,
  L: number,
  minRatio: number,
  minCount: number,
): void {
  const n = entry.length;
  const useRatio = minRatio > 0;
  const t0 = n > 0 ? time[0] : 0;
  let tail = 0;
  let signed = 0;
  let total = 0;
  let longTail = 0;
  let longTotal = 0;
  for (let i = 0; i < n; i++) {
    const a = amount[i];
    const t = time[i];
    signed += side[i] * a;
    total += a;
    const cutoff = t - W;
    // How many prints leave the window per new print is random (about one),
    // so a plain `while` mispredicts its exit on most rows. Two branch-free
    // steps (subtracting amount × 0 or × 1: the same sums, bit for bit) take
    // the common cases; the loop after them is almost never entered.
    let adv = +(time[tail] <= cutoff);
    let b = amount[tail] * adv;
    signed -= side[tail] * b;
    total -= b;
    tail += adv;
    adv = +(time[tail] <= cutoff);
    b = amount[tail] * adv;
    signed -= side[tail] * b;
    total -= b;
    tail += adv;
    while (time[tail] <= cutoff) {
      b = amount[tail];
      signed -= side[tail] * b;
      total -= b;
      tail++;
    }
    if (useRatio) {
      longTotal += a;
      const longCut = t - L;
      adv = +(time[longTail] <= longCut);
      longTotal -= amount[longTail] * adv;
      longTail += adv;
      adv = +(time[longTail] <= longCut);
      longTotal -= amount[longTail] * adv;
      longTail += adv;
      while (time[longTail] <= longCut) longTotal -= amount[longTail++];
    }
    if (i - tail + 1 < minCount || total <= 0) continue;
    // Volume ratio is undefined until a full lookback has been seen.
    const ok = !useRatio || (t - t0 >= L && longTotal > 0 && total >= minRatio * longTotal * (W / L));
    // imbalance = signed / total; compared without dividing (total > 0).
    const bar = thr * total;
    if (signed >= bar) {
      if (ok) entry[i] = 1;
      exit[i] = 2; // buyers in control: a short's signal has reversed
    } else if (signed <= -bar) {
      if (ok) entry[i] = -1;
      exit[i] = 1;
    }
  }
}

/**
 * The threshold-independent part of V1 on ticks: imbalance (NaN where the
 * window has fewer than `minWindowTrades` prints) and the window's volume
 * over its trailing average (NaN until a full lookback has been seen).
 */
function v1Window(tape: TradeTape, p: V1Params): { imbalance: Float64Array; volumeRatio: Float64Array } {
  const n = tape.length;
  const { time, amount } = tape;
  const W = p.windowMs;
  const L = p.volumeLookbackMs;
  const { imbalance, volume, count } = tradeFlowImbalance(tape, W);
  const ratio = new Float64Array(n).fill(NaN);
  const t0 = n > 0 ? time[0] : 0;
  let longTail = 0;
  let longTotal = 0;
  for (let i = 0; i < n; i++) {
    longTotal += amount[i];
    while (time[longTail] <= time[i] - L) longTotal -= amount[longTail++];
    if (count[i] < p.minWindowTrades || !(volume[i] > 0)) imbalance[i] = NaN;
    if (time[i] - t0 >= L && longTotal > 0) ratio[i] = volume[i] / (longTotal * (W / L));
  }
  return { imbalance, volumeRatio: ratio };
}

function v1Threshold(w: { imbalance: Float64Array; volumeRatio: Float64Array }, p: V1Params): StrategySignals {
  const n = w.imbalance.length;
  const entry = new Int8Array(n);
  const exit = new Uint8Array(n);
  const thr = p.imbalanceThreshold;
  const useRatio = p.volumeRatio > 0;
  for (let i = 0; i < n; i++) {
    const imb = w.imbalance[i];
    if (imb !== imb) continue;
    const ok = !useRatio || w.volumeRatio[i] >= p.volumeRatio;
    if (imb >= thr) {
      if (ok) entry[i] = 1;
      exit[i] = 2;
    } else if (imb <= -thr) {
      if (ok) entry[i] = -1;
      exit[i] = 1;
    }
  }
  return { entry, exit };
}

/** Bars: the bulk-volume-classification imbalance of `barFlowImbalance` (src/signals/ofi.ts), thresholded. */
function v1Bars(bars: BarTape, p: V1Params): StrategySignals {
  const n = bars.length;
  const entry = new Int8Array(n);
  const exit = new Uint8Array(n);
  const r = barFlowImbalance(bars, p);
  for (let i = 0; i < n; i++) {
    const imb = r.imbalance[i];
    if (imb !== imb) continue;
    const ok = !(p.volumeRatio > 0) || r.volume[i] >= p.volumeRatio * r.longVolume[i] * (r.windowBars / r.longBars);
    if (imb >= p.imbalanceThreshold) {
      if (ok) entry[i] = 1;
      exit[i] = 2;
    } else if (imb <= -p.imbalanceThreshold) {
      if (ok) entry[i] = -1;
      exit[i] = 1;
    }
  }
  return { entry, exit };
}
