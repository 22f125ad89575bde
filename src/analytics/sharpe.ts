/**
 * Sharpe-ratio significance: the per-period Sharpe ratio, the Probabilistic
 * Sharpe Ratio (PSR), the expected maximum Sharpe ratio of N trials, and the
 * Deflated Sharpe Ratio (DSR), plus the accurate standard normal CDF they need.
 *
 * Conventions used throughout:
 * - Sharpe ratios are PER PERIOD and NOT annualised (mean / sample SD of the
 *   returns as given). Annualise only for display; the PSR/DSR formulas need
 *   the per-period value with n the number of periods.
 * - `kurtosis` is the RAW (Pearson, non-excess) kurtosis γ4, 3 for a normal
 *   distribution. simple-statistics' `sampleKurtosis` returns the EXCESS
 *   kurtosis (Fisher, unbiased "Excel/SAS" estimator G2); we add 3.
 * - Skewness is simple-statistics' `sampleSkewness`, the adjusted
 *   Fisher–Pearson estimator G1. (López de Prado's reference code uses the
 *   biased moment estimators g1, g2 + 3; the difference is O(1/n).)
 *
 * Error policy: a statistic the DATA cannot support (too few observations,
 * a constant series) is NaN, so a sweep over many configurations keeps
 * going and the caller can test `Number.isFinite`; an invalid ARGUMENT
 * (a non-finite return, a non-integer n, trials < 1, a negative variance)
 * throws a RangeError naming the function.
 */
import ss from './ss';
import { normalCdf, normalQuantile } from './stats';

/** Re-exported: Φ lives in stats.ts with the normal quantile, shared by VPIN, OFI and PSR/DSR. */
export { normalCdf };

/** Euler–Mascheroni constant γ. */
export const EULER_MASCHERONI = 0.5772156649015329;

/**
 * Per-period (non-annualised) Sharpe ratio SR = x̄ / s of a return series, with s the sample
 * standard deviation (n − 1 denominator). No risk-free rate is subtracted: pass excess returns
 * if one applies.
 *
 * W. F. Sharpe, "The Sharpe Ratio", Journal of Portfolio Management 21(1), 1994.
 *
 * @param returns per-period finite returns.
 * @returns x̄ / s. NaN with fewer than 2 returns (no SD) and for a constant series (s = 0, or
 *   s ≤ 1e−13 · max|x|, the rounding noise of a constant series such as [0.1, 0.1, 0.1]).
 * @throws RangeError for a non-finite value.
 * @example
 * sharpeRatio([0.01, 0.02, -0.01, 0.03, 0]); // => 0.6324555320336759 (mean 0.01, sd 0.0158114)
 */
export function sharpeRatio(returns: readonly number[]): number {
  checkReturns(returns, 'sharpeRatio');
  if (returns.length < 2) return NaN;
  const xs = returns as number[]; // simple-statistics' typings want a mutable array; it does not mutate
  const sd = ss.sampleStandardDeviation(xs);
  if (isConstant(xs, sd)) return NaN;
  return ss.mean(xs) / sd;
}

/** A sample SD at rounding-noise level relative to the data's magnitude marks a constant series. */
function isConstant(xs: readonly number[], sd: number): boolean {
  let scale = 0;
  for (const x of xs) scale = Math.max(scale, Math.abs(x));
  return sd <= 1e-13 * scale;
}

/** The sample moments the PSR/DSR formulas need. */
export interface SharpeMoments {
  /** Per-period (non-annualised) Sharpe ratio. */
  sr: number;
  /** Number of return observations (periods), n ≥ 2. */
  n: number;
  /** Skewness γ3 of the returns (0 for a normal distribution). */
  skew: number;
  /** RAW (non-excess) kurtosis γ4 of the returns (3 for a normal distribution). */
  kurtosis: number;
}

/**
 * The moments of a return series for the PSR/DSR: per-period Sharpe ratio, n, sample skewness
 * (adjusted Fisher–Pearson G1) and RAW kurtosis (simple-statistics' excess `sampleKurtosis` + 3).
 *
 * @param returns finite per-period returns.
 * @returns the moments; `sr`, `skew` and `kurtosis` are NaN with fewer than 4 returns (the
 *   kurtosis estimator needs 4) or a constant series.
 * @throws RangeError for a non-finite value.
 */
export function sharpeMoments(returns: readonly number[]): SharpeMoments {
  checkReturns(returns, 'sharpeMoments');
  const xs = returns as number[];
  const n = xs.length;
  if (n < 4) return { sr: NaN, n, skew: NaN, kurtosis: NaN };
  if (isConstant(xs, ss.sampleStandardDeviation(xs))) return { sr: NaN, n, skew: NaN, kurtosis: NaN };
  return {
    sr: sharpeRatio(xs),
    n,
    skew: ss.sampleSkewness(xs),
    kurtosis: ss.sampleKurtosis(xs) + 3, // simple-statistics returns EXCESS kurtosis
  };
}

