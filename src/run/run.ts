/**
 * `runBacktest`: the composition every caller uses (CLI, notebooks, research):
 * resolve the configuration, compute each strategy's signals, run the engine,
 * and turn the ledger into metrics.
 */
import type { BarTape, MarketTape, TradeTape } from '../data/tape';
import { describeTape } from '../data/tape';
import { makeFeeModel } from '../execution/fees';
import { makeSlippageModel } from '../execution/slippage';
import { computeMetrics, equityCurve, validatePositiveEdge, type StrategyMetrics } from '../analytics/metrics';
import { resolveRunConfig, type PresetFile, type RunConfig, type StrategySettings } from '../config/run-config';
import { getStrategy, registerStrategy } from '../strategies/registry';
import type { AnyStrategy } from '../strategies/strategy';
import { runBarEngine, runTickEngine, type EngineResult } from '../backtest/engine';
import { applyConfirmationGate, type ConfirmationReport } from '../risk/confirmation-gate';
import { confirmationNames } from '../signals/confirmation';
import { makerEntryExecution, PLAN_MAKER_EXECUTION } from '../execution/maker-entry';
import { UserError } from '../util/errors';
import type { LedgerRow } from '../core/ledger';

export interface StrategyResult {
  id: string;
  name: string;
  type: string;
  metrics: StrategyMetrics;
  /** The plan's `validate_positive_edge` verdict. */
  edge: { ok: boolean; message: string };
  ledger: LedgerRow[];
  equity: { time: number[]; equity: number[] };
  /** Gate counters: what the limits refused and how often the hold delayed an exit. */
  gate: {
    entrySignals: number;
    blocked: EngineResult['blocked'];
    exitsDelayedByMinHold: number;
    ruined: boolean;
    /** When the capital ran out (ms), null if it never did. Fixed-notional runs keep trading past it. */
    ruinedAt: number | null;
  };
  /** Bars only: bars that reached both stop and target, and how many a tick tape resolved. */
  ambiguousBars?: number;
  ambiguousResolvedByTicks?: number;
  /** With maker execution: entries filled as maker / taker (fallback) and orders that never filled. */
  entryFills?: { maker: number; taker: number; unfilled: number };
  /** The confirmation gate's counts (phase 3), when it was on. */
  confirmation?: ConfirmationReport;
  /** Counters reported by the strategy itself (e.g. V8's VPIN gate). */
  signalStats?: Record<string, number>;
  /** Milliseconds spent computing signals and running the engine. */
  timing: { signalsMs: number; engineMs: number };
  params: Record<string, number>;
}

export interface BacktestResult {
  config: RunConfig;
  data: ReturnType<typeof describeTape>;
  strategies: Record<string, StrategyResult>;
}

export interface BacktestOptions {
  /** Strategy ids (registered) or strategy objects (registered on the fly). */
  strategies: (string | AnyStrategy)[];
  /** Preset name: before, phase1, phase2. Default phase2. */
  preset?: string;
  /** Overrides on top of the preset: an object or a path to a JSON file. */
  config?: PresetFile | string;
  /** Shorthand for `engine.execution` (applied after `config`): 'maker' = the plan's 0.02% / 30 s post-only entries. */
  execution?: 'taker' | 'maker';
  /** A tick tape covering (some of) the bars, to resolve bars that hit both stop and target. */
  ticks?: TradeTape;
  /** Progress callback: strategy id, rows done, rows total. */
  onProgress?: (strategy: string, done: number, total: number) => void;
  /** Monotonic clock for timings (injected; defaults to performance.now). */
  now?: () => number;
}

export function runBacktest(tape: MarketTape, opts: BacktestOptions): BacktestResult {
  const ids = opts.strategies.map((s) => {
    if (typeof s === 'string') return s;
    registerStrategy(s);
    return s.id;
  });
  const config = resolveRunConfig({ preset: opts.preset ?? 'phase2', strategies: ids, overrides: opts.config });
  if (opts.execution === 'taker') config.engine.execution = { mode: 'taker' };
  else if (opts.execution === 'maker' && config.engine.execution.mode !== 'maker') config.engine.execution = { ...PLAN_MAKER_EXECUTION };
  return runWithConfig(tape, config, opts);
}

