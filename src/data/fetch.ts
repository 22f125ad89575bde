/**
 * Download public trades or OHLCV candles from any exchange ccxt supports into
 * the project's plain CSV formats:
 *
 *   trades  `timestamp,price,amount,side,id`          (ms; side = taker side `buy`/`sell`, empty if unknown)
 *   ohlcv   `timestamp,open,high,low,close,volume`    (ms; timestamp = candle open time)
 *
 * Rows are sorted by timestamp (ties keep the exchange's order), with no
 * duplicates (by trade id, or by candle timestamp).
 *
 * ## Pagination
 *
 * Every request covers an explicit window `[cursor, windowEnd)`, passed to
 * ccxt as `since = cursor` and the unified `until = windowEnd - 1` param
 * (Binance: `startTime`/`endTime`, both inclusive). The window is 1 hour for
 * trades (Binance's aggTrades limit) and `pageLimit` candles for OHLCV, and
 * never extends past `until`. After each page:
 *
 * - rows before `cursor`, at/after `until`, or already stored are dropped;
 *   trades are de-duplicated by id (many trades share a millisecond, so a page
 *   boundary can fall inside one), candles by timestamp;
 * - **new rows** → trades: the cursor moves to the last timestamp received
 *   (that millisecond is re-requested, its already-seen ids are dropped, so a
 *   millisecond split across pages loses nothing); candles: last timestamp + 1;
 * - **empty page** (the rule): the window `[cursor, windowEnd)` holds no data,
 *   so the cursor jumps to `windowEnd` and the download continues; it never
 *   stops early on a gap. Each step advances the cursor by a whole window, so
 *   a quiet stretch costs at most one request per window and the loop is
 *   bounded by `(until - since) / window` such requests;
 * - a trades page holding only already-seen trades of the cursor's millisecond
 *   → that millisecond is complete; the cursor moves on by 1 ms. If such a page
 *   is full (`pageLimit` trades in one millisecond), the download cannot get
 *   past it with time-based paging: it fails, asking for a larger --page-limit,
 *   rather than silently skipping trades;
 * - a row at/after `until` (an exchange that ignores `until`) or an OHLCV
 *   candle that has not closed yet (open + timeframe > now) ends the download.
 *
 * `until` is clamped to the current time. ccxt's own rate limiter paces the
 * requests (`enableRateLimit: true` is forced for exchanges created here);
 * this module never sleeps.
 *
 * ## Resume and atomicity
 *
 * - `out` itself is only ever replaced atomically (writeFileAtomic: temp file,
 *   fsync, rename), so it always holds either its previous content or a
 *   complete, sorted, de-duplicated new version.
 * - While downloading, each page's new rows are appended (and fsync'ed) to a
 *   journal `<out>.partial` (a CSV with the same header). A crash (kill -9,
 *   power loss) therefore leaves `out` intact plus a journal losing at most
 *   the page in flight; a torn last line is ignored when the journal is read.
 * - A run starts by reading `out` (if it exists) and then the journal (if one
 *   survived a crash), and continues from the last timestamp found: trades
 *   re-request that millisecond and drop ids already stored; OHLCV continues
 *   at the next millisecond. Resume only extends forward: rows already in the
 *   file are kept as they are, nothing before their last timestamp is
 *   re-downloaded.
 * - On success, or on any failure other than a malformed response (network
 *   error, timeout, HTTP 5xx, exchange error...), everything downloaded so far
 *   is merged into `out` atomically and the journal is removed; rerunning the
 *   same command resumes from there.
 * - On a malformed response (body that is not JSON, or trades/candles with
 *   missing or non-numeric fields) nothing is written: the journal is rolled
 *   back to what it was before this run (removed if this run created it), and
 *   `out` is untouched, byte for byte. Data from an exchange that answers
 *   garbage is not trusted.
 * - If nothing new is fetched (e.g. the file already reaches `until`), `out`
 *   is not rewritten.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ccxt from 'ccxt';
import { writeFileAtomic } from '../util/atomic-write';
import { DataError, UserError } from '../util/errors';
import { csvCell } from '../util/csv';

export type FetchKind = 'trades' | 'ohlcv';

export const TRADES_CSV_HEADER = 'timestamp,price,amount,side,id';
export const OHLCV_CSV_HEADER = 'timestamp,open,high,low,close,volume';

/** Time window of one trades request (Binance aggTrades accepts at most 1 hour between startTime and endTime). */
export const DEFAULT_TRADES_WINDOW_MS = 3_600_000;
export const DEFAULT_PAGE_LIMIT = 1000;

