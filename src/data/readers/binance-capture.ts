/**
 * Binance WebSocket captures in the hftbacktest recorder format
 * (github.com/nkaz001/hftbacktest, `examples/{spot,usdm,cm}/*.gz`).
 *
 * Each line is `<local receive timestamp> <JSON message>`:
 * - the local timestamp is integer ns (19 digits) in the 2024 files and µs
 *   (16 digits) in the 2023 `*.dat.gz` files. It is cut as a string by digit
 *   count (19-digit ns do not fit a double exactly).
 * - the JSON is Binance's combined-stream envelope `{"stream","data"}`:
 *     `<sym>@trade`      t = trade id, p, q, T = trade time (ms), m = buyer is maker
 *                        (m = true ⇒ the taker SOLD ⇒ side -1)
 *     `<sym>@bookTicker` best bid/ask b,B,a,A. Spot messages carry NO exchange time,
 *                        so the local receive time is used; futures ones carry T,
 *                        which is used instead.
 *     `<sym>@depth...`   L2 diffs: E (event ms), U/u (first/last update id), pu on
 *                        futures, b/a = [[price, qty]] with qty 0 = level removed.
 *   Other streams (markPrice, ...) are skipped.
 * - a line without `"stream"` is the REST depth snapshot
 *   `{"lastUpdateId", bids, asks}` (taken once at the start of a recording).
 * Raw single-stream messages (no envelope, `"e":"trade"` etc.) are accepted too.
 *
 * One capture = one symbol; a capture mixing symbols is rejected.
 * Consecutive day files (`*_20240808.gz`, `*_20240809.gz`) continue each other;
 * `loadData([...])` / `loadBinanceCapture([...])` join them.
 *
 * Quirk measured on the hftbacktest 2024 files: the recorder's clock runs about
 * 1.27 s BEHIND Binance's event time (local − E ≈ −1273 ms), so spot quote times
 * (local clock) sit ~1.3 s before the trades (exchange clock). The reader
 * measures this offset and reports it; `alignLocalClock` shifts local times
 * onto the exchange clock by the median (local − E) of the trade messages.
 */
import { DataError } from '../../util/errors';
import { makeQuoteTape, makeTradeTape, type QuoteTape, type TapeSource, type TradeTape } from '../tape';
import { Float64Column, Int8Column, Uint32Column, epochDigitsToMs } from './columns';
import { clip } from './csv';
import type { ReadResult } from './read-result';
import { forEachLine } from './lines';

/** The REST order-book snapshot a recording starts from. */
export interface DepthSnapshot {
  /** 1-based line of the snapshot in its file. */
  line: number;
  file: string;
  /** Local receive time (ms). */
  localTime: number;
  /** Exchange time (ms) when the message carries one (futures `E`), else NaN. */
  exchangeTime: number;
  lastUpdateId: number;
  /** Bid levels, best first. */
  bidPrice: Float64Array;
  bidQty: Float64Array;
  /** Ask levels, best first. */
  askPrice: Float64Array;
  askQty: Float64Array;
}

/**
 * L2 order-book diffs, one row per (message, price level). Rows of one message
 * share `time`, `firstUpdateId` and `lastUpdateId`. Apply in row order; a
 * `qty` of 0 removes the level.
 */
export interface DepthDiffTape {
  readonly kind: 'depth';
  readonly length: number;
  /** Exchange event time E (ms). */
  readonly time: Float64Array;
  /** Local receive time (ms), as recorded. */
  readonly localTime: Float64Array;
  /** +1 = bid level, -1 = ask level. */
  readonly side: Int8Array;
  readonly price: Float64Array;
  /** New quantity at that price; 0 = level removed. */
  readonly qty: Float64Array;
  /** U: first update id in the message. */
  readonly firstUpdateId: Float64Array;
  /** u: last update id in the message. */
  readonly lastUpdateId: Float64Array;
  /** pu: previous message's u (futures only; NaN on spot). */
  readonly prevUpdateId: Float64Array;
  /** Number of depth messages (diff events) the rows came from. */
  readonly messages: number;
  /** REST snapshots found in the capture (usually one, in the first file only). */
  readonly snapshots: DepthSnapshot[];
  readonly source: TapeSource;
}

