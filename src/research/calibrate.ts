/**
 * Threshold calibration with out-of-sample proof.
 *
 * 1. Every configuration (grid or seeded random sample of the swept
 *    parameters) is backtested once over the whole tape. Signals are causal,
 *    so a trade entered at time t depends on data up to t only; a percentile
 *    threshold (VPIN percentile) is a trailing percentile, fitted on the past.
 * 2. Walk-forward: for each fold the configuration with the best objective on
 *    the TRAIN window (among those with at least `minTrades` trades there) is
 *    chosen, and only its trades entered in the following TEST window count.
 *    The joined test-window trades are the out-of-sample ledger — the result
 *    this calibration reports first.
 * 3. Significance, so a lucky configuration cannot pass as an edge: a
 *    bootstrap CI of OOS edge per trade, the Probabilistic and Deflated Sharpe
 *    Ratios of the OOS per-trade returns (DSR deflated by the true number of
 *    configurations tried and the variance of their Sharpe ratios), and the
 *    Probability of Backtest Overfitting by CSCV over all configurations.
 * 4. The deployable parameters are chosen the same way on the latest window
 *    ending at the data's end (`selectedOn`); their walk-forward record is
 *    the out-of-sample block.
 */
import type { MarketTape } from '../data/tape';
import { describeTape } from '../data/tape';
import type { LedgerRow } from '../backtest/ledger';
import { computeMetrics } from '../analytics/metrics';
import ss from '../analytics/ss';
import { resolveRunConfig, type PresetFile, type RunConfig } from '../config/run-config';
import { getStrategy } from '../strategies/registry';
import { UserError } from '../util/errors';
import { edgelabVersion } from '../util/package-root';
import { deflatedSharpeRatio, probabilisticSharpeRatio, sharpeRatio } from '../analytics/sharpe';
import { bootstrapMeanCI } from '../analytics/bootstrap';
import { probabilityOfBacktestOverfitting } from '../analytics/pbo';
import { createPrng } from '../analytics/prng';
import { gridConfigs, runSweep, type ConfigResult, type SweepParam } from './sweep';
import { finalSelectionWindow, rowsIn, walkForwardFolds, type WalkForwardScheme, type Window } from './walk-forward';

export type Objective = 'edgePerTrade' | 'sharpe' | 'expectedValue';

export interface CalibrationRequest {
  tape: MarketTape;
  strategy: string;
  params: SweepParam[];
  preset?: string;
  config?: PresetFile | string;
  search?: { mode: 'grid' } | { mode: 'random'; samples: number; seed: number };
  objective?: Objective;
  minTrades?: number;
  folds?: number;
  scheme?: WalkForwardScheme;
  workers?: number;
  /** User strategy modules to load in every worker. */
  modules?: string[];
  /** Significance thresholds of the gate. */
  gate?: { minDsr: number; maxPbo: number };
  /** CSCV blocks (even). */
  pboBlocks?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
  /** Wall clock for `createdAt` (injected; the core never reads it itself). */
  now?: () => Date;
}

/** Per-trade net return on notional: the unit every objective and significance figure uses. */
export function tradeReturn(r: LedgerRow): number {
  return r.netPnl / (r.entryPrice * r.qty);
}


/** Per-trade Sharpe (mean / sd of per-trade returns), or null when undefined. */
function perTradeSharpe(r: readonly number[]): number | null {
  const s = r.length > 1 ? sharpeRatio(r) : NaN;
  return Number.isFinite(s) ? s : null;
}

/** Objective value of a set of trades (higher is better); NaN when undefined. */
export function objectiveValue(rows: readonly LedgerRow[], objective: Objective): number {
  const r = rows.map(tradeReturn);
  if (!r.length) return NaN;
  if (objective === 'edgePerTrade') return ss.mean(r);
  if (objective === 'sharpe') return r.length > 1 ? sharpeRatio(r) : NaN;
  const wins = r.filter((x) => x > 0);
  const losses = r.filter((x) => x < 0);
  const wr = wins.length / r.length;
  return wr * (wins.length ? ss.mean(wins) : 0) - (1 - wr) * (losses.length ? -ss.mean(losses) : 0);
}

