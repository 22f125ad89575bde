/**
 * The Gaussian HMM itself — pure functions over observation arrays, nothing
 * about tapes: the model type, the scaled forward pass, filtered / smoothed
 * probabilities, Viterbi and the streaming filter. Fitting is in ./fit.ts,
 * the regime series over a tape in ./regime.ts; ../hmm.ts is the public entry.
 * The model, its scaling and its references are described in ../hmm.ts.
 */

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

export function validateHmm(m: GaussianHmm, who: string): void {
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

export function cloneHmm(m: GaussianHmm): GaussianHmm {
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

export function checkObs(m: { D: number }, x: ArrayLike<number>, who: string): number {
  if (x.length % m.D !== 0) throw new Error(`${who}: ${x.length} numbers is not a whole number of ${m.D}-dimensional observations`);
  return x.length / m.D;
}

// ───────────────────────────── forward core ─────────────────────────────

/**
 * Precomputed emission constants and scratch for one model. `step` is the one
 * forward recursion used by every forward pass here (batch, Baum-Welch,
 * streaming), so all of them give the same numbers.
 */
export class ForwardCore {
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
