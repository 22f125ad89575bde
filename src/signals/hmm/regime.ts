/**
 * The tape adapter: regime outputs per row of a trade or bar tape (sampled log
 * returns, rolling training window, periodic refits, filtered probabilities
 * only — no look-ahead), in a pure form (`hmmRegimeSeries`) and a streaming
 * form (`HmmRegimeTrades` / `HmmRegimeBars`) that agree, plus the CLI's
 * `HMM_SIGNAL`. The model and its fitting know nothing of tapes.
 */
import type { BarTape, MarketTape, TradeTape } from '../../data/tape';
import type { ParamSpec } from '../../core/params';
import type { BarIndicator, SignalSpec, TradeIndicator } from '../signal';
import { ForwardCore, HmmFilter, validateHmm, type GaussianHmm } from './model';
import { fitHmm, type HmmFit } from './fit';

// ───────────────────────────── regimes over a tape ─────────────────────────────

/** Parameters of the regime series (`HMM_SIGNAL.params` documents each). */
export interface HmmRegimeParams {
  K: number;
  sampleMs: number;
  trainSamples: number;
  refitEvery: number;
  window: number;
  volWindow: number;
  maxIter: number;
  tol: number;
  restarts: number;
  seed: number;
  minVarianceRel: number;
}

export const HMM_PARAMS: { readonly [P in keyof HmmRegimeParams]: ParamSpec } = {
  K: { default: 3, min: 1, max: 10, integer: true, unit: 'states', doc: 'Number of hidden states (regimes); outputs p0..p{K-1}.' },
  sampleMs: {
    default: 0,
    min: 0,
    unit: 'ms',
    doc: 'Sampling interval in ms for the log returns (last price per interval). 0 = one observation per bar on bars, 1000 ms on trades. On bars, an interval shorter than the bar gives one observation per bar.',
  },
  trainSamples: { default: 2000, min: 1, integer: true, unit: 'samples', doc: 'Observations used for the first fit; outputs are NaN until that many observations are complete.' },
  refitEvery: { default: 0, min: 0, integer: true, unit: 'samples', doc: 'Refit every this many further observations on the trailing `window` (past data only); 0 = fit once.' },
  window: { default: 0, min: 0, integer: true, unit: 'samples', doc: 'Trailing observations per (re)fit; 0 = trainSamples.' },
  volWindow: {
    default: 0,
    min: 0,
    integer: true,
    unit: 'samples',
    doc: 'If ≥ 2, add a second dimension: log of the trailing RMS return over this many observations, ½·log(mean r² + 1e-16); 0 = returns only.',
  },
  maxIter: { default: 100, min: 1, integer: true, unit: 'iterations', doc: 'Maximum Baum-Welch iterations per restart.' },
  tol: { default: 1e-7, min: 0, unit: '× T log-lik', doc: 'Convergence: stop when an iteration gains less than tol × T in log-likelihood.' },
  restarts: { default: 3, min: 1, integer: true, unit: 'restarts', doc: 'Seeded EM restarts per fit; the best log-likelihood wins.' },
  seed: { default: 1, integer: true, unit: 'seed', doc: 'PRNG seed of the initialisations (deterministic).' },
  minVarianceRel: { default: 1e-3, min: 0, unit: 'fraction', doc: "Variance floor as a fraction of the fitted window's variance (per dimension)." },
};

function resolveParam(p: Partial<HmmRegimeParams>, k: keyof HmmRegimeParams): number {
  const spec = HMM_PARAMS[k];
  const v = p[k] ?? spec.default;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`hmm: parameter ${k} must be a number, got ${String(v)}`);
  if (spec.integer && !Number.isInteger(v)) throw new Error(`hmm: parameter ${k} must be an integer, got ${v}`);
  if (spec.min !== undefined && v < spec.min) throw new Error(`hmm: parameter ${k} must be ≥ ${spec.min}, got ${v}`);
  if (spec.max !== undefined && v > spec.max) throw new Error(`hmm: parameter ${k} must be ≤ ${spec.max}, got ${v}`);
  return v;
}

type ResolvedParams = HmmRegimeParams & { D: number };

