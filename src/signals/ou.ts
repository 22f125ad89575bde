/**
 * Ornstein-Uhlenbeck fit by exact AR(1) discretisation.
 *
 * Type: mean reversion. An OU process dX = θ(μ − X)dt + σ dW sampled every
 * Δt is exactly the AR(1) X_{k+1} = a + b X_k + ε with b = e^{−θΔt},
 * a = μ(1 − b), Var ε = σ²(1 − b²)/(2θ). An OLS fit of (a, b) on a trailing
 * window gives θ = −ln b / Δt, μ = a / (1 − b), the stationary standard
 * deviation σ_eq = sd(ε) / √(1 − b²) and half-life ln 2 / θ. The z-score of
 * the latest value is (x − μ) / σ_eq. When b ∉ (0, 1) the window is not
 * mean-reverting and every output is NaN (no trade).
 *
 * @see G. E. Uhlenbeck, L. S. Ornstein, "On the Theory of the Brownian Motion", Phys. Rev. 36, 1930;
 *      the AR(1) mapping as in statsmodels' `AutoReg(x, lags=1, trend='c')` OLS fit.
 */

export interface OuFit {
  /** Mean-reversion speed per ms. */
  theta: number;
  mu: number;
  /** Diffusion σ per √ms. */
  sigma: number;
  /** Stationary standard deviation σ_eq. */
  sigmaEq: number;
  /** ln 2 / θ, in ms. */
  halfLife: number;
  /** AR(1) coefficients. */
  a: number;
  b: number;
}

/**
 * OLS AR(1) fit of x[from..to) (at least 3 points), samples `dtMs` apart.
 * Residual variance uses n − 2 degrees of freedom (two fitted coefficients).
 *
 * @example fitOu([0, 1, 0.5, 0.75, 0.625], 1000).b // => -0.5 (not mean-reverting in OU sense → theta NaN)
 */
export function fitOu(x: ArrayLike<number>, dtMs: number, from = 0, to = x.length): OuFit {
  const m = to - from - 1; // number of (x_k, x_{k+1}) pairs
  const nan: OuFit = { theta: NaN, mu: NaN, sigma: NaN, sigmaEq: NaN, halfLife: NaN, a: NaN, b: NaN };
  if (m < 2) return nan;
  let sx = 0;
  let sy = 0;
  for (let k = from; k < to - 1; k++) {
    sx += x[k];
    sy += x[k + 1];
  }
  const mx = sx / m;
  const my = sy / m;
  let sxx = 0;
  let sxy = 0;
  for (let k = from; k < to - 1; k++) {
    const dx = x[k] - mx;
    sxx += dx * dx;
    sxy += dx * (x[k + 1] - my);
  }
  if (!(sxx > 0)) return nan;
  const b = sxy / sxx;
  const a = my - b * mx;
  let sse = 0;
  for (let k = from; k < to - 1; k++) {
    const e = x[k + 1] - a - b * x[k];
    sse += e * e;
  }
  const s2 = m > 2 ? sse / (m - 2) : NaN;
  if (!(b > 0 && b < 1)) return { ...nan, a, b };
  const theta = -Math.log(b) / dtMs;
  const sigmaEq = Math.sqrt(s2 / (1 - b * b));
  return {
    theta,
    mu: a / (1 - b),
    sigma: sigmaEq * Math.sqrt(2 * theta),
    sigmaEq,
    halfLife: Math.LN2 / theta,
    a,
    b,
  };
}

// ─── Per-row OU series (the V4 sampling) and its streaming twin ────────────

import type { MarketTape, TradeTape } from '../data/tape';
import { grownFloat64, grownInt32, runCapacity, runEnd, type RowRuns } from './row-runs';
import type { BarIndicator, SignalSpec, TradeIndicator } from './signal';

/** Parameters of {@link ouSeries} (V4's parameters of the same names). */
export interface OuSeriesParams {
  /** Trailing span of samples the fit uses (ms): cap = max(minSamples, round(lookbackMs / Δt)) samples. */
  lookbackMs: number;
  /** Ticks: sampling interval Δt (ms). Bars: ignored, Δt = the bar timeframe. */
  sampleMs: number;
  /** No fit (all NaN) with fewer samples than this; ≥ 3. */
  minSamples: number;
}

