import { describe, expect, it } from 'vitest';
import { bundledData } from '../../src/data/bundled';
import { loadBars, loadTrades } from '../../src/data/load';
import { makeBarTape, makeTradeTape, type BarTape, type TradeTape } from '../../src/data/tape';
import {
  baumWelch,
  fitHmm,
  HMM_SIGNAL,
  HmmFilter,
  HmmRegimeBars,
  HmmRegimeTrades,
  hmmFiltered,
  hmmForward,
  hmmLogLikelihood,
  hmmRegimeSeries,
  hmmSmoothed,
  hmmViterbi,
  labelStatesByMean,
  makeHmm,
  sampleHmm,
  type GaussianHmm,
  type HmmRegimeParams,
} from '../../src/signals/hmm';
import { ForwardCore } from '../../src/signals/hmm/model';

// ───────────── independent brute-force reference: enumerate all K^T state paths ─────────────

/** Univariate normal density, written out (not shared with the implementation). */
function npdf(x: number, m: number, v: number): number {
  return Math.exp(-((x - m) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
}

/** Emission density as the product of D independent univariate densities. */
function emis(h: GaussianHmm, x: ArrayLike<number>, t: number, k: number): number {
  let p = 1;
  for (let d = 0; d < h.D; d++) p *= npdf(x[t * h.D + d], h.means[k * h.D + d], h.variances[k * h.D + d]);
  return p;
}

/** Joint p(x_0..x_{len−1}, path) for the path encoded in base K by `code`. */
function joint(h: GaussianHmm, x: ArrayLike<number>, len: number, code: number): { p: number; path: number[] } {
  const path: number[] = [];
  let c = code;
  for (let t = 0; t < len; t++) {
    path.push(c % h.K);
    c = Math.floor(c / h.K);
  }
  let p = h.startProb[path[0]] * emis(h, x, 0, path[0]);
  for (let t = 1; t < len; t++) p *= h.transMat[path[t - 1] * h.K + path[t]] * emis(h, x, t, path[t]);
  return { p, path };
}

function bruteForce(h: GaussianHmm, x: ArrayLike<number>) {
  const T = x.length / h.D;
  const K = h.K;
  let L = 0;
  let bestP = -1;
  let bestPath: number[] = [];
  const smoothed = new Float64Array(T * K);
  for (let code = 0; code < K ** T; code++) {
    const { p, path } = joint(h, x, T, code);
    L += p;
    if (p > bestP) {
      bestP = p;
      bestPath = path;
    }
    for (let t = 0; t < T; t++) smoothed[t * K + path[t]] += p;
  }
  for (let i = 0; i < smoothed.length; i++) smoothed[i] /= L;
  // filtered at t: enumerate the prefixes of length t + 1 only (no later observation enters)
  const filtered = new Float64Array(T * K);
  for (let t = 0; t < T; t++) {
    let Lt = 0;
    for (let code = 0; code < K ** (t + 1); code++) {
      const { p, path } = joint(h, x, t + 1, code);
      Lt += p;
      filtered[t * K + path[t]] += p;
    }
    for (let k = 0; k < K; k++) filtered[t * K + k] /= Lt;
  }
  return { logLik: Math.log(L), viterbi: bestPath, viterbiLogProb: Math.log(bestP), filtered, smoothed };
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

const tiny = makeHmm({
  startProb: [0.6, 0.4],
  transMat: [
    [0.7, 0.3],
    [0.25, 0.75],
  ],
  means: [-0.5, 1.2],
  variances: [0.8, 1.5],
});
const tinyX = [0.3, -1.1, 1.9, 0.4, 2.5, -0.2, 0.9, 1.4];

describe('inference vs brute-force enumeration over all K^T paths', () => {
  it('K = 2, T = 8, univariate: likelihood, Viterbi, filtered and smoothed to 1e-10', () => {
    const ref = bruteForce(tiny, tinyX);
    expect(Math.abs(hmmLogLikelihood(tiny, tinyX) - ref.logLik)).toBeLessThan(1e-10);
    const v = hmmViterbi(tiny, tinyX);
    expect(Array.from(v.path)).toEqual(ref.viterbi);
    expect(Math.abs(v.logProb - ref.viterbiLogProb)).toBeLessThan(1e-10);
    expectClose(hmmFiltered(tiny, tinyX), ref.filtered, 1e-10);
    expectClose(hmmSmoothed(tiny, tinyX), ref.smoothed, 1e-10);
  });

  it('K = 3, T = 6, diagonal 2-D emissions (= product of two univariate densities) to 1e-10', () => {
    const h = makeHmm({
      startProb: [0.2, 0.5, 0.3],
      transMat: [
        [0.8, 0.15, 0.05],
        [0.1, 0.7, 0.2],
        [0.3, 0.1, 0.6],
      ],
      means: [
        [-1, 0.5],
        [0, -0.3],
        [1.5, 0.2],
      ],
      variances: [
        [0.5, 0.2],
        [1, 0.6],
        [2, 0.1],
      ],
    });
    const x = [-0.8, 0.4, 0.1, -0.5, 1.7, 0.3, 0.9, 0.1, -1.2, 0.6, 0.2, -0.1];
    const ref = bruteForce(h, x);
    expect(Math.abs(hmmLogLikelihood(h, x) - ref.logLik)).toBeLessThan(1e-10);
    const v = hmmViterbi(h, x);
    expect(Array.from(v.path)).toEqual(ref.viterbi);
    expect(Math.abs(v.logProb - ref.viterbiLogProb)).toBeLessThan(1e-10);
    expectClose(hmmFiltered(h, x), ref.filtered, 1e-10);
    expectClose(hmmSmoothed(h, x), ref.smoothed, 1e-10);
  });

  it('an outlier that underflows every density in linear space still gives finite log-likelihood and filtered probabilities', () => {
    const x = [0, 60, 0];
    const { filtered, logLik } = hmmForward(tiny, x);
    expect(Number.isFinite(logLik)).toBe(true);
    for (const p of filtered) expect(Number.isFinite(p)).toBe(true);
    // at x = 60 the wider state (variance 1.5 vs 0.8) explains it overwhelmingly
    expect(filtered[1 * 2 + 1]).toBeGreaterThan(1 - 1e-12);
  });
});

describe('forward algorithm by hand (2-state Gaussian)', () => {
  it('matches the step-by-step computation', () => {
    // π = (0.5, 0.5), A = [[0.9, 0.1], [0.2, 0.8]], means (0, 2), variances (1, 1), x = (0, 2, 1).
    // φ(z) = e^{−z²/2}/√(2π): φ(0) = 0.398942280, φ(1) = 0.241970725, φ(2) = 0.053990967.
    // t = 0, x = 0: b = (φ(0), φ(2)); α = 0.5·b = (0.199471140, 0.026995483); c₀ = 0.226466623
    //   filtered = (φ(0), φ(2))/(φ(0)+φ(2)) = (1/(1+e⁻²), e⁻²/(1+e⁻²)) = (0.880797078, 0.119202922)
    // t = 1, x = 2: prediction = filteredᵀA = (0.880797·0.9 + 0.119203·0.2, 0.880797·0.1 + 0.119203·0.8)
    //                                       = (0.816557955, 0.183442045)
    //   b = (φ(2), φ(0)); α = (0.044086753, 0.073182788); c₁ = 0.117269541
    //   filtered = (0.375943768, 0.624056232); log L = log c₀ + log c₁ = −3.628437926
    // t = 2, x = 1: both densities are φ(1), so filtered = prediction
    //   = (0.375944·0.9 + 0.624056·0.2, 0.375944·0.1 + 0.624056·0.8) = (0.463160638, 0.536839362)
    //   log L = −3.628437926 + log φ(1) = −5.047376460
    const h = makeHmm({ startProb: [0.5, 0.5], transMat: [0.9, 0.1, 0.2, 0.8], means: [0, 2], variances: [1, 1] });
    const { filtered, logLik } = hmmForward(h, [0, 2, 1]);
    const e2 = Math.exp(-2);
    const f0 = 1 / (1 + e2);
    expect(filtered[0]).toBeCloseTo(f0, 14);
    expect(filtered[0]).toBeCloseTo(0.880797078, 9);
    const pred = [f0 * 0.9 + (1 - f0) * 0.2, f0 * 0.1 + (1 - f0) * 0.8];
    expect(pred[0]).toBeCloseTo(0.816557955, 9);
    const f1 = (pred[0] * e2) / (pred[0] * e2 + pred[1]);
    expect(filtered[2]).toBeCloseTo(f1, 14);
    expect(filtered[2]).toBeCloseTo(0.375943768, 9);
    expect(filtered[4]).toBeCloseTo(f1 * 0.9 + (1 - f1) * 0.2, 14);
    expect(filtered[4]).toBeCloseTo(0.463160638, 9);
    expect(filtered[5]).toBeCloseTo(0.536839362, 9);
    const phi = (z: number) => Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
    const c0 = 0.5 * (phi(0) + phi(2));
    const c1 = pred[0] * phi(2) + pred[1] * phi(0);
    expect(logLik).toBeCloseTo(Math.log(c0) + Math.log(c1) + Math.log(phi(1)), 13);
    expect(logLik).toBeCloseTo(-5.04737646, 8);
    expect(hmmLogLikelihood(h, [0, 2])).toBeCloseTo(-3.628437926, 8);
    // Viterbi: (0,0,0) has log p = log(.5·φ(0)·.9·φ(2)·.9·φ(1)). Rivals: (1,1,1) swaps φ(0)φ(2) for
    // φ(2)φ(0) but .9·.9 for .8·.8 (log(.64/.81) = −0.236 behind); (0,1,1) gains φ(0)/φ(2) = e² once
    // but pays .1·.8 vs .9·.9 (2 + log(.08/.81) = −0.315 behind). So the path is (0,0,0).
    const v = hmmViterbi(h, [0, 2, 1]);
    expect(Array.from(v.path)).toEqual([0, 0, 0]);
    expect(v.logProb).toBeCloseTo(Math.log(0.5 * phi(0) * 0.9 * phi(2) * 0.9 * phi(1)), 13);
  });
});

// ───────────── Baum-Welch ─────────────

const two = makeHmm({
  startProb: [0.5, 0.5],
  transMat: [
    [0.95, 0.05],
    [0.1, 0.9],
  ],
  means: [-1, 1],
  variances: [0.25, 1],
});
const three = makeHmm({
  startProb: [1 / 3, 1 / 3, 1 / 3],
  transMat: [
    [0.9, 0.05, 0.05],
    [0.04, 0.92, 0.04],
    [0.1, 0.1, 0.8],
  ],
  means: [-2, 0, 2.5],
  variances: [0.5, 0.3, 1.2],
});

describe('Baum-Welch', () => {
  it('never decreases the log-likelihood across iterations', () => {
    const { x } = sampleHmm(three, 3000, 7);
    for (let restarts = 1; restarts <= 3; restarts++) {
      const fit = fitHmm(x, { K: 3, restarts, seed: 11, tol: 0, maxIter: 60 });
      const h = fit.logLikHistory;
      expect(h.length).toBeGreaterThan(5);
      for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1] - 1e-9 * Math.abs(h[i - 1]));
      expect(h[h.length - 1]).toBe(fit.logLik);
    }
    // from a deliberately poor start, with a variance floor that binds
    const bad = makeHmm({ startProb: [1, 0, 0], transMat: [1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3], means: [5, 5.1, 5.2], variances: [9, 9, 9] });
    const fit = baumWelch(bad, x, { tol: 0, maxIter: 80, minVariance: 0.4 });
    const h = fit.logLikHistory;
    expect(h[h.length - 1] - h[0]).toBeGreaterThan(100);
    for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1] - 1e-9 * Math.abs(h[i - 1]));
    for (const v of fit.model.variances) expect(v).toBeGreaterThanOrEqual(0.4);
  });

  it('the reported log-likelihood is that of the returned model', () => {
    const { x } = sampleHmm(two, 2000, 3);
    const fit = fitHmm(x, { K: 2, seed: 5 });
    expect(fit.converged).toBe(true);
    expect(Math.abs(hmmLogLikelihood(fit.model, x) - fit.logLik)).toBeLessThan(1e-9 * Math.abs(fit.logLik));
  });

  it('recovers a known 2-state model (T = 5000)', () => {
    const { x } = sampleHmm(two, 5000, 42);
    const { model: m } = fitHmm(x, { K: 2, seed: 1 });
    expect(m.means[0]).toBeCloseTo(-1, 1); // ±0.05
    expect(m.means[1]).toBeCloseTo(1, 1);
    expect(m.variances[0] / 0.25).toBeGreaterThan(0.9);
    expect(m.variances[0] / 0.25).toBeLessThan(1.1);
    expect(m.variances[1] / 1).toBeGreaterThan(0.9);
    expect(m.variances[1] / 1).toBeLessThan(1.1);
    expect(Math.abs(m.transMat[0] - 0.95)).toBeLessThan(0.02);
    expect(Math.abs(m.transMat[3] - 0.9)).toBeLessThan(0.02);
    // the Viterbi path of the fitted model matches the true states almost everywhere
    const { x: x2, states } = sampleHmm(two, 2000, 43);
    const path = hmmViterbi(m, x2).path;
    let agree = 0;
    for (let t = 0; t < 2000; t++) if (path[t] === states[t]) agree++;
    expect(agree / 2000).toBeGreaterThan(0.95);
  });

  it('recovers a known 3-state model (T = 20000)', () => {
    const { x } = sampleHmm(three, 20_000, 2024);
    const { model: m } = fitHmm(x, { K: 3, seed: 9 });
    const trueMeans = [-2, 0, 2.5];
    const trueVars = [0.5, 0.3, 1.2];
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(m.means[k] - trueMeans[k])).toBeLessThan(0.05);
      expect(Math.abs(m.variances[k] / trueVars[k] - 1)).toBeLessThan(0.1);
      for (let j = 0; j < 3; j++) expect(Math.abs(m.transMat[k * 3 + j] - three.transMat[k * 3 + j])).toBeLessThan(0.02);
    }
  });
});

