/**
 * Plain, ccxt-style CSV files — the format `edgelab fetch` writes and the one
 * a user is most likely to produce by hand.
 *
 * trades: header `timestamp,price,amount,side` (+ optional `id`; other extra
 *         columns such as `cost` are ignored). `side` is the taker side
 *         `buy`/`sell` (anything else → 0 = unknown).
 * bars:   header `timestamp,open,high,low,close,volume` (`date` is accepted
 *         for `timestamp`; extra columns are ignored). `timestamp` is the bar's
 *         OPEN time.
 *
 * `timestamp` may be integer epoch digits (ms is the convention; 10/16/19-digit
 * s/µs/ns values are recognised by length and converted) or a UTC date-time
 * such as `2021-12-31 23:01:00.000000` (the nautilus_trader 1m sample) or
 * `2024-01-01T00:00:00Z`. Columns are found by header name, case-insensitive.
 */
import { makeBarTape, makeTradeTape, type BarTape, type TradeTape } from '../tape';
import { Float64Column, Uint32Column, parseNumberCell, parseTimestampCell } from './columns';
import { scanTradesCsv, type TradeCsvLayout } from './fast-csv';
import { columnIndex, walkCsv } from './csv';
import type { ReadResult } from './read-result';

export const PLAIN_TRADE_COLUMNS = ['timestamp', 'price', 'amount', 'side'] as const;
export const PLAIN_BAR_COLUMNS = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Header with `date` renamed to `timestamp` when there is no `timestamp` column. */
function normaliseTimeColumn(header: string[]): string[] {
  if (header.includes('timestamp')) return header;
  return header.map((h) => (h === 'date' ? 'timestamp' : h));
}

/** Read a plain trades CSV into a TradeTape (not yet validated: `loadData` does that). */
export function readPlainTradesCsv(file: string): ReadResult<TradeTape> {
  const { cols, lines, warnings } = scanTradesCsv(file, PLAIN_TRADES_LAYOUT);
  return {
    tape: makeTradeTape({ ...cols, source: { file, format: 'trades-csv' } }),
    rowOf: (i) => lines.lineOf(i),
    warnings,
  };
}

const PLAIN_TRADES_LAYOUT: TradeCsvLayout = {
  required: PLAIN_TRADE_COLUMNS,
  timestamp: 'timestamp',
  price: 'price',
  amount: 'amount',
  side: 'side',
  id: 'id',
  epochDigitsOnly: false,
  sameEveryRow: [],
  trimSide: true,
  normaliseHeader: normaliseTimeColumn,
};

/** Read a plain OHLCV CSV into a BarTape; the timeframe is inferred from the bar spacing. */
export function readPlainOhlcvCsv(file: string): ReadResult<BarTape> {
  const time = new Float64Column(65536);
  const open = new Float64Column(65536);
  const high = new Float64Column(65536);
  const low = new Float64Column(65536);
  const close = new Float64Column(65536);
  const volume = new Float64Column(65536);
  const lines = new Uint32Column(65536);
  let col!: Record<string, number>;

  walkCsv(
    file,
    (header) => {
      col = columnIndex(file, normaliseTimeColumn(header), PLAIN_BAR_COLUMNS);
    },
    (cells, lineNo) => {
      time.push(parseTimestampCell(cells[col.timestamp], file, lineNo));
      open.push(parseNumberCell(cells[col.open], 'open', file, lineNo));
      high.push(parseNumberCell(cells[col.high], 'high', file, lineNo));
      low.push(parseNumberCell(cells[col.low], 'low', file, lineNo));
      close.push(parseNumberCell(cells[col.close], 'close', file, lineNo));
      volume.push(parseNumberCell(cells[col.volume], 'volume', file, lineNo));
      lines.push(lineNo);
    },
  );
  const lineOf = lines.finish();
  return {
    tape: makeBarTape({
      time: time.finish(),
      open: open.finish(),
      high: high.finish(),
      low: low.finish(),
      close: close.finish(),
      volume: volume.finish(),
      source: { file, format: 'ohlcv-csv' },
    }),
    rowOf: (i) => lineOf[i],
    warnings: [],
  };
}