export interface OuSeries {
  /** Mean-reversion speed per MILLISECOND (multiply by 1000 for per second). */
  theta: Float64Array;
  /** Equilibrium level as a natural-log price (e^mu is the price level). */
  mu: Float64Array;
  /** Diffusion σ of log price per √ms. */
  sigma: Float64Array;
  /** ln 2 / θ in ms. */
  halfLife: Float64Array;
  /** (ln p − μ) / σ_eq: the stationary z-score of the row's price; identical to V4's `ouZScores`. */
  z: Float64Array;
}

function ouCap(p: OuSeriesParams, dt: number, who: string): number {
  if (!(Number.isInteger(p.minSamples) && p.minSamples >= 3)) throw new RangeError(`${who}: minSamples must be an integer ≥ 3, got ${p.minSamples}`);
  if (!(dt > 0)) throw new RangeError(`${who}: sampleMs must be > 0, got ${dt}`);
  if (!(p.lookbackMs > 0)) throw new RangeError(`${who}: lookbackMs must be > 0, got ${p.lookbackMs}`);
  return Math.max(p.minSamples, Math.round(p.lookbackMs / dt));
}

/**
 * Samples of log price (minus the first print's log price, to keep the
 * regression sums well-conditioned) in a flat buffer of 2·cap, compacted when
 * full, so the trailing `cap` samples are always one contiguous range that
 * `fitOu` reads in place (same values, same order as V4's ring copy).
 */
class OuSamples {
  readonly buf: Float64Array;
  len = 0;
  count = 0;
  constructor(readonly cap: number) {
    this.buf = new Float64Array(2 * cap);
  }
  push(v: number): void {
    if (this.len === this.buf.length) {
      this.buf.copyWithin(0, this.cap);
      this.len = this.cap;
    }
    this.buf[this.len++] = v;
    if (this.count < this.cap) this.count++;
  }
  fit(dt: number): OuFit {
    return fitOu(this.buf, dt, this.len - this.count, this.len);
  }
}

/**
 * Ornstein-Uhlenbeck fit per tape row, sampled exactly as V4 does.
 *
 * Ticks: log price is sampled every `sampleMs` (epoch-aligned intervals; the
 * sample is the interval's last print, carried through empty intervals). A
 * row sees the fit on the trailing `cap` COMPLETED samples (its own interval
 * is not finished) and z = (ln p_row − μ) / σ_eq with its own price.
 * Bars: each close is a sample; row i's fit includes bar i (known at the
 * close). Outputs are NaN until `minSamples` samples exist, and θ, μ, σ,
 * half-life are NaN when the window is not mean-reverting (AR coefficient
 * outside (0, 1)); z is NaN then too, and when σ_eq = 0.
 *
 * Units (as {@link fitOu}): θ per ms, σ per √ms in log-price units, half-life
 * in ms; μ is an absolute natural-log price. The refit is O(cap) per
 * completed sample (once per gap, however long), nothing per row.
 *
 * @example ouSeries(trades, { lookbackMs: 1_800_000, sampleMs: 10_000, minSamples: 30 }).z[i]
 */
export function ouSeries(tape: MarketTape, params: OuSeriesParams): OuSeries {
  const n = tape.length;
  const isBars = tape.kind === 'bars';
  // Bars write only rows with a fit; ticks write every row (their runs cover the tape).
  const alloc = () => (isBars ? new Float64Array(n).fill(NaN) : new Float64Array(n));
  const theta = alloc();
  const mu = alloc();
  const sigma = alloc();
  const halfLife = alloc();
  const z = alloc();
  const dt = isBars ? tape.timeframeMs || 1 : params.sampleMs;
  const cap = ouCap(params, dt, 'ouSeries');
  const out: OuSeries = { theta, mu, sigma, halfLife, z };
  if (n === 0) return out;
  const px = isBars ? tape.close : tape.price;
  const minS = params.minSamples;
  const ref = Math.log(px[0]);
  const s = new OuSamples(cap);
  let f: OuFit | null = null;
  const emit = (i: number, x: number) => {
    if (!f) return;
    theta[i] = f.theta;
    mu[i] = f.mu + ref;
    sigma[i] = f.sigma;
    halfLife[i] = f.halfLife;
    if (f.sigmaEq > 0) z[i] = (x - f.mu) / f.sigmaEq;
  };
  if (isBars) {
    for (let i = 0; i < n; i++) {
      const x = Math.log(px[i]) - ref;
      s.push(x);
      if (s.count >= minS) f = s.fit(dt);
      emit(i, x);
    }
    return out;
  }
  // Ticks: the streaming form's runs; per-run outputs filled, z from each row's own price.
  const runs = ouTickRuns(tape, params);
  // (No fit yet, or not mean-reverting: the run's values are NaN.)
  for (let r = 0; r < runs.length; r++) {
    const sd = runs.sigmaEq[r];
    const from = runs.row[r];
    const to = runEnd(runs, r, n);
    theta.fill(runs.theta[r], from, to);
    mu.fill(runs.mu[r], from, to);
    sigma.fill(runs.sigma[r], from, to);
    halfLife.fill(runs.halfLife[r], from, to);
    if (sd > 0) {
      const ref = runs.ref;
      const m = runs.muRel[r];
      for (let i = from; i < to; i++) z[i] = (Math.log(px[i]) - ref - m) / sd;
    } else z.fill(NaN, from, to);
  }
  return out;
}