/** Run an already resolved configuration (used by research code that varies it). */
export function runWithConfig(
  tape: MarketTape,
  config: RunConfig,
  opts: Pick<BacktestOptions, 'ticks' | 'onProgress' | 'now'> = {},
): BacktestResult {
  const data = describeTape(tape);
  const fromMs = data.fromMs ?? 0;
  const toMs = data.toMs ?? fromMs;
  const context = executionContext(tape, config);
  const out: Record<string, StrategyResult> = {};
  for (const [id, settings] of Object.entries(config.strategies)) {
    const strat = getStrategy(id);
    const run = runStrategyTrades(tape, id, settings, context, opts);
    const { ledger, engine: res } = run;
    const metrics = computeMetrics(ledger, {
      initialCapital: config.engine.initialCapital,
      fromMs,
      toMs,
      evFloor: config.engine.evFloor,
    });
    out[id] = {
      id,
      name: strat.name,
      type: strat.type,
      metrics,
      edge: validatePositiveEdge(metrics, config.engine.evFloor),
      ledger,
      equity: equityCurve(ledger, config.engine.initialCapital, fromMs),
      ...(res.entryFills ? { entryFills: res.entryFills } : {}),
      gate: {
        entrySignals: res.entrySignals,
        blocked: res.blocked,
        exitsDelayedByMinHold: res.exitsDelayedByMinHold,
        ruined: res.ruined,
        ruinedAt: res.ruinedAt,
      },
      ...('ambiguousBars' in res
        ? {
            ambiguousBars: (res as ReturnType<typeof runBarEngine>).ambiguousBars,
            ambiguousResolvedByTicks: (res as ReturnType<typeof runBarEngine>).ambiguousResolvedByTicks,
          }
        : {}),
      ...(run.confirmation ? { confirmation: run.confirmation } : {}),
      ...(run.signalStats ? { signalStats: run.signalStats } : {}),
      timing: run.timing,
      params: settings.params,
    };
  }
  return { config, data, strategies: out };
}

/** Fee, slippage, sizing and entry-fill models of a run, built once for all its strategies. */
export interface ExecutionContext {
  fees: ReturnType<typeof makeFeeModel>;
  slippage: ReturnType<typeof makeSlippageModel>;
  entryExecution: ReturnType<typeof makerEntryExecution> | undefined;
  sizing: RunConfig['engine']['sizing'];
  initialCapital: number;
}

export function executionContext(tape: MarketTape, config: RunConfig): ExecutionContext {
  if (config.engine.execution.mode === 'maker' && tape.kind !== 'trades') {
    throw new UserError('maker execution needs a trade tape (resting limits fill on prints); bars have none');
  }
  return {
    fees: makeFeeModel(config.engine.fees),
    slippage: makeSlippageModel(config.engine.slippageBps),
    entryExecution: config.engine.execution.mode === 'maker' ? makerEntryExecution(config.engine.execution) : undefined,
    sizing: config.engine.sizing,
    initialCapital: config.engine.initialCapital,
  };
}

export interface StrategyTrades {
  ledger: LedgerRow[];
  engine: EngineResult;
  confirmation?: ConfirmationReport;
  signalStats?: Record<string, number>;
  timing: { signalsMs: number; engineMs: number };
}

/**
 * One strategy through signals → confirmation gate → engine → ledger rows,
 * without the metrics (a sweep computes those per window, not per run).
 */
export function runStrategyTrades(
  tape: MarketTape,
  id: string,
  settings: StrategySettings,
  context: ExecutionContext,
  opts: Pick<BacktestOptions, 'ticks' | 'onProgress' | 'now'> = {},
): StrategyTrades {
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  let signals = getStrategy(id).signals(tape, settings.params);
  let confirmation: ConfirmationReport | undefined;
  let maskAt: ((row: number) => number) | undefined;
  if (settings.confirmation.minConfirmations > 0) {
    const g = applyConfirmationGate(tape, signals.entry, settings.confirmation);
    signals = { ...signals, entry: g.entry };
    confirmation = g.report;
    maskAt = g.maskAt;
  }
  const t1 = now();
  const exec = { ...context, onProgress: opts.onProgress ? (d: number, n: number) => opts.onProgress!(id, d, n) : undefined };
  const res =
    tape.kind === 'trades'
      ? runTickEngine(tape, signals, settings.rules, exec)
      : runBarEngine(tape as BarTape, signals, settings.rules, { ...exec, ticks: opts.ticks });
  const t2 = now();
  const ledger = res.ledger.toRows(id);
  if (maskAt) {
    // The confirmations each entry had, read at its decision row (the row before the fill).
    for (const row of ledger) {
      const d = Math.max(0, row.entryIndex - 1);
      const mk = row.side === 'long' ? maskAt(d) & 15 : maskAt(d) >> 4;
      row.confirmations = confirmationNames(mk).join('+');
    }
  }
  return {
    ledger,
    engine: res,
    ...(confirmation ? { confirmation } : {}),
    ...(signals.stats ? { signalStats: signals.stats } : {}),
    timing: { signalsMs: t1 - t0, engineMs: t2 - t1 },
  };
}