export interface WindowMetrics {
  trades: number;
  winRate: number | null;
  edgePerTrade: number | null;
  expectedValue: number | null;
  sharpe: number | null;
  /** Mean per-trade net return on notional (bps). */
  edgePerTradeBps: number | null;
  feesPaid: number;
  totalPnl: number;
}

function windowMetrics(rows: readonly LedgerRow[], w: Window, initialCapital: number): WindowMetrics {
  const m = computeMetrics(rows, { initialCapital, fromMs: w.fromMs, toMs: Math.max(w.toMs, w.fromMs) });
  const r = rows.map(tradeReturn);
  return {
    trades: m.trades,
    winRate: m.winRate,
    edgePerTrade: m.edgePerTrade,
    expectedValue: m.expectedValue,
    sharpe: perTradeSharpe(r),
    edgePerTradeBps: r.length ? ss.mean(r) * 1e4 : null,
    feesPaid: m.feesPaid,
    totalPnl: m.totalPnl,
  };
}

function pickBest(results: readonly ConfigResult[], w: Window, objective: Objective, minTrades: number): ConfigResult | null {
  let best: ConfigResult | null = null;
  let bestV = -Infinity;
  for (const c of results) {
    const rows = rowsIn(c.ledger, w);
    if (rows.length < minTrades) continue;
    const v = objectiveValue(rows, objective);
    if (v > bestV) {
      bestV = v;
      best = c;
    }
  }
  return best;
}

function sampleConfigs(params: readonly SweepParam[], samples: number, seed: number): Record<string, number>[] {
  const rng = createPrng(seed);
  const all = gridConfigs(params);
  if (samples >= all.length) return all;
  // Sample without replacement from the grid (partial Fisher-Yates), then keep grid order.
  const idx = all.map((_, k) => k);
  for (let k = 0; k < samples; k++) {
    const j = k + rng.nextInt(idx.length - k);
    [idx[k], idx[j]] = [idx[j], idx[k]];
  }
  return idx
    .slice(0, samples)
    .sort((a, b) => a - b)
    .map((k) => all[k]);
}

/** Per-period (day, or hour for spans under 30 days) sum of per-trade returns, by exit time: rows = periods, cols = configs. */
function periodMatrix(results: readonly ConfigResult[], fromMs: number, toMs: number): { matrix: number[][]; periodMs: number } {
  const periodMs = toMs - fromMs >= 30 * 86_400_000 ? 86_400_000 : 3_600_000;
  const T = Math.max(1, Math.ceil((toMs - fromMs) / periodMs));
  const matrix = Array.from({ length: T }, () => new Array<number>(results.length).fill(0));
  results.forEach((c, j) => {
    for (const r of c.ledger) {
      const t = Math.min(T - 1, Math.max(0, Math.floor((r.exitTime - fromMs) / periodMs)));
      matrix[t][j] += tradeReturn(r);
    }
  });
  return { matrix, periodMs };
}

export interface CalibrationArtifact {
  kind: 'edgelab.calibration';
  strategy: string;
  /** The chosen (deployable) parameters — every swept parameter with its value. */
  params: Record<string, number>;
  /** All parameters of the strategy with the chosen values applied (what a backtest would run). */
  fullParams: Record<string, number>;
  selectedOn: Window & { from: string; to: string; trades: number };
  swept: SweepParam[];
  search: CalibrationRequest['search'];
  objective: Objective;
  minTrades: number;
  trials: number;
  preset: string;
  walkForward: {
    folds: number;
    scheme: WalkForwardScheme;
    windows: {
      fold: number;
      trainWindow: { from: string; to: string };
      testWindow: { from: string; to: string };
      chosen: Record<string, number> | null;
      trainObjective: number | null;
      testMetrics: WindowMetrics | null;
    }[];
  };
  inSample: WindowMetrics;
  outOfSample: WindowMetrics;
  significance: {
    psr: number | null;
    dsr: number | null;
    /** The Sharpe threshold the DSR deflates to (expected max of `trials` Sharpe ratios). */
    dsrBenchmarkSharpe: number | null;
    pbo: number | null;
    pboBlocks: number;
    edgePerTradeCI: [number, number] | null;
    edgePerTradeCIBasis: string;
    returnsBasis: string;
    sharpeTrialsVariance: number | null;
    gate: { minDsr: number; maxPbo: number; requireCiAboveZero: boolean };
    passed: boolean;
    reasons: string[];
  };
  data: { file: string; format: string; kind: string; from: string | null; to: string | null; rows: number };
  version: string;
  createdAt: string;
  /** Every configuration's full-span figures, for audit. */
  configurations: { params: Record<string, number>; trades: number; edgePerTradeBps: number | null; sharpe: number | null }[];
}