/**
 * The OU fit on a trade tape as runs of rows (src/signals/row-runs.ts): a new
 * run starts at every row that crosses the next sampling boundary, and all
 * rows of a run see the same fit. The same samples, fits and arithmetic as
 * {@link OuIndicator} (a boundary is crossed when time ≥ (⌊t/Δ⌋ + 1)·Δ of the
 * crossing row; at most one crossing per row), so the two agree bit for bit;
 * NaN until the first fit.
 */
export interface OuTickRuns extends RowRuns {
  /** ln of the first print's price (NaN for an empty tape): samples are ln p − ref. */
  ref: number;
  theta: Float64Array;
  /** Equilibrium as an absolute ln price (μ + ref). */
  mu: Float64Array;
  sigma: Float64Array;
  halfLife: Float64Array;
  sigmaEq: Float64Array;
  /** μ relative to `ref`, as z uses it: z = (ln p − ref − muRel) / σ_eq. */
  muRel: Float64Array;
}

/**
 * A caller's reading of each run's rows, fused with the search for the run's
 * end (one pass over the tape instead of two): given the run's first row
 * `from` and its fit (`mu` as an absolute ln price and σ_eq, NaN without a
 * valid fit), it reads row `from` and the rows after it up to the first
 * with time ≥ `next`, and returns that row (the tape length if none).
 * The default reads nothing: `(from, next) => first row > from with time ≥ next`.
 */
export type OuRunReader = (from: number, next: number, mu: number, sigmaEq: number) => number;

/**
 * One comparison per trade (the crossings), then one log and one refit per
 * completed sample.
 *
 * @param read optional: a reading of each run's rows done during the scan (V4's price bands)
 * @example const r = ouTickRuns(trades, { lookbackMs: 1_800_000, sampleMs: 10_000, minSamples: 30 }); r.theta[r.length - 1]
 */
export function ouTickRuns(tape: TradeTape, params: OuSeriesParams, read?: OuRunReader): OuTickRuns {
  const dt = params.sampleMs;
  const cols = new OuRunColumns(tape, dt);
  const time = tape.time;
  const n = tape.length;
  const m = cols.scan(tape, dt, ouCap(params, dt, 'ouTickRuns'), params.minSamples, read ?? ((from, next) => nextCrossing(time, from + 1, n, next)));
  return {
    length: m,
    row: cols.row.slice(0, m),
    ref: cols.ref,
    theta: cols.theta.slice(0, m),
    mu: cols.mu.slice(0, m),
    sigma: cols.sigma.slice(0, m),
    halfLife: cols.halfLife.slice(0, m),
    sigmaEq: cols.sigmaEq.slice(0, m),
    muRel: cols.muRel.slice(0, m),
  };
}

/**
 * The per-run columns while scanning: sized for one run per sampling interval
 * the tape spans, doubled should rounding ever need more. (The scan ends its
 * function, and the columns are plain typed arrays: per-run code that had no
 * type feedback when the loop was optimised would de-optimise it.)
 */
class OuRunColumns {
  row: Int32Array;
  theta: Float64Array;
  mu: Float64Array;
  sigma: Float64Array;
  halfLife: Float64Array;
  sigmaEq: Float64Array;
  muRel: Float64Array;
  ref = NaN;
  private cap: number;

