/**
 * Gaussian hidden Markov model (HMM) with diagonal-covariance emissions.
 *
 * Type: regime. A hidden state s_t ∈ {0..K−1} follows a Markov chain
 * (`startProb` π, row-major `transMat` A with A[i·K + j] = P(s_{t+1} = j | s_t = i));
 * given the state, the D-dimensional observation x_t is Gaussian with
 * independent components: x_{t,d} ~ N(means[k·D + d], variances[k·D + d]).
 * On log returns the states are market regimes (calm drift, volatile sell-off, …).
 *
 * - Fitting: Baum-Welch (EM) with per-step scaling, a variance floor, a
 *   log-likelihood tolerance, several deterministic seeded restarts (own PRNG,
 *   never `Math.random`), keeping the best log-likelihood. After fitting the
 *   states are LABELLED BY MEAN: state 0 has the smallest mean of dimension 0,
 *   so runs and refits are comparable.
 * - Inference: `hmmViterbi` (log space), `hmmLogLikelihood`, `hmmFiltered`
 *   (forward pass only: P(s_t | x_1..x_t), the only probabilities a trading
 *   rule may use) and `hmmSmoothed` (forward-backward: P(s_t | x_1..x_T) — it
 *   looks at the FUTURE, so it is for plots and diagnostics only).
 * - Streaming: `HmmFilter` updates the filtered probabilities one observation
 *   at a time, O(K² + K·D) and no allocation per update.
 * - Over a tape: `hmmRegimeSeries` (pure) and `HmmRegimeTrades` /
 *   `HmmRegimeBars` (streaming) give per-row regime outputs with no
 *   look-ahead; `HMM_SIGNAL` is the CLI's view.
 *
 * Observations are passed as one flat array, T×D row-major: x[t·D + d].
 *
 * Scaling: the forward pass keeps α̂_t = P(s_t | x_1..x_t) normalised and
 * accumulates log c_t; emissions are exponentiated relative to their
 * per-step maximum over reachable states, so an outlier that underflows every
 * density cannot produce 0/0.
 *
 * @see L. R. Rabiner, "A Tutorial on Hidden Markov Models and Selected Applications in Speech Recognition",
 *      Proc. IEEE 77(2), 1989 (forward-backward with scaling §V.A, Viterbi §III.B, re-estimation §III.C);
 *      J. D. Hamilton, "A New Approach to the Economic Analysis of Nonstationary Time Series and the Business
 *      Cycle", Econometrica 57(2), 1989 (the filtered regime probabilities).
 */
import type { BarTape, MarketTape, TradeTape } from '../data/tape';
import type { ParamSpec } from '../core/params';
import type { BarIndicator, SignalSpec, TradeIndicator } from './signal';

const LOG_2PI = Math.log(2 * Math.PI);

// ───────────────────────────── model ─────────────────────────────

/** A Gaussian HMM with K states and D-dimensional diagonal-covariance emissions. */
export interface GaussianHmm {
  /** Number of hidden states. */
  readonly K: number;
  /** Observation dimension. */
  readonly D: number;
  /** π, length K. */
  readonly startProb: Float64Array;
  /** A, K×K row-major: transMat[i·K + j] = P(s_{t+1} = j | s_t = i). Rows sum to 1. */
  readonly transMat: Float64Array;
  /** K×D row-major: means[k·D + d]. */
  readonly means: Float64Array;
  /** K×D row-major, all > 0. */
  readonly variances: Float64Array;
}

type Matrixish = ArrayLike<number> | readonly ArrayLike<number>[];

function flatten(v: Matrixish, name: string, expected: number): Float64Array {
  const out = new Float64Array(expected);
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const e = (v as ArrayLike<number | ArrayLike<number>>)[i];
    if (typeof e === 'number') {
      if (n < expected) out[n] = e;
      n++;
    } else {
      for (let j = 0; j < e.length; j++) {
        if (n < expected) out[n] = e[j];
        n++;
      }
    }
  }
  if (n !== expected) throw new Error(`makeHmm: ${name} has ${n} numbers, expected ${expected}`);
  return out;
}

/**
 * Build and validate a model from plain or nested arrays. K is the length of
 * `startProb`; D is the row length of a nested `means` (else `D`, default 1).
 * Probabilities must be ≥ 0 and sum to 1 (within 1e-6) per row; variances > 0.
 *
 * @example makeHmm({ startProb: [0.5, 0.5], transMat: [[0.9, 0.1], [0.2, 0.8]], means: [0, 2], variances: [1, 1] })
 * @throws Error naming the offending field.
 */
export function makeHmm(p: { startProb: ArrayLike<number>; transMat: Matrixish; means: Matrixish; variances: Matrixish; D?: number }): GaussianHmm {
  const K = p.startProb.length;
  if (K < 1) throw new Error('makeHmm: startProb must have at least one state');
  const first = p.means[0] as number | ArrayLike<number>;
  const D = typeof first === 'number' ? (p.D ?? 1) : first.length;
  if (!(Number.isInteger(D) && D >= 1)) throw new Error(`makeHmm: dimension D must be a positive integer, got ${D}`);
  const m: GaussianHmm = {
    K,
    D,
    startProb: flatten(p.startProb, 'startProb', K),
    transMat: flatten(p.transMat, 'transMat', K * K),
    means: flatten(p.means, 'means', K * D),
    variances: flatten(p.variances, 'variances', K * D),
  };
  validateHmm(m, 'makeHmm');
  return m;
}