describe('labels and determinism', () => {
  const { x } = sampleHmm(three, 4000, 99);

  it('labels states by ascending mean of dimension 0', () => {
    for (const seed of [1, 2, 3]) {
      const m = fitHmm(x, { K: 3, seed, restarts: 2 }).model;
      expect(m.means[0]).toBeLessThan(m.means[1]);
      expect(m.means[1]).toBeLessThan(m.means[2]);
    }
    const m2 = fitHmm(sampleHmm(three, 2000, 5).x.map((v, i) => (i % 2 ? v : -v)), { K: 2, D: 2, seed: 4 }).model;
    expect(m2.means[0]).toBeLessThan(m2.means[2]); // dimension 0 of state 0 < of state 1
  });

  it('relabelling permutes π, A, means, variances consistently (same likelihood, permuted filtered)', () => {
    const shuffled = makeHmm({
      startProb: [0.3, 0.5, 0.2],
      transMat: [0.8, 0.1, 0.1, 0.05, 0.9, 0.05, 0.2, 0.1, 0.7],
      means: [1, -1, 0],
      variances: [1, 2, 3],
    });
    const l = labelStatesByMean(shuffled);
    expect(Array.from(l.means)).toEqual([-1, 0, 1]);
    expect(Array.from(l.variances)).toEqual([2, 3, 1]);
    expect(Array.from(l.startProb)).toEqual([0.5, 0.2, 0.3]);
    // new order (old index): 1, 2, 0 ⇒ A'[a][b] = A[old a][old b]
    expect(Array.from(l.transMat)).toEqual([0.9, 0.05, 0.05, 0.1, 0.7, 0.2, 0.1, 0.1, 0.8]);
    const y = x.subarray(0, 300);
    expect(hmmLogLikelihood(l, y)).toBeCloseTo(hmmLogLikelihood(shuffled, y), 9);
    const fa = hmmFiltered(shuffled, y);
    const fb = hmmFiltered(l, y);
    for (let t = 0; t < 300; t++) {
      expect(fb[t * 3 + 0]).toBeCloseTo(fa[t * 3 + 1], 12);
      expect(fb[t * 3 + 1]).toBeCloseTo(fa[t * 3 + 2], 12);
      expect(fb[t * 3 + 2]).toBeCloseTo(fa[t * 3 + 0], 12);
    }
  });

  it('same seed ⇒ identical fit; the winner is the best restart', () => {
    const a = fitHmm(x, { K: 3, seed: 17, restarts: 4 });
    const b = fitHmm(x, { K: 3, seed: 17, restarts: 4 });
    expect(a).toEqual(b);
    expect(a.restartLogLiks.length).toBe(4);
    expect(a.logLik).toBe(Math.max(...a.restartLogLiks));
    expect(a.restartLogLiks[a.bestRestart]).toBe(a.logLik);
    // restart 0 is seed-independent (quantile start), so more restarts can only help
    const one = fitHmm(x, { K: 3, seed: 17, restarts: 1 });
    expect(one.restartLogLiks[0]).toBe(a.restartLogLiks[0]);
    expect(a.logLik).toBeGreaterThanOrEqual(one.logLik);
    // a different seed changes the random restarts
    const c = fitHmm(x, { K: 3, seed: 18, restarts: 4 });
    expect(Array.from(c.restartLogLiks.subarray(1))).not.toEqual(Array.from(a.restartLogLiks.subarray(1)));
  });

  it('restarts pick the best log-likelihood when a start is poor', () => {
    // a 4-state fit of 3-state data has local optima; every restart is a full EM run
    const f = fitHmm(x, { K: 4, seed: 3, restarts: 5, maxIter: 200 });
    for (const l of f.restartLogLiks) expect(f.logLik).toBeGreaterThanOrEqual(l);
    expect(new Set(Array.from(f.restartLogLiks, (v) => v.toFixed(6))).size).toBeGreaterThan(1);
  });
});