function resolveParams(tape: MarketTape, p: Partial<HmmRegimeParams>): ResolvedParams {
  // One object literal in HMM_PARAMS order (so errors come in that order): every resolved set has the
  // same hidden class. Built key by key and spread, each call made a new one, and the optimised code of
  // hmmRegimeSeries, which reads it, was thrown away on every call.
  const out: ResolvedParams = {
    K: resolveParam(p, 'K'),
    sampleMs: resolveParam(p, 'sampleMs'),
    trainSamples: resolveParam(p, 'trainSamples'),
    refitEvery: resolveParam(p, 'refitEvery'),
    window: resolveParam(p, 'window'),
    volWindow: resolveParam(p, 'volWindow'),
    maxIter: resolveParam(p, 'maxIter'),
    tol: resolveParam(p, 'tol'),
    restarts: resolveParam(p, 'restarts'),
    seed: resolveParam(p, 'seed'),
    minVarianceRel: resolveParam(p, 'minVarianceRel'),
    D: 1,
  };
  if (out.sampleMs === 0) out.sampleMs = tape.kind === 'bars' ? Math.max(tape.timeframeMs, 1) : 1000;
  if (out.window === 0) out.window = out.trainSamples;
  if (out.volWindow === 1) throw new Error('hmm: parameter volWindow must be 0 or ≥ 2, got 1');
  if (out.volWindow >= 2) out.D = 2;
  return out;
}

/** Output column names for K states: state, prob, p0..p{K−1}, stateMean. */
export function hmmOutputNames(K: number): string[] {
  return ['state', 'prob', ...Array.from({ length: K }, (_, k) => `p${k}`), 'stateMean'];
}

/** One (re)fit made by the regime series. */
export interface HmmRegimeFit {
  /** Index of the last observation in the fitted window (the fit is used from this observation on). */
  obsIndex: number;
  /** Tape row at which that observation became known. */
  row: number;
  /** Number of observations fitted. */
  samples: number;
  fit: HmmFit;
}

/** Result of `hmmRegimeSeries`. All per-row arrays have the tape's length; NaN before the first fit. */
export interface HmmRegimeSeries {
  /** Argmax of the filtered probabilities (state labels ordered by mean return: 0 = lowest). */
  state: Float64Array;
  /** The largest filtered probability. */
  prob: Float64Array;
  /** probs[k][i] = P(state k | observations known at row i), filtered. */
  probs: Float64Array[];
  /** Mean log return per sample of the current state (model in force). */
  stateMean: Float64Array;
  /** The observation sequence, N×D row-major (dim 0 = log return, dim 1 = log RMS return if volWindow ≥ 2). */
  observations: Float64Array;
  /** Row at which each observation became known. */
  obsRow: Int32Array;
  fits: HmmRegimeFit[];
  D: number;
}

function fitWindow(obs: Float64Array, p: ResolvedParams, prev: GaussianHmm | undefined): HmmFit {
  return fitHmm(obs, {
    K: p.K,
    D: p.D,
    maxIter: p.maxIter,
    tol: p.tol,
    restarts: p.restarts,
    seed: p.seed,
    minVarianceRel: p.minVarianceRel,
    init: prev,
  });
}

function isFitPoint(n: number, p: HmmRegimeParams): boolean {
  const c = n + 1;
  if (c === p.trainSamples) return true;
  return p.refitEvery > 0 && c > p.trainSamples && (c - p.trainSamples) % p.refitEvery === 0;
}

const VOL_EPS = 1e-16;

/**
 * Regime series over a tape, with no look-ahead.
 *
 * Observations: prices are sampled every `sampleMs` (the last trade price,
 * or the close of the bar that reaches the interval end, per interval
 * floor(time / sampleMs)); observation = log return between consecutive
 * sampled intervals. An interval is complete — and its observation known —
 * at the bar whose end (open time + timeframe) reaches the interval end, or
 * else at the first row of a later interval (so a trade interval is known
 * only when the next interval's first trade arrives). Empty intervals (data
 * gaps) are skipped: the next return spans the gap, it is not a run of zero
 * returns. With `volWindow` ≥ 2 a second dimension ½·log(mean of the last
 * volWindow squared returns + 1e-16) is added (a log-volatility feature,
 * close to Gaussian, which separates calm and turbulent regimes better than
 * return variance alone); observations start once that window is full.
 *
 * Fitting: on the first `trainSamples` observations when the last of them
 * becomes known; optionally refitted every `refitEvery` further observations
 * on the trailing `window` (restart 0 starts from the previous model). After
 * each fit the filter is run over the fitted window from the model's π and
 * then forward one observation at a time, so row i uses rows ≤ i only.
 * States are labelled by ascending mean return (p0 = most bearish).
 */