export interface BinanceCaptureOptions {
  /** Which streams to decode; skipping some makes reading faster. Default: all. */
  want?: { trades?: boolean; quotes?: boolean; depth?: boolean };
  /**
   * Shift local receive times (spot quotes) onto the exchange clock by the
   * median (local − exchange event time) measured on the trade messages.
   * Default false: local times are kept as recorded.
   */
  alignLocalClock?: boolean;
}

/** Everything decoded from one capture file. Tapes are not yet validated. */
export interface BinanceCaptureFile {
  file: string;
  symbol?: string;
  trades: ReadResult<TradeTape>;
  quotes: ReadResult<QuoteTape>;
  depth: DepthDiffTape;
  /** Median (local receive − exchange event time) over trade messages, ms; null without trades. */
  localClockOffsetMs: number | null;
  /** Lines in the file (messages + snapshots). */
  lines: number;
}

/** True when a first line looks like `<13..19 digits> {` (the hftbacktest capture layout). */
export function looksLikeBinanceCaptureLine(line: string): boolean {
  return /^\d{13,19} \{"/.test(line);
}

/** The part of a combined stream name after the symbol: `btcusdt@depth@100ms` → `depth@100ms`. */
function streamKind(stream: string): string {
  const at = stream.indexOf('@');
  return at === -1 ? stream : stream.slice(at + 1);
}

interface TradeMsg {
  s?: string;
  t?: number;
  p?: string;
  q?: string;
  T?: number;
  E?: number;
  m?: boolean;
  X?: string;
}
interface TickerMsg {
  s?: string;
  b?: string;
  B?: string;
  a?: string;
  A?: string;
  T?: number;
}
interface DepthMsg {
  s?: string;
  E?: number;
  U?: number;
  u?: number;
  pu?: number;
  b?: [string, string][];
  a?: [string, string][];
}
interface SnapshotMsg {
  lastUpdateId: number;
  E?: number;
  bids?: [string, string][];
  asks?: [string, string][];
}

function num(v: unknown, what: string, file: string, line: number): number {
  const x = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  if (x !== x && !(typeof v === 'string' && v.toLowerCase() === 'nan')) {
    throw new DataError(file, line, `${what} ${JSON.stringify(v)} is missing or not a number`);
  }
  return x;
}

function levels(rows: unknown, what: string, file: string, line: number): [Float64Array, Float64Array] {
  if (!Array.isArray(rows)) throw new DataError(file, line, `${what} is not an array of [price, qty]`);
  const p = new Float64Array(rows.length);
  const q = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as unknown;
    if (!Array.isArray(r) || r.length < 2) throw new DataError(file, line, `${what}[${i}] is not a [price, qty] pair`);
    p[i] = num(r[0], `${what}[${i}] price`, file, line);
    q[i] = num(r[1], `${what}[${i}] qty`, file, line);
  }
  return [p, q];
}

