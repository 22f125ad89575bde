/**
 * One entry point for market data files: `loadData(file)` picks the reader
 * from the file itself (magic bytes, first line / header — never a flag),
 * reads it into a tape, validates it (see validate.ts) and returns the
 * warnings. Several files of the same format can be given in time order
 * (e.g. consecutive daily captures); they become one tape.
 */
import * as fs from 'node:fs';
import { DataError, UserError } from '../util/errors';
import {
  makeBarTape,
  makeQuoteTape,
  makeTradeTape,
  type BarTape,
  type QuoteTape,
  type TapeSource,
  type TradeTape,
} from './tape';
import {
  type BinanceCaptureFile,
  type BinanceCaptureOptions,
  type DepthDiffTape,
  type DepthSnapshot,
  looksLikeBinanceCaptureLine,
  readBinanceCaptureFile,
} from './readers/binance-capture';
import type { ReadResult } from './readers/read-result';
import { parseHeader } from './readers/columns';
import { readFreqtradeFeather } from './readers/feather';
import { looksLikeTradeJsonLine, readTradesJsonl } from './readers/trades-jsonl';
import { cacheMinBytes, columnarHeaderOf, readArrowSchema, readColumnarFile, readValidCache, writeCache, type CacheMode } from './columnar-file';
import { readFreqtradeTradesFeather, readFreqtradeTradesJson } from './readers/freqtrade-trades';
import { assertReadableFile, readHead } from './readers/lines';
import { PLAIN_BAR_COLUMNS, PLAIN_TRADE_COLUMNS, readPlainOhlcvCsv, readPlainTradesCsv } from './readers/plain-csv';
import { TARDIS_QUOTE_COLUMNS, TARDIS_TRADE_COLUMNS, readTardisQuotesCsv, readTardisTradesCsv } from './readers/tardis-csv';
import { DEFAULT_TRADE_GAP_MS, firstIdOutOfOrder, formatDuration, validateBarTape, validateQuoteTape, validateTradeTape } from './validate';

export type TapeKind = 'trades' | 'bars' | 'quotes';
export type AnyTape = TradeTape | BarTape | QuoteTape;

/** Every format the loader recognises, with what it yields. */
export const DATA_FORMATS = {
  'tardis-trades-csv': {
    kinds: ['trades'],
    description: 'Tardis.dev trades CSV (exchange,symbol,timestamp,local_timestamp,id,side,price,amount; µs), plain or .gz',
  },
  'tardis-quotes-csv': {
    kinds: ['quotes'],
    description: 'Tardis.dev quotes CSV (exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount), plain or .gz',
  },
  'binance-ws-capture': {
    kinds: ['trades', 'quotes'],
    description: 'Binance WebSocket capture, hftbacktest layout: "<local ts> <combined-stream JSON>" per line (.gz / .dat.gz)',
  },
  'freqtrade-feather': {
    kinds: ['bars'],
    description: 'freqtrade OHLCV feather (date,open,high,low,close,volume), e.g. BTC_USDT-5m.feather',
  },
  'freqtrade-trades-feather': {
    kinds: ['trades'],
    description: 'freqtrade trades feather (timestamp,id,type,side,price,amount,cost)',
  },
  'freqtrade-trades-json': {
    kinds: ['trades'],
    description: 'freqtrade trades JSON array [[timestamp_ms,id,type,side,price,amount,cost],...], e.g. XRP_ETH-trades.json.gz',
  },
  'trades-jsonl': {
    kinds: ['trades'],
    description: 'trades as JSON Lines, one ccxt Trade object per line ({"timestamp","price","amount","side","id",...}), plain or .gz',
  },
  'edgelab-columnar': {
    kinds: ['trades', 'bars', 'quotes'],
    description: "edgelab columnar file (Arrow IPC / Feather v2 with an 'edgelab.tape' header), written by `edgelab convert` or as a cache",
  },
  'trades-csv': {
    kinds: ['trades'],
    description: 'trades CSV with header timestamp,price,amount,side (optional id; timestamp in ms or ISO UTC)',
  },
  'ohlcv-csv': {
    kinds: ['bars'],
    description: 'OHLCV CSV with header timestamp,open,high,low,close,volume (timestamp = bar open, ms or ISO UTC)',
  },
} as const satisfies Record<string, { kinds: readonly TapeKind[]; description: string }>;