export interface CalibrationResult {
  artifact: CalibrationArtifact;
  /** The out-of-sample ledger: chosen configuration's trades in each test window, joined. */
  oosLedger: LedgerRow[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function calibrate(req: CalibrationRequest): Promise<CalibrationResult> {
  const strategy = getStrategy(req.strategy);
  if (!req.params.length) throw new UserError('calibrate: give at least one --param to sweep');
  for (const p of req.params) if (!p.values.length) throw new UserError(`--param ${p.name}: no values`);
  const objective = req.objective ?? 'edgePerTrade';
  const minTrades = req.minTrades ?? 10;
  const folds = req.folds ?? 4;
  const scheme = req.scheme ?? 'rolling';
  const gate = req.gate ?? { minDsr: 0.95, maxPbo: 0.5 };
  const pboBlocks = req.pboBlocks ?? 16;
  const preset = req.preset ?? 'phase2';
  const base: RunConfig = resolveRunConfig({ preset, strategies: [strategy.id], overrides: req.config });
  const data = describeTape(req.tape);
  if (data.fromMs === null || data.toMs === null) throw new UserError(`${data.file}: no rows to calibrate on`);
  const search = req.search ?? { mode: 'grid' as const };
  const configs = search.mode === 'grid' ? gridConfigs(req.params) : sampleConfigs(req.params, search.samples, search.seed);

  const results = await runSweep(req.tape, base, strategy.id, configs, { workers: req.workers, modules: req.modules, onProgress: req.onProgress });
  const cap = base.engine.initialCapital;

  // Walk-forward selection.
  const foldsOut = walkForwardFolds(data.fromMs, data.toMs, folds, scheme);
  const oosLedger: LedgerRow[] = [];
  const inSampleRows: LedgerRow[] = [];
  const windows: CalibrationArtifact['walkForward']['windows'] = [];
  for (const f of foldsOut) {
    const best = pickBest(results, f.train, objective, minTrades);
    const testRows = best ? rowsIn(best.ledger, f.test) : [];
    if (best) {
      oosLedger.push(...testRows);
      inSampleRows.push(...rowsIn(best.ledger, f.train));
    }
    windows.push({
      fold: f.fold,
      trainWindow: { from: iso(f.train.fromMs), to: iso(f.train.toMs) },
      testWindow: { from: iso(f.test.fromMs), to: iso(f.test.toMs) },
      chosen: best ? pickSwept(best.params, req.params) : null,
      trainObjective: best ? objectiveValue(rowsIn(best.ledger, f.train), objective) : null,
      testMetrics: best ? windowMetrics(testRows, f.test, cap) : null,
    });
  }
  const oosSpan: Window = { fromMs: foldsOut[0].test.fromMs, toMs: data.toMs };
  const outOfSample = windowMetrics(oosLedger, oosSpan, cap);
  const inSample = windowMetrics(inSampleRows, { fromMs: data.fromMs, toMs: foldsOut[foldsOut.length - 1].train.toMs }, cap);

  // Deployable choice on the latest window.
  const finalW = finalSelectionWindow(data.fromMs, data.toMs, folds, scheme);
  const chosen = pickBest(results, finalW, objective, minTrades);

  // Significance.
  const oosReturns = oosLedger.map(tradeReturn);
  const trialSharpes = results.map((c) => c.ledger.map(tradeReturn)).filter((r) => r.length > 1).map((r) => sharpeRatio(r)).filter(Number.isFinite);
  const sharpeTrialsVariance = trialSharpes.length > 1 ? ss.sampleVariance(trialSharpes) : null;
  let psr: number | null = null;
  let dsr: number | null = null;
  let dsrBenchmarkSharpe: number | null = null;
  if (oosReturns.length > 2 && sharpeTrialsVariance !== null) {
    const p = probabilisticSharpeRatio(oosReturns, 0);
    psr = Number.isFinite(p) ? p : null;
    const d = deflatedSharpeRatio(oosReturns, { trials: results.length, trialsSharpeVariance: sharpeTrialsVariance });
    dsr = Number.isFinite(d.dsr) ? d.dsr : null;
    dsrBenchmarkSharpe = Number.isFinite(d.sr0) ? d.sr0 : null;
  }
  let pbo: number | null = null;
  if (results.length >= 2) {
    const { matrix } = periodMatrix(results, data.fromMs, data.toMs);
    const blocks = Math.min(pboBlocks, matrix.length - (matrix.length % 2));
    if (blocks >= 2) {
      const r = probabilityOfBacktestOverfitting(matrix, { blocks });
      pbo = Number.isFinite(r.pbo) ? r.pbo : null;
    }
  }
  const ci = oosLedger.length > 1 ? bootstrapMeanCI(oosLedger.map((r) => r.netPnl), { seed: req.seed ?? 1 }) : null;
  const edgePerTradeCI: [number, number] | null = ci ? [ci.lo, ci.hi] : null;
  const reasons: string[] = [];
  if (outOfSample.trades < minTrades) reasons.push(`only ${outOfSample.trades} out-of-sample trades (< ${minTrades})`);
  if (dsr === null || dsr < gate.minDsr) reasons.push(`DSR ${dsr === null ? 'undefined' : dsr.toFixed(3)} < ${gate.minDsr}`);
  if (pbo === null || pbo > gate.maxPbo) reasons.push(`PBO ${pbo === null ? 'undefined' : pbo.toFixed(3)} > ${gate.maxPbo}`);
  if (!edgePerTradeCI || edgePerTradeCI[0] <= 0) reasons.push('out-of-sample edge-per-trade CI includes zero or less');
  if (!chosen) reasons.push(`no configuration had ${minTrades} trades in the final selection window`);

  const fullParams = chosen ? chosen.params : {};
  const artifact: CalibrationArtifact = {
    kind: 'edgelab.calibration',
    strategy: strategy.id,
    params: chosen ? pickSwept(chosen.params, req.params) : {},
    fullParams,
    selectedOn: { ...finalW, from: iso(finalW.fromMs), to: iso(finalW.toMs), trades: chosen ? rowsIn(chosen.ledger, finalW).length : 0 },
    swept: req.params,
    search,
    objective,
    minTrades,
    trials: results.length,
    preset,
    walkForward: { folds, scheme, windows },
    inSample,
    outOfSample,
    significance: {
      psr,
      dsr,
      dsrBenchmarkSharpe,
      pbo,
      pboBlocks,
      edgePerTradeCI,
      edgePerTradeCIBasis: 'percentile bootstrap (10,000 resamples, seeded) of out-of-sample net P&L per trade, quote currency',
      returnsBasis: 'out-of-sample per-trade net return on notional (netPnl / (entryPrice × qty)), non-annualised',
      sharpeTrialsVariance,
      gate: { ...gate, requireCiAboveZero: true },
      passed: reasons.length === 0,
      reasons,
    },
    data: { file: data.file, format: data.format, kind: data.kind, from: data.from, to: data.to, rows: data.rows },
    version: edgelabVersion(),
    createdAt: (req.now ?? (() => new Date()))().toISOString(),
    configurations: results.map((c) => {
      const r = c.ledger.map(tradeReturn);
      return {
        params: pickSwept(c.params, req.params),
        trades: r.length,
        edgePerTradeBps: r.length ? ss.mean(r) * 1e4 : null,
        sharpe: perTradeSharpe(r),
      };
    }),
  };
  oosLedger.sort((a, b) => a.entryTime - b.entryTime);
  return { artifact, oosLedger };
}

function pickSwept(all: Record<string, number>, swept: readonly SweepParam[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of swept) if (p.name in all) out[p.name] = all[p.name];
  return out;
}
