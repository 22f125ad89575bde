/**
 * V4 — Ornstein-Uhlenbeck mean reversion.
 *
 * Samples log price every `sampleMs` (last print of each interval; on bars,
 * each bar's close), fits an OU process by exact AR(1) OLS on the trailing
 * `lookbackMs` of COMPLETED samples only, and scores each print by
 * z = (ln p − μ) / σ_eq. Long when z ≤ −zEntry, short when z ≥ zEntry (plan
 * 3.1: 2.0 before, 2.5 after). The signal exit closes a long once z ≥ −zExit
 * and a short once z ≤ zExit ("don't wait for full reversion", zExit 0.5).
 * Windows that are not mean-reverting (AR coefficient outside (0, 1)) give
 * no signal.
 */
import type { MarketTape } from '../data/tape';
import type { StrategySignals } from '../core/signals';
import { ouSeries, ouTickRuns } from '../signals/ou';
import type { Strategy } from './strategy';

export interface V4Params extends Record<string, number> {
  zEntry: number;
  zExit: number;
  lookbackMs: number;
  sampleMs: number;
  minSamples: number;
}

export const V4_OU: Strategy<V4Params> = {
  id: 'V4',
  name: 'Ornstein-Uhlenbeck mean reversion',
  type: 'mean_reversion',
  description: 'Fades stretched prices: fits an OU process to recent log prices and trades the z-score back toward its mean.',
  params: {
    zEntry: { default: 2.0, min: 0, unit: 'σ', doc: 'Enter when |z| ≥ this (plan 3.1: 2.0 before, 2.5 after).' },
    zExit: { default: 0.5, min: 0, unit: 'σ', doc: 'Signal exit once |z| is back within this band (plan 3.1 Z_SCORE_EXIT 0.5).' },
    lookbackMs: { default: 1_800_000, min: 1, series: true, unit: 'ms', doc: 'Trailing span of samples the OU fit uses (ms).' },
    sampleMs: { default: 10_000, min: 1, series: true, unit: 'ms', doc: 'Ticks only: sampling interval of the fitted series (ms); bars use the bar.' },
    minSamples: { default: 30, min: 3, integer: true, series: true, unit: 'samples', doc: 'Fewer samples than this in the lookback: no fit, no signal. The window is at least this many samples.' },
  },
  signals(tape: MarketTape, p: V4Params): StrategySignals {
    return ouSignalsByPriceBands(tape, p);
  },
};

/**
 * z-score of every row against the OU fit on completed samples (ticks: the
 * interval a row is in is not finished; bars: the bar's own close is a
 * sample). NaN where no valid fit exists. The same numbers as `ouSeries`.
 */
export function ouZScores(tape: MarketTape, p: Pick<V4Params, 'lookbackMs' | 'sampleMs' | 'minSamples'>): Float64Array {
  return ouSeries(tape, p).z;
}

export function ouSignalsFromZ(z: Float64Array, p: Pick<V4Params, 'zEntry' | 'zExit'>): StrategySignals {
  const n = z.length;
  const entry = new Int8Array(n);
  const exit = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = z[i];
    if (v !== v) continue; // NaN: no fit
    if (v <= -p.zEntry) entry[i] = 1;
    else if (v >= p.zEntry) entry[i] = -1;
    let e = 0;
    if (v >= -p.zExit) e |= 1; // a long has reverted
    if (v <= p.zExit) e |= 2; // a short has reverted
    exit[i] = e;
  }
  return { entry, exit };
}

/**
 * The same decisions as `ouSignalsFromZ(ouZScores(tape, p), p)`, without a
 * logarithm per trade: z ≤ −zEntry ⇔ price ≤ exp(μ − zEntry·σ_eq), so the
 * four z thresholds become price bands computed once per run of rows that
 * shares a fit (`ouTickRuns`: the streaming `OuIndicator`'s fits, and its
 * `priceAtZ` expression), and each trade is only compared with them, in the
 * same pass that finds the runs. A test checks both paths agree, and another
 * checks every decision against the streaming indicator.
 */
export function ouSignalsByPriceBands(tape: MarketTape, p: V4Params): StrategySignals {
  if (tape.kind === 'bars') return ouSignalsFromZ(ouZScores(tape, p), p); // one row per sample: nothing to save
  const n = tape.length;
  const entry = new Int8Array(n);
  const exit = new Uint8Array(n);
  const { time, price } = tape;
  ouTickRuns(tape, p, (from, next, mu, sd) => {
    // priceAtZ is NaN without a valid fit (σ_eq ≤ 0 or NaN): no decisions on this run's rows.
    const longIn = sd > 0 ? Math.exp(mu + -p.zEntry * sd) : NaN;
    if (longIn !== longIn) return crossingAfter(time, from, n, next);
    return bandDecisions(time, price, from, n, next, longIn, Math.exp(mu + p.zEntry * sd), Math.exp(mu + -p.zExit * sd), Math.exp(mu + p.zExit * sd), entry, exit);
  });
  return { entry, exit };
}

/**
 * Row `from` and the rows after it before the first with time ≥ next (returned; n if none),
 * against one fit's bands. Entries are rare, so their branch predicts well; the exit flags
 * flip with every crossing of a band and are formed without a branch. (A function of its own:
 * V8 compiles the small loop tighter than inlined in the per-run code.)
 */
function bandDecisions(
  time: Float64Array,
  price: Float64Array,
  from: number,
  n: number,
  next: number,
  longIn: number,
  shortIn: number,
  longOut: number,
  shortOut: number,
  entry: Int8Array,
  exit: Uint8Array,
): number {
  let i = from;
  for (;;) {
    const q = price[i];
    if (q <= longIn) entry[i] = 1;
    else if (q >= shortIn) entry[i] = -1;
    exit[i] = +(q >= longOut) | (+(q <= shortOut) << 1);
    if (++i === n || time[i] >= next) return i;
  }
}

/** The first row after `from` with time ≥ next (n if none). */
function crossingAfter(time: Float64Array, from: number, n: number, next: number): number {
  let i = from + 1;
  for (; i < n; i++) if (time[i] >= next) break;
  return i;
}
