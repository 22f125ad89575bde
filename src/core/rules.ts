/**
 * The trading rules' contract: what a preset's per-strategy block says about
 * gating, exits and sizing. Pure data; risk/ and backtest/ implement it.
 */

/** Strategy families from the plan; each has its own minimum hold. */
export type StrategyType = 'mean_reversion' | 'regime' | 'microstructure' | 'event';

/** Maximum entries per rolling window; null disables a window. Plan 1.1: 1/min, 10/h, 50/day. */
export interface FrequencyLimits {
  perMinute: number | null;
  perHour: number | null;
  perDay: number | null;
}

/**
 * What the minimum hold does to protective exits (stop and target).
 *  - `active` (default, the safe one): stops and targets fire during the hold;
 *    only signal and time exits wait for it.
 *  - `blocked`: the plan's own `check_exit` code, which returns early during
 *    the hold, so stops and targets wait too. Every exit this delays is
 *    counted (`exitDelayedBy = 'minHold'`).
 */
export type BracketDuringHold = 'active' | 'blocked';

/** Gate and exit settings of one strategy (the preset's per-strategy block). */
export interface TradeRules {
  /** Stop distance in percent (0.5 = 0.5%); null for none. */
  stopPct: number | null;
  targetPct: number | null;
  /** Close on the strategy's exit signal (the plan's "before" behaviour). */
  signalExit: boolean;
  /** Close at the first print at or after entry + maxHoldMs; null for none. */
  maxHoldMs: number | null;
  /** Signal and time exits wait until entry + minHoldMs. */
  minHoldMs: number;
  bracketDuringHold: BracketDuringHold;
  /** Entry frequency limits; null for none. */
  limits: FrequencyLimits | null;
}

/** Position sizing: a fixed quote notional, or a fraction of the strategy's (compounding) capital. */
export type Sizing = { mode: 'fixed'; notional: number } | { mode: 'fraction'; fraction: number };
