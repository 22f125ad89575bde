/**
 * Probability of Backtest Overfitting (PBO) by Combinatorially Symmetric
 * Cross-Validation (CSCV).
 *
 * Reference: D. H. Bailey, J. M. Borwein, M. López de Prado & Q. J. Zhu,
 * "The Probability of Backtest Overfitting", Journal of Computational
 * Finance 20(4), 2017, 39–69 (SSRN 2326253), §2–3.
 *
 * Error policy (as in sharpe.ts): data too small for the procedure (fewer
 * than 4 rows or 2 configurations) gives `pbo: NaN` with the reason in
 * `insufficient`; invalid arguments (ragged rows, non-finite values, an odd
 * block count) throw a RangeError.
 */

/** A performance metric of one configuration over a set of rows (given in time order). */
export type PboMetric = (values: Float64Array) => number;

/** Options of {@link probabilityOfBacktestOverfitting}. */
export interface PboOptions {
  /**
   * S, the number of row blocks: an even integer, 2 ≤ S ≤ 24, default 16 (the paper's choice).
   * There are C(S, S/2) combinations (12 870 for S = 16). With fewer rows than S, the largest
   * even number ≤ T is used (reported in `blocks`).
   */
  blocks?: number;
  /**
   * Performance metric of a configuration on a set of rows; default the per-period Sharpe ratio
   * (mean / sample SD; a zero-variance set scores ±Infinity by the sign of its mean, 0 when the
   * mean is 0). A custom metric is called 2·N times per combination with the rows gathered into
   * a Float64Array, which is much slower than the built-in Sharpe (computed from per-block
   * moments). NaN scores rank below everything.
   */
  metric?: PboMetric;
}

/** Least-squares fit of OOS on IS performance of the selected configuration, across combinations. */
export interface PerformanceDegradation {
  /** β in R̄ = α + β·R: negative means the IS-best tends to do worse OOS the better it looked IS. */
  slope: number;
  /** α. */
  intercept: number;
  /** Coefficient of determination of the fit. */
  r2: number;
  /** Number of combinations with finite IS and OOS performance used in the fit. */
  points: number;
}

/** Result of {@link probabilityOfBacktestOverfitting}. */
export interface PboResult {
  /** PBO = share of combinations whose selected configuration has logit λ ≤ 0 (OOS rank ≤ median). */
  pbo: number;
  /** Set when the data were too small: the reason, with `pbo` NaN and empty arrays. */
  insufficient?: string;
  /** T, the number of rows (periods). */
  rows: number;
  /** N, the number of configurations (columns). */
  configs: number;
  /** S actually used. */
  blocks: number;
  /** Rows per block (contiguous blocks; sizes differ by at most 1). */
  blockSizes: number[];
  /** Number of combinations C(S, S/2). */
  combinations: number;
  /** λ_c = ln(ω̄_c / (1 − ω̄_c)) per combination: the λ distribution. */
  logits: Float64Array;
  /** ω̄_c = r̄/(N + 1): relative OOS rank of the IS-best configuration (r̄ in 1..N, N = best; ties midranked). */
  omegas: Float64Array;
  /** n*_c, the IS-best configuration (column index) per combination. */
  selected: Int32Array;
  /** Bitmask of the IS blocks per combination (bit b set ⇔ block b is in-sample). */
  inSampleBlocks: Int32Array;
  /** IS performance R_{n*} of the selected configuration per combination. */
  isPerformance: Float64Array;
  /** OOS performance R̄_{n*} of the selected configuration per combination. */
  oosPerformance: Float64Array;
  /** Mean of the logits. */
  meanLogit: number;
  /** OOS-on-IS regression of the selected configuration's performance (performance degradation). */
  degradation: PerformanceDegradation;
  /** Probability of loss: share of combinations with R̄_{n*} < 0. */
  probabilityOfLoss: number;
}

const MAX_BLOCKS = 24;