export function hmmRegimeSeries(tape: TradeTape | BarTape, params: Partial<HmmRegimeParams> = {}): HmmRegimeSeries {
  const p = resolveParams(tape, params);
  const px = tape.kind === 'bars' ? tape.close : tape.price;
  const tf = tape.kind === 'bars' ? tape.timeframeMs : 0;
  // Each stage is its own function so V8 optimises each loop on its own feedback.
  const smp = completedIntervals(tape.time, px, tape.length, p.sampleMs, tf);
  const { obs, obsRow } = observationsOf(smp.row, smp.px, smp.count, p.D, p.volWindow);
  const { pObs, meanObs, fits } = filteredRegimes(obs, obsRow, p);
  return { ...perRow(tape.length, obsRow, pObs, meanObs, p.K), observations: obs, obsRow, fits, D: p.D };
}

/** Completed intervals: the row at which each became known, and its sampled price. */
function completedIntervals(time: Float64Array, px: Float64Array, n: number, S: number, tf: number): { row: Int32Array; px: Float64Array; count: number } {
  const sRow = new Int32Array(n);
  const sPx = new Float64Array(n);
  let ns = 0;
  let openG = NaN;
  let openPx = NaN;
  let done = true;
  for (let i = 0; i < n; i++) {
    const g = Math.floor(time[i] / S);
    if (g !== openG) {
      if (!done) {
        sRow[ns] = i;
        sPx[ns++] = openPx;
      }
      openG = g;
      done = false;
    }
    if (!done) {
      openPx = px[i];
      if (time[i] + tf >= (g + 1) * S) {
        sRow[ns] = i;
        sPx[ns++] = openPx;
        done = true;
      }
    }
  }
  return { row: sRow, px: sPx, count: ns };
}

/** Observations (N×D) from the sampled prices, and the row at which each became known. */
function observationsOf(sRow: Int32Array, sPx: Float64Array, ns: number, D: number, w: number): { obs: Float64Array; obsRow: Int32Array } {
  const m0 = D === 2 ? w : 1; // first sample index that yields an observation
  const N = Math.max(0, ns - m0);
  const obs = new Float64Array(N * D);
  const obsRow = new Int32Array(N);
  if (D === 1) {
    for (let q = 0; q < N; q++) {
      obsRow[q] = sRow[q + 1];
      obs[q] = Math.log(sPx[q + 1] / sPx[q]);
    }
    return { obs, obsRow };
  }
  const ret = new Float64Array(Math.max(ns, 1));
  for (let m = 1; m < ns; m++) ret[m] = Math.log(sPx[m] / sPx[m - 1]);
  for (let q = 0; q < N; q++) {
    const m = m0 + q;
    obsRow[q] = sRow[m];
    obs[q * D] = ret[m];
    if (D === 2) {
      let s = 0;
      for (let r = m - w + 1; r <= m; r++) s += ret[r] * ret[r];
      obs[q * D + 1] = 0.5 * Math.log(s / w + VOL_EPS);
    }
  }
  return { obs, obsRow };
}

/**
 * Fits and filtered probabilities per observation (N×K, NaN before the first
 * fit). Between fit points the filter runs as one forward pass over the
 * observations (ForwardCore.run), which gives the same numbers as an
 * HmmFilter fed one observation at a time (the streaming twin does that).
 */
function filteredRegimes(obs: Float64Array, obsRow: Int32Array, p: ResolvedParams): { pObs: Float64Array; meanObs: Float64Array; fits: HmmRegimeFit[] } {
  const { K, D, trainSamples, refitEvery, window: W } = p;
  const N = obsRow.length;
  // rows from the first fit point on are all written below; only the ones before it stay NaN
  const unfitted = Math.max(0, Math.min(N, trainSamples - 1));
  const pObs = new Float64Array(N * K).fill(NaN, 0, unfitted * K);
  const meanObs = new Float64Array(N).fill(NaN, 0, unfitted);
  const fits: HmmRegimeFit[] = [];
  const scratch = new Float64Array(Math.min(W, N) * K);
  let model: GaussianHmm | undefined;
  // fit points: observation trainSamples − 1, then every refitEvery further (isFitPoint)
  for (let q = trainSamples - 1; q < N; ) {
    const from = Math.max(0, q + 1 - W);
    const fit = fitWindow(obs.slice(from * D, (q + 1) * D), p, model);
    fits.push({ obsIndex: q, row: obsRow[q], samples: q + 1 - from, fit });
    model = fit.model;
    validateHmm(model, 'HmmFilter'); // as the streaming twin's HmmFilter does
    const core = new ForwardCore(model);
    // the filter restarts from π at the start of the fitted window
    const len = q + 1 - from;
    core.run(obs, from * D, len, null, 0, scratch, 0, null, 0, null, 0, false);
    for (let k = 0; k < K; k++) pObs[q * K + k] = scratch[(len - 1) * K + k];
    const end = refitEvery > 0 ? Math.min(N, q + refitEvery) : N;
    if (end > q + 1) core.run(obs, (q + 1) * D, end - q - 1, pObs, q * K, pObs, (q + 1) * K, null, 0, null, 0, false);
    for (let r = q; r < end; r++) meanObs[r] = model.means[argmaxRow(pObs, r * K, K) * D];
    q = end;
  }
  return { pObs, meanObs, fits };
}