describe('diagonal multivariate emissions', () => {
  it('a dimension with state-independent parameters factors out of the likelihood and leaves the filter unchanged', () => {
    const uni = makeHmm({ startProb: [0.6, 0.4], transMat: [0.7, 0.3, 0.25, 0.75], means: [-0.5, 1.2], variances: [0.8, 1.5] });
    const bi = makeHmm({
      startProb: [0.6, 0.4],
      transMat: [0.7, 0.3, 0.25, 0.75],
      means: [
        [-0.5, 3],
        [1.2, 3],
      ],
      variances: [
        [0.8, 0.5],
        [1.5, 0.5],
      ],
    });
    const { x } = sampleHmm(bi, 500, 8);
    const x1 = x.filter((_, i) => i % 2 === 0);
    let other = 0;
    for (let t = 0; t < 500; t++) other += Math.log(npdf(x[2 * t + 1], 3, 0.5));
    expect(hmmLogLikelihood(bi, x)).toBeCloseTo(hmmLogLikelihood(uni, x1) + other, 8);
    expectClose(hmmFiltered(bi, x), hmmFiltered(uni, x1), 1e-12);
    expect(Array.from(hmmViterbi(bi, x).path)).toEqual(Array.from(hmmViterbi(uni, x1).path));
  });

  it('fits a 2-D model and recovers both dimensions', () => {
    const truth = makeHmm({
      startProb: [0.5, 0.5],
      transMat: [0.97, 0.03, 0.05, 0.95],
      means: [
        [-0.5, -2],
        [0.5, 1],
      ],
      variances: [
        [1, 0.3],
        [1, 0.5],
      ],
    });
    const { x } = sampleHmm(truth, 6000, 12);
    const m = fitHmm(x, { K: 2, D: 2, seed: 2 }).model;
    const want = [-0.5, -2, 0.5, 1];
    for (let i = 0; i < 4; i++) expect(Math.abs(m.means[i] - want[i])).toBeLessThan(0.08);
    const wantV = [1, 0.3, 1, 0.5];
    for (let i = 0; i < 4; i++) expect(Math.abs(m.variances[i] / wantV[i] - 1)).toBeLessThan(0.12);
  });
});