/**
 * Probability of Backtest Overfitting by CSCV (Bailey, Borwein, López de Prado & Zhu 2017).
 *
 * Given a T×N matrix M of per-period performance (rows = periods in time order, columns = the N
 * configurations tried):
 * 1. Split the rows into S contiguous blocks of (near-)equal size.
 * 2. For each of the C(S, S/2) ways to pick S/2 blocks as the in-sample set J (the rest, J̄, is
 *    out-of-sample): compute the metric of every configuration on J (vector R) and on J̄ (R̄).
 * 3. Select n* = argmax_n R_n (the configuration the researcher would pick; first index on ties).
 * 4. Its relative OOS rank ω̄_c = r̄_{n*} / (N + 1), where r̄ ∈ {1, …, N} ranks R̄ ascending
 *    (N = best OOS; tied values get their mean rank), and the logit λ_c = ln(ω̄_c / (1 − ω̄_c)).
 * 5. PBO = #{c : λ_c ≤ 0} / C(S, S/2): how often the IS-best is no better than the OOS median.
 *
 * Also reported (§3 of the paper): the performance degradation, the least-squares line of
 * R̄_{n*} on R_{n*} across combinations, and the probability of loss, the share of combinations
 * with R̄_{n*} < 0.
 *
 * A skill-less set of configurations gives PBO ≈ ½ (exactly ½ in expectation for even N); a
 * configuration that is genuinely best gives PBO ≈ 0; selection that only fits noise gives PBO → 1.
 *
 * @param matrix T rows × N columns of finite per-period performance (e.g. returns); not mutated.
 * @param options blocks (S, default 16) and metric (default per-period Sharpe ratio).
 * @returns the PBO with the λ distribution and diagnostics; `pbo` NaN (with `insufficient`) when
 *   T < 4 or N < 2.
 * @throws RangeError for ragged rows, non-finite values, or S not an even integer in [2, 24].
 * @example
 * probabilityOfBacktestOverfitting(dailyReturnsByConfig, { blocks: 16 }).pbo; // e.g. 0.07
 */
export function probabilityOfBacktestOverfitting(matrix: readonly (readonly number[])[], options: PboOptions = {}): PboResult {
  const requested = options.blocks ?? 16;
  if (!Number.isInteger(requested) || requested < 2 || requested % 2 !== 0 || requested > MAX_BLOCKS) {
    throw new RangeError(`probabilityOfBacktestOverfitting: blocks must be an even integer in [2, ${MAX_BLOCKS}], got ${requested}`);
  }
  const T = matrix.length;
  const N = T > 0 ? matrix[0].length : 0;
  for (let t = 0; t < T; t++) {
    const row = matrix[t];
    if (row.length !== N) throw new RangeError(`probabilityOfBacktestOverfitting: row ${t} has ${row.length} values, row 0 has ${N}`);
    for (let j = 0; j < N; j++) {
      if (!Number.isFinite(row[j])) throw new RangeError(`probabilityOfBacktestOverfitting: value [${t}][${j}] is not finite (${row[j]})`);
    }
  }
  const S = Math.min(requested, T - (T % 2));
  if (T < 4 || N < 2) {
    return emptyResult(T, N, Math.max(S, 0), T < 4 ? `needs at least 4 rows, got ${T}` : `needs at least 2 configurations, got ${N}`);
  }

  // Contiguous blocks [start_b, start_{b+1}), sizes ⌊T/S⌋ or ⌈T/S⌉.
  const starts = new Int32Array(S + 1);
  for (let b = 0; b <= S; b++) starts[b] = Math.floor((b * T) / S);
  const blockSizes = Array.from({ length: S }, (_, b) => starts[b + 1] - starts[b]);

  const half = S / 2;
  const combos = binomial(S, half);
  const logits = new Float64Array(combos);
  const omegas = new Float64Array(combos);
  const selected = new Int32Array(combos);
  const inSampleBlocks = new Int32Array(combos);
  const isPerf = new Float64Array(combos);
  const oosPerf = new Float64Array(combos);

  const scorer = options.metric ? customScorer(matrix, starts, S, N, options.metric) : sharpeScorer(matrix, starts, S, N);
  const R = new Float64Array(N);
  const Rbar = new Float64Array(N);

  // Enumerate the S-bit masks with S/2 bits set in increasing order (Gosper's hack).
  let mask = (1 << half) - 1;
  const full = (1 << S) - 1;
  for (let c = 0; c < combos; c++) {
    scorer(mask, R);
    scorer(full ^ mask, Rbar);
    let best = 0;
    for (let j = 1; j < N; j++) if (rankValue(R[j]) > rankValue(R[best])) best = j;
    const target = rankValue(Rbar[best]);
    let below = 0;
    let tiedOthers = 0;
    for (let j = 0; j < N; j++) {
      const v = rankValue(Rbar[j]);
      if (v < target) below++;
      else if (v === target && j !== best) tiedOthers++;
    }
    const rank = 1 + below + tiedOthers / 2; // midrank among ties, 1 = worst, N = best
    const omega = rank / (N + 1);
    omegas[c] = omega;
    logits[c] = Math.log(omega / (1 - omega));
    selected[c] = best;
    inSampleBlocks[c] = mask;
    isPerf[c] = R[best];
    oosPerf[c] = Rbar[best];

    const low = mask & -mask;
    const ripple = mask + low;
    mask = Math.floor(((ripple ^ mask) >>> 2) / low) | ripple;
  }

  let overfit = 0;
  let losses = 0;
  let logitSum = 0;
  for (let c = 0; c < combos; c++) {
    if (logits[c] <= 0) overfit++;
    if (oosPerf[c] < 0) losses++;
    logitSum += logits[c];
  }
  return {
    pbo: overfit / combos,
    rows: T,
    configs: N,
    blocks: S,
    blockSizes,
    combinations: combos,
    logits,
    omegas,
    selected,
    inSampleBlocks,
    isPerformance: isPerf,
    oosPerformance: oosPerf,
    meanLogit: logitSum / combos,
    degradation: regress(isPerf, oosPerf),
    probabilityOfLoss: losses / combos,
  };
}

