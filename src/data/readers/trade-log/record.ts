/**
 * One trade-log record (a CSV row or a JSON object) → a closed trade or an
 * open one, in the ledger schema of ./types. Every adapter whose rows are
 * "one round trip per record" (the live bot's CSV/JSON Lines log, edgelab's
 * own trades.csv/.jsonl) goes through here, so the accepted names, the
 * unit rules and the error messages are the same everywhere.
 *
 * Names are matched ignoring case and underscores, so `entry_time`,
 * `entryTime` and `ENTRY_TIME` are one field. See README "Trade logs".
 */
import { DataError } from '../../../util/errors';
import type { OpenTrade, TradeLogTrade, TradeSide } from './types';

/** A raw record: CSV cells are strings ('' = absent), JSON values anything. */
export type RawRecord = Record<string, unknown>;

/** Accepted names per field (normalised: lower case, no '_' / '-' / spaces). */
const ALIASES = {
  strategy: ['strategy', 'strategyid', 'strategyname'],
  symbol: ['symbol', 'pair', 'market'],
  side: ['side', 'direction'],
  entryTime: ['entrytime', 'opentime', 'entryts', 'entrytimestamp'],
  exitTime: ['exittime', 'closetime', 'exitts', 'exittimestamp'],
  entryPrice: ['entryprice', 'openprice'],
  exitPrice: ['exitprice', 'closeprice'],
  qty: ['qty', 'quantity', 'size', 'amount'],
  notional: ['notional', 'stake', 'stakeamount'],
  fee: ['fee', 'fees'],
  entryFee: ['entryfee'],
  exitFee: ['exitfee'],
  exitReason: ['exitreason', 'reason'],
  liquidity: ['liquidity'],
  entryLiquidity: ['entryliquidity'],
  exitLiquidity: ['exitliquidity'],
  exitDelayedBy: ['exitdelayedby'],
  /** The log's own net P&L (after fees). */
  reportedPnl: ['netpnl', 'realizedpnl', 'realisedpnl', 'profitabs'],
  /** The plan's record_trade `pnl` is before fees: cross-checked against grossPnl. */
  reportedGrossPnl: ['pnl', 'grosspnl'],
} as const;
export type TradeField = keyof typeof ALIASES;

export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

/** For each field, the record key carrying it (first alias present), given the record's keys. */
export function resolveFields(keys: readonly string[]): Partial<Record<TradeField, string>> {
  const byNorm = new Map<string, string>();
  for (const k of keys) {
    const n = normaliseName(k);
    if (!byNorm.has(n)) byNorm.set(n, k);
  }
  const out: Partial<Record<TradeField, string>> = {};
  for (const f of Object.keys(ALIASES) as TradeField[]) {
    for (const a of ALIASES[f]) {
      const k = byNorm.get(a);
      if (k !== undefined) {
        out[f] = k;
        break;
      }
    }
  }
  return out;
}

/** Does a set of column/field names look like a round-trip trade log? */
export function looksLikeTradeRecord(keys: readonly string[]): boolean {
  const f = resolveFields(keys);
  return f.strategy !== undefined && f.entryPrice !== undefined && f.entryTime !== undefined && f.side !== undefined;
}

/** Which of the detection fields a key list lacks (README names), e.g. ['side', 'entry_time']. */
export function missingTradeFields(keys: readonly string[]): string[] {
  const f = resolveFields(keys);
  const names: [TradeField, string][] = [['strategy', 'strategy'], ['side', 'side'], ['entryTime', 'entry_time'], ['entryPrice', 'entry_price']];
  return names.filter(([k]) => f[k] === undefined).map(([, n]) => n);
}

/**
 * What a key list lacks, said for a person: the plan's PerformanceTracker dump
 * ({strategy, pnl, entry_price, exit_price, timestamp}) gets its own explanation.
 */
export function notATradeLogReason(keys: readonly string[]): string {
  const n = new Set(keys.map(normaliseName));
  const missing = missingTradeFields(keys);
  if (n.has('strategy') && n.has('pnl') && n.has('entryprice') && missing.length) {
    return (
      `looks like the plan's PerformanceTracker record (strategy, pnl, entry_price, exit_price, timestamp) but lacks ${missing.join(', ')}: ` +
      'its pnl is before fees and it has no side, quantity or entry/exit times, so the edge cannot be recomputed — log the record_trade fields in README "Trade logs"'
    );
  }
  return `missing ${missing.join(', ')} (need ${REQUIRED_FIELDS_TEXT})`;
}

/** The names README documents, for error messages. */
export const REQUIRED_FIELDS_TEXT = 'strategy, side, entry_time, entry_price, qty (or notional), and exit_time + exit_price for a closed trade';

