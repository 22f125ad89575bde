/**
 * The market every command loads: a backtestable tape (trades or bars), or
 * for the maker simulation the trades with the quotes and L2 book that the
 * Binance captures carry. Shared by the CLI commands; no flag parsing here.
 */
import { UserError } from '../util/errors';
import { detectFormat, loadBinanceCapture, loadData, loadTrades } from './load';
import type { MarketTape, QuoteTape, TradeTape } from './tape';
import type { DepthDiffTape } from './readers/binance-capture';

/** A tape a backtest can run on (trades or bars; a quotes-only file is a UserError naming it). */
export function loadMarketData(files: string[], maxGapMs?: number | null): { tape: MarketTape; warnings: string[] } {
  const loaded = loadData(files.length === 1 ? files[0] : files, maxGapMs ? { maxGapMs } : undefined);
  if (loaded.tape.kind === 'quotes') {
    throw new UserError(`${files.join(', ')}: holds best bid/ask quotes only; a backtest needs trades or OHLCV bars`);
  }
  return { tape: loaded.tape, warnings: loaded.warnings };
}

/** Trades for the maker simulation, with the quotes and L2 book when a capture (or `--book`) has them. */
export interface Market {
  trades: TradeTape;
  quotes: QuoteTape | null;
  depth: DepthDiffTape | null;
  warnings: string[];
}

export function loadMarket(dataFiles: string[], bookFiles: string[]): Market {
  const warnings: string[] = [];
  let trades: TradeTape;
  let quotes: QuoteTape | null = null;
  let depth: DepthDiffTape | null = null;
  if (detectFormat(dataFiles[0]) === 'binance-ws-capture') {
    const cap = loadBinanceCapture(dataFiles, { alignLocalClock: true });
    warnings.push(...cap.warnings);
    trades = cap.trades;
    quotes = cap.quotes.length ? cap.quotes : null;
    depth = cap.depth.snapshots.length ? cap.depth : null;
  } else {
    const t = loadTrades(dataFiles.length === 1 ? dataFiles[0] : dataFiles);
    warnings.push(...t.warnings);
    trades = t.tape;
  }
  if (bookFiles.length) {
    const cap = loadBinanceCapture(bookFiles, { alignLocalClock: true, want: { trades: true, quotes: true, depth: true } });
    warnings.push(...cap.warnings);
    if (!cap.depth.snapshots.length) throw new UserError(`${bookFiles.join(', ')}: no REST depth snapshot in the capture; the L2 book cannot be rebuilt`);
    depth = cap.depth;
    if (!quotes && cap.quotes.length) quotes = cap.quotes;
    const t0 = trades.length ? trades.time[0] : NaN;
    const t1 = trades.length ? trades.time[trades.length - 1] : NaN;
    if (!(cap.depth.length && cap.depth.time[0] <= t1 && cap.depth.time[cap.depth.length - 1] >= t0)) {
      warnings.push(`${bookFiles.join(' + ')}: the book does not overlap the trades in time; queue orders outside it are excluded`);
    }
  }
  return { trades, quotes, depth, warnings };
}