function validateHmm(m: GaussianHmm, who: string): void {
  const { K, D } = m;
  const checkRow = (a: Float64Array, off: number, name: string) => {
    let s = 0;
    for (let j = 0; j < K; j++) {
      const v = a[off + j];
      if (!(v >= 0 && v <= 1)) throw new Error(`${who}: ${name}[${j}] = ${v} is not a probability`);
      s += v;
    }
    if (Math.abs(s - 1) > 1e-6) throw new Error(`${who}: ${name} sums to ${s}, not 1`);
  };
  if (m.startProb.length !== K || m.transMat.length !== K * K || m.means.length !== K * D || m.variances.length !== K * D) {
    throw new Error(`${who}: array sizes do not match K = ${K}, D = ${D}`);
  }
  checkRow(m.startProb, 0, 'startProb');
  for (let i = 0; i < K; i++) checkRow(m.transMat, i * K, `transMat row ${i}`);
  for (let i = 0; i < K * D; i++) {
    if (!Number.isFinite(m.means[i])) throw new Error(`${who}: means[${i}] = ${m.means[i]} is not finite`);
    if (!(m.variances[i] > 0 && Number.isFinite(m.variances[i]))) throw new Error(`${who}: variances[${i}] = ${m.variances[i]} must be > 0`);
  }
}

function cloneHmm(m: GaussianHmm): GaussianHmm {
  return {
    K: m.K,
    D: m.D,
    startProb: Float64Array.from(m.startProb),
    transMat: Float64Array.from(m.transMat),
    means: Float64Array.from(m.means),
    variances: Float64Array.from(m.variances),
  };
}

/**
 * Relabel states so that means of dimension 0 ascend (ties keep the old
 * order). Permutes π, both indices of A, means and variances; the likelihood
 * is unchanged. Returns a new model.
 */
export function labelStatesByMean(m: GaussianHmm): GaussianHmm {
  const { K, D } = m;
  const order = Array.from({ length: K }, (_, k) => k).sort((a, b) => m.means[a * D] - m.means[b * D] || a - b);
  const out: GaussianHmm = {
    K,
    D,
    startProb: new Float64Array(K),
    transMat: new Float64Array(K * K),
    means: new Float64Array(K * D),
    variances: new Float64Array(K * D),
  };
  for (let a = 0; a < K; a++) {
    const oa = order[a];
    out.startProb[a] = m.startProb[oa];
    for (let b = 0; b < K; b++) out.transMat[a * K + b] = m.transMat[oa * K + order[b]];
    for (let d = 0; d < D; d++) {
      out.means[a * D + d] = m.means[oa * D + d];
      out.variances[a * D + d] = m.variances[oa * D + d];
    }
  }
  return out;
}

function checkObs(m: { D: number }, x: ArrayLike<number>, who: string): number {
  if (x.length % m.D !== 0) throw new Error(`${who}: ${x.length} numbers is not a whole number of ${m.D}-dimensional observations`);
  return x.length / m.D;
}

// ───────────────────────────── forward core ─────────────────────────────

/**
 * Precomputed emission constants and scratch for one model. `step` is the one
 * forward recursion used by every forward pass here (batch, Baum-Welch,
 * streaming), so all of them give the same numbers.
 */
class ForwardCore {
  readonly K: number;
  readonly D: number;
  readonly pi: Float64Array;
  readonly A: Float64Array;
  readonly mu: Float64Array;
  /** −½ Σ_d log(2π σ²_kd). */
  readonly logNorm: Float64Array;
  /** 1 / (2σ²_kd). */
  readonly halfInv: Float64Array;
  private readonly pred: Float64Array;
  private readonly logb: Float64Array;
  /** Scaled normaliser c̃_t of the last step (Σ_k pred_k · b̃_k). */
  lastC = 0;

  constructor(m: GaussianHmm) {
    const { K, D } = m;
    this.K = K;
    this.D = D;
    this.pi = m.startProb;
    this.A = m.transMat;
    this.mu = m.means;
    this.logNorm = new Float64Array(K);
    this.halfInv = new Float64Array(K * D);
    this.pred = new Float64Array(K);
    this.logb = new Float64Array(K);
    this.refresh(m);
  }

