/**
 * Bootstrap confidence intervals for a mean: the IID percentile bootstrap
 * and the stationary (random-block) bootstrap for autocorrelated series.
 *
 * Every resample is drawn from a seeded {@link Prng}, so the same inputs and
 * seed always give the same interval.
 *
 * Error policy (as in sharpe.ts): fewer than 2 values cannot give an
 * interval, so `lo`/`hi` and the summary are NaN; non-finite values and
 * invalid options throw a RangeError.
 */
import ss from './ss';
import { Prng } from '../util/prng';

/** Options shared by the bootstrap intervals. */
export interface BootstrapOptions {
  /** Number of bootstrap resamples B; integer ≥ 2, default 10 000. */
  samples?: number;
  /** Two-sided confidence level in (0, 1), default 0.95. */
  confidence?: number;
  /** PRNG seed (a safe integer), default 1. Same seed → same interval. */
  seed?: number;
}

/** Options of {@link blockBootstrapMeanCI}. */
export interface BlockBootstrapOptions extends BootstrapOptions {
  /**
   * Mean block length L ≥ 1 (need not be an integer): each resampled observation starts a new
   * block with probability 1/L. Default max(1, round(n^{1/3})), the usual rate for the optimal
   * block length (Politis & White 2004 estimate the constant from the data). Choose L well above
   * the series' autocorrelation time; L = 1 is the IID bootstrap.
   */
  blockLength?: number;
}

/** Summary of the B bootstrap means. */
export interface BootstrapDistributionSummary {
  /** Mean of the bootstrap means. */
  mean: number;
  /** Standard deviation of the bootstrap means (n − 1 denominator): the bootstrap standard error. */
  sd: number;
  /** Bootstrap bias estimate: mean of the bootstrap means minus the sample mean. */
  bias: number;
  min: number;
  median: number;
  max: number;
}

/** A bootstrap confidence interval for the mean, with what produced it. */
export interface BootstrapMeanCIResult {
  /** Lower bound: the (1 − confidence)/2 quantile of the bootstrap means. */
  lo: number;
  /** Upper bound: the (1 + confidence)/2 quantile of the bootstrap means. */
  hi: number;
  /** [lo, hi]. */
  ci: [number, number];
  /** The sample mean. */
  mean: number;
  /** Number of observations. */
  n: number;
  /** The bootstrap distribution of the mean, summarised. */
  distribution: BootstrapDistributionSummary;
  samples: number;
  confidence: number;
  seed: number;
  /** Mean block length used (1 for the IID bootstrap). */
  blockLength: number;
}

/**
 * Percentile bootstrap confidence interval of the mean (IID resampling).
 *
 * Draw B resamples of size n with replacement from the values, take each resample's mean
 * x̄*_b, and report the α/2 and 1 − α/2 quantiles of {x̄*_b} (α = 1 − confidence; quantiles by
 * linear interpolation, R type 7, via simple-statistics' `quantileSorted`).
 *
 * References: B. Efron, "Bootstrap Methods: Another Look at the Jackknife", Annals of
 * Statistics 7(1), 1979; B. Efron & R. J. Tibshirani, An Introduction to the Bootstrap
 * (Chapman & Hall, 1993), ch. 13 (the percentile interval).
 *
 * Assumes independent observations; use {@link blockBootstrapMeanCI} for autocorrelated series.
 *
 * @param values the sample (finite numbers; not mutated).
 * @param options samples (default 10 000), confidence (default 0.95), seed (default 1).
 * @returns the interval, the sample mean and a summary of the bootstrap distribution. With fewer
 *   than 2 values, `lo`, `hi` and the summary are NaN.
 * @throws RangeError for a non-finite value or invalid options.
 * @example
 * bootstrapMeanCI(tradePnls, { seed: 42 }).ci; // e.g. [0.8, 2.1]
 */
export function bootstrapMeanCI(values: readonly number[], options: BootstrapOptions = {}): BootstrapMeanCIResult {
  return runBootstrap(values, options, 1, 'bootstrapMeanCI');
}