export type DataFormat = keyof typeof DATA_FORMATS;

function supportedList(): string {
  return Object.values(DATA_FORMATS)
    .map((f) => `  - ${f.description}`)
    .join('\n');
}

function unrecognised(file: string, why: string): UserError {
  return new UserError(`${file}: unrecognised data file (${why}). Supported formats:\n${supportedList()}`);
}

function hasAll(header: string[], cols: readonly string[]): boolean {
  return cols.every((c) => header.includes(c));
}

/**
 * Which reader a file needs, decided from its content: Arrow magic for
 * feather, gzip is inflated and sniffed, CSV headers are matched by column
 * names, capture lines by their `<digits> {json}` shape. Throws a UserError
 * naming the file when it is missing or matches no supported format.
 */
export function detectFormat(file: string): DataFormat {
  assertReadableFile(file);
  const { raw, content, gzip } = readHead(file);
  if (raw.length === 0) throw unrecognised(file, 'the file is empty');

  const magic = raw.subarray(0, 6).toString('latin1');
  if (magic === 'ARROW1') {
    // The schema is read from the footer alone: a multi-GB file is not read to be recognised.
    const schema = readArrowSchema(file);
    if (!schema) throw unrecognised(file, 'Arrow file whose schema cannot be read');
    if (columnarHeaderOf(schema)) return 'edgelab-columnar';
    const names = schema.fields.map((f) => f.name);
    if (hasAll(names, ['date', 'open', 'high', 'low', 'close', 'volume'])) return 'freqtrade-feather';
    if (hasAll(names, ['timestamp', 'price', 'amount', 'side'])) return 'freqtrade-trades-feather';
    throw unrecognised(file, `Arrow/feather file with columns ${names.join(', ')}`);
  }
  if (magic.startsWith('FEA1')) throw unrecognised(file, 'Feather v1 file; re-save it as Feather v2 / Arrow IPC');
  if (magic.startsWith('PAR1')) throw unrecognised(file, 'Parquet file; convert it to CSV or feather');
  if (raw[0] === 0x50 && raw[1] === 0x4b) throw unrecognised(file, 'zip archive; unzip it and load the file inside');
  if (gzip && content.length === 0) throw unrecognised(file, 'gzip data that cannot be inflated');

  const text = content.toString('utf8').replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  if (/^\[\s*\[/.test(trimmed)) return 'freqtrade-trades-json';
  const firstLine = trimmed.split(/\r?\n/, 1)[0] ?? '';
  if (looksLikeBinanceCaptureLine(firstLine)) return 'binance-ws-capture';
  if (looksLikeTradeJsonLine(firstLine)) return 'trades-jsonl';
  if (firstLine.includes(',')) {
    let header = parseHeader(firstLine);
    if (hasAll(header, TARDIS_TRADE_COLUMNS)) return 'tardis-trades-csv';
    if (hasAll(header, TARDIS_QUOTE_COLUMNS)) return 'tardis-quotes-csv';
    if (!header.includes('timestamp')) header = header.map((h) => (h === 'date' ? 'timestamp' : h));
    if (hasAll(header, PLAIN_BAR_COLUMNS)) return 'ohlcv-csv';
    if (hasAll(header, PLAIN_TRADE_COLUMNS)) return 'trades-csv';
    throw unrecognised(file, `CSV header '${firstLine.slice(0, 120)}' matches no known layout`);
  }
  throw unrecognised(file, `first line '${firstLine.slice(0, 80)}' matches no known layout`);
}

export interface LoadOptions {
  /** Gap warning threshold in ms (default: 5 min for trades/quotes, 2 × timeframe for bars). */
  maxGapMs?: number;
  /** Which tape to return; needed only for files that hold several (Binance captures default to trades). */
  kind?: TapeKind;
  /** Binance captures: move local-clock quote times onto the exchange clock (see readers/binance-capture.ts). */
  alignLocalClock?: boolean;
  /**
   * Columnar cache for large text sources (see columnar-file.ts): `auto` (default) reads
   * `<file>.edgelab.arrow` when it matches the file's size and mtime and writes it after the
   * first parse of a file of at least 64 MiB; `refresh` rewrites it; `off` neither reads nor
   * writes. The environment variable EDGELAB_CACHE=off turns it off everywhere.
   */
  cache?: CacheMode;
}

export interface LoadResult<T extends AnyTape = AnyTape> {
  tape: T;
  /** Gap and other non-fatal notes, each starting with the file name. */
  warnings: string[];
  /** The detected format (a key of DATA_FORMATS). */
  format: DataFormat;
  /** The columnar cache the tape was read from, or written to, when one was used. */
  cache?: { file: string; hit: boolean };
}

function readOne(file: string, format: DataFormat, kind: TapeKind, opts: LoadOptions): ReadResult<AnyTape> {
  switch (format) {
    case 'tardis-trades-csv':
      return readTardisTradesCsv(file);
    case 'tardis-quotes-csv':
      return readTardisQuotesCsv(file);
    case 'trades-csv':
      return readPlainTradesCsv(file);
    case 'ohlcv-csv':
      return readPlainOhlcvCsv(file);
    case 'freqtrade-feather':
      return readFreqtradeFeather(file);
    case 'freqtrade-trades-feather':
      return readFreqtradeTradesFeather(file);
    case 'freqtrade-trades-json':
      return readFreqtradeTradesJson(file);
    case 'trades-jsonl':
      return readTradesJsonl(file);
    case 'edgelab-columnar': {
      const { tape } = readColumnarFile(file);
      if (tape.kind !== kind) throw new UserError(`${file}: holds ${tape.kind} (edgelab-columnar), not ${kind}`);
      return { tape, rowOf: (i) => i + 1, warnings: [] };
    }
    case 'binance-ws-capture': {
      const cap = readBinanceCaptureFile(file, {
        want: { trades: kind === 'trades', quotes: kind === 'quotes', depth: false },
        alignLocalClock: opts.alignLocalClock,
      });
      return kind === 'quotes' ? cap.quotes : cap.trades;
    }
  }
}

/** Validate one file's tape with its own row numbers; drops trade ids that are unique but out of order. */
function validatePart(part: ReadResult<AnyTape>, opts: LoadOptions): { tape: AnyTape; warnings: string[] } {
  const vopts = { file: part.tape.source.file, rowOf: part.rowOf, maxGapMs: opts.maxGapMs };
  const warnings = [...part.warnings];
  let tape = part.tape;
  switch (tape.kind) {
    case 'trades':
      warnings.push(...validateTradeTape(tape, vopts));
      if (tape.id && firstIdOutOfOrder(tape.id) !== -1) {
        warnings.push(`${tape.source.file}: the id column was dropped because ids are not in time order`);
        tape = { ...tape, id: undefined };
      }
      break;
    case 'bars':
      warnings.push(...validateBarTape(tape, vopts));
      break;
    case 'quotes':
      warnings.push(...validateQuoteTape(tape, vopts));
      break;
  }
  return { tape, warnings };
}

const isoOf = (ms: number) => new Date(ms).toISOString();

/**
 * Check that `next` continues `prev` (files given in time order): times must
 * not go back (bars: must advance), trade ids must keep increasing. A gap at
 * the seam gives a warning like any other gap.
 */
function checkSeam(prev: ReadResult<AnyTape> & { tape: AnyTape }, next: ReadResult<AnyTape>, opts: LoadOptions): string[] {
  const a = prev.tape;
  const b = next.tape;
  const fileA = a.source.file;
  const fileB = b.source.file;
  if (a.length === 0 || b.length === 0) return [];
  const lastA = a.time[a.length - 1];
  const firstB = b.time[0];
  const strict = b.kind === 'bars';
  if (firstB < lastA || (strict && firstB === lastA)) {
    throw new DataError(
      fileB,
      next.rowOf(0),
      `starts at ${isoOf(firstB)}, ${firstB === lastA ? 'the same bar time as' : 'before'} the end of the previous file ${fileA} (${isoOf(lastA)}); give files in time order without overlap`,
    );
  }
  if (a.kind === 'trades' && b.kind === 'trades' && a.id && b.id) {
    const lastId = a.id[a.length - 1];
    if (!(b.id[0] > lastId)) {
      const at = a.id.indexOf(b.id[0]);
      throw new DataError(
        fileB,
        next.rowOf(0),
        at !== -1
          ? `duplicate trade id ${b.id[0]} (also in ${fileA} row ${prev.rowOf(at)}); the files overlap`
          : `trade id ${b.id[0]} is not greater than the last id ${lastId} of the previous file ${fileA}`,
      );
    }
  }
  if (a.kind === 'bars' && b.kind === 'bars' && a.timeframeMs !== b.timeframeMs && a.timeframeMs > 0 && b.timeframeMs > 0) {
    throw new UserError(`${fileB}: ${formatDuration(b.timeframeMs)} bars cannot continue ${fileA}'s ${formatDuration(a.timeframeMs)} bars`);
  }
  const maxGap = opts.maxGapMs ?? (a.kind === 'bars' ? 2 * a.timeframeMs : DEFAULT_TRADE_GAP_MS);
  if (maxGap > 0 && firstB - lastA > maxGap) {
    return [`${fileB}: gap of ${formatDuration(firstB - lastA)} from ${isoOf(lastA)} (end of ${fileA}) to ${isoOf(firstB)}`];
  }
  return [];
}

function concatF64(cols: Float64Array[]): Float64Array {
  if (cols.length === 1) return cols[0];
  const out = new Float64Array(cols.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of cols) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function concatI8(cols: Int8Array[]): Int8Array {
  if (cols.length === 1) return cols[0];
  const out = new Int8Array(cols.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of cols) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Join validated tapes of one kind (already checked to follow each other). */
function concatTapes(tapes: AnyTape[], warnings: string[]): AnyTape {
  if (tapes.length === 1) return tapes[0];
  const first = tapes[0];
  const source: Partial<TapeSource> = {
    file: tapes.map((t) => t.source.file).join(' + '),
    format: first.source.format,
    symbol: first.source.symbol,
  };
  const symbols = new Set(tapes.map((t) => t.source.symbol).filter((s) => s !== undefined));
  if (symbols.size > 1) throw new UserError(`${source.file}: the files hold different instruments (${[...symbols].join(', ')})`);
  const col = <K extends string>(k: K) => tapes.map((t) => (t as unknown as Record<K, Float64Array>)[k]);
  switch (first.kind) {
    case 'trades': {
      const trades = tapes as TradeTape[];
      const allIds = trades.every((t) => t.id !== undefined);
      if (!allIds && trades.some((t) => t.id !== undefined)) {
        warnings.push(`${source.file}: not every file has trade ids; the id column was dropped`);
      }
      return makeTradeTape({
        time: concatF64(col('time')),
        price: concatF64(col('price')),
        amount: concatF64(col('amount')),
        side: concatI8(trades.map((t) => t.side)),
        id: allIds ? concatF64(trades.map((t) => t.id!)) : undefined,
        source,
      });
    }
    case 'bars':
      return makeBarTape({
        time: concatF64(col('time')),
        open: concatF64(col('open')),
        high: concatF64(col('high')),
        low: concatF64(col('low')),
        close: concatF64(col('close')),
        volume: concatF64(col('volume')),
        timeframeMs: first.timeframeMs,
        source,
      });
    case 'quotes':
      return makeQuoteTape({
        time: concatF64(col('time')),
        bidPrice: concatF64(col('bidPrice')),
        bidSize: concatF64(col('bidSize')),
        askPrice: concatF64(col('askPrice')),
        askSize: concatF64(col('askSize')),
        source,
      });
  }
}

function asFileList(file: string | readonly string[]): readonly string[] {
  const files = typeof file === 'string' ? [file] : file;
  if (files.length === 0) throw new UserError('no data file given');
  return files;
}

/**
 * Load one file, or several files of the same format in time order, into a
 * validated tape. The reader is chosen from the file content (`detectFormat`).
 * Throws UserError for a missing/unrecognised file or a wrong `kind`, and
 * DataError (`file: row N: detail`) for bad rows.
 */
export function loadData(file: string | readonly string[], opts: LoadOptions = {}): LoadResult {
  const files = asFileList(file);
  let format: DataFormat | undefined;
  for (const f of files) {
    const fmt = detectFormat(f);
    if (format !== undefined && fmt !== format) {
      throw new UserError(`${f}: is ${DATA_FORMATS[fmt].description}, but ${files[0]} is ${DATA_FORMATS[format].description}; load files of one format together`);
    }
    format = fmt;
  }
  const fmt = format as DataFormat;
  const kinds: readonly TapeKind[] = DATA_FORMATS[fmt].kinds;
  const kind = opts.kind ?? kinds[0];
  if (!kinds.includes(kind)) {
    throw new UserError(`${files[0]}: holds ${kinds.join(' and ')} (${fmt}), not ${kind}`);
  }

  const cached = files.length === 1 ? loadFromCache(files[0], fmt, kind, opts) : null;
  if (cached) return cached;

  const warnings: string[] = [];
  const parts: (ReadResult<AnyTape> & { tape: AnyTape })[] = [];
  for (const f of files) {
    const part = readOne(f, fmt, kind, opts);
    const checked = validatePart(part, opts);
    warnings.push(...checked.warnings);
    const validated = { ...part, tape: checked.tape };
    if (parts.length) warnings.push(...checkSeam(parts[parts.length - 1], validated, opts));
    parts.push(validated);
  }
  const tape = concatTapes(parts.map((p) => p.tape), warnings);
  if (files.length === 1 && cacheWanted(files[0], fmt, opts)) {
    const problem = writeCache(files[0], tape, warnings);
    if (problem) warnings.push(problem);
    return { tape, warnings, format: fmt, cache: { file: `${files[0]}.edgelab.arrow`, hit: false } };
  }
  return { tape, warnings, format: fmt };
}

/** Text formats worth caching: parsing them is the slow part of a load. */
const CACHEABLE: readonly DataFormat[] = ['trades-csv', 'tardis-trades-csv', 'trades-jsonl', 'ohlcv-csv', 'tardis-quotes-csv'];

function cacheWanted(file: string, fmt: DataFormat, opts: LoadOptions): boolean {
  if (opts.cache === 'off' || process.env.EDGELAB_CACHE === 'off' || !CACHEABLE.includes(fmt)) return false;
  return opts.cache === 'refresh' || fs.statSync(file).size >= cacheMinBytes();
}

/**
 * A matching cache, or null. The cache is the validated tape of this very file (same size and
 * mtime), so it is not validated again; the warnings of that load come back with it. A gap
 * threshold other than the default re-checks the gaps, since the stored warnings used the default.
 */
function loadFromCache(file: string, fmt: DataFormat, kind: TapeKind, opts: LoadOptions): LoadResult | null {
  if (opts.cache === 'refresh' || !cacheWanted(file, fmt, opts)) return null;
  const hit = readValidCache(file);
  if (!hit || hit.tape.kind !== kind) return null;
  const warnings = opts.maxGapMs === undefined ? hit.warnings : validatePart({ tape: hit.tape, rowOf: (i) => i + 1, warnings: [] }, opts).warnings;
  return { tape: hit.tape, warnings, format: fmt, cache: { file: `${file}.edgelab.arrow`, hit: true } };
}

function loadKind<T extends AnyTape>(file: string | readonly string[], kind: TapeKind, opts: Omit<LoadOptions, 'kind'>): LoadResult<T> {
  const res = loadData(file, { ...opts, kind });
  return res as LoadResult<T>;
}

/** `loadData` for trades; UserError naming the file when it holds bars or quotes. */
export function loadTrades(file: string | readonly string[], opts: Omit<LoadOptions, 'kind'> = {}): LoadResult<TradeTape> {
  return loadKind<TradeTape>(file, 'trades', opts);
}

/** `loadData` for OHLCV bars; UserError naming the file when it holds trades or quotes. */
export function loadBars(file: string | readonly string[], opts: Omit<LoadOptions, 'kind'> = {}): LoadResult<BarTape> {
  return loadKind<BarTape>(file, 'bars', opts);
}

/** `loadData` for best bid/ask quotes; UserError naming the file when it holds trades or bars. */
export function loadQuotes(file: string | readonly string[], opts: Omit<LoadOptions, 'kind'> = {}): LoadResult<QuoteTape> {
  return loadKind<QuoteTape>(file, 'quotes', opts);
}

/** Everything in one or more consecutive Binance capture files, validated and joined. */
export interface BinanceCapture {
  trades: TradeTape;
  quotes: QuoteTape;
  depth: DepthDiffTape;
  warnings: string[];
  /** Median (local receive − exchange event time) per file, ms. */
  localClockOffsetMs: (number | null)[];
}

/**
 * Read trades, quotes and L2 depth diffs (with the REST snapshot) from
 * consecutive hftbacktest-style Binance captures, e.g.
 * `[btcusdt_20240808.gz, btcusdt_20240809.gz]`.
 */
export function loadBinanceCapture(file: string | readonly string[], opts: BinanceCaptureOptions & { maxGapMs?: number } = {}): BinanceCapture {
  const files = asFileList(file);
  for (const f of files) {
    const fmt = detectFormat(f);
    if (fmt !== 'binance-ws-capture') throw new UserError(`${f}: is ${DATA_FORMATS[fmt].description}, not a Binance WebSocket capture`);
  }
  const caps: BinanceCaptureFile[] = files.map((f) => readBinanceCaptureFile(f, opts));
  const warnings: string[] = [];
  const join = (pick: (c: BinanceCaptureFile) => ReadResult<AnyTape>): AnyTape => {
    const parts: (ReadResult<AnyTape> & { tape: AnyTape })[] = [];
    for (const c of caps) {
      const part = pick(c);
      const checked = validatePart(part, opts);
      warnings.push(...checked.warnings);
      const validated = { ...part, tape: checked.tape };
      if (parts.length) warnings.push(...checkSeam(parts[parts.length - 1], validated, opts));
      parts.push(validated);
    }
    return concatTapes(parts.map((p) => p.tape), warnings);
  };
  const trades = join((c) => c.trades) as TradeTape;
  const quotes = join((c) => c.quotes) as QuoteTape;
  const depthParts = caps.map((c) => c.depth);
  const snapshots: DepthSnapshot[] = depthParts.flatMap((d) => d.snapshots);
  const d0 = depthParts[0];
  const depth: DepthDiffTape = {
    kind: 'depth',
    length: depthParts.reduce((n, d) => n + d.length, 0),
    time: concatF64(depthParts.map((d) => d.time)),
    localTime: concatF64(depthParts.map((d) => d.localTime)),
    side: concatI8(depthParts.map((d) => d.side)),
    price: concatF64(depthParts.map((d) => d.price)),
    qty: concatF64(depthParts.map((d) => d.qty)),
    firstUpdateId: concatF64(depthParts.map((d) => d.firstUpdateId)),
    lastUpdateId: concatF64(depthParts.map((d) => d.lastUpdateId)),
    prevUpdateId: concatF64(depthParts.map((d) => d.prevUpdateId)),
    messages: depthParts.reduce((n, d) => n + d.messages, 0),
    snapshots,
    source: { ...d0.source, file: files.join(' + ') },
  };
  return { trades, quotes, depth, warnings, localClockOffsetMs: caps.map((c) => c.localClockOffsetMs) };
}