  /** Recompute emission constants after the model's arrays changed in place. */
  refresh(m: GaussianHmm): void {
    const { K, D } = this;
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let d = 0; d < D; d++) {
        const v = m.variances[k * D + d];
        s += LOG_2PI + Math.log(v);
        this.halfInv[k * D + d] = 0.5 / v;
      }
      this.logNorm[k] = -0.5 * s;
    }
  }

  /**
   * α̂_t from α̂_{t−1} (`prev` at `prevOff`, or null for t = 0) and x_t (at
   * `xOff`); writes α̂_t to `out` at `outOff` and, if `bOut`, the scaled
   * emissions b̃_t(k) = exp(log b_k(x_t) − m_t) (0 for unreachable states) at
   * `bOff`. Returns log p(x_t | x_1..x_{t−1}) = log c̃_t + m_t. A non-finite
   * observation is treated as missing: α̂_t = prediction, returns 0.
   */
  step(
    x: ArrayLike<number>,
    xOff: number,
    prev: Float64Array | null,
    prevOff: number,
    out: Float64Array,
    outOff: number,
    bOut: Float64Array | null,
    bOff: number,
  ): number {
    const { K, D, A, mu, logNorm, halfInv, pred, logb } = this;
    if (prev === null) {
      for (let j = 0; j < K; j++) pred[j] = this.pi[j];
    } else {
      for (let j = 0; j < K; j++) pred[j] = 0;
      for (let i = 0; i < K; i++) {
        const a = prev[prevOff + i];
        if (a === 0) continue;
        const row = i * K;
        for (let j = 0; j < K; j++) pred[j] += a * A[row + j];
      }
    }
    let mx = -Infinity;
    for (let k = 0; k < K; k++) {
      let s = logNorm[k];
      const kd = k * D;
      for (let d = 0; d < D; d++) {
        const z = x[xOff + d] - mu[kd + d];
        s -= z * z * halfInv[kd + d];
      }
      logb[k] = s;
      if (pred[k] > 0 && s > mx) mx = s;
    }
    if (!(mx > -Infinity)) {
      // missing observation (NaN): no information, the filter just predicts
      let c = 0;
      for (let k = 0; k < K; k++) c += pred[k];
      for (let k = 0; k < K; k++) {
        out[outOff + k] = pred[k] / c;
        if (bOut !== null) bOut[bOff + k] = 1;
      }
      this.lastC = 1;
      return 0;
    }
    let c = 0;
    for (let k = 0; k < K; k++) {
      const b = pred[k] > 0 ? Math.exp(logb[k] - mx) : 0;
      if (bOut !== null) bOut[bOff + k] = b;
      const a = pred[k] * b;
      out[outOff + k] = a;
      c += a;
    }
    const inv = 1 / c;
    for (let k = 0; k < K; k++) out[outOff + k] *= inv;
    this.lastC = c;
    return Math.log(c) + mx;
  }
}

// ───────────────────────────── inference ─────────────────────────────

/**
 * Forward pass: filtered probabilities α̂ (T×K row-major, α̂[t·K + k] =
 * P(s_t = k | x_1..x_t)) and the log-likelihood log p(x_1..x_T).
 * Causal: row t uses observations ≤ t only.
 */
export function hmmForward(m: GaussianHmm, x: ArrayLike<number>): { filtered: Float64Array; logLik: number } {
  const T = checkObs(m, x, 'hmmForward');
  const K = m.K;
  const filtered = new Float64Array(T * K);
  const core = new ForwardCore(m);
  let ll = 0;
  for (let t = 0; t < T; t++) {
    ll += core.step(x, t * m.D, t === 0 ? null : filtered, (t - 1) * K, filtered, t * K, null, 0);
  }
  return { filtered, logLik: ll };
}

/** Filtered state probabilities P(s_t = k | x_1..x_t), T×K row-major. The only ones a trading rule may use. */
export function hmmFiltered(m: GaussianHmm, x: ArrayLike<number>): Float64Array {
  return hmmForward(m, x).filtered;
}

/** log p(x_1..x_T | model) by the scaled forward pass (0 for T = 0). */
export function hmmLogLikelihood(m: GaussianHmm, x: ArrayLike<number>): number {
  return hmmForward(m, x).logLik;
}

/**
 * Smoothed state probabilities P(s_t = k | x_1..x_T) (forward-backward),
 * T×K row-major. Row t uses observations AFTER t: FOR PLOTS AND DIAGNOSTICS
 * ONLY, never for a trading decision (that would be look-ahead).
 */
export function hmmSmoothed(m: GaussianHmm, x: ArrayLike<number>): Float64Array {
  const T = checkObs(m, x, 'hmmSmoothed');
  const { K } = m;
  const alpha = new Float64Array(T * K);
  const B = new Float64Array(T * K);
  const c = new Float64Array(T);
  const core = new ForwardCore(m);
  for (let t = 0; t < T; t++) {
    core.step(x, t * m.D, t === 0 ? null : alpha, (t - 1) * K, alpha, t * K, B, t * K);
    c[t] = core.lastC;
  }
  const gamma = new Float64Array(T * K);
  const beta = new Float64Array(K).fill(1);
  const w = new Float64Array(K);
  for (let t = T - 1; t >= 0; t--) {
    let s = 0;
    for (let k = 0; k < K; k++) s += gamma[t * K + k] = alpha[t * K + k] * beta[k];
    for (let k = 0; k < K; k++) gamma[t * K + k] /= s;
    if (t > 0) {
      for (let j = 0; j < K; j++) w[j] = (B[t * K + j] * beta[j]) / c[t];
      for (let i = 0; i < K; i++) {
        let b = 0;
        for (let j = 0; j < K; j++) b += m.transMat[i * K + j] * w[j];
        beta[i] = b;
      }
    }
  }
  return gamma;
}

