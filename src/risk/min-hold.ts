/** Strategy families from the plan; each has its own minimum hold. */
export type StrategyType = 'mean_reversion' | 'regime' | 'microstructure' | 'event';

/** Plan 1.2 `MIN_HOLD_TIMES`, in ms. */
export const PLAN_MIN_HOLD_MS: Readonly<Record<StrategyType, number>> = Object.freeze({
  mean_reversion: 30 * 60_000,
  regime: 2 * 3_600_000,
  microstructure: 5 * 60_000,
  event: 10 * 60_000,
});

/**
 * What the minimum hold does to protective exits (stop and target).
 *  - `active` (default, the safe one): stops and targets fire during the hold;
 *    only signal and time exits wait for it.
 *  - `blocked`: the plan's own `check_exit` code, which returns early during
 *    the hold, so stops and targets wait too. Every exit this delays is
 *    counted (`exitDelayedBy = 'minHold'`).
 */
export type BracketDuringHold = 'active' | 'blocked';