describe('HmmFilter (streaming)', () => {
  it('agrees with the pure filtered probabilities to 1e-9 (1-D and 2-D)', () => {
    const { x } = sampleHmm(three, 10_000, 5);
    const m = fitHmm(x.subarray(0, 3000), { K: 3, seed: 1 }).model;
    const pure = hmmForward(m, x);
    const f = new HmmFilter(m);
    expect(f.state).toBe(-1);
    expect(Number.isNaN(f.prob(0))).toBe(true);
    let worst = 0;
    for (let t = 0; t < 10_000; t++) {
      f.update(x[t]);
      for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(f.prob(k) - pure.filtered[t * 3 + k]));
    }
    expect(worst).toBeLessThan(1e-9);
    expect(Math.abs(f.logLik - pure.logLik)).toBeLessThan(1e-9 * Math.abs(pure.logLik));
    expect(f.count).toBe(10_000);

    const bi = makeHmm({ startProb: [0.3, 0.7], transMat: [0.9, 0.1, 0.2, 0.8], means: [[0, 1], [1, 0]], variances: [[1, 2], [0.5, 1]] });
    const y = sampleHmm(bi, 2000, 6).x;
    const pb = hmmFiltered(bi, y);
    const g = new HmmFilter(bi);
    worst = 0;
    for (let t = 0; t < 2000; t++) {
      g.update(y, 2 * t);
      for (let k = 0; k < 2; k++) worst = Math.max(worst, Math.abs(g.prob(k) - pb[t * 2 + k]));
    }
    expect(worst).toBeLessThan(1e-9);
    expect(() => g.update(1)).toThrow(/2-dimensional/);
  });

  it('treats a NaN observation as missing (prediction only) and recovers afterwards', () => {
    const f = new HmmFilter(tiny);
    f.update(0.3);
    const p = [f.prob(0), f.prob(1)];
    expect(f.update(NaN)).toBe(0);
    expect(f.prob(0)).toBeCloseTo(p[0] * 0.7 + p[1] * 0.25, 14);
    f.update(1);
    expect(Number.isFinite(f.prob(0))).toBe(true);
  });
});