/**
 * Standard error of the estimated Sharpe ratio under non-normal IID returns (Mertens 2002,
 * as used by Bailey & López de Prado 2012, eq. 4 there):
 *
 *   σ̂(SR) = √( (1 − γ3·SR + (γ4 − 1)/4 · SR²) / (n − 1) )
 *
 * with γ4 the RAW kurtosis. For normal returns (γ3 = 0, γ4 = 3) this is √((1 + SR²/2)/(n − 1)).
 *
 * @returns the standard error. NaN when n < 2, when a moment is NaN, or when the bracket is ≤ 0
 *   (only possible for inconsistent moment estimates, since γ4 ≥ 1 + γ3² for any distribution
 *   makes it ≥ (1 − γ3·SR/2)²).
 * @throws RangeError when n is not a non-negative integer or a moment is ±Infinity.
 */
export function sharpeRatioStandardError(m: SharpeMoments): number {
  if (!momentsUsable(m, 'sharpeRatioStandardError')) return NaN;
  const bracket = 1 - m.skew * m.sr + ((m.kurtosis - 1) / 4) * m.sr * m.sr;
  if (!(bracket > 0)) return NaN;
  return Math.sqrt(bracket / (m.n - 1));
}

/**
 * Probabilistic Sharpe Ratio: the probability that the true Sharpe ratio exceeds a benchmark
 * SR*, given the estimate's length, skewness and kurtosis.
 *
 *   PSR(SR*) = Φ( (SR − SR*) · √(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4 · SR²) )
 *
 * with SR the per-period Sharpe ratio, n the number of returns, γ3 the skewness and γ4 the RAW
 * (non-excess) kurtosis.
 *
 * Reference: D. H. Bailey & M. López de Prado, "The Sharpe Ratio Efficient Frontier", Journal of
 * Risk 15(2), 2012, eq. for PSR in §3.
 *
 * @param input a return series (moments from {@link sharpeMoments}) or the moments.
 * @param benchmarkSr SR*, per period like SR; default 0.
 * @returns PSR in [0, 1]. NaN when the data cannot support it: fewer than 4 returns, a constant
 *   series (both give NaN moments), n < 2 in given moments, or a variance bracket ≤ 0 (see
 *   {@link sharpeRatioStandardError}).
 * @throws RangeError for a non-finite return or benchmark, a non-integer n, ±Infinity moments.
 * @example
 * probabilisticSharpeRatio({ sr: 0.1, n: 101, skew: 0, kurtosis: 3 }); // => 0.8406...
 */
export function probabilisticSharpeRatio(input: readonly number[] | SharpeMoments, benchmarkSr = 0): number {
  if (!Number.isFinite(benchmarkSr)) throw new RangeError(`probabilisticSharpeRatio: benchmarkSr must be finite, got ${benchmarkSr}`);
  const m = isMomentsInput(input) ? input : sharpeMoments(input);
  const se = sharpeRatioStandardError(m); // validates m; NaN when not estimable
  if (Number.isNaN(se)) return NaN;
  return normalCdf((m.sr - benchmarkSr) / se);
}

/**
 * Expected maximum of N estimated Sharpe ratios whose true value is 0, when the estimates are
 * (approximately) normal with cross-sectional variance V — the "false strategy" benchmark:
 *
 *   E[max_n SR_n] ≈ √V · ( (1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)) )
 *
 * with γ the Euler–Mascheroni constant and e Euler's number (an extreme-value approximation of
 * the expected maximum of N IID normals; for N = 100, V = 1 it gives 2.5306 against the exact
 * 2.5076).
 *
 * Reference: D. H. Bailey & M. López de Prado, "The Deflated Sharpe Ratio: Correcting for
 * Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5),
 * 2014, eq. 2 (the False Strategy theorem, proved in Bailey, Borwein, López de Prado & Zhu,
 * "Pseudo-Mathematics and Financial Charlatanism", Notices of the AMS 61(5), 2014).
 *
 * @param trials N, the number of independent trials (an integer ≥ 1). N = 1 returns 0: with a
 *   single trial there is no selection (the formula itself is undefined there, Φ⁻¹(0) = −∞).
 * @param varianceOfTrialSharpes V, the variance of the trials' Sharpe ratios, in the SAME
 *   per-period units as the Sharpe ratio it will be compared with (an annualised variance must
 *   be divided by the periods per year). Must be ≥ 0.
 * @throws RangeError for a non-integer N < 1 or a negative / non-finite V.
 * @example
 * expectedMaxSharpe(100, 0.5 / 250); // => 0.11317200186513214 (per day; 1.7894 annualised)
 */
