/**
 * A local HTTP server speaking the subset of Binance's spot REST API that
 * ccxt's `binance` class uses to load markets and page through trades and
 * candles. The REAL ccxt talks to it (see `exchangeOptions()`), so tests
 * exercise ccxt's request building, parsing, errors and rate limiter.
 *
 * Endpoints (semantics follow Binance's docs):
 * - GET /api/v3/exchangeInfo   one spot symbol, BTCUSDT (BTC/USDT)
 * - GET /api/v3/aggTrades      symbol, startTime/endTime (inclusive, ≤ 1 h apart), fromId, limit (default 500, max 1000);
 *                              ascending, the first `limit` matches
 * - GET /api/v3/klines         symbol, interval=1m, startTime/endTime (inclusive, on open time), limit (default 500, max 1000)
 * Anything else → 404 with a Binance-style error body (and is logged).
 *
 * Every request is logged; `setFault` injects failures (HTTP status, dropped
 * connection, malformed body). A request cap turns a runaway client loop into
 * a fast failure instead of a hung test.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as ccxt from 'ccxt';

export interface FakeTrade {
  /** Aggregate trade id. */
  id: number;
  price: string;
  qty: string;
  /** ms */
  time: number;
  /** Binance `m`: the buyer was the maker, i.e. the taker sold. */
  buyerMaker: boolean;
}

export interface FakeKline {
  openTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

export interface LoggedRequest {
  /** 1-based over all requests. */
  n: number;
  /** 1-based among requests to the same path. */
  nPath: number;
  path: string;
  query: Record<string, string>;
  status: number;
  fault?: Fault['kind'];
  /** Rows served (aggTrades, klines). */
  rows?: number;
  firstId?: number;
  lastId?: number;
  firstTime?: number;
  lastTime?: number;
}

export type Fault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'drop' }
  | { kind: 'raw'; body: string; status?: number };

export type FaultFn = (req: { n: number; nPath: number; path: string; query: Record<string, string> }) => Fault | undefined;

export interface FakeBinance {
  /** `http://127.0.0.1:<port>` */
  url: string;
  log: LoggedRequest[];
  trades: FakeTrade[];
  klines: FakeKline[];
  setFault(fn: FaultFn | null): void;
  /** ccxt constructor options pointing every binance API URL at this server, spot markets only. */
  exchangeOptions(): Record<string, unknown>;
  /** Requests to a path (e.g. `/api/v3/aggTrades`) since the last `clearLog()`. */
  requests(path: string): LoggedRequest[];
  clearLog(): void;
  /** True when a client exceeded the request cap (a runaway loop). */
  readonly capExceeded: boolean;
  close(): Promise<void>;
}

export const SYMBOL_ID = 'BTCUSDT';
export const HOUR = 3_600_000;

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MakeTradesOptions {
  start: number;
  count: number;
  seed?: number;
  firstId?: number;
  /** Mean gap between distinct timestamps, ms (default 5000). */
  meanGapMs?: number;
  /** Probability that a trade starts a burst of same-millisecond trades (default 0.06). */
  burstProb?: number;
  /** Burst size range (default 2..12 trades sharing one ms). */
  burstMin?: number;
  burstMax?: number;
  /** Extra silence inserted before trade index `beforeIndex`. */
  gaps?: { beforeIndex: number; ms: number }[];
  /** Force `size` trades sharing one ms starting at trade index `atIndex`. */
  forcedBursts?: { atIndex: number; size: number }[];
}

/** A synthetic aggTrades tape: ascending ids, non-decreasing times, frequent same-ms bursts. */
export function makeTrades(o: MakeTradesOptions): FakeTrade[] {
  const rnd = prng(o.seed ?? 1);
  const meanGap = o.meanGapMs ?? 5000;
  const burstProb = o.burstProb ?? 0.06;
  const bMin = o.burstMin ?? 2;
  const bMax = o.burstMax ?? 12;
  const gaps = new Map((o.gaps ?? []).map((g) => [g.beforeIndex, g.ms]));
  const forced = new Map((o.forcedBursts ?? []).map((b) => [b.atIndex, b.size]));
  const out: FakeTrade[] = [];
  let t = o.start;
  let price = 42_000;
  let sameMsLeft = 0;
  for (let i = 0; i < o.count; i++) {
    const f = forced.get(i);
    if (i > 0) {
      if (f !== undefined) {
        t += 1 + Math.floor(rnd() * meanGap);
        sameMsLeft = f - 1;
      } else if (sameMsLeft > 0) {
        sameMsLeft--;
      } else {
        t += 1 + Math.floor(rnd() * 2 * meanGap);
        if (rnd() < burstProb) sameMsLeft = bMin - 1 + Math.floor(rnd() * (bMax - bMin + 1));
      }
    } else if (f !== undefined) {
      sameMsLeft = f - 1;
    }
    const g = gaps.get(i);
    if (g !== undefined) t += g;
    price = Math.max(1, price + (rnd() - 0.5) * 20);
    out.push({
      id: (o.firstId ?? 1_000_000) + i,
      price: price.toFixed(2),
      qty: (0.00001 + rnd()).toFixed(5),
      time: t,
      buyerMaker: rnd() < 0.5,
    });
  }
  return out;
}