// ───────────── regimes over real tapes ─────────────

function sliceBars(t: BarTape, n: number): BarTape {
  return makeBarTape({
    time: t.time.subarray(0, n),
    open: t.open.subarray(0, n),
    high: t.high.subarray(0, n),
    low: t.low.subarray(0, n),
    close: t.close.subarray(0, n),
    volume: t.volume.subarray(0, n),
    timeframeMs: t.timeframeMs,
  });
}

function sliceTrades(t: TradeTape, n: number): TradeTape {
  return makeTradeTape({ time: t.time.subarray(0, n), price: t.price.subarray(0, n), amount: t.amount.subarray(0, n), side: t.side.subarray(0, n) });
}

function expectSameColumns(a: Record<string, Float64Array>, b: Record<string, Float64Array>, n: number): void {
  for (const k of Object.keys(a)) {
    const x = a[k].subarray(0, n);
    const y = b[k].subarray(0, n);
    for (let i = 0; i < n; i++) if (!Object.is(x[i], y[i])) throw new Error(`${k}[${i}]: ${x[i]} vs ${y[i]}`);
  }
}

function streamBars(t: BarTape, p: Partial<HmmRegimeParams>): Record<string, Float64Array> {
  const s = new HmmRegimeBars(t.timeframeMs, p);
  const out: Record<string, Float64Array> = {};
  s.outputs.forEach((name) => (out[name] = new Float64Array(t.length)));
  for (let i = 0; i < t.length; i++) {
    s.update(t.time[i], t.open[i], t.high[i], t.low[i], t.close[i], t.volume[i]);
    s.outputs.forEach((name, k) => (out[name][i] = s.value(k)));
  }
  return out;
}

