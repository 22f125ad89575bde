/** The contract between a strategy and the engine. */

/** A strategy's decisions over a tape, one value per row, each made knowing rows ≤ i only. */
export interface StrategySignals {
  /** +1 enter long, −1 enter short, 0 nothing (ignored while a position is open). */
  entry: Int8Array;
  /** Exit requests: bit 1 = exit a long, bit 2 = exit a short. Used when signal exits are on. */
  exit?: Uint8Array;
  /** Counters a strategy wants reported (e.g. how many decisions a VPIN gate allowed and blocked). */
  stats?: Record<string, number>;
}