export interface FetchProgress {
  /** `start` once (after reading any existing file), `page` after each request, `done` at the end. */
  phase: 'start' | 'page' | 'done';
  exchange: string;
  symbol: string;
  kind: FetchKind;
  /** Data requests made by this run. */
  pages: number;
  /** Rows in the output (existing + new). */
  rows: number;
  /** Rows added by this run. */
  newRows: number;
  /** Everything before this time (ms) has been downloaded. */
  reached: number;
  /** Share of [since, until) covered, 0..1. */
  fraction: number;
  elapsedMs: number;
  /** New rows per second in this run. */
  rowsPerSec: number;
  pagesPerSec: number;
  /** Last timestamp of the data found on disk when the run started, or null for a fresh download. */
  resumedFrom: number | null;
}

export interface FetchOptions {
  /** A ccxt exchange id (`binance`), or a configured ccxt exchange instance (used as is). */
  exchange: string | ccxt.Exchange;
  /** Unified symbol (`BTC/USDT`) or the exchange's market id (`BTCUSDT`). */
  symbol: string;
  kind: FetchKind;
  /** Start, ms since epoch, inclusive. */
  since: number;
  /** End, ms since epoch, exclusive. */
  until: number;
  /** OHLCV only; default `1m`. */
  timeframe?: string;
  out: string;
  /** Rows requested per page; default 1000. */
  pageLimit?: number;
  /** Window of one trades request in ms; default 1 hour. */
  tradesWindowMs?: number;
  onProgress?: (p: FetchProgress) => void;
  /** Constructor options when `exchange` is an id (e.g. `urls`, `options`, `timeout`). `enableRateLimit` is always true. */
  exchangeOptions?: Record<string, unknown>;
}

export interface FetchResult {
  /** Rows in the output file. */
  rows: number;
  /** Data requests made by this run. */
  pages: number;
  /** Last timestamp of the data found on disk when the run started, or null for a fresh download. */
  resumedFrom: number | null;
}

/**
 * A download that failed after it started talking to the exchange.
 * `reason` = `malformed`: the exchange answered something unparseable; nothing was written.
 * `reason` = `failed`: network/exchange error; `savedRows` rows are in `out`, rerun to resume.
 */