function expectAgree(a: Record<string, Float64Array>, b: Record<string, Float64Array>): void {
  for (const k of Object.keys(a)) {
    expect(b[k].length).toBe(a[k].length);
    for (let i = 0; i < a[k].length; i++) {
      const x = a[k][i];
      const y = b[k][i];
      if (Number.isNaN(x) || Number.isNaN(y)) {
        if (!(Number.isNaN(x) && Number.isNaN(y))) throw new Error(`${k}[${i}]: ${x} vs ${y}`);
      } else if (Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(x))) throw new Error(`${k}[${i}]: ${x} vs ${y}`);
    }
  }
}

describe('hmmRegimeSeries on the bundled 5m BTC/USDT bars', () => {
  const bars = loadBars(bundledData.bars5m).tape;
  const full = sliceBars(bars, 6000);
  const params: Partial<HmmRegimeParams> = { trainSamples: 1500, refitEvery: 700, restarts: 2, maxIter: 60 };

  it('is causal: a prefix run equals the prefix of the full run (with refits)', () => {
    const a = HMM_SIGNAL.compute(full, params as Record<string, number>);
    for (const m of [1501, 2600, 3333]) expectSameColumns(HMM_SIGNAL.compute(sliceBars(bars, m), params as Record<string, number>), a, m);
    expect(Object.keys(a)).toEqual(['state', 'prob', 'p0', 'p1', 'p2', 'stateMean']);
    expect(HMM_SIGNAL.outputs).toEqual(['state', 'prob', 'p0', 'p1', 'p2', 'stateMean']);
  });

  it('NaN until the first fit, then probabilities that sum to 1 and states labelled by mean', () => {
    const r = hmmRegimeSeries(full, params);
    expect(r.fits.map((f) => f.obsIndex)).toEqual([1499, 2199, 2899, 3599, 4299, 4999, 5699]);
    const first = r.fits[0].row;
    expect(first).toBe(1500); // bar 0 gives no return; observation 1499 is bar 1500's return
    for (let i = 0; i < first; i++) expect(Number.isNaN(r.state[i])).toBe(true);
    for (let i = first; i < full.length; i++) {
      expect(Math.abs(r.probs[0][i] + r.probs[1][i] + r.probs[2][i] - 1)).toBeLessThan(1e-12);
      expect(r.prob[i]).toBe(r.probs[r.state[i]][i]);
    }
    for (const f of r.fits) {
      const mu = f.fit.model.means;
      expect(mu[0]).toBeLessThanOrEqual(mu[1]);
      expect(mu[1]).toBeLessThanOrEqual(mu[2]);
    }
    // observations are close-to-close log returns
    expect(r.observations[0]).toBeCloseTo(Math.log(full.close[1] / full.close[0]), 15);
    expect(r.obsRow[0]).toBe(1);
  });

  it('the streaming form agrees with the pure form to 1e-9 (1-D with refits, and 2-D with the volatility feature)', () => {
    expectAgree(HMM_SIGNAL.compute(full, params as Record<string, number>), streamBars(full, params));
    const p2: Partial<HmmRegimeParams> = { trainSamples: 2000, volWindow: 12, K: 2, sampleMs: 900_000, restarts: 1 };
    const pure = HMM_SIGNAL.compute(full, p2 as Record<string, number>);
    expect(Object.keys(pure)).toEqual(['state', 'prob', 'p0', 'p1', 'stateMean']);
    expectAgree(pure, streamBars(full, p2));
    // 15-minute sampling of 5-minute bars: one observation per three bars
    const r = hmmRegimeSeries(full, p2);
    expect(r.D).toBe(2);
    expect(r.obsRow[1] - r.obsRow[0]).toBe(3);
  });
});