  constructor(tape: TradeTape, dt: number) {
    this.cap = runCapacity(tape.time, tape.length, dt);
    this.row = new Int32Array(this.cap);
    this.theta = new Float64Array(this.cap);
    this.mu = new Float64Array(this.cap);
    this.sigma = new Float64Array(this.cap);
    this.halfLife = new Float64Array(this.cap);
    this.sigmaEq = new Float64Array(this.cap);
    this.muRel = new Float64Array(this.cap);
  }

  /** Fills the columns (the streaming indicator's rolls, at most one per row); returns the number of runs. */
  scan(tape: TradeTape, dt: number, cap: number, minS: number, read: OuRunReader): number {
    const { time, price } = tape;
    const n = tape.length;
    const s = new OuSamples(cap);
    // The fit the open run sees (NaN until the first fit), in locals.
    let theta = NaN;
    let mu = NaN;
    let sigma = NaN;
    let halfLife = NaN;
    let sigmaEq = NaN;
    let muRel = NaN;
    let ref = NaN;
    let m = 0;
    let next = -Infinity;
    let bucket = NaN;
    let k = nextCrossing(time, 0, n, next);
    if (k > 0) {
      // rows before the first crossing (NaN times only): a run of their own, no fit
      this.put(0, 0, NaN, NaN, NaN, NaN, NaN, NaN);
      m = 1;
    }
    for (;;) {
      if (k === n) return m;
      const b = Math.floor(time[k] / dt);
      next = (b + 1) * dt;
      if (bucket !== bucket) {
        bucket = b; // first crossing
        ref = Math.log(price[k]);
        this.ref = ref; // stored here, not after the loop: code there has no type feedback when the loop is optimised
      } else if (b > bucket) {
        const last = Math.log(price[k - 1]) - ref;
        const gaps = Math.min(b - bucket, cap);
        for (let g = 0; g < gaps; g++) s.push(last);
        if (s.count >= minS) {
          const f = s.fit(dt);
          theta = f.theta;
          mu = f.mu + ref;
          sigma = f.sigma;
          halfLife = f.halfLife;
          sigmaEq = f.sigmaEq;
          muRel = f.mu;
        }
        bucket = b;
      }
      if (m === this.cap) this.grow();
      this.put(m++, k, theta, mu, sigma, halfLife, sigmaEq, muRel);
      // Row k is the run's first row whatever rounding says about the new `next`: the indicator
      // rolls at most once per print, so the search for the next crossing starts after it.
      k = read(k, next, mu, sigmaEq);
    }
  }

  private put(r: number, row: number, theta: number, mu: number, sigma: number, halfLife: number, sigmaEq: number, muRel: number): void {
    this.row[r] = row;
    this.theta[r] = theta;
    this.mu[r] = mu;
    this.sigma[r] = sigma;
    this.halfLife[r] = halfLife;
    this.sigmaEq[r] = sigmaEq;
    this.muRel[r] = muRel;
  }

  private grow(): void {
    const cap = (this.cap *= 2);
    this.row = grownInt32(this.row, cap);
    this.theta = grownFloat64(this.theta, cap);
    this.mu = grownFloat64(this.mu, cap);
    this.sigma = grownFloat64(this.sigma, cap);
    this.halfLife = grownFloat64(this.halfLife, cap);
    this.sigmaEq = grownFloat64(this.sigmaEq, cap);
    this.muRel = grownFloat64(this.muRel, cap);
  }
}

/** From row k, the first row with time ≥ next (n if none): the only per-trade work of the OU fit. */
function nextCrossing(time: Float64Array, k: number, n: number, next: number): number {
  for (; k < n; k++) if (time[k] >= next) break;
  return k;
}

/** Shared state of the two streaming OU forms. */
abstract class OuStream {
  readonly outputs = ['theta', 'mu', 'sigma', 'halfLife', 'z'] as const;
  protected readonly s: OuSamples;
  protected readonly minS: number;
  protected ref = NaN;
  protected lastPrice = NaN;
  protected fitted = false;
  protected theta = NaN;
  protected mu = NaN; // relative to ref
  protected sigma = NaN;
  protected halfLife = NaN;
  protected sdEq = NaN;
  /** Number of fits so far: a strategy recomputes anything derived from the fit when it changes. */
  fits = 0;

  protected constructor(params: OuSeriesParams, protected readonly dt: number, who: string) {
    this.s = new OuSamples(ouCap(params, dt, who));
    this.minS = params.minSamples;
  }

