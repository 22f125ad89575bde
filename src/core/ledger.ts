/**
 * The ledger's contract: one row per round trip, the reasons a position
 * closes and the columns every writer emits. Pure data, shared by the engine
 * that fills it, the analytics that read it and every output and reader.
 */

export type ExitReason = 'signal' | 'stop' | 'target' | 'time' | 'end';
export type Liquidity = 'maker' | 'taker';
export type PositionSide = 'long' | 'short';
/** Frequency-limit rule that blocked an entry signal. */
export type LimitRule = 'minute' | 'hour' | 'day';

export const EXIT_REASONS: readonly ExitReason[] = ['signal', 'stop', 'target', 'time', 'end'];
export const LIMIT_RULES: readonly LimitRule[] = ['minute', 'hour', 'day'];

export interface LedgerRow {
  strategy: string;
  side: PositionSide;
  /** ms since epoch of the entry fill. */
  entryTime: number;
  entryPrice: number;
  exitTime: number;
  exitPrice: number;
  /** Base-currency quantity. */
  qty: number;
  /** Stop level (null when the policy has no stop). */
  stopPrice: number | null;
  targetPrice: number | null;
  entryFee: number;
  exitFee: number;
  entryLiquidity: Liquidity;
  exitLiquidity: Liquidity;
  /** P&L before fees, in quote currency. */
  grossPnl: number;
  /** grossPnl − entryFee − exitFee. */
  netPnl: number;
  exitReason: ExitReason;
  /** exitTime − entryTime. */
  holdMs: number;
  /**
   * `minHold` when the minimum-hold rule made this exit later than it would
   * otherwise have been (a signal/time exit requested during the hold, or a
   * stop/target that the `blocked` hold policy held back); else null.
   */
  exitDelayedBy: 'minHold' | null;
  /** Entry signals suppressed by frequency limits between the previous exit and this entry. */
  blockedSignals: number;
  /** The limit that blocked the most recent of those signals. */
  blockedBy: LimitRule | null;
  /** Strategy capital after this trade closed (sizing and compounding audit). */
  capitalAfter: number;
  /** Row indices in the tape of the entry and exit fills (audit). */
  entryIndex: number;
  exitIndex: number;
  entryIso: string;
  exitIso: string;
  /** Phase 3: the confirmations the entry had (e.g. `volume+trend`); absent when the gate is off. */
  confirmations?: string;
}

/** Columns written to trades.csv, in order. */
export const LEDGER_COLUMNS: readonly (keyof LedgerRow)[] = [
  'strategy',
  'side',
  'entryTime',
  'entryIso',
  'entryPrice',
  'exitTime',
  'exitIso',
  'exitPrice',
  'qty',
  'stopPrice',
  'targetPrice',
  'entryFee',
  'exitFee',
  'entryLiquidity',
  'exitLiquidity',
  'grossPnl',
  'netPnl',
  'exitReason',
  'holdMs',
  'exitDelayedBy',
  'blockedSignals',
  'blockedBy',
  'capitalAfter',
  'entryIndex',
  'exitIndex',
  'confirmations',
];
