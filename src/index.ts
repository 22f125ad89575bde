/**
 * edgelab public API — what notebooks and other tools import (from the built
 * `dist/src/index.js`).
 */

// data
export * from './data/tape';
export { loadData, loadTrades, loadBars, loadQuotes, detectFormat } from './data/load';
export { bundledData } from './data/bundled';
export { fetchToFile } from './data/fetch';

// signals
export { tradeFlowImbalance } from './signals/ofi';
export { fitOu, type OuFit } from './signals/ou';

// strategies
export type { Strategy, AnyStrategy } from './strategies/strategy';
export type { ParamSpec } from './core/params';
export { defaultParams } from './strategies/strategy';
export { registerStrategy, getStrategy, listStrategies } from './strategies/registry';
export { V1_OFI } from './strategies/v1-ofi';
export { V4_OU, ouZScores } from './strategies/v4-ou';

// risk, exits, execution
export { FrequencyLimiter, PLAN_LIMITS } from './risk/frequency-limits';
export type { FrequencyLimits } from './core/rules';
export { PLAN_MIN_HOLD_MS } from './risk/min-hold';
export type { StrategyType, BracketDuringHold } from './core/rules';
export { bracketLevels } from './exits/fill-rules';
export { NotionalRateFeeModel, PLAN_FEES, feeRatesFromCcxt, makeFeeModel, type FeeModel, type FeeRates, type FeeConfig } from './execution/fees';
export { NO_SLIPPAGE, FixedBpsSlippage, type SlippageModel } from './execution/slippage';

// backtest
export { runTickEngine, runBarEngine, type ExecutionSetup, type EngineResult } from './backtest/engine';
export type { StrategySignals } from './core/signals';
export type { TradeRules, Sizing } from './core/rules';
export { runBacktest, runWithConfig, type BacktestResult, type BacktestOptions, type StrategyResult } from './run/run';
export { LedgerBuilder } from './backtest/ledger';
export { LEDGER_COLUMNS, type LedgerRow, type ExitReason, type Liquidity } from './core/ledger';
export { ledgerToCsv, writeBacktestOutputs, summaryOf } from './run/output';
export { resolveRunConfig, PRESETS, type RunConfig, type PresetFile } from './config/run-config';
export {
  readLiveConfig,
  parseLiveConfig,
  validateLiveConfig,
  serializeLiveConfig,
  liveConfigFromPreset,
  type LiveConfig,
  type LiveStrategy,
  type LiveRules,
  type LiveEvidence,
} from './config/live-config';

// analytics
export * from './analytics/metrics';

// formulas (each a pure function plus a streaming class)
export { TradeFlowImbalanceIndicator, barFlowImbalance, BarFlowImbalanceIndicator, bookOfiSeries, BookOfiIndicator } from './signals/ofi';
export { kyleLambdaSeries, kyleTickRuns, KyleLambdaIndicator, KyleLambdaBarIndicator, type KyleTickRuns } from './signals/kyle-lambda';
export { vpinSeries, vpinSteps, VpinIndicator, VpinBarIndicator, stdNormalCdf, type VpinSteps } from './signals/vpin';
export { ouSeries, ouTickRuns, OuIndicator, OuBarIndicator, type OuTickRuns, type OuRunReader } from './signals/ou';
// a formula's value per run of tape rows (vpinSteps, kyleTickRuns, ouTickRuns): lookup helpers
export { runOf, runEnd, type RowRuns } from './signals/row-runs';
export { fitHmm, makeHmm, hmmFiltered, hmmSmoothed, hmmViterbi, hmmLogLikelihood, HmmFilter, hmmRegimeSeries, sampleHmm } from './signals/hmm';
export { SIGNALS, getSignal } from './signals/registry';
export { sampleTape, sampledBars } from './signals/sampling';
export { V2_KYLE } from './strategies/v2-kyle';
export { V3_VPIN_REVERSION } from './strategies/v3-vpin-reversion';
export { V5_VOL_BREAKOUT } from './strategies/v5-vol-breakout';
export { V6_HMM_REGIME } from './strategies/v6-hmm-regime';
export { V7_VOLUME_SPIKE } from './strategies/v7-volume-spike';
export { V8_VPIN_GATED } from './strategies/v8-vpin-gated';
export { PLAN_STRATEGY_IDS } from './strategies/registry';
export { loadStrategyModule } from './strategies/plugins';

// research
export { calibrate, tradeReturn, objectiveValue, type CalibrationArtifact, type CalibrationRequest } from './research/calibrate';
export { parseParamRange, gridConfigs, runSweep } from './research/sweep';
export { walkForwardFolds } from './research/walk-forward';
export { compareExits } from './research/compare-exits';
export { phaseImpact, type PhaseImpact } from './research/phase-impact';
export { runMakerStudy, sweepMakerStudy, scheduleOrders, strategyOrders } from './research/maker-study';
export { simulateMakerEntry, simulateMakerOrder, makeFillModel, TradeThroughFill, TouchFill, QueueFill, PLAN_MAKER_PARAMS } from './execution/maker';
export { RiskAverseQueue, ProbQueue } from './execution/queue';
export { makerEntryExecution, PLAN_MAKER_EXECUTION } from './execution/maker-entry';
export { runPortfolio, strategyAlone, PLAN_ALLOCATIONS, PLAN_CAPITAL } from './run/portfolio';
export { auditTickLedger, auditBarLedger } from './backtest/audit';

// promotion into the live config
export { initLiveConfig, promote, rollback, promotionHistory, applyArtifacts, type PromoteOptions, type PromoteOutcome, type PromotionLogEntry } from './promote/promote';
export { runGate, readLiveReport, DEFAULT_GATE, type GateThresholds, type GateCheck, type GateResult } from './promote/gate';
export { diffLiveConfigs, formatDiff, type FieldChange } from './promote/diff';
export { readArtifact, validateArtifact } from './promote/artifact';
export { renderPython, renderFreqtrade, pythonFields, PLAN_PARAM_NAMES } from './promote/export';
export { historyDir, revisionFile, logFile, listRevisions } from './promote/store';

// significance statistics
export { sharpeRatio, probabilisticSharpeRatio, deflatedSharpeRatio, expectedMaxSharpe } from './analytics/sharpe';
export { probabilityOfBacktestOverfitting } from './analytics/pbo';
export { bootstrapMeanCI, blockBootstrapMeanCI } from './analytics/bootstrap';
export { compoundingMonteCarlo } from './analytics/monte-carlo';
export { createPrng } from './util/prng';
export { default as ss } from './analytics/ss';

// trade logs and daily edge validation
export { readTradeLogs, type TradeLogSet, type TradeLogTrade, type OpenTrade, type TradeLogSource, type PnlMismatch } from './data/readers/trade-log';
export { validateEdge, defaultReportDate, EDGE_WINDOWS, type EdgeWindow, type WindowMetrics, type StrategyValidation } from './analytics/edge-validation';
