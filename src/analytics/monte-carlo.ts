/**
 * Compounding Monte Carlo: how a small account grows (or dies) when the
 * observed per-trade returns are compounded trade after trade.
 *
 * Deterministic for a seed (see {@link Prng}); allocation-light (typed
 * arrays, one months × paths equity buffer).
 */
import ss from './ss';
import { Prng } from '../util/prng';

/** Options of {@link compoundingMonteCarlo}. */
export interface CompoundingOptions {
  /** Trades per month, an integer ≥ 1 (required: it sets the time scale). */
  tradesPerMonth: number;
  /** Starting equity, > 0; default 10. */
  startEquity?: number;
  /** Target equity, > ruinEquity; default 300 000. */
  target?: number;
  /** Horizon in months, an integer ≥ 1; default 36. */
  months?: number;
  /** Number of simulated paths, an integer ≥ 1; default 10 000. */
  paths?: number;
  /** PRNG seed (a safe integer); default 1. */
  seed?: number;
  /** Ruin level: a path whose equity falls to or below it stops trading; default 0.01 × startEquity. Must be in [0, startEquity). */
  ruinEquity?: number;
}

/** Per-month results of {@link compoundingMonteCarlo}; index m is the end of month m + 1. */
export interface CompoundingResult {
  /** Month numbers 1..months. */
  month: Int32Array;
  /** P(equity has reached ≥ target after some trade at or before the end of month m): first passage. */
  pReachedTarget: Float64Array;
  /** P(equity has fallen to ≤ ruinEquity at or before the end of month m). */
  pRuined: Float64Array;
  /** Median equity at the end of month m (over all paths, ruined ones at their frozen equity). */
  median: Float64Array;
  /** 5th percentile of equity at the end of month m. */
  p05: Float64Array;
  /** 95th percentile of equity at the end of month m. */
  p95: Float64Array;
  startEquity: number;
  target: number;
  ruinEquity: number;
  tradesPerMonth: number;
  months: number;
  paths: number;
  seed: number;
  /** Number of per-trade returns resampled from. */
  sampleSize: number;
}

/**
 * Monte Carlo of compounded equity from resampled per-trade returns.
 *
 * Each path starts at E_0 = startEquity and, for every trade, multiplies its equity by
 * (1 + r), r drawn uniformly with replacement from `perTradeReturns` (an IID bootstrap of the
 * observed trades: B. Efron, "Bootstrap Methods: Another Look at the Jackknife", Annals of
 * Statistics 7(1), 1979). Every trade risks the whole equity — r is the fractional return on
 * equity per trade, i.e. fixed-fraction compounding (Kelly 1956; Vince, "Portfolio Management
 * Formulas", 1990):
 *
 *   E_k = E_0 · Π_{i=1..k} (1 + r_i),   month m ends after k = m · tradesPerMonth trades.
 *
 * - Target: a path counts as having reached the target from the first trade after which
 *   E_k ≥ target (first passage; it keeps trading afterwards).
 * - Ruin: a path whose equity falls to E_k ≤ ruinEquity stops trading for good (absorbing; its
 *   equity stays frozen). A path can count as both reached and (later) ruined.
 * - Percentiles of end-of-month equity are R type-7 quantiles (linear interpolation) over all
 *   paths, via simple-statistics' `quantileSorted`.
 *
 * Assumes trades are independent and identically distributed and the trade frequency is
 * constant; serial dependence (losing streaks) and slippage that grows with size are not
 * modelled.
 *
 * @param perTradeReturns observed fractional returns per trade (0.01 = +1%); finite, each ≥ −1.
 * @param options tradesPerMonth (required), startEquity (10), target (300 000), months (36),
 *   paths (10 000), seed (1), ruinEquity (0.01 × startEquity).
 * @returns per-month probabilities and equity percentiles, with the parameters used.
 * @throws RangeError for an empty or invalid return sample or invalid options.
 * @example
 * const mc = compoundingMonteCarlo(tradeReturns, { tradesPerMonth: 40, seed: 7 });
 * mc.pReachedTarget[35]; // P(10 → 300 000 within 36 months)
 */