export class FetchFailedError extends Error {
  override name = 'FetchFailedError';
  constructor(
    message: string,
    readonly reason: 'malformed' | 'failed',
    readonly savedRows: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A response body or record that cannot be trusted (internal; surfaces as FetchFailedError 'malformed'). */
class MalformedResponseError extends Error {
  override name = 'MalformedResponseError';
}

interface Row {
  ts: number;
  /** De-duplication key: trade id (or the whole line when the exchange gives none), candle timestamp. */
  key: string;
  line: string;
}

/** Rows in timestamp order; remembers the keys at the last timestamp for boundary de-duplication. */
class RowStore {
  readonly lines: string[] = [];
  lastTs: number | null = null;
  private keysAtLast = new Set<string>();

  /** Appends `r` unless it is older than the last row or a duplicate of a row at the last timestamp. */
  add(r: Row): boolean {
    if (this.lastTs !== null) {
      if (r.ts < this.lastTs) return false;
      if (r.ts === this.lastTs) {
        if (this.keysAtLast.has(r.key)) return false;
        this.keysAtLast.add(r.key);
        this.lines.push(r.line);
        return true;
      }
    }
    this.lastTs = r.ts;
    this.keysAtLast = new Set([r.key]);
    this.lines.push(r.line);
    return true;
  }
}

/** Append-only journal `<out>.partial`; see the module comment. */
class Journal {
  private fd: number | null = null;
  private createdByUs = false;

  constructor(
    readonly file: string,
    private readonly header: string,
    /** Bytes of valid content when the run started (null: no journal existed). */
    private readonly startBytes: number | null,
  ) {}

  append(lines: string[]): void {
    if (lines.length === 0) return;
    if (this.fd === null) {
      if (this.startBytes === null) {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        this.fd = fs.openSync(this.file, 'wx');
        this.createdByUs = true;
        fs.writeSync(this.fd, this.header + '\n');
      } else {
        fs.truncateSync(this.file, this.startBytes); // drop a torn last line left by a crash
        this.fd = fs.openSync(this.file, 'a');
      }
    }
    fs.writeSync(this.fd, lines.join('\n') + '\n');
    fs.fsyncSync(this.fd);
  }

  private close(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }

  /** Undo this run's appends. */
  rollback(): void {
    const touched = this.fd !== null;
    this.close();
    if (!touched) return;
    if (this.createdByUs) fs.rmSync(this.file, { force: true });
    else if (this.startBytes !== null) fs.truncateSync(this.file, this.startBytes);
  }

  /** After its rows were merged into `out`. */
  remove(): void {
    this.close();
    fs.rmSync(this.file, { force: true });
  }
}

function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

function finite(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function describe(x: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(x, (_k, v: unknown) => (v === undefined ? null : v)) ?? String(x);
  } catch {
    s = String(x);
  }
  return s.length > 200 ? s.slice(0, 200) + '…' : s;
}

function tradeRow(t: unknown, where: string, i: number): Row {
  const bad = (what: string) => new MalformedResponseError(`${where} returned an invalid trade at index ${i} (${what}): ${describe(t)}`);
  if (t === null || typeof t !== 'object') throw bad('not an object');
  const { timestamp, price, amount, side, id } = t as Record<string, unknown>;
  if (!finite(timestamp) || !Number.isSafeInteger(timestamp) || timestamp < 0) throw bad('timestamp');
  if (!finite(price)) throw bad('price');
  if (!finite(amount)) throw bad('amount');
  let s = '';
  if (side === 'buy' || side === 'sell') s = side;
  else if (side !== undefined && side !== null) throw bad('side');
  let idStr = '';
  if (typeof id === 'string') idStr = id;
  else if (typeof id === 'number' && Number.isFinite(id)) idStr = String(id);
  else if (id !== undefined && id !== null) throw bad('id');
  const line = [timestamp, price, amount, s, idStr].map(csvCell).join(',');
  return { ts: timestamp, key: idStr === '' ? line : idStr, line };
}

function candleRow(c: unknown, where: string, i: number): Row {
  const bad = (what: string) => new MalformedResponseError(`${where} returned an invalid candle at index ${i} (${what}): ${describe(c)}`);
  if (!Array.isArray(c) || c.length < 6) throw bad('not a [timestamp, open, high, low, close, volume] array');
  const [ts, o, h, l, cl, v] = c as unknown[];
  if (!finite(ts) || !Number.isSafeInteger(ts) || ts < 0) throw bad('timestamp');
  if (!finite(o) || !finite(h) || !finite(l) || !finite(cl)) throw bad('price');
  if (!finite(v) && v !== undefined && v !== null) throw bad('volume');
  return { ts, key: String(ts), line: [ts, o, h, l, cl, v].map(csvCell).join(',') };
}

/**
 * Reads rows of an existing output file or journal into `store`.
 * Returns the byte length of the valid content (for the journal: without a torn last line).
 */
function readCsvInto(file: string, header: string, kind: FetchKind, store: RowStore, allowTornTail: boolean): number {
  const text = fs.readFileSync(file, 'utf8');
  let body = text;
  if (allowTornTail && !text.endsWith('\n')) {
    const nl = text.lastIndexOf('\n');
    body = nl < 0 ? '' : text.slice(0, nl + 1);
  }
  const validBytes = Buffer.byteLength(body, 'utf8');
  if (body === '') return validBytes;
  const lines = body.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const head = (lines[0] ?? '').replace(/^\uFEFF/, '').replace(/\r$/, '').trim();
  if (head !== header) {
    throw new DataError(file, 1, `expected the ${kind} header '${header}', found '${head.slice(0, 80)}' (is --out the right file?)`);
  }
  let prevTs = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    if (line.trim() === '') continue;
    const fields = line.split(',');
    const tsField = fields[0] ?? '';
    const ts = Number(tsField);
    if (tsField.trim() === '' || !Number.isSafeInteger(ts) || ts < 0) {
      throw new DataError(file, i + 1, `timestamp must be integer milliseconds, got '${tsField}'`);
    }
    if (ts < prevTs) throw new DataError(file, i + 1, `timestamps go backwards (${ts} after ${prevTs})`);
    prevTs = ts;
    let key: string;
    if (kind === 'trades') {
      if (fields.length < 5) throw new DataError(file, i + 1, `expected 5 fields (${TRADES_CSV_HEADER})`);
      let id = fields.slice(4).join(',');
      if (id.startsWith('"') && id.endsWith('"') && id.length >= 2) id = id.slice(1, -1).replace(/""/g, '"');
      key = id === '' ? line : id;
    } else {
      if (fields.length < 6) throw new DataError(file, i + 1, `expected 6 fields (${OHLCV_CSV_HEADER})`);
      key = String(ts);
    }
    store.add({ ts, key, line });
  }
  return validBytes;
}

/** `new ccxt[id]({ ...options, enableRateLimit: true })`, or a UserError naming an unknown id. */
export function createExchange(id: string, options: Record<string, unknown> = {}): ccxt.Exchange {
  const ids = (ccxt as unknown as { exchanges: unknown }).exchanges;
  const known: string[] = Array.isArray(ids) ? (ids as string[]) : Object.keys(ids as object);
  const ctor = (ccxt as unknown as Record<string, unknown>)[id];
  if (!known.includes(id) || typeof ctor !== 'function') {
    const lower = id.toLowerCase();
    const near = known.filter((k) => lower.length >= 2 && (k.includes(lower) || lower.includes(k) || k.slice(0, 3) === lower.slice(0, 3)));
    throw new UserError(
      `unknown exchange '${id}': not one of the ${known.length} exchanges ccxt ${ccxt.version} supports` +
        (near.length ? ` (did you mean ${near.slice(0, 8).join(', ')}?)` : ' (ids are lower-case, e.g. binance, bybit, okx, kraken, coinbase)'),
    );
  }
  return new (ctor as new (config: Record<string, unknown>) => ccxt.Exchange)({ ...options, enableRateLimit: true });
}

type FetchFn = (url: string, method?: string, headers?: unknown, body?: unknown) => Promise<unknown>;

/**
 * ccxt returns the raw body string when a response is not valid JSON (see
 * Exchange.handleRestResponse) and the exchange-specific parsers then produce
 * garbage or misleading errors ("does not have market symbol"). Every endpoint
 * used here returns JSON, so a string body is rejected at the source, naming
 * the endpoint. The guard also remembers the last request, for messages.
 */
function guardAgainstMalformedJson(ex: ccxt.Exchange): { remove: () => void; lastRequest: () => string } {
  const target = ex as unknown as { fetch: FetchFn };
  const hadOwn = Object.prototype.hasOwnProperty.call(target, 'fetch');
  const original = target.fetch;
  let last = '';
  const shortUrl = (url: string) => (url.length > 300 ? url.slice(0, 300) + '…' : url);
  target.fetch = async function guardedFetch(url, method, headers, body) {
    last = `${method ?? 'GET'} ${shortUrl(String(url))}`;
    const res = await original.call(ex, url, method, headers, body);
    if (typeof res === 'string') {
      const snippet = res.length > 120 ? res.slice(0, 120) + '…' : res;
      throw new MalformedResponseError(`${ex.id} returned malformed JSON for ${last}: ${res === '' ? 'empty body' : JSON.stringify(snippet)}`);
    }
    return res;
  };
  return {
    remove: () => {
      if (hadOwn) target.fetch = original;
      else delete (target as { fetch?: FetchFn }).fetch;
    },
    lastRequest: () => last,
  };
}

/**
 * Runs a ccxt call. A plain JavaScript error from inside ccxt (TypeError...)
 * rather than one of ccxt's own error classes means its parser choked on a
 * response of the wrong shape (valid JSON, e.g. an object where a list was
 * expected): that is a malformed response too.
 */
async function ccxtCall<T>(what: string, lastRequest: () => string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof MalformedResponseError || e instanceof UserError || isCcxtError(e, 'BaseError')) throw e;
    throw new MalformedResponseError(`${what}: ccxt could not parse the response to ${lastRequest() || 'its request'}: ${errorText(e)}`);
  }
}