/**
 * Stationary-bootstrap percentile confidence interval of the mean, for autocorrelated series.
 *
 * Politis & Romano's stationary bootstrap: a resample is built from blocks of consecutive
 * observations with random starts (uniform on 1..n) and geometric lengths of mean L, wrapping
 * around the end of the series. Equivalently, the first index is uniform, and each next index is
 * a fresh uniform index with probability p = 1/L, otherwise the previous index + 1 (mod n).
 * The resampled series is stationary and keeps the dependence within blocks, so the spread of
 * its mean reflects the long-run variance instead of the IID variance. The interval is the
 * percentile interval of the B resample means, as in {@link bootstrapMeanCI}.
 *
 * Reference: D. N. Politis & J. P. Romano, "The Stationary Bootstrap", Journal of the American
 * Statistical Association 89(428), 1994, 1303–1313. Block length: D. N. Politis & H. White,
 * "Automatic Block-Length Selection for the Dependent Bootstrap", Econometric Reviews 23(1), 2004.
 *
 * @param values the series in time order (finite numbers; not mutated).
 * @param options blockLength (mean block length L ≥ 1, default max(1, round(n^{1/3}))), samples,
 *   confidence, seed as in {@link bootstrapMeanCI}.
 * @returns as {@link bootstrapMeanCI}, with the block length used.
 * @throws RangeError for a non-finite value or invalid options.
 */
export function blockBootstrapMeanCI(values: readonly number[], options: BlockBootstrapOptions = {}): BootstrapMeanCIResult {
  const L = options.blockLength ?? Math.max(1, Math.round(Math.cbrt(values.length)));
  if (!(L >= 1) || !Number.isFinite(L)) throw new RangeError(`blockBootstrapMeanCI: blockLength must be finite and ≥ 1, got ${L}`);
  return runBootstrap(values, options, L, 'blockBootstrapMeanCI');
}

function runBootstrap(values: readonly number[], options: BootstrapOptions, blockLength: number, fn: string): BootstrapMeanCIResult {
  const samples = options.samples ?? 10_000;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(samples) || samples < 2) throw new RangeError(`${fn}: samples must be an integer ≥ 2, got ${samples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`${fn}: confidence must be in (0, 1), got ${confidence}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`${fn}: seed must be a safe integer, got ${seed}`);
  const n = values.length;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${fn}: value ${i} is not finite (${values[i]})`);
    x[i] = values[i];
  }
  const base = { n, samples, confidence, seed, blockLength };
  if (n < 2) {
    const mean = n === 1 ? x[0] : NaN;
    return {
      ...base,
      lo: NaN,
      hi: NaN,
      ci: [NaN, NaN],
      mean,
      distribution: { mean: NaN, sd: NaN, bias: NaN, min: NaN, median: NaN, max: NaN },
    };
  }

  const rng = new Prng(seed);
  const means = new Float64Array(samples);
  if (blockLength === 1) {
    for (let b = 0; b < samples; b++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += x[rng.nextInt(n)];
      means[b] = sum / n;
    }
  } else {
    const pNewBlock = 1 / blockLength;
    for (let b = 0; b < samples; b++) {
      let idx = rng.nextInt(n);
      let sum = x[idx];
      for (let i = 1; i < n; i++) {
        if (rng.nextFloat() < pNewBlock) idx = rng.nextInt(n);
        else if (++idx === n) idx = 0; // wrap around: the series is treated as circular
        sum += x[idx];
      }
      means[b] = sum / n;
    }
  }

  const sampleMean = ss.mean(Array.from(x));
  means.sort();
  // simple-statistics reads only .length and indices, so a sorted Float64Array is fine here
  const sorted = means as unknown as number[];
  const alpha = 1 - confidence;
  const lo = ss.quantileSorted(sorted, alpha / 2);
  const hi = ss.quantileSorted(sorted, 1 - alpha / 2);
  const bootMean = ss.mean(sorted);
  return {
    ...base,
    lo,
    hi,
    ci: [lo, hi],
    mean: sampleMean,
    distribution: {
      mean: bootMean,
      sd: ss.sampleStandardDeviation(sorted),
      bias: bootMean - sampleMean,
      min: means[0],
      median: ss.quantileSorted(sorted, 0.5),
      max: means[samples - 1],
    },
  };
}
