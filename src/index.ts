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
export type { Strategy, AnyStrategy, ParamSpec } from './strategies/strategy';
export { defaultParams } from './strategies/strategy';
export { registerStrategy, getStrategy, listStrategies } from './strategies/registry';
export { V1_OFI } from './strategies/v1-ofi';
export { V4_OU, ouZScores } from './strategies/v4-ou';

// risk, exits, execution
export { FrequencyLimiter, PLAN_LIMITS, type FrequencyLimits } from './risk/frequency-limits';
export { PLAN_MIN_HOLD_MS, type StrategyType, type BracketDuringHold } from './risk/min-hold';
export { bracketLevels } from './exits/bracket';
export { NotionalRateFeeModel, PLAN_FEES, feeRatesFromCcxt, makeFeeModel, type FeeModel, type FeeRates, type FeeConfig } from './execution/fees';
export { NO_SLIPPAGE, FixedBpsSlippage, type SlippageModel } from './execution/slippage';

// backtest
export { runTickEngine, runBarEngine, type StrategySignals, type TradeRules, type Sizing, type ExecutionSetup, type EngineResult } from './backtest/engine';
export { runBacktest, runWithConfig, type BacktestResult, type BacktestOptions, type StrategyResult } from './backtest/run';
export { LedgerBuilder, LEDGER_COLUMNS, type LedgerRow, type ExitReason, type Liquidity } from './backtest/ledger';
export { ledgerToCsv, writeBacktestOutputs, summaryOf } from './backtest/output';
export { resolveRunConfig, PRESETS, type RunConfig, type PresetFile } from './config/run-config';

// analytics
export * from './analytics/metrics';
