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
import type { StrategySignals } from '../backtest/engine';
import { fitOu } from '../signals/ou';
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
    zEntry: { default: 2.0, min: 0, doc: 'Enter when |z| ≥ this (plan 3.1: 2.0 before, 2.5 after).' },
    zExit: { default: 0.5, min: 0, doc: 'Signal exit once |z| is back within this band (plan 3.1 Z_SCORE_EXIT 0.5).' },
    lookbackMs: { default: 1_800_000, min: 1, doc: 'Trailing span of samples the OU fit uses (ms).' },
    sampleMs: { default: 10_000, min: 1, doc: 'Ticks only: sampling interval of the fitted series (ms); bars use the bar.' },
    minSamples: { default: 30, min: 3, integer: true, doc: 'Fewer samples than this in the lookback: no fit, no signal. The window is at least this many samples.' },
  },
  signals(tape: MarketTape, p: V4Params): StrategySignals {
    return ouSignalsByPriceBands(tape, p);
  },
};

/**
 * z-score of every row against an OU fit on completed samples strictly
 * before it (ticks) or up to and including it (bars, whose close is the
 * sample). NaN where no valid fit exists.
 */
export function ouZScores(tape: MarketTape, p: Pick<V4Params, 'lookbackMs' | 'sampleMs' | 'minSamples'>): Float64Array {
  const n = tape.length;
  const z = new Float64Array(n).fill(NaN);
  if (n === 0) return z;
  const isBars = tape.kind === 'bars';
  const px = isBars ? tape.close : tape.price;
  const dt = isBars ? tape.timeframeMs || 1 : p.sampleMs;
  const cap = Math.max(p.minSamples, Math.round(p.lookbackMs / dt));
  // Ring of the last `cap` samples (log price relative to the first print, to keep sums well-conditioned).
  const ring = new Float64Array(cap);
  const lin = new Float64Array(cap);
  let count = 0;
  let head = 0;
  const ref = Math.log(px[0]);
  let mu = NaN;
  let sdEq = NaN;
  const refit = () => {
    for (let k = 0; k < count; k++) lin[k] = ring[(head - count + k + cap) % cap];
    const f = fitOu(lin, dt, 0, count);
    mu = f.mu;
    sdEq = f.sigmaEq;
  };
  const push = (v: number) => {
    ring[head] = v;
    head = (head + 1) % cap;
    if (count < cap) count++;
    if (count >= p.minSamples) refit();
  };
  if (isBars) {
    for (let i = 0; i < n; i++) {
      const x = Math.log(px[i]) - ref;
      push(x);
      if (count >= p.minSamples && sdEq > 0) z[i] = (x - mu) / sdEq;
    }
    return z;
  }
  const time = tape.time;
  let bucket = Math.floor(time[0] / dt);
  let last = Math.log(px[0]) - ref;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(time[i] / dt);
    if (b > bucket) {
      // Close the finished interval(s); empty intervals carry the last price forward.
      const gaps = Math.min(b - bucket, cap);
      for (let g = 0; g < gaps; g++) push(last);
      bucket = b;
    }
    last = Math.log(px[i]) - ref;
    if (count >= p.minSamples && sdEq > 0) z[i] = (last - mu) / sdEq;
  }
  return z;
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
 * logarithm per trade: z ≤ −zEntry ⇔ price ≤ exp(ref + μ − zEntry·σ_eq), so
 * the four z thresholds become price bands computed once per fitted sample,
 * and each trade is only compared with them. A test checks both paths agree.
 */
export function ouSignalsByPriceBands(tape: MarketTape, p: V4Params): StrategySignals {
  const n = tape.length;
  const entry = new Int8Array(n);
  const exit = new Uint8Array(n);
  if (n === 0) return { entry, exit };
  const isBars = tape.kind === 'bars';
  if (isBars) return ouSignalsFromZ(ouZScores(tape, p), p); // one row per sample: no saving to make
  const px = tape.price;
  const time = tape.time;
  const dt = p.sampleMs;
  const cap = Math.max(p.minSamples, Math.round(p.lookbackMs / dt));
  const ring = new Float64Array(cap);
  const lin = new Float64Array(cap);
  let count = 0;
  let head = 0;
  const ref = Math.log(px[0]);
  // price bands of the current fit (NaN = no valid fit: every comparison is false)
  let longIn = NaN;
  let shortIn = NaN;
  let longOut = NaN;
  let shortOut = NaN;
  const push = (v: number) => {
    ring[head] = v;
    head = (head + 1) % cap;
    if (count < cap) count++;
    if (count < p.minSamples) return;
    for (let k = 0; k < count; k++) lin[k] = ring[(head - count + k + cap) % cap];
    const f = fitOu(lin, dt, 0, count);
    if (f.sigmaEq > 0) {
      longIn = Math.exp(ref + f.mu - p.zEntry * f.sigmaEq);
      shortIn = Math.exp(ref + f.mu + p.zEntry * f.sigmaEq);
      longOut = Math.exp(ref + f.mu - p.zExit * f.sigmaEq);
      shortOut = Math.exp(ref + f.mu + p.zExit * f.sigmaEq);
    } else longIn = shortIn = longOut = shortOut = NaN;
  };
  let bucket = Math.floor(time[0] / dt);
  let nextEdge = (bucket + 1) * dt;
  let last = px[0];
  for (let i = 0; i < n; i++) {
    const t = time[i];
    if (t >= nextEdge) {
      const b = Math.floor(t / dt);
      const gaps = Math.min(b - bucket, cap);
      const x = Math.log(last) - ref;
      for (let g = 0; g < gaps; g++) push(x);
      bucket = b;
      nextEdge = (b + 1) * dt;
    }
    const q = px[i];
    last = q;
    if (longIn !== longIn) continue;
    if (q <= longIn) entry[i] = 1;
    else if (q >= shortIn) entry[i] = -1;
    exit[i] = (q >= longOut ? 1 : 0) | (q <= shortOut ? 2 : 0);
  }
  return { entry, exit };
}