/** NaN ranks below every number (including −Infinity). */
function rankValue(v: number): number {
  return Number.isNaN(v) ? -Infinity : v;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

type Scorer = (blockMask: number, out: Float64Array) => void;

/**
 * Sharpe ratio of every configuration over a union of blocks, from per-block count, mean and
 * centred sum of squares M2 merged with Chan, Golub & LeVeque's pairwise update
 * (n = nA + nB, δ = x̄B − x̄A, x̄ = x̄A + δ·nB/n, M2 = M2A + M2B + δ²·nA·nB/n), which stays
 * accurate where Σx² − n·x̄² would cancel.
 */
function sharpeScorer(matrix: readonly (readonly number[])[], starts: Int32Array, S: number, N: number): Scorer {
  const means = new Float64Array(S * N);
  const m2s = new Float64Array(S * N);
  const maxAbs = new Float64Array(S * N);
  for (let b = 0; b < S; b++) {
    const n = starts[b + 1] - starts[b];
    for (let j = 0; j < N; j++) {
      let sum = 0;
      let mx = 0;
      for (let t = starts[b]; t < starts[b + 1]; t++) {
        sum += matrix[t][j];
        mx = Math.max(mx, Math.abs(matrix[t][j]));
      }
      const mean = sum / n;
      let m2 = 0;
      for (let t = starts[b]; t < starts[b + 1]; t++) {
        const d = matrix[t][j] - mean;
        m2 += d * d;
      }
      means[b * N + j] = mean;
      m2s[b * N + j] = m2;
      maxAbs[b * N + j] = mx;
    }
  }
  const sizes = Array.from({ length: S }, (_, b) => starts[b + 1] - starts[b]);
  return (blockMask, out) => {
    for (let j = 0; j < N; j++) {
      let n = 0;
      let mean = 0;
      let m2 = 0;
      let scale = 0;
      for (let b = 0; b < S; b++) {
        if ((blockMask & (1 << b)) === 0) continue;
        const nb = sizes[b];
        const mb = means[b * N + j];
        const total = n + nb;
        const delta = mb - mean;
        mean += (delta * nb) / total;
        m2 += m2s[b * N + j] + (delta * delta * n * nb) / total;
        n = total;
        scale = Math.max(scale, maxAbs[b * N + j]);
      }
      const sd = Math.sqrt(m2 / (n - 1));
      // A rounding-level SD marks a constant set (see sharpeRatio in sharpe.ts).
      if (sd <= 1e-13 * scale) out[j] = mean > 0 ? Infinity : mean < 0 ? -Infinity : 0;
      else out[j] = mean / sd;
    }
  };
}

function customScorer(matrix: readonly (readonly number[])[], starts: Int32Array, S: number, N: number, metric: PboMetric): Scorer {
  const buffer = new Float64Array(matrix.length);
  return (blockMask, out) => {
    for (let j = 0; j < N; j++) {
      let k = 0;
      for (let b = 0; b < S; b++) {
        if ((blockMask & (1 << b)) === 0) continue;
        for (let t = starts[b]; t < starts[b + 1]; t++) buffer[k++] = matrix[t][j];
      }
      out[j] = metric(buffer.subarray(0, k));
    }
  };
}

function regress(x: Float64Array, y: Float64Array): PerformanceDegradation {
  let n = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    n++;
    mx += (x[i] - mx) / n;
    my += (y[i] - my) / n;
  }
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (n < 2 || sxx === 0) return { slope: NaN, intercept: NaN, r2: NaN, points: n };
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? NaN : (sxy * sxy) / (sxx * syy), points: n };
}

function emptyResult(T: number, N: number, S: number, reason: string): PboResult {
  return {
    pbo: NaN,
    insufficient: reason,
    rows: T,
    configs: N,
    blocks: S,
    blockSizes: [],
    combinations: 0,
    logits: new Float64Array(0),
    omegas: new Float64Array(0),
    selected: new Int32Array(0),
    inSampleBlocks: new Int32Array(0),
    isPerformance: new Float64Array(0),
    oosPerformance: new Float64Array(0),
    meanLogit: NaN,
    degradation: { slope: NaN, intercept: NaN, r2: NaN, points: 0 },
    probabilityOfLoss: NaN,
  };
}
