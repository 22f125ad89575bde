/**
 * Slippage model: the price actually obtained by a taker fill, given the
 * traded price that triggered it. Applied to taker fills (entries, stops,
 * signal/time/end exits); resting limit fills (targets) get their limit.
 */
export interface SlippageModel {
  readonly name: string;
  /** `direction` +1 for a buy fill (pay more), -1 for a sell fill (receive less). */
  fillPrice(tradePrice: number, direction: number): number;
}

/** No slippage: taker fills at the traded price (the default; the trade print is a real price). */
export const NO_SLIPPAGE: SlippageModel = Object.freeze({
  name: 'none',
  fillPrice: (p: number) => p,
});

/** A fixed adverse move of `bps` basis points on every taker fill. */
export class FixedBpsSlippage implements SlippageModel {
  readonly name: string;
  private readonly k: number;
  constructor(readonly bps: number) {
    if (!Number.isFinite(bps) || bps < 0) throw new RangeError(`slippage bps must be ≥ 0, got ${bps}`);
    this.k = bps / 10_000;
    this.name = `fixed(${bps} bps)`;
  }
  fillPrice(p: number, direction: number): number {
    return p * (1 + direction * this.k);
  }
}

export function makeSlippageModel(bps: number | undefined): SlippageModel {
  return !bps ? NO_SLIPPAGE : new FixedBpsSlippage(bps);
}