describe('hmmRegimeSeries on the bundled Tardis trades', () => {
  const trades = loadTrades(bundledData.trades).tape;
  const params: Partial<HmmRegimeParams> = { sampleMs: 1000, trainSamples: 1200, refitEvery: 1500, K: 2, restarts: 2 };

  it('is causal, and the streaming form agrees', () => {
    const a = HMM_SIGNAL.compute(trades, params as Record<string, number>);
    for (const m of [4000, 7777]) expectSameColumns(HMM_SIGNAL.compute(sliceTrades(trades, m), params as Record<string, number>), a, m);
    const s = new HmmRegimeTrades(params);
    const out: Record<string, Float64Array> = {};
    s.outputs.forEach((name) => (out[name] = new Float64Array(trades.length)));
    for (let i = 0; i < trades.length; i++) {
      s.update(trades.time[i], trades.price[i], trades.amount[i], trades.side[i]);
      s.outputs.forEach((name, k) => (out[name][i] = s.value(k)));
    }
    expectAgree(a, out);
    expect(s.fits).toBeGreaterThan(1);
    // an interval's observation is known only at the first trade of a later interval
    const r = hmmRegimeSeries(trades, params);
    for (let q = 0; q < 50; q++) {
      const row = r.obsRow[q];
      expect(Math.floor(trades.time[row] / 1000)).toBeGreaterThan(Math.floor(trades.time[row - 1] / 1000));
    }
  });
});

// ───────────── edge cases ─────────────

describe('the unrolled K = 3, D = 1 recursion', () => {
  // ForwardCore has a general loop and an unrolled form for the regime default (K = 3, D = 1); the
  // unrolled one claims the same floating-point operations in the same order. Identical bits, not 1e-12.
  const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
  const both = <T>(f: () => T): [T, T] => {
    const unrolled = f();
    ForwardCore.unrolledK3D1 = false;
    try {
      return [unrolled, f()];
    } finally {
      ForwardCore.unrolledK3D1 = true;
    }
  };
  const fitBits = (r: ReturnType<typeof fitHmm>) =>
    [r.model.startProb, r.model.transMat, r.model.means, r.model.variances, r.logLikHistory, r.restartLogLiks].map(bits).join('|') + `|${r.iterations}|${r.bestRestart}`;
  // left-right chain: states 1 and 2 are unreachable at t = 0 and state 0 becomes unreachable (probability exactly 0)
  const leftRight = makeHmm({ startProb: [1, 0, 0], transMat: [[0.9, 0.1, 0], [0, 0.95, 0.05], [0, 0, 1]], means: [-1, 0, 1], variances: [1, 0.5, 2] });
  const withGaps = (x: Float64Array) => {
    const y = Float64Array.from(x);
    for (let i = 3; i < y.length; i += 101) y[i] = NaN; // missing observations
    y[50] = -400; // underflows every density
    y[y.length - 7] = 700;
    return y;
  };

  it('gives the same bits as the general loop: forward, smoothed, streaming filter (NaN, outliers, unreachable states)', () => {
    for (const m of [three, leftRight]) {
      const x = withGaps(sampleHmm(m, 3000, 9).x);
      const [a, b] = both(() => hmmForward(m, x));
      expect(bits(a.filtered)).toBe(bits(b.filtered));
      expect(Object.is(a.logLik, b.logLik)).toBe(true);
      const [sa, sb] = both(() => hmmSmoothed(m, x));
      expect(bits(sa)).toBe(bits(sb));
      const [fa, fb] = both(() => {
        const f = new HmmFilter(m);
        const out = new Float64Array(4 * x.length);
        for (let t = 0; t < x.length; t++) {
          out[4 * t] = f.update(x[t]);
          out.set(f.probs, 4 * t + 1);
        }
        return out;
      });
      expect(bits(fa)).toBe(bits(fb));
      // the streaming filter is the batch pass one observation at a time
      expect(bits(fa.filter((_, i) => i % 4 !== 0))).toBe(bits(a.filtered));
    }
  });

  it('gives the same bits as the general loop: Baum-Welch and fitHmm with restarts', () => {
    const x = sampleHmm(three, 4000, 11).x;
    const [a, b] = both(() => fitHmm(x, { K: 3, seed: 3 }));
    expect(fitBits(a)).toBe(fitBits(b));
    const y = sampleHmm(leftRight, 2000, 12).x;
    const [c, d] = both(() => baumWelch(leftRight, y, { maxIter: 40 }));
    expect(fitBits(c)).toBe(fitBits(d));
    expect(c.model.transMat[2]).toBe(0); // a zero transition stays zero: the γ = 0 branches were taken
  });

  it('gives the same bits as the general loop over a tape, and the streaming regimes match the pure ones exactly', () => {
    const bars = sliceBars(loadBars(bundledData.bars5m).tape, 4000);
    const params: Partial<HmmRegimeParams> = { trainSamples: 1200, refitEvery: 900, restarts: 2, maxIter: 40 };
    const [a, b] = both(() => HMM_SIGNAL.compute(bars, params as Record<string, number>));
    expectSameColumns(a, b, bars.length);
    expectSameColumns(a, streamBars(bars, params), bars.length);
  });
});