  protected refit(): void {
    if (this.s.count < this.minS) return;
    const f = this.s.fit(this.dt);
    this.fitted = true;
    this.fits++;
    this.theta = f.theta;
    this.mu = f.mu;
    this.sigma = f.sigma;
    this.halfLife = f.halfLife;
    this.sdEq = f.sigmaEq;
  }

  /**
   * The price at which the current fit's z-score equals `z`:
   * exp(ref + μ + z·σ_eq). z ≤ −2 ⇔ price ≤ priceAtZ(−2), so a rule on z
   * needs no logarithm per trade. NaN without a valid fit.
   */
  priceAtZ(z: number): number {
    return this.fitted && this.sdEq > 0 ? Math.exp(this.ref + this.mu + z * this.sdEq) : NaN;
  }

  /** 0 θ, 1 μ (ln price), 2 σ, 3 half-life, 4 z (computed on demand from the last price). */
  value(k = 0): number {
    if (!this.fitted) return NaN;
    switch (k) {
      case 0:
        return this.theta;
      case 1:
        return this.mu + this.ref;
      case 2:
        return this.sigma;
      case 3:
        return this.halfLife;
      case 4:
        return this.sdEq > 0 ? (Math.log(this.lastPrice) - this.ref - this.mu) / this.sdEq : NaN;
      default:
        return NaN;
    }
  }
}

/**
 * Streaming {@link ouSeries} over trades. Per trade: one comparison with the
 * next interval boundary and a store; the log and the refit happen once per
 * completed interval, z's log only when `value(4)` is read.
 */
export class OuIndicator extends OuStream implements TradeIndicator {
  private next = -Infinity;
  private bucket = NaN;

  constructor(params: OuSeriesParams) {
    super(params, params.sampleMs, 'OuIndicator');
  }

  update(time: number, price: number, _amount: number, _side: number): boolean {
    if (time >= this.next) this.roll(time, price);
    this.lastPrice = price;
    return this.fitted;
  }

  private roll(time: number, price: number): void {
    const b = Math.floor(time / this.dt);
    this.next = (b + 1) * this.dt;
    if (this.bucket !== this.bucket) {
      this.bucket = b; // first trade
      this.ref = Math.log(price);
      return;
    }
    if (!(b > this.bucket)) return;
    const last = Math.log(this.lastPrice) - this.ref;
    const gaps = Math.min(b - this.bucket, this.s.cap);
    for (let g = 0; g < gaps; g++) this.s.push(last);
    this.refit();
    this.bucket = b;
  }
}

/** Streaming {@link ouSeries} over bars (each close a sample). Needs the timeframe up front. */
export class OuBarIndicator extends OuStream implements BarIndicator {
  constructor(params: OuSeriesParams, timeframeMs: number) {
    super(params, timeframeMs || 1, 'OuBarIndicator');
  }

  update(_time: number, _open: number, _high: number, _low: number, close: number, _volume: number): boolean {
    if (this.ref !== this.ref) this.ref = Math.log(close);
    this.lastPrice = close;
    this.s.push(Math.log(close) - this.ref);
    this.refit();
    return this.fitted;
  }
}

/** `edgelab signals --signal ou`. */
export const OU_SIGNAL: SignalSpec = {
  name: 'ou',
  description:
    'Ornstein-Uhlenbeck fit of log price on a trailing window of samples (V4’s sampling): theta per ms, mu as ln price, sigma per √ms, half-life in ms, and the z-score of each row’s price.',
  outputs: ['theta', 'mu', 'sigma', 'halfLife', 'z'],
  params: {
    lookbackMs: { default: 1_800_000, min: 1, unit: 'ms', doc: 'Trailing span of samples the fit uses (ms).' },
    sampleMs: { default: 10_000, min: 1, unit: 'ms', doc: 'Ticks only: sampling interval (ms), epoch-aligned; bars use the bar.' },
    minSamples: { default: 30, min: 3, integer: true, unit: 'samples', doc: 'Fewer samples than this: no fit (NaN). The window is at least this many samples.' },
  },
  accepts: ['trades', 'bars'],
  compute(tape: MarketTape, p: Record<string, number>): Record<string, Float64Array> {
    const r = ouSeries(tape, { lookbackMs: p.lookbackMs, sampleMs: p.sampleMs, minSamples: p.minSamples });
    return { theta: r.theta, mu: r.mu, sigma: r.sigma, halfLife: r.halfLife, z: r.z };
  },
};