/** Argmax of K probabilities at `off` (lowest index on ties), as HmmFilter.state. */
function argmaxRow(a: Float64Array, off: number, K: number): number {
  let arg = 0;
  for (let k = 1; k < K; k++) if (a[off + k] > a[off + arg]) arg = k;
  return arg;
}

/** Per row: the latest observation known at that row. */
function perRow(n: number, obsRow: Int32Array, pObs: Float64Array, meanObs: Float64Array, K: number): Pick<HmmRegimeSeries, 'state' | 'prob' | 'probs' | 'stateMean'> {
  const N = obsRow.length;
  // every element written once (NaN where no fitted observation is known yet), no fill first
  const state = new Float64Array(n);
  const prob = new Float64Array(n);
  const stateMean = new Float64Array(n);
  const probs = Array.from({ length: K }, () => new Float64Array(n));
  let q = -1;
  for (let i = 0; i < n; i++) {
    while (q + 1 < N && obsRow[q + 1] <= i) q++;
    if (q < 0 || Number.isNaN(pObs[q * K])) {
      state[i] = prob[i] = stateMean[i] = NaN;
      for (let k = 0; k < K; k++) probs[k][i] = NaN;
      continue;
    }
    const arg = argmaxRow(pObs, q * K, K);
    state[i] = arg;
    prob[i] = pObs[q * K + arg];
    for (let k = 0; k < K; k++) probs[k][i] = pObs[q * K + k];
    stateMean[i] = meanObs[q];
  }
  return { state, prob, probs, stateMean };
}

/**
 * Streaming core of the regime series: feed (time, price, end time) per row.
 * Allocation happens only at (re)fit events (the EM itself); otherwise each
 * row is O(volWindow + K² + K·D).
 */
class HmmRegimeCore {
  readonly p: ResolvedParams;
  readonly outputs: readonly string[];
  private openG = NaN;
  private openPx = NaN;
  private done = true;
  private lastSamplePx = NaN;
  private nSamples = 0;
  /** Ring of the last volWindow returns. */
  private readonly rets: Float64Array;
  private nRets = 0;
  /** Ring of the last `window` observations (D each). */
  private readonly ring: Float64Array;
  private readonly lin: Float64Array;
  private readonly cur: Float64Array;
  nObs = 0;
  filter: HmmFilter | null = null;
  fits = 0;

  constructor(tape: { kind: 'trades' } | { kind: 'bars'; timeframeMs: number }, params: Partial<HmmRegimeParams>) {
    this.p = resolveParams(tape as MarketTape, params);
    this.outputs = hmmOutputNames(this.p.K);
    this.rets = new Float64Array(Math.max(this.p.volWindow, 1));
    this.ring = new Float64Array(this.p.window * this.p.D);
    this.lin = new Float64Array(this.p.window * this.p.D);
    this.cur = new Float64Array(this.p.D);
  }

  push(time: number, price: number, endTime: number): boolean {
    const S = this.p.sampleMs;
    const g = Math.floor(time / S);
    if (g !== this.openG) {
      if (!this.done) this.sample(this.openPx);
      this.openG = g;
      this.done = false;
    }
    if (!this.done) {
      this.openPx = price;
      if (endTime >= (g + 1) * S) {
        this.sample(price);
        this.done = true;
      }
    }
    return this.filter !== null;
  }

