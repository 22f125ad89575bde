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
import { createHash } from 'node:crypto';
import type { MarketTape } from '../data/tape';
import { describeTape } from '../data/tape';
import type { LedgerRow } from '../core/ledger';
import { computeMetrics } from '../analytics/metrics';
import ss from '../analytics/ss';
import { resolveRunConfig, type EngineSettings, type PresetFile, type RunConfig } from '../config/run-config';
import type { TradeRules } from '../core/rules';
import type { ConfirmationSettings } from '../risk/confirmation-gate';
import { filesSha256, tapeSourceFiles } from '../util/hash';
import { getStrategy } from '../strategies/registry';
import { UserError } from '../util/errors';
import { edgelabVersion } from '../util/package-root';
import { deflatedSharpeRatio, probabilisticSharpeRatio, sharpeRatio } from '../analytics/sharpe';
import { bootstrapMeanCI } from '../analytics/bootstrap';
import { probabilityOfBacktestOverfitting } from '../analytics/pbo';
import { createPrng } from '../util/prng';
import { checkSweepParams, evaluateConfig, gridConfigs, type SweepParam } from './sweep';
import { finalSelectionWindow, rowsIn, walkForwardFolds, type WalkForwardScheme, type Window } from './walk-forward';
import { planSweep, tradeReturn, type ConfigSummary, type Objective, type SweepExecutor, type SweepSpec } from './sweep-plan';
import { LocalPool } from './local-pool';

export { objectiveValue, tradeReturn, type Objective } from './sweep-plan';

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
  /**
   * Where the sweep's jobs run: default a local worker pool of `workers`
   * threads; a BullMQ executor for many machines. Same artifact either way.
   */
  executor?: SweepExecutor;
  /** Content hash of the data (names the sweep's job ids); default: a hash of the tape's columns. */
  dataHash?: string;
  /** Configurations per job (default: the executor's choice). */
  chunkSize?: number;
  /** Wall clock for `createdAt` (injected; the core never reads it itself). */
  now?: () => Date;
}