export function compoundingMonteCarlo(perTradeReturns: readonly number[], options: CompoundingOptions): CompoundingResult {
  const fn = 'compoundingMonteCarlo';
  const startEquity = options.startEquity ?? 10;
  const target = options.target ?? 300_000;
  const months = options.months ?? 36;
  const paths = options.paths ?? 10_000;
  const seed = options.seed ?? 1;
  const ruinEquity = options.ruinEquity ?? 0.01 * startEquity;
  const tradesPerMonth = options.tradesPerMonth;
  if (!(startEquity > 0 && Number.isFinite(startEquity))) throw new RangeError(`${fn}: startEquity must be finite and > 0, got ${startEquity}`);
  if (!(ruinEquity >= 0 && ruinEquity < startEquity)) throw new RangeError(`${fn}: ruinEquity must be in [0, startEquity), got ${ruinEquity}`);
  if (!(target > ruinEquity && Number.isFinite(target))) throw new RangeError(`${fn}: target must be finite and > ruinEquity, got ${target}`);
  if (!Number.isInteger(tradesPerMonth) || tradesPerMonth < 1) throw new RangeError(`${fn}: tradesPerMonth must be an integer ≥ 1, got ${tradesPerMonth}`);
  if (!Number.isInteger(months) || months < 1) throw new RangeError(`${fn}: months must be an integer ≥ 1, got ${months}`);
  if (!Number.isInteger(paths) || paths < 1) throw new RangeError(`${fn}: paths must be an integer ≥ 1, got ${paths}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`${fn}: seed must be a safe integer, got ${seed}`);
  const n = perTradeReturns.length;
  if (n === 0) throw new RangeError(`${fn}: perTradeReturns is empty`);
  const growth = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = perTradeReturns[i];
    if (!Number.isFinite(r) || r < -1) throw new RangeError(`${fn}: return ${i} must be finite and ≥ −1, got ${r}`);
    growth[i] = 1 + r;
  }

  const rng = new Prng(seed);
  const equityAt = new Float64Array(months * paths); // month-major: [m * paths + p]
  const reachedCount = new Int32Array(months);
  const ruinedCount = new Int32Array(months);
  for (let p = 0; p < paths; p++) {
    let equity = startEquity;
    let reached = equity >= target;
    let ruined = false;
    for (let m = 0; m < months; m++) {
      for (let k = 0; k < tradesPerMonth && !ruined; k++) {
        equity *= growth[rng.nextInt(n)];
        if (equity >= target) reached = true;
        if (equity <= ruinEquity) ruined = true;
      }
      equityAt[m * paths + p] = equity;
      if (reached) reachedCount[m]++;
      if (ruined) ruinedCount[m]++;
    }
  }

  const month = new Int32Array(months);
  const pReachedTarget = new Float64Array(months);
  const pRuined = new Float64Array(months);
  const median = new Float64Array(months);
  const p05 = new Float64Array(months);
  const p95 = new Float64Array(months);
  for (let m = 0; m < months; m++) {
    month[m] = m + 1;
    pReachedTarget[m] = reachedCount[m] / paths;
    pRuined[m] = ruinedCount[m] / paths;
    const column = equityAt.subarray(m * paths, (m + 1) * paths);
    column.sort();
    // simple-statistics reads only .length and indices, so a sorted Float64Array is fine here
    const sorted = column as unknown as number[];
    median[m] = ss.quantileSorted(sorted, 0.5);
    p05[m] = ss.quantileSorted(sorted, 0.05);
    p95[m] = ss.quantileSorted(sorted, 0.95);
  }
  return {
    month,
    pReachedTarget,
    pRuined,
    median,
    p05,
    p95,
    startEquity,
    target,
    ruinEquity,
    tradesPerMonth,
    months,
    paths,
    seed,
    sampleSize: n,
  };
}
