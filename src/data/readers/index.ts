/**
 * The individual readers. Most code should call `loadData` / `loadTrades` /
 * `loadBars` / `loadQuotes` (src/data/load.ts) instead: they detect the
 * format and validate the rows; these return unvalidated tapes.
 */
export { readTardisQuotesCsv, readTardisTradesCsv } from './tardis-csv';
export { readPlainOhlcvCsv, readPlainTradesCsv } from './plain-csv';
export { readBinanceCaptureFile, type BinanceCaptureFile, type BinanceCaptureOptions, type DepthDiffTape, type DepthSnapshot } from './binance-capture';
export { readFreqtradeFeather, registerLz4Codec, timeframeToMs } from './feather';
export { readFreqtradeTradesFeather, readFreqtradeTradesJson } from './freqtrade-trades';
export type { ReadResult } from './read-result';
