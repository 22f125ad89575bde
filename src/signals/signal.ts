/**
 * Contracts shared by every formula in src/signals.
 *
 * Each formula comes in two forms that must give identical numbers (a test
 * on the bundled real tape checks 1e-9 relative agreement):
 *  - a PURE batch function over a tape, returning one Float64Array per
 *    output (NaN where the formula is not yet defined), and
 *  - a STREAMING class (`update` per event, O(1) amortised, no allocation per
 *    event) for the engine and for live use.
 * Every output at row i uses rows ≤ i only.
 */
import type { MarketTape } from '../data/tape';
import type { ParamSpec } from '../core/params';

/** Streaming form over trades. */
export interface TradeIndicator {
  /** Feed one trade (time ms, price, amount, taker side ±1/0). Returns true once outputs are defined. */
  update(time: number, price: number, amount: number, side: number): boolean;
  /** Output k (in `outputs` order) after the last update; NaN during warm-up. */
  value(k?: number): number;
  readonly outputs: readonly string[];
}

/** Streaming form over bars. */
export interface BarIndicator {
  update(time: number, open: number, high: number, low: number, close: number, volume: number): boolean;
  value(k?: number): number;
  readonly outputs: readonly string[];
}

/**
 * A formula as the `edgelab signals` command and notebooks see it: named
 * outputs (the CSV column names), documented parameters, a pure compute.
 */
export interface SignalSpec {
  readonly name: string;
  readonly description: string;
  readonly outputs: readonly string[];
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Which tapes it accepts. */
  readonly accepts: readonly ('trades' | 'bars')[];
  compute(tape: MarketTape, params: Record<string, number>): Record<string, Float64Array>;
}