/** 1m candles from `start`, `count` of them, skipping open times in `[gapFrom, gapTo)` ranges. */
export function makeKlines(start: number, count: number, opts: { seed?: number; tfMs?: number; gaps?: [number, number][] } = {}): FakeKline[] {
  const rnd = prng(opts.seed ?? 7);
  const tf = opts.tfMs ?? 60_000;
  const out: FakeKline[] = [];
  let close = 42_000;
  for (let i = 0; i < count; i++) {
    const openTime = start + i * tf;
    const open = close;
    close = Math.max(1, open + (rnd() - 0.5) * 40);
    if ((opts.gaps ?? []).some(([a, b]) => openTime >= a && openTime < b)) continue;
    const high = Math.max(open, close) + rnd() * 10;
    const low = Math.min(open, close) - rnd() * 10;
    out.push({
      openTime,
      open: open.toFixed(2),
      high: high.toFixed(2),
      low: low.toFixed(2),
      close: close.toFixed(2),
      volume: (rnd() * 50).toFixed(4),
    });
  }
  return out;
}

/** The CSV `edgelab fetch` should produce for `trades` restricted to [since, until). */
export function expectedTradesCsv(trades: FakeTrade[], since = -Infinity, until = Infinity): string {
  const rows = trades
    .filter((t) => t.time >= since && t.time < until)
    .map((t) => `${t.time},${Number(t.price)},${Number(t.qty)},${t.buyerMaker ? 'sell' : 'buy'},${t.id}`);
  return ['timestamp,price,amount,side,id', ...rows].join('\n') + '\n';
}

export function expectedOhlcvCsv(klines: FakeKline[], since = -Infinity, until = Infinity): string {
  const rows = klines
    .filter((k) => k.openTime >= since && k.openTime < until)
    .map((k) => `${k.openTime},${Number(k.open)},${Number(k.high)},${Number(k.low)},${Number(k.close)},${Number(k.volume)}`);
  return ['timestamp,open,high,low,close,volume', ...rows].join('\n') + '\n';
}

function exchangeInfo(): unknown {
  return {
    timezone: 'UTC',
    serverTime: Date.now(),
    rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }],
    exchangeFilters: [],
    symbols: [
      {
        symbol: SYMBOL_ID,
        status: 'TRADING',
        baseAsset: 'BTC',
        baseAssetPrecision: 8,
        quoteAsset: 'USDT',
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        baseCommissionPrecision: 8,
        quoteCommissionPrecision: 8,
        orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
        icebergAllowed: true,
        ocoAllowed: true,
        quoteOrderQtyMarketAllowed: true,
        allowTrailingStop: true,
        cancelReplaceAllowed: true,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
          { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
          { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000' },
        ],
        permissions: [],
        permissionSets: [['SPOT']],
        defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
        allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
      },
    ],
  };
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }
}

