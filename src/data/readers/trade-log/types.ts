/**
 * The one ledger schema every trade-log adapter produces (edgelab's own
 * outputs, a live bot's CSV/JSON Lines log, freqtrade's backtest export and
 * its tradesv3.sqlite). Edge validation and the reports read only this.
 *
 * Conventions shared by every adapter:
 * - times are ms since epoch, UTC;
 * - `qty` is in base currency (a log that gives `notional` gets qty = notional / entryPrice);
 * - fees are in quote currency; a log with one `fee` column (both legs) has it split
 *   between the legs in proportion to each leg's notional (entryPrice·qty vs exitPrice·qty),
 *   so the split is exact for a percentage fee charged on both legs;
 * - `netPnl = grossPnl − entryFee − exitFee`, `grossPnl = ±(exitPrice − entryPrice)·qty`
 *   (+ long, − short), always recomputed from the prices — never copied from the log.
 *   What the log itself says the P&L was is kept in `reportedPnl` and cross-checked.
 */
export type TradeSide = 'long' | 'short';

/** A CLOSED round trip. */
export interface TradeLogTrade {
  strategy: string;
  symbol: string | null;
  side: TradeSide;
  /** ms since epoch, UTC. */
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  /** Base currency (notional / entryPrice when the log gives notional). */
  qty: number;
  /** Quote currency (a single `fee` column = both legs, split by notional — see module notes). */
  entryFee: number;
  exitFee: number;
  /** Quote currency, before fees. */
  grossPnl: number;
  /** grossPnl − entryFee − exitFee. */
  netPnl: number;
  /**
   * edgelab's ExitReason ('signal' | 'stop' | 'target' | 'time' | 'end') when recognisable
   * (stop_loss → stop, take_profit / roi → target, …), else the raw string; null when absent.
   */
  exitReason: string | null;
  entryLiquidity: 'maker' | 'taker' | null;
  exitLiquidity: 'maker' | 'taker' | null;
  /** undefined = the log does not say (no such column/field). */
  exitDelayedBy: 'minHold' | null | undefined;
  /** The P&L the log reports for this trade (freqtrade profit_abs, a live log's pnl, edgelab's netPnl). */
  reportedPnl?: number;
  /** What `reportedPnl` is: after fees ('net', the default) or before ('gross': the plan's record_trade `pnl`). */
  reportedPnlBasis?: 'net' | 'gross';
  /** 1-based line (CSV/JSONL), trade index (JSON export, 1-based) or row id (sqlite). */
  source: { file: string; line: number };
}

/** A position the log shows opened but not closed: listed, never counted as a trade. */
export interface OpenTrade {
  strategy: string;
  symbol: string | null;
  side: TradeSide;
  entryTime: number;
  entryPrice: number;
  qty: number;
  source: { file: string; line: number };
}

export interface TradeLogSource {
  file: string;
  /** e.g. 'live-csv', 'live-jsonl', 'edgelab-backtest', 'freqtrade-backtest-json', 'freqtrade-sqlite'. */
  format: string;
  /** Closed trades read from this source. */
  trades: number;
  /** Open trades read from this source. */
  open: number;
  /** SHA-256 (hex) of the file's bytes as read. */
  sha256: string;
}

/** A trade whose recomputed net P&L disagrees with what its log reports. */
export interface PnlMismatch {
  file: string;
  line: number;
  strategy: string;
  recomputed: number;
  reported: number;
  /** recomputed − reported. */
  difference: number;
  /** Which P&L was compared: net of fees, or gross (a log whose `pnl` is before fees). */
  basis: 'net' | 'gross';
}

export interface TradeLogSet {
  sources: TradeLogSource[];
  /** Closed trades of every source, sorted by exit time (stable). */
  trades: TradeLogTrade[];
  open: OpenTrade[];
  mismatches: PnlMismatch[];
  warnings: string[];
}