/** `e` is a ccxt error of class `name` or a subclass (by class name, so it works across ccxt's ESM and CJS builds). */
function isCcxtError(e: unknown, name: string): boolean {
  for (let p: unknown = e; p !== null && p !== undefined && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if ((p as { constructor?: { name?: string } }).constructor?.name === name) return true;
  }
  return false;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message.startsWith(e.name) ? e.message : `${e.name}: ${e.message}`;
  return String(e);
}

function validateOptions(o: FetchOptions): void {
  if (o.kind !== 'trades' && o.kind !== 'ohlcv') throw new UserError(`kind must be 'trades' or 'ohlcv', got '${String(o.kind)}'`);
  if (!Number.isSafeInteger(o.since)) throw new UserError(`since must be integer ms, got ${String(o.since)}`);
  if (!Number.isSafeInteger(o.until)) throw new UserError(`until must be integer ms, got ${String(o.until)}`);
  if (o.until <= o.since) throw new UserError(`until (${iso(o.until)}) must be after since (${iso(o.since)})`);
  if (o.pageLimit !== undefined && (!Number.isSafeInteger(o.pageLimit) || o.pageLimit < 1)) {
    throw new UserError(`page limit must be a positive integer, got ${String(o.pageLimit)}`);
  }
  if (o.tradesWindowMs !== undefined && (!Number.isSafeInteger(o.tradesWindowMs) || o.tradesWindowMs < 1)) {
    throw new UserError(`trades window must be a positive integer of ms, got ${String(o.tradesWindowMs)}`);
  }
  if (typeof o.out !== 'string' || o.out === '') throw new UserError('out file is required');
  if (o.kind === 'trades' && o.timeframe !== undefined) throw new UserError('a timeframe applies only to ohlcv downloads');
}

