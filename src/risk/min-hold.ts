import type { StrategyType } from '../core/rules';

/** Plan 1.2 `MIN_HOLD_TIMES`, in ms. */
export const PLAN_MIN_HOLD_MS: Readonly<Record<StrategyType, number>> = Object.freeze({
  mean_reversion: 30 * 60_000,
  regime: 2 * 3_600_000,
  microstructure: 5 * 60_000,
  event: 10 * 60_000,
});