/**
 * Most likely state path (Viterbi, log space) and its log joint probability
 * log p(x, path). Ties go to the lower state index.
 */
export function hmmViterbi(m: GaussianHmm, x: ArrayLike<number>): { path: Int32Array; logProb: number } {
  const T = checkObs(m, x, 'hmmViterbi');
  const { K, D } = m;
  const path = new Int32Array(T);
  if (T === 0) return { path, logProb: 0 };
  const core = new ForwardCore(m);
  const logA = m.transMat.map(Math.log);
  const back = new Int32Array(T * K);
  let delta = new Float64Array(K);
  let next = new Float64Array(K);
  const logb = (t: number, k: number) => {
    let s = core.logNorm[k];
    for (let d = 0; d < D; d++) {
      const z = x[t * D + d] - m.means[k * D + d];
      s -= z * z * core.halfInv[k * D + d];
    }
    return s;
  };
  for (let k = 0; k < K; k++) delta[k] = Math.log(m.startProb[k]) + logb(0, k);
  for (let t = 1; t < T; t++) {
    for (let j = 0; j < K; j++) {
      let best = -Infinity;
      let arg = 0;
      for (let i = 0; i < K; i++) {
        const v = delta[i] + logA[i * K + j];
        if (v > best) {
          best = v;
          arg = i;
        }
      }
      next[j] = best + logb(t, j);
      back[t * K + j] = arg;
    }
    const tmp = delta;
    delta = next;
    next = tmp;
  }
  let best = -Infinity;
  let arg = 0;
  for (let k = 0; k < K; k++) {
    if (delta[k] > best) {
      best = delta[k];
      arg = k;
    }
  }
  path[T - 1] = arg;
  for (let t = T - 1; t > 0; t--) path[t - 1] = back[t * K + path[t]];
  return { path, logProb: best };
}

// ───────────────────────────── streaming filter ─────────────────────────────

/**
 * Streaming filtered state probabilities for a fixed fitted model.
 * `update(x)` costs O(K² + K·D) and allocates nothing; after T updates the
 * probabilities equal row T−1 of `hmmFiltered(model, x)`.
 *
 * @example const f = new HmmFilter(fit.model); for (const r of returns) f.update(r); f.state // most likely regime now
 */
export class HmmFilter {
  readonly model: GaussianHmm;
  readonly K: number;
  readonly D: number;
  private readonly core: ForwardCore;
  private alpha: Float64Array;
  private scratch: Float64Array;
  private readonly one = new Float64Array(1);
  /** Observations consumed. */
  count = 0;
  /** log p(x_1..x_count). */
  logLik = 0;

  constructor(model: GaussianHmm) {
    validateHmm(model, 'HmmFilter');
    this.model = cloneHmm(model);
    this.K = model.K;
    this.D = model.D;
    this.core = new ForwardCore(this.model);
    this.alpha = new Float64Array(this.K).fill(NaN);
    this.scratch = new Float64Array(this.K);
  }

  /**
   * Consume one observation: a number when D = 1, else D numbers of `x`
   * starting at `offset`. Returns log p(x_t | x_1..x_{t−1}). A non-finite
   * observation counts as missing (the probabilities just step the chain).
   */
  update(x: number | ArrayLike<number>, offset = 0): number {
    let arr: ArrayLike<number>;
    if (typeof x === 'number') {
      if (this.D !== 1) throw new Error(`HmmFilter.update: the model is ${this.D}-dimensional; pass an array`);
      this.one[0] = x;
      arr = this.one;
      offset = 0;
    } else arr = x;
    const l = this.core.step(arr, offset, this.count === 0 ? null : this.alpha, 0, this.scratch, 0, null, 0);
    const t = this.alpha;
    this.alpha = this.scratch;
    this.scratch = t;
    this.count++;
    this.logLik += l;
    return l;
  }

  /** P(s_t = k | x_1..x_t); NaN before the first update. */
  prob(k: number): number {
    return this.alpha[k];
  }

  /** Live view of the K filtered probabilities (do not mutate; changes on the next update). */
  get probs(): Float64Array {
    return this.alpha;
  }

  /** Argmax of the filtered probabilities (lowest index on ties); −1 before the first update. */
  get state(): number {
    if (this.count === 0) return -1;
    let arg = 0;
    for (let k = 1; k < this.K; k++) if (this.alpha[k] > this.alpha[arg]) arg = k;
    return arg;
  }

  /** The largest filtered probability; NaN before the first update. */
  get maxProb(): number {
    return this.count === 0 ? NaN : this.alpha[this.state];
  }

  /** Forget all observations. */
  reset(): void {
    this.alpha.fill(NaN);
    this.count = 0;
    this.logLik = 0;
  }
}

// ───────────────────────────── fitting ─────────────────────────────

/** Small deterministic PRNG (mulberry32): uniform [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalPair(rand: () => number): number {
  // Box-Muller; u1 in (0, 1]
  const u1 = 1 - rand();
  const u2 = rand();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function drawIndex(p: Float64Array, off: number, K: number, u: number): number {
  let acc = 0;
  for (let k = 0; k < K - 1; k++) {
    acc += p[off + k];
    if (u < acc) return k;
  }
  return K - 1;
}

/**
 * Draw a path and observations from the model with a seeded PRNG
 * (mulberry32 + Box-Muller). For tests and simulation studies.
 */