describe('edge cases', () => {
  it('constant observations: variance floor, no NaN', () => {
    const x = new Float64Array(200).fill(5);
    const f = fitHmm(x, { K: 3, seed: 1 });
    expect(Number.isFinite(f.logLik)).toBe(true);
    for (const v of f.model.variances) expect(v).toBe(1e-12);
    for (const v of [...f.model.means, ...f.model.transMat, ...f.model.startProb]) expect(Number.isFinite(v)).toBe(true);
    for (const p of hmmFiltered(f.model, x)) expect(Number.isFinite(p)).toBe(true);
    expect(Array.from(hmmViterbi(f.model, x).path).every((s) => s >= 0 && s < 3)).toBe(true);
    // a constant-price tape: the regime outputs are defined and finite after the fit
    const n = 400;
    const bars = makeBarTape({
      time: Array.from({ length: n }, (_, i) => i * 60_000),
      open: new Float64Array(n).fill(100),
      high: new Float64Array(n).fill(100),
      low: new Float64Array(n).fill(100),
      close: new Float64Array(n).fill(100),
      volume: new Float64Array(n).fill(1),
    });
    const r = hmmRegimeSeries(bars, { trainSamples: 100, volWindow: 5 });
    for (let i = r.fits[0].row; i < n; i++) expect(Number.isFinite(r.prob[i]) && Number.isFinite(r.stateMean[i])).toBe(true);
  });

  it('T < K fits without NaN', () => {
    const f = fitHmm([0.5, -1.25], { K: 3, seed: 2, restarts: 3 });
    for (const v of [...f.model.means, ...f.model.variances, ...f.model.transMat, ...f.model.startProb]) expect(Number.isFinite(v)).toBe(true);
    expect(Number.isFinite(f.logLik)).toBe(true);
    const g = fitHmm([0.7], { K: 2 });
    expect(Number.isFinite(g.logLik)).toBe(true);
  });

  it('K = 1 is a single Gaussian: sample mean, population variance, filtered ≡ 1', () => {
    const x = [1, 2, 4, 7, 11];
    const f = fitHmm(x, { K: 1 });
    expect(f.model.means[0]).toBeCloseTo(5, 12);
    expect(f.model.variances[0]).toBeCloseTo((16 + 9 + 1 + 4 + 36) / 5, 12);
    expect(Array.from(f.model.transMat)).toEqual([1]);
    expect(Array.from(hmmFiltered(f.model, x))).toEqual([1, 1, 1, 1, 1]);
    let ll = 0;
    for (const v of x) ll += Math.log(npdf(v, 5, 13.2));
    expect(f.logLik).toBeCloseTo(ll, 10);
  });

  it('fails loudly on bad input', () => {
    expect(() => fitHmm([], { K: 2 })).toThrow(/at least one observation/);
    expect(() => fitHmm([1, NaN], { K: 2 })).toThrow(/observation value 1/);
    expect(() => fitHmm([1, 2, 3], { K: 2, D: 2 })).toThrow(/whole number/);
    expect(() => fitHmm([1, 2], { K: 0 })).toThrow(/K must be/);
    expect(() => makeHmm({ startProb: [0.5, 0.6], transMat: [1, 0, 0, 1], means: [0, 1], variances: [1, 1] })).toThrow(/startProb sums/);
    expect(() => makeHmm({ startProb: [1], transMat: [1], means: [0], variances: [0] })).toThrow(/variances\[0\]/);
    expect(() => hmmRegimeSeries(loadBars(bundledData.bars1h).tape, { K: 2.5 })).toThrow(/K must be an integer/);
  });
});

// ───────────── speed ─────────────

// Fit speed is measured by `npm run bench` (bench/run.ts, hmm section), not by a timed test.