/** Download `[since, until)` of trades or candles into `out`, resuming from whatever `out` already holds. */
export async function fetchToFile(opts: FetchOptions): Promise<FetchResult> {
  validateOptions(opts);
  const { kind, since, until, out } = opts;
  const header = kind === 'trades' ? TRADES_CSV_HEADER : OHLCV_CSV_HEADER;
  const limit = opts.pageLimit ?? DEFAULT_PAGE_LIMIT;
  const timeframe = opts.timeframe ?? '1m';

  // 1. What is already on disk (before any network traffic, so a wrong --out fails fast).
  const store = new RowStore();
  if (fs.existsSync(out)) readCsvInto(out, header, kind, store, false);
  const journalFile = `${out}.partial`;
  const journalExisted = fs.existsSync(journalFile);
  const journalRowsBefore = store.lines.length;
  const journalBytes = journalExisted ? readCsvInto(journalFile, header, kind, store, true) : null;
  const journalAddedRows = store.lines.length - journalRowsBefore;
  const journal = new Journal(journalFile, header, journalBytes);
  const resumedFrom = store.lastTs;

  // 2. The exchange.
  const owned = typeof opts.exchange === 'string';
  const ex = typeof opts.exchange === 'string' ? createExchange(opts.exchange, opts.exchangeOptions) : opts.exchange;
  const exId = ex.id;
  const guard = guardAgainstMalformedJson(ex);

  const started = Date.now();
  let pages = 0;
  let newRows = 0;
  let symbol = opts.symbol;
  let cursor = since;
  const end = Math.min(until, started);
  const progress = (phase: FetchProgress['phase']): void => {
    if (!opts.onProgress) return;
    const elapsedMs = Date.now() - started;
    const reached = Math.max(since, Math.min(cursor, until));
    opts.onProgress({
      phase,
      exchange: exId,
      symbol,
      kind,
      pages,
      rows: store.lines.length,
      newRows,
      reached,
      fraction: Math.min(1, Math.max(0, (reached - since) / (until - since))),
      elapsedMs,
      rowsPerSec: elapsedMs > 0 ? (newRows * 1000) / elapsedMs : 0,
      pagesPerSec: elapsedMs > 0 ? (pages * 1000) / elapsedMs : 0,
      resumedFrom,
    });
  };
  const save = (): void => {
    writeFileAtomic(out, header + '\n' + (store.lines.length ? store.lines.join('\n') + '\n' : ''));
    journal.remove();
  };

  let what = `${exId} loadMarkets`;
  try {
    // 3. Market, timeframe, capabilities.
    await ccxtCall(what, guard.lastRequest, () => ex.loadMarkets());
    let market: ccxt.Market;
    try {
      market = ex.market(opts.symbol);
    } catch (e) {
      if (isCcxtError(e, 'BadSymbol')) {
        const some = ex.symbols?.slice(0, 5).join(', ') ?? '';
        throw new UserError(`${exId} has no market '${opts.symbol}'${some ? ` (markets look like: ${some})` : ''}`);
      }
      throw e;
    }
    symbol = market.symbol ?? opts.symbol;
    const method = kind === 'trades' ? 'fetchTrades' : 'fetchOHLCV';
    if (!ex.has[method]) throw new UserError(`${exId} does not support ${method} in ccxt ${ccxt.version}`);
    let tfMs = 0;
    if (kind === 'ohlcv') {
      const tfs = ex.timeframes && Object.keys(ex.timeframes).length ? Object.keys(ex.timeframes) : null;
      if (tfs && !tfs.includes(timeframe)) throw new UserError(`${exId} has no timeframe '${timeframe}'; it has: ${tfs.join(', ')}`);
      try {
        tfMs = ex.parseTimeframe(timeframe) * 1000;
      } catch {
        tfMs = NaN;
      }
      if (!Number.isFinite(tfMs) || tfMs <= 0) throw new UserError(`cannot parse timeframe '${timeframe}'`);
    }
    const windowMs = kind === 'trades' ? (opts.tradesWindowMs ?? DEFAULT_TRADES_WINDOW_MS) : limit * tfMs;

    // 4. Resume point.
    if (store.lastTs !== null) cursor = Math.max(since, kind === 'trades' ? store.lastTs : store.lastTs + 1);
    progress('start');

    // 5. Pages.
    while (cursor < end) {
      const windowEnd = Math.min(cursor + windowMs, end);
      const params = { until: windowEnd - 1 };
      what = `${exId} ${method}(${symbol}${kind === 'ohlcv' ? `, ${timeframe}` : ''}, since ${iso(cursor)})`;
      const from = cursor;
      const page = await ccxtCall<unknown>(what, guard.lastRequest, () =>
        kind === 'trades' ? ex.fetchTrades(symbol, from, limit, params) : ex.fetchOHLCV(symbol, timeframe, from, limit, params),
      );
      pages++;
      if (!Array.isArray(page)) throw new MalformedResponseError(`${what} returned ${describe(page)}, not a list`);
      const rows = page.map((x: unknown, i) => (kind === 'trades' ? tradeRow(x, what, i) : candleRow(x, what, i)));
      rows.sort((a, b) => a.ts - b.ts); // stable: ties keep the exchange's order
      const now = Date.now();
      const fresh: string[] = [];
      let atCursor = 0;
      let finished = false;
      for (const r of rows) {
        if (r.ts >= end) {
          finished = true; // the exchange returned data past the end: all of [cursor, end) was in this page
          continue;
        }
        if (r.ts < cursor) continue;
        if (kind === 'ohlcv' && r.ts + tfMs > now) {
          finished = true; // candle still open: nothing complete beyond it
          continue;
        }
        if (r.ts === cursor) atCursor++;
        if (store.add(r)) fresh.push(r.line);
      }
      journal.append(fresh);
      newRows += fresh.length;
      if (finished) {
        cursor = end;
      } else if (fresh.length > 0) {
        cursor = kind === 'trades' ? (store.lastTs as number) : (store.lastTs as number) + 1;
      } else if (kind === 'trades' && atCursor > 0) {
        if (rows.length >= limit && atCursor === rows.length) {
          throw new UserError(
            `${exId} has at least ${limit} trades at ${iso(cursor)} (${cursor} ms), more than one page holds; ` +
              `paging by time cannot get past them: rerun with a larger --page-limit (the download resumes)`,
          );
        }
        cursor += 1; // that millisecond is complete
      } else {
        cursor = windowEnd; // empty window: no data in [cursor, windowEnd)
      }
      progress('page');
    }
  } catch (e) {
    if (e instanceof MalformedResponseError || isCcxtError(e, 'BadResponse')) {
      journal.rollback();
      const before = fs.existsSync(out) ? `${out} is unchanged` : `no file was created`;
      const msg = e instanceof MalformedResponseError ? e.message : `${what}: malformed response: ${errorText(e)}`;
      throw new FetchFailedError(`${msg}\nnothing was written: ${before}`, 'malformed', 0, { cause: e });
    }
    const unsaved = newRows > 0 || journalAddedRows > 0;
    if (unsaved) save();
    if (e instanceof UserError) throw e;
    const kept = unsaved
      ? `${store.lines.length} rows up to ${iso(store.lastTs as number)} saved to ${out}; rerun the same command to resume`
      : `nothing new was downloaded`;
    throw new FetchFailedError(`${what} failed after ${pages} page(s): ${errorText(e)}\n${kept}`, 'failed', unsaved ? store.lines.length : 0, {
      cause: e,
    });
  } finally {
    guard.remove();
    if (owned) await closeQuietly(ex);
  }

  // A fresh download with no data still produces its (header-only) file; an up-to-date file is left alone.
  if (newRows > 0 || journalExisted || !fs.existsSync(out)) save();
  cursor = Math.max(cursor, end);
  progress('done');
  return { rows: store.lines.length, pages, resumedFrom };
}

/** Release the HTTP keep-alive pool of an exchange this module created. */
async function closeQuietly(ex: ccxt.Exchange): Promise<void> {
  try {
    await ex.close();
    const d = (ex as unknown as { fetchDispatcher?: { close?: () => Promise<void> } }).fetchDispatcher;
    if (d && typeof d.close === 'function') await d.close();
  } catch {
    /* best effort */
  }
}