/** Decode one capture file. Malformed lines → DataError with the 1-based line number. */
export function readBinanceCaptureFile(file: string, opts: BinanceCaptureOptions = {}): BinanceCaptureFile {
  const want = { trades: true, quotes: true, depth: true, ...opts.want };

  const tTime = new Float64Column(16384);
  const tPrice = new Float64Column(16384);
  const tAmount = new Float64Column(16384);
  const tSide = new Int8Column(16384);
  const tId = new Float64Column(16384);
  const tLine = new Uint32Column(16384);
  const latency: number[] = []; // local − E per trade message, for the clock offset

  const qTime = new Float64Column(65536);
  const qLocal = new Int8Column(65536); // 1 when the quote time is a local receive time
  const qBid = new Float64Column(65536);
  const qBidSize = new Float64Column(65536);
  const qAsk = new Float64Column(65536);
  const qAskSize = new Float64Column(65536);
  const qLine = new Uint32Column(65536);

  const dTime = new Float64Column(65536);
  const dLocal = new Float64Column(65536);
  const dSide = new Int8Column(65536);
  const dPrice = new Float64Column(65536);
  const dQty = new Float64Column(65536);
  const dFirst = new Float64Column(65536);
  const dLast = new Float64Column(65536);
  const dPrev = new Float64Column(65536);
  let nonMarketTrades = 0; // futures trades with X = INSURANCE_FUND / ADL / NA
  let depthMessages = 0;
  const snapshots: DepthSnapshot[] = [];

  let symbol: string | undefined;
  const checkSymbol = (s: string | undefined, line: number) => {
    if (!s) return;
    const upper = s.toUpperCase();
    if (symbol === undefined) symbol = upper;
    else if (upper !== symbol) {
      throw new DataError(file, line, `capture mixes symbols ${symbol} and ${upper}; use one symbol per file`);
    }
  };
  let lineCount = 0;

  forEachLine(file, (line, lineNo) => {
    lineCount = lineNo;
    if (line.length === 0) return;
    const sp = line.indexOf(' ');
    const localMs = sp > 0 ? epochDigitsToMs(line.slice(0, sp)) : NaN;
    if (localMs !== localMs || line.charCodeAt(sp + 1) !== 123 /* { */) {
      throw new DataError(file, lineNo, `expected '<local timestamp> <JSON>', got '${clip(line, 80)}'`);
    }

    // Find the stream kind without parsing, so unwanted (large) depth lines are skipped cheaply.
    let kind = '';
    const sk = line.indexOf('"stream":"', sp);
    if (sk !== -1 && sk < sp + 16) {
      const end = line.indexOf('"', sk + 10);
      kind = streamKind(line.slice(sk + 10, end));
      const isTrade = kind === 'trade';
      const isTicker = kind === 'bookTicker';
      const isDepth = kind.startsWith('depth');
      // Trades are also decoded when only quotes are wanted: they give the local clock offset.
      const tradesNeeded = want.trades || want.quotes;
      if (!(isTrade && tradesNeeded) && !(isTicker && want.quotes) && !(isDepth && want.depth)) return;
    }

    let msg: unknown;
    try {
      msg = JSON.parse(line.slice(sp + 1));
    } catch (e) {
      throw new DataError(file, lineNo, `invalid JSON (${(e as Error).message})`);
    }
    if (msg === null || typeof msg !== 'object') throw new DataError(file, lineNo, 'message is not a JSON object');
    let data = msg as Record<string, unknown>;
    if (kind) {
      data = (msg as { data?: Record<string, unknown> }).data as Record<string, unknown>;
      if (!data || typeof data !== 'object') throw new DataError(file, lineNo, `stream message has no "data" object`);
    } else if ('lastUpdateId' in data) {
      kind = 'snapshot';
    } else if (data.e === 'trade') kind = 'trade';
    else if (data.e === 'depthUpdate') kind = 'depth';
    else if (data.e === 'bookTicker' || ('b' in data && 'B' in data && 'a' in data && 'A' in data)) kind = 'bookTicker';
    else return; // some other raw event: not ours

    if (kind === 'trade') {
      if (!want.trades && !want.quotes) return;
      const d = data as TradeMsg;
      checkSymbol(d.s, lineNo);
      if (typeof d.E === 'number') latency.push(localMs - d.E);
      if (!want.trades) return;
      if (d.X !== undefined && d.X !== 'MARKET') nonMarketTrades++;
      const T = num(d.T, 'trade time T', file, lineNo);
      tTime.push(T);
      tPrice.push(num(d.p, 'price p', file, lineNo));
      tAmount.push(num(d.q, 'quantity q', file, lineNo));
      if (typeof d.m !== 'boolean') throw new DataError(file, lineNo, 'trade has no boolean "m" (buyer is maker)');
      tSide.push(d.m ? -1 : 1);
      tId.push(num(d.t, 'trade id t', file, lineNo));
      tLine.push(lineNo);
    } else if (kind === 'bookTicker') {
      if (!want.quotes) return;
      const d = data as TickerMsg;
      checkSymbol(d.s, lineNo);
      const exchangeTime = typeof d.T === 'number' ? d.T : NaN;
      qTime.push(exchangeTime === exchangeTime ? exchangeTime : localMs);
      qLocal.push(exchangeTime === exchangeTime ? 0 : 1);
      qBid.push(num(d.b, 'bid price b', file, lineNo));
      qBidSize.push(num(d.B, 'bid qty B', file, lineNo));
      qAsk.push(num(d.a, 'ask price a', file, lineNo));
      qAskSize.push(num(d.A, 'ask qty A', file, lineNo));
      qLine.push(lineNo);
    } else if (kind.startsWith('depth')) {
      if (!want.depth) return;
      const d = data as DepthMsg;
      checkSymbol(d.s, lineNo);
      const E = num(d.E, 'event time E', file, lineNo);
      const U = num(d.U, 'first update id U', file, lineNo);
      const u = num(d.u, 'last update id u', file, lineNo);
      const pu = typeof d.pu === 'number' ? d.pu : NaN;
      depthMessages++;
      for (const [rows, side, what] of [
        [d.b, 1, 'b'],
        [d.a, -1, 'a'],
      ] as const) {
        const [p, q] = levels(rows ?? [], what, file, lineNo);
        for (let i = 0; i < p.length; i++) {
          dTime.push(E);
          dLocal.push(localMs);
          dSide.push(side);
          dPrice.push(p[i]);
          dQty.push(q[i]);
          dFirst.push(U);
          dLast.push(u);
          dPrev.push(pu);
        }
      }
    } else if (kind === 'snapshot') {
      if (!want.depth) return;
      const d = data as unknown as SnapshotMsg;
      const [bidPrice, bidQty] = levels(d.bids, 'bids', file, lineNo);
      const [askPrice, askQty] = levels(d.asks, 'asks', file, lineNo);
      snapshots.push({
        line: lineNo,
        file,
        localTime: localMs,
        exchangeTime: typeof d.E === 'number' ? d.E : NaN,
        lastUpdateId: num(d.lastUpdateId, 'lastUpdateId', file, lineNo),
        bidPrice,
        bidQty,
        askPrice,
        askQty,
      });
    }
  });

  latency.sort((a, b) => a - b);
  const localClockOffsetMs = latency.length ? latency[latency.length >> 1] : null;

  const quoteTime = qTime.finish();
  const quoteIsLocal = qLocal.finish();
  const depthLocal = dLocal.finish();
  if (opts.alignLocalClock && localClockOffsetMs !== null) {
    for (let i = 0; i < quoteTime.length; i++) if (quoteIsLocal[i]) quoteTime[i] -= localClockOffsetMs;
  }

  const tradeLines = tLine.finish();
  const quoteLines = qLine.finish();
  const warnings: string[] = [];
  let localQuotes = 0;
  for (let i = 0; i < quoteIsLocal.length; i++) localQuotes += quoteIsLocal[i];
  if (localQuotes > 0 && localClockOffsetMs !== null && Math.abs(localClockOffsetMs) >= 250) {
    warnings.push(
      `${file}: quote times are local receive times and the recorder's clock is ${(Math.abs(localClockOffsetMs) / 1000).toFixed(3)} s ` +
        `${localClockOffsetMs < 0 ? 'behind' : 'ahead of'} the exchange's event time (median over ${latency.length} trades)` +
        (opts.alignLocalClock ? '; quote times were shifted onto the exchange clock' : '; quotes and trades are on different clocks'),
    );
  }
  const tradeWarnings: string[] = [];
  if (nonMarketTrades > 0) {
    tradeWarnings.push(`${file}: ${nonMarketTrades} trade(s) are not regular market trades (X = INSURANCE_FUND / ADL / NA); they are kept`);
  }
  const source = (format: string): TapeSource => ({ file, format, symbol });

  return {
    file,
    symbol,
    trades: {
      tape: makeTradeTape({
        time: tTime.finish(),
        price: tPrice.finish(),
        amount: tAmount.finish(),
        side: tSide.finish(),
        id: tId.finish(),
        source: source('binance-ws-capture'),
      }),
      rowOf: (i) => tradeLines[i],
      warnings: tradeWarnings,
    },
    quotes: {
      tape: makeQuoteTape({
        time: quoteTime,
        bidPrice: qBid.finish(),
        bidSize: qBidSize.finish(),
        askPrice: qAsk.finish(),
        askSize: qAskSize.finish(),
        source: source('binance-ws-capture'),
      }),
      rowOf: (i) => quoteLines[i],
      warnings,
    },
    depth: {
      kind: 'depth',
      length: dTime.length,
      time: dTime.finish(),
      localTime: depthLocal,
      side: dSide.finish(),
      price: dPrice.finish(),
      qty: dQty.finish(),
      firstUpdateId: dFirst.finish(),
      lastUpdateId: dLast.finish(),
      prevUpdateId: dPrev.finish(),
      messages: depthMessages,
      snapshots,
      source: source('binance-ws-capture'),
    },
    localClockOffsetMs,
    lines: lineCount,
  };
}
