import type { MarketTape } from '../data/tape';
import type { StrategySignals } from '../core/signals';
import type { StrategyType } from '../core/rules';
import type { ParamSpec } from '../core/params';

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
