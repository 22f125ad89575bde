/**
 * Fitting a Gaussian HMM: Baum–Welch (EM) with a variance floor and a
 * log-likelihood tolerance, deterministic restarts (quantile start, then
 * k-means++ seeds drawn from util/prng's Mulberry32), and the simulator
 * `sampleHmm`. Pure functions over observation arrays.
 */
import { Mulberry32 } from '../../util/prng';
import { checkObs, cloneHmm, ForwardCore, labelStatesByMean, validateHmm, type GaussianHmm } from './model';

// ───────────────────────────── fitting ─────────────────────────────

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
 * (util/prng's Mulberry32: uniforms, Box–Muller normals). For tests and
 * simulation studies.
 */
export function sampleHmm(m: GaussianHmm, T: number, seed = 1): { x: Float64Array; states: Int32Array } {
  const { K, D } = m;
  const rng = new Mulberry32(seed);
  const x = new Float64Array(T * D);
  const states = new Int32Array(T);
  let s = 0;
  for (let t = 0; t < T; t++) {
    s = t === 0 ? drawIndex(m.startProb, 0, K, rng.nextFloat()) : drawIndex(m.transMat, s * K, K, rng.nextFloat());
    states[t] = s;
    for (let d = 0; d < D; d++) x[t * D + d] = m.means[s * D + d] + Math.sqrt(m.variances[s * D + d]) * rng.normal();
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
    const ll = core.run(x, 0, T, null, 0, alpha, 0, B, 0, c, 0);
    history.push(ll);
    if (iter > 0 && tolAbs > 0 && ll - prev < tolAbs) {
      converged = true;
      break;
    }
    if (iter >= maxIter) break;
    // ── E-step: backward, accumulating Σγ, Σγ(x−shift), Σγ(x−shift)², Σ α_{t−1}(i) w_t(j)
    if (core.unrolled) backward3(x, T, shift[0], alpha, B, c, m.transMat, g, gx, gxx, S, beta, m.startProb);
    else {
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

/**
 * The backward pass of `runEm` for K = 3, D = 1 (when its ForwardCore is
 * unrolled): the same floating-point operations in the same order as the
 * general loop (every term is ≥ +0, so β's sums starting from their first
 * term instead of 0 + it change nothing; z = x_t − shift is the same for
 * every state), hence identical results. Writes Σγ, Σγz, Σγz², the
 * transition sums S, and γ_0 into `startProb`.
 *
 * The loop runs in blocks of BACKWARD3_BLOCK observations, one call each,
 * with β and the sums carried in their arrays between blocks: one long loop
 * is compiled on-stack before the code after it has run, and on a long
 * series that code then deoptimised on every call (the HMM fit bench,
 * T = 100,000, ran 1.5× slower in some processes than in others).
 */
function backward3(
  x: ArrayLike<number>,
  T: number,
  shift: number,
  alpha: Float64Array,
  B: Float64Array,
  c: Float64Array,
  A: Float64Array,
  g: Float64Array,
  gx: Float64Array,
  gxx: Float64Array,
  S: Float64Array,
  beta: Float64Array,
  startProb: Float64Array,
): void {
  g.fill(0);
  gx.fill(0);
  gxx.fill(0);
  S.fill(0);
  beta.fill(1);
  for (let hi = T - 1; hi >= 0; hi -= BACKWARD3_BLOCK) backward3Block(x, hi, Math.max(0, hi - BACKWARD3_BLOCK + 1), shift, alpha, B, c, A, g, gx, gxx, S, beta);
  startProb[0] = alpha[0] * beta[0];
  startProb[1] = alpha[1] * beta[1];
  startProb[2] = alpha[2] * beta[2];
}

const BACKWARD3_BLOCK = 512;

/** Observations hi down to lo of `backward3`, with β and the sums in locals. */
function backward3Block(
  x: ArrayLike<number>,
  hi: number,
  lo: number,
  shift: number,
  alpha: Float64Array,
  B: Float64Array,
  c: Float64Array,
  A: Float64Array,
  g: Float64Array,
  gx: Float64Array,
  gxx: Float64Array,
  S: Float64Array,
  beta: Float64Array,
): void {
  const a00 = A[0], a01 = A[1], a02 = A[2], a10 = A[3], a11 = A[4], a12 = A[5], a20 = A[6], a21 = A[7], a22 = A[8];
  let g0 = g[0], g1 = g[1], g2 = g[2], x0 = gx[0], x1 = gx[1], x2 = gx[2], xx0 = gxx[0], xx1 = gxx[1], xx2 = gxx[2];
  let s00 = S[0], s01 = S[1], s02 = S[2], s10 = S[3], s11 = S[4], s12 = S[5], s20 = S[6], s21 = S[7], s22 = S[8];
  let be0 = beta[0], be1 = beta[1], be2 = beta[2];
  for (let t = hi; t >= lo; t--) {
    const tk = 3 * t;
    const z = x[t] - shift;
    const gam0 = alpha[tk] * be0;
    if (gam0 !== 0) {
      g0 += gam0;
      x0 += gam0 * z;
      xx0 += gam0 * z * z;
    }
    const gam1 = alpha[tk + 1] * be1;
    if (gam1 !== 0) {
      g1 += gam1;
      x1 += gam1 * z;
      xx1 += gam1 * z * z;
    }
    const gam2 = alpha[tk + 2] * be2;
    if (gam2 !== 0) {
      g2 += gam2;
      x2 += gam2 * z;
      xx2 += gam2 * z * z;
    }
    if (t === 0) break;
    const ct = c[t];
    const w0 = (B[tk] * be0) / ct;
    const w1 = (B[tk + 1] * be1) / ct;
    const w2 = (B[tk + 2] * be2) / ct;
    const p0 = alpha[tk - 3], p1 = alpha[tk - 2], p2 = alpha[tk - 1];
    s00 += p0 * w0;
    s01 += p0 * w1;
    s02 += p0 * w2;
    s10 += p1 * w0;
    s11 += p1 * w1;
    s12 += p1 * w2;
    s20 += p2 * w0;
    s21 += p2 * w1;
    s22 += p2 * w2;
    be0 = a00 * w0 + a01 * w1 + a02 * w2;
    be1 = a10 * w0 + a11 * w1 + a12 * w2;
    be2 = a20 * w0 + a21 * w1 + a22 * w2;
  }
  g[0] = g0;
  g[1] = g1;
  g[2] = g2;
  gx[0] = x0;
  gx[1] = x1;
  gx[2] = x2;
  gxx[0] = xx0;
  gxx[1] = xx1;
  gxx[2] = xx2;
  S[0] = s00;
  S[1] = s01;
  S[2] = s02;
  S[3] = s10;
  S[4] = s11;
  S[5] = s12;
  S[6] = s20;
  S[7] = s21;
  S[8] = s22;
  beta[0] = be0;
  beta[1] = be1;
  beta[2] = be2;
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
 * of dimension 0 (or `init`), the others k-means++-seeded from util/prng's Mulberry32
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
  const rng = new Mulberry32(opts.seed ?? 1);
  const rand = () => rng.nextFloat();
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
