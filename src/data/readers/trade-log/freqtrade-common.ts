/**
 * freqtrade's trade fields → the ledger schema, shared by the backtest export
 * (JSON / zip) and the live database (tradesv3.sqlite). Field names are
 * freqtrade's own: pair, open_rate, close_rate, amount, fee_open, fee_close
 * (fee *rates*), is_short, exit_reason (older releases: sell_reason),
 * profit_abs (export) / close_profit_abs (database).
 *
 * Fees are recomputed from the rates in quote currency, as freqtrade itself does
 * (Trade._calc_open_trade_value / calc_close_trade_value):
 *   entryFee = fee_open · open_rate · amount,  exitFee = fee_close · close_rate · amount,
 *   net = ±amount·(close − open) − entryFee − exitFee   (+ long, − short),
 * and cross-checked against freqtrade's own profit figure. freqtrade's figure also
 * includes futures funding fees and margin interest, which a trade list does not
 * itemise: such trades show up as mismatches, which is the point.
 */
import { DataError } from '../../../util/errors';
import { closedTrade, isAbsent, normaliseExitReason, num, parseTime, positive, type ParsedRecord } from './record';

export interface FreqtradeRow {
  pair?: unknown;
  open_rate?: unknown;
  close_rate?: unknown;
  amount?: unknown;
  fee_open?: unknown;
  fee_close?: unknown;
  is_short?: unknown;
  is_open?: unknown;
  exit_reason?: unknown;
  sell_reason?: unknown;
  /** Export: ms (float). */
  open_timestamp?: unknown;
  close_timestamp?: unknown;
  /** Export: '2018-01-10 07:15:00+00:00'; database: naive UTC '2024-01-01 10:00:00.123456'. */
  open_date?: unknown;
  close_date?: unknown;
  enter_tag?: unknown;
}

function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || (typeof v === 'string' && v.toLowerCase() === 'true');
}

function time(tsField: unknown, dateField: unknown, file: string, line: number, what: string): number | null {
  if (!isAbsent(tsField)) return parseTime(tsField, file, line, what);
  if (!isAbsent(dateField)) return parseTime(dateField, file, line, what);
  return null;
}

/** One freqtrade trade → a closed or open ledger record. `reported` is freqtrade's own net profit (may be absent). */
export function freqtradeRecord(row: FreqtradeRow, strategy: string, reported: unknown, file: string, line: number, label: string): ParsedRecord {
  const at = (msg: string) => new DataError(file, line, `${label}: ${msg}`);
  if (isAbsent(row.pair)) throw at('pair is missing');
  const symbol = String(row.pair);
  const side = truthy(row.is_short) ? 'short' : 'long';
  const entryTime = time(row.open_timestamp, row.open_date, file, line, `${label}: open_timestamp/open_date`);
  if (entryTime === null) throw at('open_timestamp / open_date is missing');
  const entryPrice = positive(row.open_rate, file, line, `${label}: open_rate`);
  const qty = positive(row.amount, file, line, `${label}: amount`);
  const exitTime = time(row.close_timestamp, row.close_date, file, line, `${label}: close_timestamp/close_date`);
  if (truthy(row.is_open) || (exitTime === null && isAbsent(row.close_rate))) {
    return { kind: 'open', trade: { strategy, symbol, side, entryTime, entryPrice, qty, source: { file, line } } };
  }
  if (exitTime === null) throw at('close_rate is given but close_timestamp / close_date is missing');
  if (exitTime < entryTime) throw at(`closes (${new Date(exitTime).toISOString()}) before it opens (${new Date(entryTime).toISOString()})`);
  const exitPrice = positive(row.close_rate, file, line, `${label}: close_rate`);
  const feeOpen = isAbsent(row.fee_open) ? 0 : num(row.fee_open, file, line, `${label}: fee_open`);
  const feeClose = isAbsent(row.fee_close) ? 0 : num(row.fee_close, file, line, `${label}: fee_close`);
  const entryFee = feeOpen * entryPrice * qty;
  const exitFee = feeClose * exitPrice * qty;
  const reason = !isAbsent(row.exit_reason) ? String(row.exit_reason) : !isAbsent(row.sell_reason) ? String(row.sell_reason) : null;
  const trade: ParsedRecord = {
    kind: 'closed',
    trade: closedTrade({
      strategy,
      symbol,
      side,
      entryTime,
      exitTime,
      entryPrice,
      exitPrice,
      qty,
      entryFee,
      exitFee,
      exitReason: normaliseExitReason(reason),
      // freqtrade records neither the liquidity of a fill nor a minimum-hold rule.
      entryLiquidity: null,
      exitLiquidity: null,
      exitDelayedBy: undefined,
      source: { file, line },
    }),
  };
  if (!isAbsent(reported)) {
    trade.trade.reportedPnl = num(reported, file, line, `${label}: profit_abs`);
    trade.trade.reportedPnlBasis = 'net';
  }
  return trade;
}
