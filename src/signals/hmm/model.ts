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
 * Precomputed emission constants and scratch for one model. `step` (one
 * observation) and `run` (a run of consecutive observations) are the one
 * forward recursion used by every forward pass here (batch, Baum-Welch,
 * streaming), so all of them give the same numbers.
 *
 * The recursion exists twice: a general loop over K states and D dimensions,
 * and an unrolled form for K = 3, D = 1 (the regime default: V6 and the
 * confirmation gate) that keeps the model and α̂_{t−1} in locals. The
 * unrolled form performs the same floating-point operations in the same
 * order, so both give identical bits (test/signals/hmm.test.ts compares them);
 * it only drops additions of +0 (x + 0 = x for every x ≥ +0) and the
 * exponential of exactly 0 (exp(0) = 1).
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
  /**
   * Whether new cores with K = 3, D = 1 use the unrolled recursion. Only a
   * test sets it false, to check that both forms give identical bits.
   */
  static unrolledK3D1 = true;
  /** This core uses the unrolled K = 3, D = 1 recursion (and Baum-Welch its unrolled backward pass). */
  readonly unrolled: boolean;
  private readonly pred: Float64Array;
  private readonly logb: Float64Array;
  /** run3's per-block scratch: scaled emissions (3 per observation), their maxima m_t, c̃_t. */
  private readonly bBlock: Float64Array;
  /** run3's α̂_{t−1} between blocks, and whether the next step starts from π. */
  private readonly q3 = new Float64Array(3);
  private first3 = false;
  private readonly mBlock: Float64Array;
  private readonly cBlock: Float64Array;
  /** Scaled normaliser c̃_t of the last step (Σ_k pred_k · b̃_k). */
  lastC = 0;
  /** log p(x_t | x_1..x_{t−1}) of the last step of `run3` (a sum starting at 0 would turn −0 into +0). */
  private lastLogP = 0;

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
    this.unrolled = ForwardCore.unrolledK3D1 && K === 3 && D === 1;
    const nb = this.unrolled ? RUN3_BLOCK : 0;
    this.bBlock = new Float64Array(3 * nb);
    this.mBlock = new Float64Array(nb);
    this.cBlock = new Float64Array(nb);
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
    if (this.unrolled) {
      this.run3(x, xOff, 1, prev, prevOff, out, outOff, bOut, bOff, null, 0, true);
      return this.lastLogP;
    }
    return this.stepGeneral(x, xOff, prev, prevOff, out, outOff, bOut, bOff);
  }

  /**
   * `step` over the T observations x_t at xOff + t·D: α̂ rows to `out` at
   * outOff + t·K (row 0 from `prev` at `prevOff`, or from π if null), scaled
   * emissions to `bOut` at bOff + t·K and c̃_t to `cOut` at cOff + t if given.
   * Returns Σ_t log p(x_t | x_1..x_{t−1}), summed in order, or NaN when
   * `logLik` is false (a filter that only wants α̂ saves a log per step).
   */
  run(
    x: ArrayLike<number>,
    xOff: number,
    T: number,
    prev: Float64Array | null,
    prevOff: number,
    out: Float64Array,
    outOff: number,
    bOut: Float64Array | null,
    bOff: number,
    cOut: Float64Array | null,
    cOff: number,
    logLik = true,
  ): number {
    if (this.unrolled) return this.run3(x, xOff, T, prev, prevOff, out, outOff, bOut, bOff, cOut, cOff, logLik);
    const { K, D } = this;
    let ll = 0;
    for (let t = 0; t < T; t++) {
      const tk = t * K;
      ll += this.stepGeneral(x, xOff + t * D, t === 0 ? prev : out, t === 0 ? prevOff : outOff + tk - K, out, outOff + tk, bOut, bOff + tk);
      if (cOut !== null) cOut[cOff + t] = this.lastC;
    }
    return logLik ? ll : NaN;
  }

  private stepGeneral(
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

  /**
   * `run` for K = 3, D = 1, unrolled, in blocks of RUN3_BLOCK observations
   * (one `block3` call each: a single long loop would be compiled on-stack
   * before the code after it has run, and then deoptimise on every call).
   */
  private run3(
    x: ArrayLike<number>,
    xOff: number,
    T: number,
    prev: Float64Array | null,
    prevOff: number,
    out: Float64Array,
    outOff: number,
    bOut: Float64Array | null,
    bOff: number,
    cOut: Float64Array | null,
    cOff: number,
    logLik: boolean,
  ): number {
    const q = this.q3;
    this.first3 = prev === null;
    if (prev !== null) {
      q[0] = prev[prevOff];
      q[1] = prev[prevOff + 1];
      q[2] = prev[prevOff + 2];
    }
    let ll = 0;
    for (let t0 = 0; t0 < T; t0 += RUN3_BLOCK) {
      ll = this.block3(x, xOff + t0, Math.min(RUN3_BLOCK, T - t0), out, outOff + 3 * t0, bOut, bOff + 3 * t0, cOut, cOff + t0, logLik, ll);
    }
    if (!logLik) this.lastLogP = NaN;
    return logLik ? ll : NaN;
  }

  /**
   * n observations of `run3` from α̂_{t−1} in `q3` (or π if `first3`), in
   * three passes. The recursion α̂_{t−1} → α̂_t is a chain of dependent
   * operations; the emissions and the log of c̃_t are not part of it, so they
   * are computed in passes of independent iterations that the CPU can
   * overlap: (1) the emissions relative to their maximum over all three
   * states, (2) the recursion, which redoes (1) in the rare step where a state
   * is unreachable (its emission must not count towards the maximum), (3)
   * Σ log c̃_t + m_t, added to `ll` in order. Each value is made by the same
   * floating-point operations as in `stepGeneral`: every α̂ and A entry is
   * ≥ +0, so the general loop's `pred = 0; pred += …` and its skipping of zero
   * rows only add +0 terms, which change nothing, and exp(0) = 1 exactly.
   */
  private block3(
    x: ArrayLike<number>,
    xb: number,
    n: number,
    out: Float64Array,
    ob: number,
    bOut: Float64Array | null,
    bb: number,
    cOut: Float64Array | null,
    cb: number,
    logLik: boolean,
    ll: number,
  ): number {
    const A = this.A;
    const a00 = A[0], a01 = A[1], a02 = A[2], a10 = A[3], a11 = A[4], a12 = A[5], a20 = A[6], a21 = A[7], a22 = A[8];
    const m0 = this.mu[0], m1 = this.mu[1], m2 = this.mu[2];
    const n0 = this.logNorm[0], n1 = this.logNorm[1], n2 = this.logNorm[2];
    const h0 = this.halfInv[0], h1 = this.halfInv[1], h2 = this.halfInv[2];
    const bS = this.bBlock;
    const mS = this.mBlock;
    const cS = this.cBlock;
    const q = this.q3;
    let q0 = q[0], q1 = q[1], q2 = q[2];
    let first = this.first3;
    let c = this.lastC;
    // (1) emissions, every state reachable
    for (let u = 0; u < n; u++) {
      const xt = x[xb + u];
      const z0 = xt - m0, z1 = xt - m1, z2 = xt - m2;
      const s0 = n0 - z0 * z0 * h0, s1 = n1 - z1 * z1 * h1, s2 = n2 - z2 * z2 * h2;
      let mx = -Infinity;
      if (s0 > mx) mx = s0;
      if (s1 > mx) mx = s1;
      if (s2 > mx) mx = s2;
      const d0 = s0 - mx, d1 = s1 - mx, d2 = s2 - mx;
      bS[3 * u] = d0 === 0 ? 1 : Math.exp(d0);
      bS[3 * u + 1] = d1 === 0 ? 1 : Math.exp(d1);
      bS[3 * u + 2] = d2 === 0 ? 1 : Math.exp(d2);
      mS[u] = mx;
    }
    // (2) the recursion
    for (let u = 0; u < n; u++) {
      let p0: number, p1: number, p2: number;
      if (first) {
        p0 = this.pi[0];
        p1 = this.pi[1];
        p2 = this.pi[2];
        first = false;
      } else {
        p0 = q0 * a00 + q1 * a10 + q2 * a20;
        p1 = q0 * a01 + q1 * a11 + q2 * a21;
        p2 = q0 * a02 + q1 * a12 + q2 * a22;
      }
      let b0 = bS[3 * u], b1 = bS[3 * u + 1], b2 = bS[3 * u + 2];
      let mx = mS[u];
      if (!(p0 > 0 && p1 > 0 && p2 > 0)) {
        // an unreachable state: the maximum is over reachable states only, as in stepGeneral
        const xt = x[xb + u];
        const z0 = xt - m0, z1 = xt - m1, z2 = xt - m2;
        const s0 = n0 - z0 * z0 * h0, s1 = n1 - z1 * z1 * h1, s2 = n2 - z2 * z2 * h2;
        mx = -Infinity;
        if (p0 > 0 && s0 > mx) mx = s0;
        if (p1 > 0 && s1 > mx) mx = s1;
        if (p2 > 0 && s2 > mx) mx = s2;
        const d0 = s0 - mx, d1 = s1 - mx, d2 = s2 - mx;
        b0 = p0 > 0 ? (d0 === 0 ? 1 : Math.exp(d0)) : 0;
        b1 = p1 > 0 ? (d1 === 0 ? 1 : Math.exp(d1)) : 0;
        b2 = p2 > 0 ? (d2 === 0 ? 1 : Math.exp(d2)) : 0;
        mS[u] = mx;
      }
      if (!(mx > -Infinity)) {
        // missing observation (NaN): no information, the filter just predicts
        const sp = p0 + p1 + p2;
        q0 = p0 / sp;
        q1 = p1 / sp;
        q2 = p2 / sp;
        b0 = b1 = b2 = 1;
        c = 1;
      } else {
        const e0 = p0 * b0, e1 = p1 * b1, e2 = p2 * b2;
        c = e0 + e1 + e2;
        const inv = 1 / c;
        q0 = e0 * inv;
        q1 = e1 * inv;
        q2 = e2 * inv;
      }
      const o = ob + 3 * u;
      out[o] = q0;
      out[o + 1] = q1;
      out[o + 2] = q2;
      if (bOut !== null) {
        const o2 = bb + 3 * u;
        bOut[o2] = b0;
        bOut[o2 + 1] = b1;
        bOut[o2 + 2] = b2;
      }
      cS[u] = c;
    }
    // (3) log-likelihood terms, summed in order
    if (logLik) {
      let lp = this.lastLogP;
      for (let u = 0; u < n; u++) {
        const mx = mS[u];
        lp = mx > -Infinity ? Math.log(cS[u]) + mx : 0;
        ll += lp;
      }
      this.lastLogP = lp;
    }
    if (cOut !== null) for (let u = 0; u < n; u++) cOut[cb + u] = cS[u];
    q[0] = q0;
    q[1] = q1;
    q[2] = q2;
    this.first3 = first;
    this.lastC = c;
    return ll;
  }
}

/** Observations per block of ForwardCore.run3 (its scratch: 5 numbers each, stays in L1). */
const RUN3_BLOCK = 256;

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
  const ll = new ForwardCore(m).run(x, 0, T, null, 0, filtered, 0, null, 0, null, 0);
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
  new ForwardCore(m).run(x, 0, T, null, 0, alpha, 0, B, 0, c, 0);
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
