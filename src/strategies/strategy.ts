import type { MarketTape } from '../data/tape';
import type { StrategySignals } from '../backtest/engine';
import type { StrategyType } from '../risk/min-hold';
import type { ValueSpec } from '../core/param-check';

/**
 * One tunable parameter of a strategy, documented where it is declared. Its
 * bounds and unit are a `ValueSpec`: every value a user gives for it is
 * checked by `checkValue` (src/core/param-check.ts).
 */
export interface ParamSpec extends Pick<ValueSpec, 'min' | 'minExclusive' | 'max' | 'integer'> {
  default: number;
  doc: string;
  /** The unit, as README's units table writes it: `ms`, `%`, `bps`, `σ`, `× average`, … */
  unit: string;
  /**
   * True when changing this parameter changes a computed series (a window,
   * a sampling interval, a model fit), not just a threshold applied to it. A
   * sweep keeps configurations that share these values on one worker, so each
   * series is computed once per worker rather than once per configuration.
   */
  series?: boolean;
}

/**
 * A strategy turns a tape into entry and exit decisions. `signals` must be
 * causal: the decision at row i may use rows ≤ i only (the engine fills it on
 * the next row). Everything after the decision — limits, minimum hold,
 * bracket, fills, fees — is the engine's job, so a strategy cannot fake its
 * own fills.
 *
 * To add your own: implement this interface in a file of yours and pass the
 * object to `registerStrategy` (or straight to `runBacktest` via
 * `strategies: [myStrategy]`).
 */
export interface Strategy<P extends Record<string, number> = Record<string, number>> {
  /** Short id used on the command line and in presets, e.g. `V1`. */
  readonly id: string;
  readonly name: string;
  /** Decides the plan's minimum hold (`PLAN_MIN_HOLD_MS`). */
  readonly type: StrategyType;
  /** One paragraph: what it trades on and why. */
  readonly description: string;
  readonly params: { readonly [K in keyof P]: ParamSpec };
  signals(tape: MarketTape, params: P): StrategySignals;
}

export type AnyStrategy = Strategy<Record<string, number>>;

/** Defaults of a strategy's parameters. */
export function defaultParams(s: AnyStrategy): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, spec] of Object.entries(s.params)) out[k] = spec.default;
  return out;
}