export function sampleHmm(m: GaussianHmm, T: number, seed = 1): { x: Float64Array; states: Int32Array } {
  const { K, D } = m;
  const rand = mulberry32(seed);
  const x = new Float64Array(T * D);
  const states = new Int32Array(T);
  let s = 0;
  for (let t = 0; t < T; t++) {
    s = t === 0 ? drawIndex(m.startProb, 0, K, rand()) : drawIndex(m.transMat, s * K, K, rand());
    states[t] = s;
    for (let d = 0; d < D; d++) x[t * D + d] = m.means[s * D + d] + Math.sqrt(m.variances[s * D + d]) * normalPair(rand);
  }
  return { x, states };
}

/** Options of `baumWelch` and `fitHmm`. */
export interface BaumWelchOptions {
  /** Maximum number of EM updates. Default 100. */
  maxIter?: number;
  /** Stop when one EM update gains less than `tol` × T in total log-likelihood (i.e. per observation). Default 1e-7; ≤ 0 = always run `maxIter` updates. */
  tol?: number;
  /** Absolute variance floor, every dimension. Default 1e-12. */
  minVariance?: number;
  /** Variance floor relative to the data's variance of each dimension. Default 1e-3. The floor is the larger of the two. */
  minVarianceRel?: number;
}

/** Options of `fitHmm`. */
export interface HmmFitOptions extends BaumWelchOptions {
  /** Number of states (≥ 1). */
  K: number;
  /** Observation dimension (x holds T×D numbers). Default 1. */
  D?: number;
  /** Independent EM runs; the best final log-likelihood wins. Default 3. */
  restarts?: number;
  /** PRNG seed for the initialisations. Default 1. */
  seed?: number;
  /** Starting point of restart 0 instead of the quantile initialisation (e.g. the previous fit when refitting). */
  init?: GaussianHmm;
}

/** Result of an EM run. */
export interface HmmFit {
  model: GaussianHmm;
  /** log p(x | model) of the returned model. */
  logLik: number;
  /** EM updates applied. */
  iterations: number;
  converged: boolean;
  /** log-likelihood of each parameter set visited by the returned run, in order; non-decreasing (EM). Last = logLik. */
  logLikHistory: Float64Array;
  /** Final log-likelihood of every restart (fitHmm), or [logLik]. */
  restartLogLiks: Float64Array;
  /** Index of the winning restart. */
  bestRestart: number;
}

function dataStats(x: ArrayLike<number>, T: number, D: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(D);
  const variance = new Float64Array(D);
  for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) mean[d] += x[t * D + d];
  for (let d = 0; d < D; d++) mean[d] /= Math.max(T, 1);
  for (let t = 0; t < T; t++) {
    for (let d = 0; d < D; d++) {
      const z = x[t * D + d] - mean[d];
      variance[d] += z * z;
    }
  }
  for (let d = 0; d < D; d++) variance[d] /= Math.max(T, 1);
  return { mean, variance };
}

function varianceFloor(variance: Float64Array, o: BaumWelchOptions): Float64Array {
  const abs = o.minVariance ?? 1e-12;
  const rel = o.minVarianceRel ?? 1e-3;
  if (!(abs > 0)) throw new Error(`minVariance must be > 0, got ${abs}`);
  if (!(rel >= 0)) throw new Error(`minVarianceRel must be ≥ 0, got ${rel}`);
  return variance.map((v) => Math.max(abs, rel * v));
}

/** Reusable buffers for EM over T observations. */
class EmWorkspace {
  readonly alpha: Float64Array;
  readonly B: Float64Array;
  readonly c: Float64Array;
  constructor(T: number, K: number) {
    this.alpha = new Float64Array(T * K);
    this.B = new Float64Array(T * K);
    this.c = new Float64Array(T);
  }
}

/**
 * Baum-Welch (EM) from a given starting model: scaled forward pass, backward
 * pass accumulating the expected sufficient statistics (no T×K β array, no
 * allocation inside the loops), M-step with the variance floor (the floored
 * variance is the constrained maximiser, so the log-likelihood still never
 * decreases). States that receive no posterior mass keep their parameters.
 * States are NOT relabelled (see `fitHmm`).
 */
export function baumWelch(init: GaussianHmm, x: ArrayLike<number>, opts: BaumWelchOptions = {}): HmmFit {
  validateHmm(init, 'baumWelch');
  const T = checkObs(init, x, 'baumWelch');
  if (T < 1) throw new Error('baumWelch requires at least one observation');
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new Error(`baumWelch: observation value ${i} is ${x[i]}`);
  const st = dataStats(x, T, init.D);
  return runEm(init, x, T, st.mean, varianceFloor(st.variance, opts), opts, new EmWorkspace(T, init.K));
}

