/**
 * Tardis.dev CSV exports ("datasets" API / tardis-dev downloads).
 *
 * trades: `exchange,symbol,timestamp,local_timestamp,id,side,price,amount`
 * quotes: `exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount`
 *
 * Assumptions (from the Tardis docs and the nautilus_trader sample files):
 * - `timestamp` is the exchange time in µs since epoch (Tardis falls back to
 *   the local time when the venue sends none); it becomes the tape time,
 *   truncated to ms. `local_timestamp` (Tardis' receive time) is not kept.
 * - `side` is the aggressor (taker) side: buy / sell / unknown.
 * - `id` is the venue's trade id. It is kept only when every id is an integer
 *   that fits a double exactly (some venues use UUIDs or 64-bit ids); otherwise
 *   the id column is dropped with a warning.
 * - One file holds one instrument; a file mixing symbols is rejected.
 * - Empty price/amount cells (Tardis leaves a quote side empty when that side
 *   of the book is empty) are malformed rows: the tapes have no missing values.
 * Columns are located by header name, so their order does not matter.
 */
import { DataError } from '../../util/errors';
import { makeQuoteTape, makeTradeTape, type QuoteTape, type TradeTape } from '../tape';
import { Float64Column, Uint32Column, epochDigitsToMs, parseNumberCell } from './columns';
import { scanTradesCsv, type TradeCsvLayout } from './fast-csv';
import { columnIndex, walkCsv } from './csv';
import type { ReadResult } from './read-result';

export const TARDIS_TRADE_COLUMNS = ['exchange', 'symbol', 'timestamp', 'local_timestamp', 'id', 'side', 'price', 'amount'] as const;
export const TARDIS_QUOTE_COLUMNS = [
  'exchange',
  'symbol',
  'timestamp',
  'local_timestamp',
  'ask_amount',
  'ask_price',
  'bid_price',
  'bid_amount',
] as const;

function tardisTimeMs(cell: string, file: string, line: number): number {
  const ms = epochDigitsToMs(cell);
  if (ms !== ms) throw new DataError(file, line, `timestamp '${cell}' is not an integer epoch time in µs`);
  return ms;
}

/** Remembers the instrument of the first row and rejects rows of another one. */
function symbolGuard(file: string) {
  let symbol: string | undefined;
  let exchange: string | undefined;
  return {
    check(exch: string, sym: string, line: number): void {
      if (symbol === undefined) {
        symbol = sym;
        exchange = exch;
      } else if (sym !== symbol || exch !== exchange) {
        throw new DataError(file, line, `file mixes instruments (${exchange} ${symbol} and ${exch} ${sym}); use one file per instrument`);
      }
    },
    get symbol() {
      return symbol;
    },
    get exchange() {
      return exchange;
    },
  };
}

/** Read a Tardis trades CSV into a TradeTape (not yet validated: `loadData` does that). */
export function readTardisTradesCsv(file: string): ReadResult<TradeTape> {
  const { cols, lines, same, warnings } = scanTradesCsv(file, TARDIS_TRADES_LAYOUT);
  return {
    tape: makeTradeTape({ ...cols, source: { file, format: 'tardis-trades-csv', symbol: same.symbol } }),
    rowOf: (i) => lines.lineOf(i),
    warnings,
  };
}

const TARDIS_TRADES_LAYOUT: TradeCsvLayout = {
  required: TARDIS_TRADE_COLUMNS,
  timestamp: 'timestamp',
  price: 'price',
  amount: 'amount',
  side: 'side',
  id: 'id',
  epochDigitsOnly: true,
  sameEveryRow: ['exchange', 'symbol'],
  trimSide: false,
};

/** Read a Tardis quotes (best bid/ask) CSV into a QuoteTape (not yet validated). */
export function readTardisQuotesCsv(file: string): ReadResult<QuoteTape> {
  const time = new Float64Column(65536);
  const bidPrice = new Float64Column(65536);
  const bidSize = new Float64Column(65536);
  const askPrice = new Float64Column(65536);
  const askSize = new Float64Column(65536);
  const lines = new Uint32Column(65536);
  const instrument = symbolGuard(file);
  let col!: Record<(typeof TARDIS_QUOTE_COLUMNS)[number], number>;

  walkCsv(
    file,
    (header) => {
      col = columnIndex(file, header, TARDIS_QUOTE_COLUMNS);
    },
    (cells, lineNo) => {
      instrument.check(cells[col.exchange], cells[col.symbol], lineNo);
      time.push(tardisTimeMs(cells[col.timestamp], file, lineNo));
      bidPrice.push(parseNumberCell(cells[col.bid_price], 'bid_price', file, lineNo));
      bidSize.push(parseNumberCell(cells[col.bid_amount], 'bid_amount', file, lineNo));
      askPrice.push(parseNumberCell(cells[col.ask_price], 'ask_price', file, lineNo));
      askSize.push(parseNumberCell(cells[col.ask_amount], 'ask_amount', file, lineNo));
      lines.push(lineNo);
    },
  );
  const lineOf = lines.finish();
  return {
    tape: makeQuoteTape({
      time: time.finish(),
      bidPrice: bidPrice.finish(),
      bidSize: bidSize.finish(),
      askPrice: askPrice.finish(),
      askSize: askSize.finish(),
      source: { file, format: 'tardis-quotes-csv', symbol: instrument.symbol },
    }),
    rowOf: (i) => lineOf[i],
    warnings: [],
  };
}