const EXIT_REASON_MAP: Record<string, string> = {
  signal: 'signal',
  exitsignal: 'signal',
  sellsignal: 'signal',
  stop: 'stop',
  stoploss: 'stop',
  stoplossonexchange: 'stop',
  trailingstoploss: 'stop',
  trailingstop: 'stop',
  sl: 'stop',
  target: 'target',
  takeprofit: 'target',
  tp: 'target',
  roi: 'target',
  minimalroi: 'target',
  time: 'time',
  timeout: 'time',
  timeexit: 'time',
  maxhold: 'time',
  end: 'end',
  endofdata: 'end',
};

/**
 * edgelab's ExitReason for a log's exit reason when recognisable (stop_loss → stop,
 * take_profit / roi → target, exit_signal → signal, timeout → time, end_of_data → end),
 * else the raw string. freqtrade's `force_exit` (a manual close live, the end of data in a
 * backtest) stays raw: it is not one of our reasons either way.
 */
export function normaliseExitReason(raw: string | null): string | null {
  if (raw === null) return null;
  const t = raw.trim();
  if (t === '') return null;
  return EXIT_REASON_MAP[normaliseName(t)] ?? t;
}

/** Smallest ms timestamp we accept as ms (1973-03-03); smaller numbers are taken to be seconds and refused. */
const MIN_MS = 1e11;

/**
 * A time cell → ms since epoch. Numbers (or numeric strings) are ms; ISO-8601 strings
 * are parsed, and a string without an offset (`2024-01-01 10:00:00`) is read as UTC —
 * trade logs are written in UTC (README); freqtrade's sqlite stores naive UTC too.
 */
export function parseTime(value: unknown, file: string, line: number, what: string): number {
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value))) {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new DataError(file, line, `${what}: not a time: '${String(value)}'`);
    if (Math.abs(n) < MIN_MS) {
      throw new DataError(file, line, `${what}: ${n} looks like seconds since epoch; trade logs give ms since epoch or an ISO-8601 UTC time`);
    }
    return n;
  }
  if (typeof value !== 'string') throw new DataError(file, line, `${what}: expected ms since epoch or an ISO-8601 time, got ${JSON.stringify(value)}`);
  let s = value.trim().replace(' ', 'T');
  // Sub-millisecond digits (freqtrade writes microseconds) are dropped; Date.parse wants at most 3.
  s = s.replace(/(\.\d{3})\d+/, '$1');
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(s)) s += s.includes('T') ? 'Z' : 'T00:00:00Z';
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) throw new DataError(file, line, `${what}: not a time: '${value}' (expected ms since epoch or ISO-8601 UTC)`);
  return ms;
}

export function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

export function num(value: unknown, file: string, line: number, what: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n)) throw new DataError(file, line, `${what}: not a number: ${JSON.stringify(value)}`);
  return n;
}

export function positive(value: unknown, file: string, line: number, what: string): number {
  const n = num(value, file, line, what);
  if (!(n > 0)) throw new DataError(file, line, `${what} must be > 0, got ${n}`);
  return n;
}

function liquidity(value: unknown, file: string, line: number, what: string): 'maker' | 'taker' | null {
  if (isAbsent(value)) return null;
  const s = String(value).trim().toLowerCase();
  if (s === 'maker' || s === 'taker') return s;
  throw new DataError(file, line, `${what} must be maker or taker, got '${String(value)}'`);
}

/** Side from a cell: long|short (also buy → long, sell → short: the entry order's side). */
export function parseSide(value: unknown, file: string, line: number): TradeSide {
  const s = isAbsent(value) ? '' : String(value).trim().toLowerCase();
  if (s === 'long' || s === 'buy') return 'long';
  if (s === 'short' || s === 'sell') return 'short';
  throw new DataError(file, line, `side must be long or short, got ${JSON.stringify(value ?? null)}`);
}

/** Gross P&L of a round trip in quote: ±(exit − entry)·qty, + for long. */
export function grossPnlOf(side: TradeSide, entryPrice: number, exitPrice: number, qty: number): number {
  return (side === 'long' ? 1 : -1) * (exitPrice - entryPrice) * qty;
}

export type ParsedRecord = { kind: 'closed'; trade: TradeLogTrade } | { kind: 'open'; trade: OpenTrade };

/** A closed round trip from its fills and fees: gross and net P&L computed here, once for every adapter. */
export function closedTrade(t: Omit<TradeLogTrade, 'grossPnl' | 'netPnl'>): TradeLogTrade {
  const grossPnl = grossPnlOf(t.side, t.entryPrice, t.exitPrice, t.qty);
  return { ...t, grossPnl, netPnl: grossPnl - t.entryFee - t.exitFee };
}

/**
 * Parse one record. `fields` comes from {@link resolveFields} on the file's header (CSV) or
 * the record's own keys (JSON). Throws DataError naming file and line for anything invalid.
 */