function runEm(
  init: GaussianHmm,
  x: ArrayLike<number>,
  T: number,
  shift: Float64Array,
  floor: Float64Array,
  opts: BaumWelchOptions,
  ws: EmWorkspace,
): HmmFit {
  const maxIter = opts.maxIter ?? 100;
  const tolAbs = (opts.tol ?? 1e-7) * T;
  const m = cloneHmm(init);
  for (let i = 0; i < m.variances.length; i++) m.variances[i] = Math.max(m.variances[i], floor[i % m.D]);
  const { K, D } = m;
  const core = new ForwardCore(m);
  const { alpha, B, c } = ws;
  const beta = new Float64Array(K);
  const w = new Float64Array(K);
  const g = new Float64Array(K);
  const gx = new Float64Array(K * D);
  const gxx = new Float64Array(K * D);
  const S = new Float64Array(K * K);
  const history: number[] = [];
  let prev = -Infinity;
  let iter = 0;
  let converged = false;
  for (;;) {
    // ── E-step: forward
    let ll = 0;
    for (let t = 0; t < T; t++) {
      ll += core.step(x, t * D, t === 0 ? null : alpha, (t - 1) * K, alpha, t * K, B, t * K);
      c[t] = core.lastC;
    }
    history.push(ll);
    if (iter > 0 && tolAbs > 0 && ll - prev < tolAbs) {
      converged = true;
      break;
    }
    if (iter >= maxIter) break;
    // ── E-step: backward, accumulating Σγ, Σγ(x−shift), Σγ(x−shift)², Σ α_{t−1}(i) w_t(j)
    g.fill(0);
    gx.fill(0);
    gxx.fill(0);
    S.fill(0);
    beta.fill(1);
    for (let t = T - 1; t >= 0; t--) {
      const tk = t * K;
      const td = t * D;
      for (let k = 0; k < K; k++) {
        const gam = alpha[tk + k] * beta[k];
        if (gam === 0) continue;
        g[k] += gam;
        const kd = k * D;
        for (let d = 0; d < D; d++) {
          const z = x[td + d] - shift[d];
          gx[kd + d] += gam * z;
          gxx[kd + d] += gam * z * z;
        }
      }
      if (t === 0) {
        for (let k = 0; k < K; k++) m.startProb[k] = alpha[k] * beta[k];
        break;
      }
      const ct = c[t];
      for (let j = 0; j < K; j++) w[j] = (B[tk + j] * beta[j]) / ct;
      const pk = tk - K;
      for (let i = 0; i < K; i++) {
        const a = alpha[pk + i];
        const row = i * K;
        let b = 0;
        for (let j = 0; j < K; j++) {
          const wj = w[j];
          S[row + j] += a * wj;
          b += m.transMat[row + j] * wj;
        }
        beta[i] = b;
      }
    }
    // ── M-step
    let sp = 0;
    for (let k = 0; k < K; k++) sp += m.startProb[k];
    for (let k = 0; k < K; k++) m.startProb[k] /= sp;
    for (let i = 0; i < K; i++) {
      const row = i * K;
      let rs = 0;
      for (let j = 0; j < K; j++) rs += m.transMat[row + j] * S[row + j];
      if (rs > 0 && Number.isFinite(rs)) {
        for (let j = 0; j < K; j++) m.transMat[row + j] = (m.transMat[row + j] * S[row + j]) / rs;
      }
    }
    for (let k = 0; k < K; k++) {
      if (!(g[k] > 1e-300)) continue;
      for (let d = 0; d < D; d++) {
        const mz = gx[k * D + d] / g[k];
        m.means[k * D + d] = shift[d] + mz;
        const v = gxx[k * D + d] / g[k] - mz * mz;
        m.variances[k * D + d] = v > floor[d] ? v : floor[d];
      }
    }
    core.refresh(m);
    prev = ll;
    iter++;
  }
  const ll = history[history.length - 1];
  return {
    model: m,
    logLik: ll,
    iterations: iter,
    converged,
    logLikHistory: Float64Array.from(history),
    restartLogLiks: Float64Array.of(ll),
    bestRestart: 0,
  };
}

/** At most `cap` observation indices, evenly strided (deterministic). */
function subsample(T: number, cap: number): Int32Array {
  const n = Math.min(T, cap);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = Math.floor((i * T) / n);
  return idx;
}

function baseTrans(K: number, diag: (i: number) => number): Float64Array {
  const A = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    if (K === 1) {
      A[0] = 1;
      break;
    }
    const p = diag(i);
    for (let j = 0; j < K; j++) A[i * K + j] = i === j ? p : (1 - p) / (K - 1);
  }
  return A;
}

/** Restart 0: split the (subsampled) data sorted by dimension 0 into K equal groups; group means, overall variances. */
function quantileInit(x: ArrayLike<number>, T: number, D: number, K: number, variance: Float64Array, floor: Float64Array): GaussianHmm {
  const idx = Array.from(subsample(T, 20_000)).sort((a, b) => x[a * D] - x[b * D] || a - b);
  const n = idx.length;
  const means = new Float64Array(K * D);
  for (let k = 0; k < K; k++) {
    let lo = Math.floor((k * n) / K);
    let hi = Math.floor(((k + 1) * n) / K);
    if (hi <= lo) {
      lo = Math.min(n - 1, Math.floor(((k + 0.5) * n) / K));
      hi = lo + 1;
    }
    for (let d = 0; d < D; d++) {
      let s = 0;
      for (let r = lo; r < hi; r++) s += x[idx[r] * D + d];
      means[k * D + d] = s / (hi - lo);
    }
  }
  const variances = new Float64Array(K * D);
  for (let k = 0; k < K; k++) for (let d = 0; d < D; d++) variances[k * D + d] = Math.max(variance[d], floor[d]);
  return { K, D, startProb: new Float64Array(K).fill(1 / K), transMat: baseTrans(K, () => 0.9), means, variances };
}