  private sample(price: number): void {
    const prevPx = this.lastSamplePx;
    this.lastSamplePx = price;
    this.nSamples++;
    if (this.nSamples < 2) return;
    const r = Math.log(price / prevPx);
    const { D, volWindow: w } = this.p;
    this.cur[0] = r;
    if (D === 2) {
      this.rets[this.nRets % w] = r;
      this.nRets++;
      if (this.nRets < w) return;
      let s = 0;
      for (let j = 0; j < w; j++) {
        const v = this.rets[(this.nRets + j) % w]; // oldest → newest
        s += v * v;
      }
      this.cur[1] = 0.5 * Math.log(s / w + VOL_EPS);
    }
    this.observe();
  }

  private observe(): void {
    const { D, window: W } = this.p;
    const q = this.nObs;
    const slot = (q % W) * D;
    for (let d = 0; d < D; d++) this.ring[slot + d] = this.cur[d];
    this.nObs++;
    if (isFitPoint(q, this.p)) {
      const len = Math.min(W, q + 1);
      const first = q + 1 - len;
      for (let r = 0; r < len; r++) {
        const src = ((first + r) % W) * D;
        for (let d = 0; d < D; d++) this.lin[r * D + d] = this.ring[src + d];
      }
      const win = this.lin.subarray(0, len * D);
      const fit = fitWindow(win, this.p, this.filter?.model);
      this.fits++;
      this.filter = new HmmFilter(fit.model);
      for (let r = 0; r < len; r++) this.filter.update(win, r * D);
    } else if (this.filter !== null) {
      this.filter.update(this.cur, 0);
    }
  }

  value(k: number): number {
    const f = this.filter;
    if (f === null) return NaN;
    const K = this.p.K;
    if (k === 0) return f.state;
    if (k === 1) return f.maxProb;
    if (k >= 2 && k < 2 + K) return f.prob(k - 2);
    if (k === 2 + K) return f.model.means[f.state * this.p.D];
    return NaN;
  }
}

/** Streaming regime outputs over trades; agrees with `hmmRegimeSeries` on a trade tape. */
export class HmmRegimeTrades implements TradeIndicator {
  private readonly core: HmmRegimeCore;
  readonly outputs: readonly string[];
  constructor(params: Partial<HmmRegimeParams> = {}) {
    this.core = new HmmRegimeCore({ kind: 'trades' }, params);
    this.outputs = this.core.outputs;
  }
  update(time: number, price: number, _amount: number, _side: number): boolean {
    return this.core.push(time, price, time);
  }
  value(k = 0): number {
    return this.core.value(k);
  }
  /** Number of (re)fits so far. */
  get fits(): number {
    return this.core.fits;
  }
}

/** Streaming regime outputs over bars (closes); agrees with `hmmRegimeSeries` on a bar tape of the same timeframe. */
export class HmmRegimeBars implements BarIndicator {
  private readonly core: HmmRegimeCore;
  readonly outputs: readonly string[];
  constructor(
    readonly timeframeMs: number,
    params: Partial<HmmRegimeParams> = {},
  ) {
    this.core = new HmmRegimeCore({ kind: 'bars', timeframeMs }, params);
    this.outputs = this.core.outputs;
  }
  update(time: number, _open: number, _high: number, _low: number, close: number, _volume: number): boolean {
    return this.core.push(time, close, time + this.timeframeMs);
  }
  value(k = 0): number {
    return this.core.value(k);
  }
  /** Number of (re)fits so far. */
  get fits(): number {
    return this.core.fits;
  }
}

/**
 * The CLI's view: outputs `state`, `prob`, `p0`, `p1`, `p2`, `stateMean` for
 * the default K = 3 (with another K the columns are p0..p{K−1}); states are
 * labelled by ascending mean log return, so p0 is the most bearish regime.
 */
export const HMM_SIGNAL: SignalSpec = {
  name: 'hmm',
  description:
    'Gaussian HMM regimes on sampled log returns: fitted on the first trainSamples observations (optionally refitted on a trailing window), then filtered forward (no look-ahead). state = argmax filtered probability, prob = its probability, p0..p{K-1} = filtered probabilities of states labelled by ascending mean return, stateMean = that state’s mean log return per sample.',
  outputs: hmmOutputNames(3),
  params: HMM_PARAMS,
  accepts: ['trades', 'bars'],
  compute(tape: MarketTape, params: Record<string, number>): Record<string, Float64Array> {
    const r = hmmRegimeSeries(tape, params);
    const out: Record<string, Float64Array> = { state: r.state, prob: r.prob };
    r.probs.forEach((a, k) => (out[`p${k}`] = a));
    out.stateMean = r.stateMean;
    return out;
  },
};

