/**
 * The portfolio runner: resolves the configuration, runs every strategy at a
 * unit notional and hands the ledgers to the replay in backtest/portfolio.ts.
 * It sits above config/ (it calls resolveRunConfig), which the replay must not.
 */
import type { MarketTape, TradeTape } from '../data/tape';
import { describeTape, tapeMarkPrice } from '../data/tape';
import { resolveRunConfig, type PresetFile, type RunConfig } from '../config/run-config';
import { getStrategy, listStrategies, PLAN_STRATEGY_IDS, registerStrategy } from '../strategies/registry';
import type { AnyStrategy } from '../strategies/strategy';
import type { Sizing } from '../core/rules';
import { UserError } from '../util/errors';
import { checkValue, type ValueSpec } from '../core/param-check';
import { pearson, sampleSd } from '../analytics/stats';
import { DEFAULT_DRIFT_BAND, DEFAULT_REBALANCE_EVERY_MS, replayPortfolio, type PortfolioLeg, type ReplayResult } from '../backtest/portfolio';
import { runWithConfig, type BacktestResult } from './run';

/** The plan's total capital ("portfolio = PortfolioManager(total_capital=80)"). */
export const PLAN_CAPITAL = 80;
/** The plan's example allocations in percent (the other strategies share the remaining 20 %). */
export const PLAN_ALLOCATIONS: Readonly<Record<string, number>> = { V3: 15, V4: 15, V6: 20, V8: 30 };
/** One allocation: a percentage of the pool's capital, checked by the one parameter check. */
export const ALLOCATION_SPEC: ValueSpec = { minExclusive: 0, max: 100, unit: '%' };
/** Engine capital of the unit-notional runs: large enough that a unit notional never ruins it. */
export const UNIT_CAPITAL = 1e12;

/**
 * Target weights (summing to 1) from allocations in percent.
 *
 * - No allocations: equal weights across `ids`.
 * - Listed strategies get their percentage; the strategies of `ids` not listed
 *   share what is left (100 − Σ listed) equally — the plan's V3 15, V4 15,
 *   V6 20, V8 30 leaves 5 % each to V1, V2, V5, V7.
 * - Allocations are NOT normalised: a total above 100, a total below 100 with
 *   no unlisted strategy to take the rest, or a total of 100 that leaves
 *   unlisted strategies nothing is a UserError, as is an unknown strategy, one
 *   not being run, or a value that is not a positive finite number.
 */
export function resolveAllocations(ids: readonly string[], allocations?: Readonly<Record<string, number>>): Record<string, number> {
  if (ids.length === 0) throw new UserError('no strategies to allocate to');
  if (new Set(ids).size !== ids.length) throw new UserError(`strategies listed twice in ${ids.join(',')}`);
  if (!allocations || Object.keys(allocations).length === 0) return Object.fromEntries(ids.map((id) => [id, 1 / ids.length]));
  let listed = 0;
  for (const [id, pct] of Object.entries(allocations)) {
    try {
      getStrategy(id);
    } catch {
      throw new UserError(`allocations: unknown strategy '${id}' (known: ${listStrategies().map((s) => s.id).join(', ')})`);
    }
    if (!ids.includes(id)) throw new UserError(`allocations: ${id} is not among the strategies being run (${ids.join(',')})`);
    // To give a strategy nothing, leave it out of the strategies run (0 is refused).
    checkValue(pct, ALLOCATION_SPEC, `allocations: ${id}`);
    listed += pct;
  }
  const rest = ids.filter((id) => !(id in allocations));
  const left = 100 - listed;
  const tol = 1e-9;
  const list = Object.entries(allocations).map(([k, x]) => `${k}=${x}`).join(',');
  if (left < -tol) throw new UserError(`allocations are percentages of the capital and must not exceed 100 in total: ${list} sums to ${listed}`);
  if (rest.length === 0 && Math.abs(left) > tol) {
    throw new UserError(`allocations must sum to 100 (they are not normalised): ${list} sums to ${listed}, and no other strategy is being run to take the remaining ${+left.toFixed(9)}`);
  }
  if (rest.length > 0 && left <= tol) {
    throw new UserError(`allocations ${list} use all 100%, leaving nothing for ${rest.join(', ')} (give them an allocation or leave them out of --strategies)`);
  }
  const out: Record<string, number> = {};
  for (const id of ids) out[id] = (id in allocations ? allocations[id] : left / rest.length) / 100;
  return out;
}

export interface PortfolioOptions {
  /** Strategy ids or strategy objects (registered on the fly). Default V1…V8. */
  strategies?: (string | AnyStrategy)[];
  /** Allocations in percent (see {@link resolveAllocations}); default equal weights. */
  allocations?: Record<string, number>;
  /** Preset name; default phase3. */
  preset?: string;
  /** Overrides on top of the preset: an object or a path to a JSON file. */
  config?: PresetFile | string;
  /** Pool capital; default the plan's $80. (The config's per-strategy initialCapital is not used.) */
  capital?: number;
  driftBand?: number;
  rebalanceEveryMs?: number;
  /** Sizing inside a sleeve; default fraction 1: each trade uses its sleeve's whole value, so sleeves compound. */
  sizing?: Sizing;
  ticks?: TradeTape;
  onProgress?: (strategy: string, done: number, total: number) => void;
  now?: () => number;
}

export interface AloneSummary {
  finalEquity: number;
  totalReturn: number;
  sharpe: number | null;
  maxDrawdown: number;
  trades: number;
}