export function expectedMaxSharpe(trials: number, varianceOfTrialSharpes: number): number {
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`expectedMaxSharpe: trials must be an integer ≥ 1, got ${trials}`);
  if (!(varianceOfTrialSharpes >= 0) || !Number.isFinite(varianceOfTrialSharpes)) {
    throw new RangeError(`expectedMaxSharpe: varianceOfTrialSharpes must be finite and ≥ 0, got ${varianceOfTrialSharpes}`);
  }
  if (trials === 1) return 0;
  const g = EULER_MASCHERONI;
  return (
    Math.sqrt(varianceOfTrialSharpes) *
    ((1 - g) * normalQuantile(1 - 1 / trials) + g * normalQuantile(1 - 1 / (trials * Math.E)))
  );
}

/** Options of {@link deflatedSharpeRatio}. */
export interface DeflatedSharpeOptions {
  /** N, the number of independent trials (configurations tried) behind the selected one; ≥ 1. */
  trials: number;
  /** V, the variance of the N trials' per-period Sharpe ratios (same units as the SR). */
  trialsSharpeVariance: number;
}

/** Result of {@link deflatedSharpeRatio}: everything needed to audit the figure. */
export interface DeflatedSharpeResult {
  /** Deflated Sharpe Ratio = PSR(sr0): probability the true SR exceeds the selection benchmark. */
  dsr: number;
  /** SR0 = E[max SR] of `trials` zero-skill trials: the deflated benchmark, per period. */
  sr0: number;
  /** PSR against 0 (no deflation), for comparison. */
  psr: number;
  /** Observed per-period Sharpe ratio. */
  sr: number;
  /** Number of return observations. */
  n: number;
  /** Skewness γ3 of the returns. */
  skew: number;
  /** RAW (non-excess) kurtosis γ4 of the returns. */
  kurtosis: number;
  /** N used. */
  trials: number;
  /** V used. */
  trialsSharpeVariance: number;
}

/**
 * Deflated Sharpe Ratio: the PSR of the selected strategy against the Sharpe ratio one would
 * expect from the best of N zero-skill trials, correcting for selection bias (multiple testing)
 * as well as non-normal returns and short samples:
 *
 *   SR0 = √V · ( (1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)) )            ({@link expectedMaxSharpe})
 *   DSR = Φ( (SR − SR0) · √(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4 · SR²) )  (= PSR(SR0))
 *
 * Reference: D. H. Bailey & M. López de Prado, "The Deflated Sharpe Ratio: Correcting for
 * Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5),
 * 2014, 94–107, eqs. 1–2. Its numerical example (N = 100, V = ½ annualised, n = 1250 daily,
 * annualised SR 2.5, γ3 = −3, γ4 = 10) gives SR0 = 0.1132 per day and DSR = 0.9004; this
 * implementation reproduces it (see test/analytics/sharpe.test.ts).
 *
 * @param input the selected strategy's per-period returns or its moments.
 * @param options N and V; V must be in per-period units like the returns' SR.
 * @returns the DSR with its inputs; `dsr`/`psr` (and the moments) are NaN when the data cannot
 *   support them (fewer than 4 returns, a constant series; see {@link probabilisticSharpeRatio}).
 * @throws RangeError for invalid returns, N or V (see {@link expectedMaxSharpe}).
 */
export function deflatedSharpeRatio(input: readonly number[] | SharpeMoments, options: DeflatedSharpeOptions): DeflatedSharpeResult {
  const m = isMomentsInput(input) ? input : sharpeMoments(input);
  const sr0 = expectedMaxSharpe(options.trials, options.trialsSharpeVariance);
  return {
    dsr: probabilisticSharpeRatio(m, sr0),
    sr0,
    psr: probabilisticSharpeRatio(m, 0),
    sr: m.sr,
    n: m.n,
    skew: m.skew,
    kurtosis: m.kurtosis,
    trials: options.trials,
    trialsSharpeVariance: options.trialsSharpeVariance,
  };
}

function isMomentsInput(input: readonly number[] | SharpeMoments): input is SharpeMoments {
  return !Array.isArray(input);
}

function checkReturns(returns: readonly number[], fn: string): void {
  for (let i = 0; i < returns.length; i++) {
    if (!Number.isFinite(returns[i])) throw new RangeError(`${fn}: return ${i} is not finite (${returns[i]})`);
  }
}

/** Throws on invalid moments; false when they are valid but not estimable (n < 2 or a NaN moment). */
function momentsUsable(m: SharpeMoments, fn: string): boolean {
  if (!Number.isInteger(m.n) || m.n < 0) throw new RangeError(`${fn}: n must be a non-negative integer, got ${m.n}`);
  for (const k of ['sr', 'skew', 'kurtosis'] as const) {
    if (m[k] === Infinity || m[k] === -Infinity) throw new RangeError(`${fn}: ${k} must not be infinite`);
  }
  return m.n >= 2 && !Number.isNaN(m.sr) && !Number.isNaN(m.skew) && !Number.isNaN(m.kurtosis);
}