function intParam(q: Record<string, string>, name: string): number | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new ApiError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`);
  return Number(v);
}

function limitParam(q: Record<string, string>): number {
  const l = intParam(q, 'limit') ?? 500;
  if (l < 1) throw new ApiError(400, -1100, "Illegal characters found in parameter 'limit'");
  return Math.min(l, 1000);
}

function checkSymbol(q: Record<string, string>): void {
  if (q.symbol === undefined) throw new ApiError(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
  if (q.symbol !== SYMBOL_ID) throw new ApiError(400, -1121, 'Invalid symbol.');
}

export async function startFakeBinance(
  data: { trades?: FakeTrade[]; klines?: FakeKline[] } = {},
  opts: { maxRequests?: number } = {},
): Promise<FakeBinance> {
  const trades = data.trades ?? [];
  const klines = data.klines ?? [];
  const maxRequests = opts.maxRequests ?? 3000;
  const log: LoggedRequest[] = [];
  const perPath = new Map<string, number>();
  let n = 0;
  let fault: FaultFn | null = null;
  let capExceeded = false;

  function aggTrades(q: Record<string, string>, entry: LoggedRequest): unknown {
    checkSymbol(q);
    const limit = limitParam(q);
    const fromId = intParam(q, 'fromId');
    let startTime = intParam(q, 'startTime');
    let endTime = intParam(q, 'endTime');
    let sel: FakeTrade[];
    if (fromId !== undefined) {
      if (startTime !== undefined || endTime !== undefined) throw new ApiError(400, -1128, 'Combination of optional parameters invalid.');
      sel = trades.filter((t) => t.id >= fromId).slice(0, limit);
    } else if (startTime !== undefined || endTime !== undefined) {
      if (startTime === undefined) startTime = (endTime as number) - HOUR;
      if (endTime === undefined) endTime = startTime + HOUR;
      if (endTime - startTime > HOUR) throw new ApiError(400, -1127, 'More than 1 hours between startTime and endTime.');
      const s = startTime;
      const e = endTime;
      sel = trades.filter((t) => t.time >= s && t.time <= e).slice(0, limit);
    } else {
      sel = trades.slice(-limit);
    }
    entry.rows = sel.length;
    if (sel.length) {
      entry.firstId = sel[0]!.id;
      entry.lastId = sel[sel.length - 1]!.id;
      entry.firstTime = sel[0]!.time;
      entry.lastTime = sel[sel.length - 1]!.time;
    }
    return sel.map((t) => ({ a: t.id, p: t.price, q: t.qty, f: t.id * 3, l: t.id * 3 + 2, T: t.time, m: t.buyerMaker, M: true }));
  }

  function klinesEndpoint(q: Record<string, string>, entry: LoggedRequest): unknown {
    checkSymbol(q);
    if (q.interval !== '1m') throw new ApiError(400, -1120, 'Invalid interval.');
    const limit = limitParam(q);
    const startTime = intParam(q, 'startTime');
    const endTime = intParam(q, 'endTime');
    let sel = klines.filter((k) => (startTime === undefined || k.openTime >= startTime) && (endTime === undefined || k.openTime <= endTime));
    sel = startTime === undefined ? sel.slice(-limit) : sel.slice(0, limit);
    entry.rows = sel.length;
    if (sel.length) {
      entry.firstTime = sel[0]!.openTime;
      entry.lastTime = sel[sel.length - 1]!.openTime;
    }
    return sel.map((k) => [
      k.openTime,
      k.open,
      k.high,
      k.low,
      k.close,
      k.volume,
      k.openTime + 59_999,
      (Number(k.volume) * Number(k.close)).toFixed(8),
      42,
      (Number(k.volume) / 2).toFixed(8),
      ((Number(k.volume) / 2) * Number(k.close)).toFixed(8),
      '0',
    ]);
  }

  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(u.searchParams.entries());
    n++;
    const nPath = (perPath.get(u.pathname) ?? 0) + 1;
    perPath.set(u.pathname, nPath);
    const entry: LoggedRequest = { n, nPath, path: u.pathname, query, status: 200 };
    log.push(entry);
    const send = (status: number, body: string) => {
      entry.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8' });
      res.end(body);
    };
    if (n > maxRequests) {
      capExceeded = true;
      send(500, JSON.stringify({ code: -1000, msg: `fake server: request cap of ${maxRequests} exceeded` }));
      return;
    }
    const f = fault?.({ n, nPath, path: u.pathname, query });
    if (f) {
      entry.fault = f.kind;
      if (f.kind === 'drop') {
        entry.status = 0;
        req.socket.destroy();
        return;
      }
      if (f.kind === 'status') {
        send(f.status, f.body ?? JSON.stringify({ code: -1000, msg: 'An unknown error occurred while processing the request.' }));
        return;
      }
      send(f.status ?? 200, f.body);
      return;
    }
    try {
      if (req.method !== 'GET') throw new ApiError(405, -1000, 'method not allowed');
      let body: unknown;
      if (u.pathname === '/api/v3/exchangeInfo') body = exchangeInfo();
      else if (u.pathname === '/api/v3/aggTrades') body = aggTrades(query, entry);
      else if (u.pathname === '/api/v3/klines') body = klinesEndpoint(query, entry);
      else throw new ApiError(404, -1000, `fake binance: no such endpoint ${u.pathname}`);
      send(200, JSON.stringify(body));
    } catch (e) {
      if (e instanceof ApiError) send(e.status, JSON.stringify({ code: e.code, msg: e.message }));
      else send(500, JSON.stringify({ code: -1000, msg: String(e) }));
    }
  });
  // Node's default keep-alive timeout (5 s) is fine; close() drops idle sockets explicitly.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    log,
    trades,
    klines,
    get capExceeded() {
      return capExceeded;
    },
    setFault(fn) {
      fault = fn;
    },
    requests(path) {
      return log.filter((r) => r.path === path);
    },
    clearLog() {
      log.length = 0;
      perPath.clear();
    },
    exchangeOptions() {
      // Every binance API base URL (spot, sapi, futures, options...) → this server, same path, so nothing can reach the internet.
      const api: Record<string, string> = {};
      const real = new ccxt.binance().urls.api as unknown as Record<string, string>;
      for (const [k, v] of Object.entries(real)) {
        if (typeof v === 'string') api[k] = url + new URL(v).pathname;
      }
      return {
        urls: { api },
        // Binance loads spot, linear and inverse markets by default (3 exchangeInfo endpoints); spot only here.
        options: { fetchMarkets: { types: ['spot'] }, fetchMargins: false, fetchCurrencies: false },
        timeout: 5000,
      };
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