/**
 * Restarts ≥ 1: k-means++ seeding (first centre uniform, then ∝ squared
 * standardised distance), one assignment pass; cluster means and variances.
 */
function kmeansPlusPlusInit(x: ArrayLike<number>, T: number, D: number, K: number, variance: Float64Array, floor: Float64Array, rand: () => number): GaussianHmm {
  const idx = subsample(T, 5_000);
  const n = idx.length;
  const invVar = variance.map((v, d) => 1 / Math.max(v, floor[d]));
  const dist2 = (a: number, b: number) => {
    let s = 0;
    for (let d = 0; d < D; d++) {
      const z = x[a * D + d] - x[b * D + d];
      s += z * z * invVar[d];
    }
    return s;
  };
  const centres: number[] = [idx[Math.floor(rand() * n)]];
  const best = new Float64Array(n).fill(Infinity);
  while (centres.length < K) {
    const last = centres[centres.length - 1];
    let total = 0;
    for (let r = 0; r < n; r++) {
      const d2 = dist2(idx[r], last);
      if (d2 < best[r]) best[r] = d2;
      total += best[r];
    }
    let pick = idx[Math.floor(rand() * n)];
    if (total > 0) {
      let u = rand() * total;
      for (let r = 0; r < n; r++) {
        u -= best[r];
        if (u < 0) {
          pick = idx[r];
          break;
        }
      }
    }
    centres.push(pick);
  }
  const cnt = new Float64Array(K);
  const sum = new Float64Array(K * D);
  const sum2 = new Float64Array(K * D);
  for (let r = 0; r < n; r++) {
    let arg = 0;
    let bd = Infinity;
    for (let k = 0; k < K; k++) {
      const d2 = dist2(idx[r], centres[k]);
      if (d2 < bd) {
        bd = d2;
        arg = k;
      }
    }
    cnt[arg]++;
    for (let d = 0; d < D; d++) {
      const v = x[idx[r] * D + d] - x[centres[arg] * D + d];
      sum[arg * D + d] += v;
      sum2[arg * D + d] += v * v;
    }
  }
  const means = new Float64Array(K * D);
  const variances = new Float64Array(K * D);
  for (let k = 0; k < K; k++) {
    for (let d = 0; d < D; d++) {
      const c0 = x[centres[k] * D + d];
      if (cnt[k] >= 2) {
        const mz = sum[k * D + d] / cnt[k];
        means[k * D + d] = c0 + mz;
        variances[k * D + d] = Math.max(sum2[k * D + d] / cnt[k] - mz * mz, floor[d]);
      } else {
        means[k * D + d] = c0;
        variances[k * D + d] = Math.max(variance[d], floor[d]);
      }
    }
  }
  return { K, D, startProb: new Float64Array(K).fill(1 / K), transMat: baseTrans(K, () => 0.5 + 0.45 * rand()), means, variances };
}

/**
 * Fit a K-state Gaussian HMM to x (T×D row-major) by Baum-Welch with
 * `restarts` deterministic initialisations — restart 0 from quantile groups
 * of dimension 0 (or `init`), the others k-means++-seeded from a mulberry32
 * PRNG seeded with `seed` — keeping the best final log-likelihood (ties: the
 * earlier restart). The winner's states are labelled by ascending mean of
 * dimension 0. Same inputs and seed ⇒ identical result.
 *
 * @throws Error for T = 0, non-finite observations or bad options.
 */
export function fitHmm(x: ArrayLike<number>, opts: HmmFitOptions): HmmFit {
  const K = opts.K;
  const D = opts.D ?? opts.init?.D ?? 1;
  if (!(Number.isInteger(K) && K >= 1)) throw new Error(`fitHmm: K must be a positive integer, got ${K}`);
  if (!(Number.isInteger(D) && D >= 1)) throw new Error(`fitHmm: D must be a positive integer, got ${D}`);
  if (opts.init && (opts.init.K !== K || opts.init.D !== D)) throw new Error(`fitHmm: init has K = ${opts.init.K}, D = ${opts.init.D}; expected ${K}, ${D}`);
  const T = checkObs({ D }, x, 'fitHmm');
  if (T < 1) throw new Error('fitHmm requires at least one observation');
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new Error(`fitHmm: observation value ${i} is ${x[i]}`);
  const restarts = opts.restarts ?? 3;
  if (!(Number.isInteger(restarts) && restarts >= 1)) throw new Error(`fitHmm: restarts must be a positive integer, got ${restarts}`);
  const st = dataStats(x, T, D);
  const floor = varianceFloor(st.variance, opts);
  const rand = mulberry32(opts.seed ?? 1);
  const ws = new EmWorkspace(T, K);
  const lls = new Float64Array(restarts);
  let best: HmmFit | null = null;
  let bestR = 0;
  for (let r = 0; r < restarts; r++) {
    const init = r === 0 ? (opts.init ?? quantileInit(x, T, D, K, st.variance, floor)) : kmeansPlusPlusInit(x, T, D, K, st.variance, floor, rand);
    if (r === 0 && opts.init) validateHmm(opts.init, 'fitHmm init');
    const fit = runEm(init, x, T, st.mean, floor, opts, ws);
    lls[r] = fit.logLik;
    if (best === null || fit.logLik > best.logLik) {
      best = fit;
      bestR = r;
    }
  }
  const b = best as HmmFit;
  return { ...b, model: labelStatesByMean(b.model), restartLogLiks: lls, bestRestart: bestR };
}

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