/** Per-trade Sharpe (mean / sd of per-trade returns), or null when undefined. */
function perTradeSharpe(r: readonly number[]): number | null {
  const s = r.length > 1 ? sharpeRatio(r) : NaN;
  return Number.isFinite(s) ? s : null;
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

/** Best configuration on selection window `w` (index into spec.windows); ties go to the earlier configuration. */
function pickBest(summaries: readonly ConfigSummary[], w: number, minTrades: number): ConfigSummary | null {
  let best: ConfigSummary | null = null;
  let bestV = -Infinity;
  for (const c of summaries) {
    const { trades, objective } = c.windows[w];
    if (trades < minTrades || objective === null) continue;
    if (objective > bestV) {
      bestV = objective;
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

/** PBO's period grid: days, or hours for spans under 30 days. */
function periodGrid(fromMs: number, toMs: number): SweepSpec['period'] {
  const periodMs = toMs - fromMs >= 30 * 86_400_000 ? 86_400_000 : 3_600_000;
  return { fromMs, periodMs, periods: Math.max(1, Math.ceil((toMs - fromMs) / periodMs)) };
}

/** rows = periods, cols = configurations: each configuration's per-period sum of per-trade returns, by exit time. */
function periodMatrix(summaries: readonly ConfigSummary[], periods: number): number[][] {
  const matrix = Array.from({ length: periods }, () => new Array<number>(summaries.length).fill(0));
  summaries.forEach((c, j) => {
    for (const [t, sum] of c.periods) matrix[t][j] = sum;
  });
  return matrix;
}

/** A content hash of a tape's columns, for sweeps on a tape that came from no file. */
function tapeColumnsHash(tape: MarketTape): string {
  const h = createHash('sha256');
  const cols = tape.kind === 'trades' ? [tape.time, tape.price, tape.amount, tape.side] : [tape.time, tape.open, tape.high, tape.low, tape.close, tape.volume];
  for (const c of cols) h.update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  return h.digest('hex');
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
  /** `sha256`: of the data file's bytes (null for a tape not read from a file); `timeframeMs`: bars only. */
  data: { file: string; format: string; kind: string; from: string | null; to: string | null; rows: number; sha256: string | null; timeframeMs?: number };
  /** The engine and rules every configuration ran under (only the swept parameters varied): what a promotion carries to live. */
  settings: { engine: EngineSettings; rules: TradeRules; confirmation: ConfirmationSettings };
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
  checkSweepParams(strategy.id, req.params);
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

  const cap = base.engine.initialCapital;
  const foldsOut = walkForwardFolds(data.fromMs, data.toMs, folds, scheme);
  const finalW = finalSelectionWindow(data.fromMs, data.toMs, folds, scheme);
  const spec: SweepSpec = {
    strategy: strategy.id,
    base,
    objective,
    windows: [...foldsOut.map((f) => f.train), finalW],
    period: periodGrid(data.fromMs, data.toMs),
  };
  const executor = req.executor ?? new LocalPool(req.tape, { workers: req.workers, modules: req.modules });
  const plan = planSweep(spec, configs, { chunkSize: req.chunkSize ?? executor.chunkSize(configs.length), dataHash: req.dataHash ?? tapeColumnsHash(req.tape) });
  let chunks;
  try {
    chunks = await executor.run(plan, req.onProgress);
  } finally {
    if (!req.executor) await executor.close();
  }

  // The one reduction: every configuration exactly once, in configuration order.
  const summaries: ConfigSummary[] = new Array(configs.length);
  for (const ch of chunks) {
    for (const c of ch.summaries) {
      if (summaries[c.index]) throw new Error(`sweep ${plan.hash}: configuration ${c.index} came back twice (job ${ch.id})`);
      summaries[c.index] = c;
    }
  }
  const missing = configs.findIndex((_, k) => !summaries[k]);
  if (missing >= 0) throw new Error(`sweep ${plan.hash}: configuration ${missing} has no result — the executor lost a job`);

  // Ledgers only for the configurations chosen somewhere (at most folds + 1), rerun here: the same causal backtest, so the same rows.
  const ledgers = new Map<number, LedgerRow[]>();
  const ledgerOf = (c: ConfigSummary) => {
    let l = ledgers.get(c.index);
    if (!l) ledgers.set(c.index, (l = evaluateConfig(req.tape, base, strategy.id, configs[c.index], c.index).ledger));
    return l;
  };

  // Walk-forward selection.
  const oosLedger: LedgerRow[] = [];
  const inSampleRows: LedgerRow[] = [];
  const windows: CalibrationArtifact['walkForward']['windows'] = [];
  for (const [k, f] of foldsOut.entries()) {
    const best = pickBest(summaries, k, minTrades);
    const testRows = best ? rowsIn(ledgerOf(best), f.test) : [];
    if (best) {
      oosLedger.push(...testRows);
      inSampleRows.push(...rowsIn(ledgerOf(best), f.train));
    }
    windows.push({
      fold: f.fold,
      trainWindow: { from: iso(f.train.fromMs), to: iso(f.train.toMs) },
      testWindow: { from: iso(f.test.fromMs), to: iso(f.test.toMs) },
      chosen: best ? pickSwept(best.params, req.params) : null,
      trainObjective: best ? best.windows[k].objective : null,
      testMetrics: best ? windowMetrics(testRows, f.test, cap) : null,
    });
  }
  const oosSpan: Window = { fromMs: foldsOut[0].test.fromMs, toMs: data.toMs };
  const outOfSample = windowMetrics(oosLedger, oosSpan, cap);
  const inSample = windowMetrics(inSampleRows, { fromMs: data.fromMs, toMs: foldsOut[foldsOut.length - 1].train.toMs }, cap);

  // Deployable choice on the latest window.
  const chosen = pickBest(summaries, foldsOut.length, minTrades);

  // Significance. DSR's trial count is the number of distinct configurations reduced above.
  const oosReturns = oosLedger.map(tradeReturn);
  const trialSharpes = summaries.map((c) => c.sharpe).filter((x): x is number => x !== null);
  const sharpeTrialsVariance = trialSharpes.length > 1 ? ss.sampleVariance(trialSharpes) : null;
  let psr: number | null = null;
  let dsr: number | null = null;
  let dsrBenchmarkSharpe: number | null = null;
  if (oosReturns.length > 2 && sharpeTrialsVariance !== null) {
    const p = probabilisticSharpeRatio(oosReturns, 0);
    psr = Number.isFinite(p) ? p : null;
    const d = deflatedSharpeRatio(oosReturns, { trials: summaries.length, trialsSharpeVariance: sharpeTrialsVariance });
    dsr = Number.isFinite(d.dsr) ? d.dsr : null;
    dsrBenchmarkSharpe = Number.isFinite(d.sr0) ? d.sr0 : null;
  }
  let pbo: number | null = null;
  if (summaries.length >= 2) {
    const matrix = periodMatrix(summaries, spec.period.periods);
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
    selectedOn: { ...finalW, from: iso(finalW.fromMs), to: iso(finalW.toMs), trades: chosen ? chosen.windows[foldsOut.length].trades : 0 },
    swept: req.params,
    search,
    objective,
    minTrades,
    trials: summaries.length,
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
    data: {
      file: data.file,
      format: data.format,
      kind: data.kind,
      from: data.from,
      to: data.to,
      rows: data.rows,
      sha256: filesSha256(tapeSourceFiles(data.file)),
      ...(req.tape.kind === 'bars' ? { timeframeMs: req.tape.timeframeMs } : {}),
    },
    settings: { engine: base.engine, rules: base.strategies[strategy.id].rules, confirmation: base.strategies[strategy.id].confirmation },
    version: edgelabVersion(),
    createdAt: (req.now ?? (() => new Date()))().toISOString(),
    configurations: summaries.map((c) => ({ params: pickSwept(c.params, req.params), trades: c.trades, edgePerTradeBps: c.edgePerTradeBps, sharpe: c.sharpe })),
  };
  oosLedger.sort((a, b) => a.entryTime - b.entryTime);
  return { artifact, oosLedger };
}

function pickSwept(all: Record<string, number>, swept: readonly SweepParam[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of swept) if (p.name in all) out[p.name] = all[p.name];
  return out;
}