export interface PortfolioResult {
  /** The resolved configuration (before the unit-notional override used for the runs). */
  config: RunConfig;
  data: ReturnType<typeof describeTape>;
  settings: {
    preset: string;
    capital: number;
    targetWeights: Record<string, number>;
    driftBand: number;
    rebalanceEveryMs: number;
    sizing: Sizing;
    valuation: string;
  };
  portfolio: ReplayResult;
  /** Each strategy alone with the whole capital (same replay, one sleeve). */
  alone: Record<string, AloneSummary>;
  correlations: { ids: string[]; matrix: (number | null)[][] };
  /** Σ w̄_i · sd_i / sd_portfolio of daily returns (w̄_i: mean start-of-day weight); null when undefined. */
  diversificationRatio: number | null;
  /** The unit-notional backtest (gate counters, signal stats, unit ledgers). */
  unit: BacktestResult;
}

export const VALUATION_NOTE =
  "sleeves marked to market at each mark (rebalance checks, UTC day ends, exits) at the tape's last known price; entry fee counted when paid, exit fee at the exit";

/** A strategy alone with the whole capital: the same replay with one sleeve of weight 1. */
function replayAlone(leg: PortfolioLeg, base: Parameters<typeof replayPortfolio>[1]): ReplayResult {
  return replayPortfolio([{ ...leg, weight: 1 }], base);
}

/**
 * The full replay (equity curve, daily returns, …) of one strategy alone with the pool's whole capital, under the
 * settings of `res` — the run `res.alone[id]` summarises (notebooks chart it against the portfolio).
 */
export function strategyAlone(tape: MarketTape, res: PortfolioResult, id: string): ReplayResult {
  const unit = res.unit.strategies[id];
  if (!unit) throw new UserError(`strategy ${id} is not in this portfolio (${res.correlations.ids.join(', ')})`);
  const s = res.settings;
  return replayAlone(
    { id, weight: 1, unitLedger: unit.ledger },
    { capital: s.capital, fromMs: res.portfolio.fromMs, toMs: res.portfolio.toMs, sizing: s.sizing, driftBand: s.driftBand, rebalanceEveryMs: s.rebalanceEveryMs, markPrice: tapeMarkPrice(tape) },
  );
}

/**
 * Run strategies as one portfolio over a tape: unit-notional runs, then the
 * replay (see the module notes).
 */
export function runPortfolio(tape: MarketTape, opts: PortfolioOptions = {}): PortfolioResult {
  const ids = (opts.strategies ?? [...PLAN_STRATEGY_IDS]).map((s) => {
    if (typeof s === 'string') return s;
    registerStrategy(s);
    return s.id;
  });
  const preset = opts.preset ?? 'phase3';
  const weights = resolveAllocations(ids, opts.allocations);
  const capital = opts.capital ?? PLAN_CAPITAL;
  if (!(Number.isFinite(capital) && capital > 0)) throw new UserError(`capital must be a positive number, got ${capital}`);
  const driftBand = opts.driftBand ?? DEFAULT_DRIFT_BAND;
  if (!(Number.isFinite(driftBand) && driftBand >= 0)) throw new UserError(`drift band must be a number ≥ 0, got ${driftBand}`);
  const every = opts.rebalanceEveryMs ?? DEFAULT_REBALANCE_EVERY_MS;
  if (!(every > 0)) throw new UserError(`rebalance interval must be > 0 ms, got ${every}`);

  const config = resolveRunConfig({ preset, strategies: ids, overrides: opts.config });
  // Sleeves compound by default: the presets' fixed $10 notional is for comparing strategies, not for a pool.
  const sizing = opts.sizing ?? { mode: 'fraction', fraction: 1 };
  const unitConfig: RunConfig = {
    ...config,
    engine: { ...config.engine, sizing: { mode: 'fixed', notional: 1 }, initialCapital: UNIT_CAPITAL },
  };
  const unit = runWithConfig(tape, unitConfig, { ticks: opts.ticks, onProgress: opts.onProgress, now: opts.now });
  const data = unit.data;
  const fromMs = data.fromMs ?? 0;
  const toMs = data.toMs ?? fromMs;
  const markPrice = tapeMarkPrice(tape);
  const base = { capital, fromMs, toMs, sizing, driftBand, rebalanceEveryMs: every, markPrice };
  const legs: PortfolioLeg[] = ids.map((id) => ({ id, weight: weights[id], unitLedger: unit.strategies[id].ledger }));
  const portfolio = replayPortfolio(legs, base);

  const alone: Record<string, AloneSummary> = {};
  for (const l of legs) {
    const r = replayAlone(l, base);
    alone[l.id] = { finalEquity: r.finalEquity, totalReturn: r.totalReturn, sharpe: r.sharpe, maxDrawdown: r.maxDrawdown, trades: r.sleeves[l.id].trades };
  }

  const series = ids.map((id) => portfolio.daily.sleeves[id]);
  const matrix = ids.map((_, i) => ids.map((__, j) => (i === j ? (sampleSd(series[i]) ? 1 : null) : pearson(series[i], series[j]))));
  const sdP = sampleSd(portfolio.daily.returns);
  let wsd = 0;
  for (const id of ids) wsd += portfolio.sleeves[id].meanWeight * (portfolio.sleeves[id].dailyVol ?? 0);
  const diversificationRatio = sdP !== null && sdP > 0 ? wsd / sdP : null;

  return {
    config,
    data,
    settings: { preset, capital, targetWeights: weights, driftBand, rebalanceEveryMs: every, sizing, valuation: VALUATION_NOTE },
    portfolio,
    alone,
    correlations: { ids, matrix },
    diversificationRatio,
    unit,
  };
}