function resolveParams(tape: MarketTape, p: Partial<HmmRegimeParams>): HmmRegimeParams & { D: number } {
  const out = {} as HmmRegimeParams;
  for (const [k, spec] of Object.entries(HMM_PARAMS) as [keyof HmmRegimeParams, ParamSpec][]) {
    const v = p[k] ?? spec.default;
    if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`hmm: parameter ${k} must be a number, got ${String(v)}`);
    if (spec.integer && !Number.isInteger(v)) throw new Error(`hmm: parameter ${k} must be an integer, got ${v}`);
    if (spec.min !== undefined && v < spec.min) throw new Error(`hmm: parameter ${k} must be ≥ ${spec.min}, got ${v}`);
    if (spec.max !== undefined && v > spec.max) throw new Error(`hmm: parameter ${k} must be ≤ ${spec.max}, got ${v}`);
    out[k] = v;
  }
  if (out.sampleMs === 0) out.sampleMs = tape.kind === 'bars' ? Math.max(tape.timeframeMs, 1) : 1000;
  if (out.window === 0) out.window = out.trainSamples;
  if (out.volWindow === 1) throw new Error('hmm: parameter volWindow must be 0 or ≥ 2, got 1');
  return { ...out, D: out.volWindow >= 2 ? 2 : 1 };
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

function fitWindow(obs: Float64Array, p: HmmRegimeParams & { D: number }, prev: GaussianHmm | undefined): HmmFit {
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
  const { K, D, sampleMs: S } = p;
  const n = tape.length;
  const time = tape.time;
  const px = tape.kind === 'bars' ? tape.close : tape.price;
  const tf = tape.kind === 'bars' ? tape.timeframeMs : 0;

  // 1. completed intervals: (row at which known, sampled price)
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

  // 2. observations
  const w = p.volWindow;
  const m0 = D === 2 ? w : 1; // first sample index that yields an observation
  const N = Math.max(0, ns - m0);
  const obs = new Float64Array(N * D);
  const obsRow = new Int32Array(N);
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

  // 3. fits and filtered probabilities per observation
  const pObs = new Float64Array(N * K).fill(NaN);
  const meanObs = new Float64Array(N).fill(NaN);
  const fits: HmmRegimeFit[] = [];
  let filter: HmmFilter | null = null;
  for (let q = 0; q < N; q++) {
    if (isFitPoint(q, p)) {
      const from = Math.max(0, q + 1 - p.window);
      const fit = fitWindow(obs.slice(from * D, (q + 1) * D), p, filter?.model);
      fits.push({ obsIndex: q, row: obsRow[q], samples: q + 1 - from, fit });
      filter = new HmmFilter(fit.model);
      for (let r = from; r <= q; r++) filter.update(obs, r * D);
    } else if (filter !== null) {
      filter.update(obs, q * D);
    }
    if (filter !== null) {
      for (let k = 0; k < K; k++) pObs[q * K + k] = filter.prob(k);
      meanObs[q] = filter.model.means[filter.state * D];
    }
  }

  // 4. per row: the latest observation known at that row
  const state = new Float64Array(n).fill(NaN);
  const prob = new Float64Array(n).fill(NaN);
  const stateMean = new Float64Array(n).fill(NaN);
  const probs = Array.from({ length: K }, () => new Float64Array(n).fill(NaN));
  let q = -1;
  for (let i = 0; i < n; i++) {
    while (q + 1 < N && obsRow[q + 1] <= i) q++;
    if (q < 0 || Number.isNaN(pObs[q * K])) continue;
    let arg = 0;
    for (let k = 1; k < K; k++) if (pObs[q * K + k] > pObs[q * K + arg]) arg = k;
    state[i] = arg;
    prob[i] = pObs[q * K + arg];
    for (let k = 0; k < K; k++) probs[k][i] = pObs[q * K + k];
    stateMean[i] = meanObs[q];
  }
  return { state, prob, probs, stateMean, observations: obs, obsRow, fits, D };
}

/**
 * Streaming core of the regime series: feed (time, price, end time) per row.
 * Allocation happens only at (re)fit events (the EM itself); otherwise each
 * row is O(volWindow + K² + K·D).
 */
class HmmRegimeCore {
  readonly p: HmmRegimeParams & { D: number };
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