export function parseTradeRecord(
  rec: RawRecord,
  fields: Partial<Record<TradeField, string>>,
  file: string,
  line: number,
): ParsedRecord {
  const get = (f: TradeField): unknown => (fields[f] === undefined ? undefined : rec[fields[f]!]);
  const strategyRaw = get('strategy');
  if (isAbsent(strategyRaw)) throw new DataError(file, line, 'strategy is missing');
  const strategy = String(strategyRaw).trim();
  const symbolRaw = get('symbol');
  const symbol = isAbsent(symbolRaw) ? null : String(symbolRaw).trim();
  const side = parseSide(get('side'), file, line);
  if (isAbsent(get('entryTime'))) throw new DataError(file, line, 'entry_time is missing');
  const entryTime = parseTime(get('entryTime'), file, line, 'entry_time');
  const entryPrice = positive(get('entryPrice'), file, line, 'entry_price');
  let qty: number;
  if (!isAbsent(get('qty'))) qty = positive(get('qty'), file, line, 'qty');
  else if (!isAbsent(get('notional'))) qty = positive(get('notional'), file, line, 'notional') / entryPrice;
  else throw new DataError(file, line, 'qty (or notional) is missing');

  const exitTimeRaw = get('exitTime');
  const exitPriceRaw = get('exitPrice');
  if (isAbsent(exitTimeRaw) && isAbsent(exitPriceRaw)) {
    return { kind: 'open', trade: { strategy, symbol, side, entryTime, entryPrice, qty, source: { file, line } } };
  }
  if (isAbsent(exitTimeRaw)) throw new DataError(file, line, 'exit_price is given but exit_time is missing (an open trade has neither)');
  if (isAbsent(exitPriceRaw)) throw new DataError(file, line, 'exit_time is given but exit_price is missing (an open trade has neither)');
  const exitTime = parseTime(exitTimeRaw, file, line, 'exit_time');
  if (exitTime < entryTime) {
    throw new DataError(file, line, `exit_time (${new Date(exitTime).toISOString()}) is before entry_time (${new Date(entryTime).toISOString()})`);
  }
  const exitPrice = positive(exitPriceRaw, file, line, 'exit_price');

  let entryFee = 0;
  let exitFee = 0;
  const hasLegFees = !isAbsent(get('entryFee')) || !isAbsent(get('exitFee'));
  if (hasLegFees) {
    if (!isAbsent(get('fee'))) throw new DataError(file, line, 'give either fee (both legs) or entry_fee/exit_fee, not both');
    entryFee = isAbsent(get('entryFee')) ? 0 : num(get('entryFee'), file, line, 'entry_fee');
    exitFee = isAbsent(get('exitFee')) ? 0 : num(get('exitFee'), file, line, 'exit_fee');
  } else if (!isAbsent(get('fee'))) {
    const fee = num(get('fee'), file, line, 'fee');
    // Split by leg notional: exact for a percentage fee on both legs.
    const entryNotional = entryPrice * qty;
    const exitNotional = exitPrice * qty;
    entryFee = (fee * entryNotional) / (entryNotional + exitNotional);
    exitFee = fee - entryFee;
  }

  const liq = liquidity(get('liquidity'), file, line, 'liquidity');
  const entryLiquidity = fields.entryLiquidity !== undefined ? liquidity(get('entryLiquidity'), file, line, 'entry_liquidity') : liq;
  const exitLiquidity = fields.exitLiquidity !== undefined ? liquidity(get('exitLiquidity'), file, line, 'exit_liquidity') : liq;

  let exitDelayedBy: 'minHold' | null | undefined;
  if (fields.exitDelayedBy !== undefined) {
    const d = get('exitDelayedBy');
    if (isAbsent(d)) exitDelayedBy = null;
    else if (normaliseName(String(d)) === 'minhold') exitDelayedBy = 'minHold';
    else throw new DataError(file, line, `exit_delayed_by must be minHold or empty, got ${JSON.stringify(d)}`);
  }

  const reasonRaw = get('exitReason');
  const exitReason = normaliseExitReason(isAbsent(reasonRaw) ? null : String(reasonRaw));
  const trade = closedTrade({
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
    exitReason,
    entryLiquidity,
    exitLiquidity,
    exitDelayedBy,
    source: { file, line },
  });
  if (!isAbsent(get('reportedPnl'))) {
    trade.reportedPnl = num(get('reportedPnl'), file, line, fields.reportedPnl!);
    trade.reportedPnlBasis = 'net';
  } else if (!isAbsent(get('reportedGrossPnl'))) {
    trade.reportedPnl = num(get('reportedGrossPnl'), file, line, fields.reportedGrossPnl!);
    trade.reportedPnlBasis = 'gross';
  }
  return { kind: 'closed', trade };
}
