import type { TradeTape } from '../data/tape';

/**
 * How an entry decision becomes a fill. Without one, the engine fills as
 * taker at the next print (the default). `makerEntryExecution` in
 * src/execution/maker-entry.ts posts a post-only limit instead.
 */
export interface EntryExecution {
  readonly name: string;
  /**
   * The fill of an entry decided on row `decisionRow`: the row it fills on
   * (> decisionRow; −1 when the order never fills: cancelled or rejected),
   * the price, and whether it was a maker fill.
   */
  fill(tape: TradeTape, decisionRow: number, side: 1 | -1): { row: number; price: number; maker: boolean };
}
