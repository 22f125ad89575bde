/**
 * Columnar market data ("tapes").
 *
 * A tape is a set of equal-length typed arrays plus a little metadata. The
 * engine and every formula walk indices over these arrays, so nothing in a hot
 * loop allocates. Objects (`Trade`, `Bar`) exist only at the boundaries.
 *
 * Time is always integer milliseconds since the Unix epoch (ccxt's
 * `timestamp`), stored in a Float64Array (exact for integers below 2^53).
 * Readers convert µs/ns on the way in.
 */

/** Taker side as stored in a tape: +1 = taker bought, -1 = taker sold, 0 = unknown. */
export type SideCode = 1 | -1 | 0;

/** Where a tape came from, for summaries, artifacts and error messages. */
export interface TapeSource {
  /** The file it was read from, or a label such as `"typed-arrays"`. */
  file: string;
  /** The reader that produced it (e.g. `tardis-trades-csv`). */
  format: string;
  /** Instrument, when the file says (e.g. `BTCUSDT`). */
  symbol?: string;
}

/** Trades: one row per public trade print. */
export interface TradeTape {
  readonly kind: 'trades';
  readonly length: number;
  /** ms since epoch, non-decreasing. */
  readonly time: Float64Array;
  readonly price: Float64Array;
  /** Base-currency amount (> 0). */
  readonly amount: Float64Array;
  /** Taker side (+1 buy, -1 sell, 0 unknown). */
  readonly side: Int8Array;
  /** Exchange trade id when the source has one (strictly increasing), else undefined. */
  readonly id?: Float64Array;
  readonly source: TapeSource;
}

/** Best bid/ask (top of book) updates. */
export interface QuoteTape {
  readonly kind: 'quotes';
  readonly length: number;
  readonly time: Float64Array;
  readonly bidPrice: Float64Array;
  readonly bidSize: Float64Array;
  readonly askPrice: Float64Array;
  readonly askSize: Float64Array;
  readonly source: TapeSource;
}

/** OHLCV bars; `time` is the bar's OPEN time (ccxt/freqtrade convention). */
export interface BarTape {
  readonly kind: 'bars';
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Bar duration in ms (inferred from the data when not given). */
  readonly timeframeMs: number;
  readonly source: TapeSource;
}

export type MarketTape = TradeTape | BarTape;

type NumericInput = ArrayLike<number>;

function toF64(x: NumericInput): Float64Array {
  return x instanceof Float64Array ? x : Float64Array.from(x);
}

function checkLengths(what: string, cols: Record<string, ArrayLike<unknown>>): number {
  let n = -1;
  for (const [name, col] of Object.entries(cols)) {
    if (n === -1) n = col.length;
    else if (col.length !== n) {
      throw new Error(`${what}: column '${name}' has ${col.length} rows, expected ${n}`);
    }
  }
  return Math.max(n, 0);
}

/**
 * Build a trade tape straight from arrays (typed or plain), e.g. from a
 * notebook. Sides may be given as ±1 codes or as ccxt strings `'buy'`/`'sell'`.
 * The tape is validated (see `validateTradeTape`) unless `validate: false`.
 */
export function makeTradeTape(cols: {
  time: NumericInput;
  price: NumericInput;
  amount: NumericInput;
  side?: ArrayLike<number> | ArrayLike<string>;
  id?: NumericInput;
  source?: Partial<TapeSource>;
}): TradeTape {
  const n = checkLengths('makeTradeTape', {
    time: cols.time,
    price: cols.price,
    amount: cols.amount,
    ...(cols.side ? { side: cols.side } : {}),
    ...(cols.id ? { id: cols.id } : {}),
  });
  // An Int8Array of ±1/0 codes (what the readers produce) is taken as it is: no copy.
  const side = cols.side instanceof Int8Array ? cols.side : new Int8Array(n);
  if (cols.side && !(cols.side instanceof Int8Array)) {
    for (let i = 0; i < n; i++) {
      const s = cols.side[i];
      side[i] = s === 'buy' || s === 1 ? 1 : s === 'sell' || s === -1 ? -1 : 0;
    }
  }
  return {
    kind: 'trades',
    length: n,
    time: toF64(cols.time),
    price: toF64(cols.price),
    amount: toF64(cols.amount),
    side,
    id: cols.id ? toF64(cols.id) : undefined,
    source: { file: 'typed-arrays', format: 'arrays', ...cols.source },
  };
}

/** Build a bar tape from arrays. `timeframeMs` defaults to the smallest step between bars. */
export function makeBarTape(cols: {
  time: NumericInput;
  open: NumericInput;
  high: NumericInput;
  low: NumericInput;
  close: NumericInput;
  volume: NumericInput;
  timeframeMs?: number;
  source?: Partial<TapeSource>;
}): BarTape {
  const n = checkLengths('makeBarTape', {
    time: cols.time,
    open: cols.open,
    high: cols.high,
    low: cols.low,
    close: cols.close,
    volume: cols.volume,
  });
  const time = toF64(cols.time);
  return {
    kind: 'bars',
    length: n,
    time,
    open: toF64(cols.open),
    high: toF64(cols.high),
    low: toF64(cols.low),
    close: toF64(cols.close),
    volume: toF64(cols.volume),
    timeframeMs: cols.timeframeMs ?? inferTimeframeMs(time),
    source: { file: 'typed-arrays', format: 'arrays', ...cols.source },
  };
}

/** Build a quote tape from arrays. */
export function makeQuoteTape(cols: {
  time: NumericInput;
  bidPrice: NumericInput;
  bidSize: NumericInput;
  askPrice: NumericInput;
  askSize: NumericInput;
  source?: Partial<TapeSource>;
}): QuoteTape {
  const n = checkLengths('makeQuoteTape', {
    time: cols.time,
    bidPrice: cols.bidPrice,
    bidSize: cols.bidSize,
    askPrice: cols.askPrice,
    askSize: cols.askSize,
  });
  return {
    kind: 'quotes',
    length: n,
    time: toF64(cols.time),
    bidPrice: toF64(cols.bidPrice),
    bidSize: toF64(cols.bidSize),
    askPrice: toF64(cols.askPrice),
    askSize: toF64(cols.askSize),
    source: { file: 'typed-arrays', format: 'arrays', ...cols.source },
  };
}

/** Smallest positive step between consecutive times (the bar timeframe); 0 when < 2 bars. */
export function inferTimeframeMs(time: Float64Array): number {
  let best = Infinity;
  for (let i = 1; i < time.length; i++) {
    const d = time[i] - time[i - 1];
    if (d > 0 && d < best) best = d;
  }
  return Number.isFinite(best) ? best : 0;
}

/** Half-open index range [from, to) of rows whose time lies in [t0, t1). Binary search. */
export function timeRange(time: Float64Array, t0: number, t1: number): [number, number] {
  return [lowerBound(time, t0), lowerBound(time, t1)];
}

/** Last index i with time[i] ≤ t, or −1 (time sorted ascending). */
export function lastAtOrBefore(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The last price known at time t, or null before the first row. */
export type MarkPrice = (t: number) => number | null;

/**
 * Last-known-price function of a tape, for marking open positions: on trades
 * the last print at or before t; on bars the close once bar i has ended, and
 * its open from its open time until then (the last print known for sure —
 * the close is not known before the bar ends).
 */
export function tapeMarkPrice(tape: MarketTape): MarkPrice {
  const time = tape.time;
  if (tape.kind === 'trades') {
    const price = tape.price;
    return (t) => {
      const i = lastAtOrBefore(time, t);
      return i < 0 ? null : price[i];
    };
  }
  const tf = tape.timeframeMs;
  const { open, close } = tape;
  return (t) => {
    const i = lastAtOrBefore(time, t);
    if (i < 0) return null;
    return t >= time[i] + tf ? close[i] : open[i];
  };
}

/** First index i with time[i] >= t (time sorted ascending). */
export function lowerBound(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A slice view of a trade tape (shares memory; no copy). */
export function sliceTrades(t: TradeTape, from: number, to: number): TradeTape {
  return {
    kind: 'trades',
    length: Math.max(0, to - from),
    time: t.time.subarray(from, to),
    price: t.price.subarray(from, to),
    amount: t.amount.subarray(from, to),
    side: t.side.subarray(from, to),
    id: t.id?.subarray(from, to),
    source: t.source,
  };
}

/** A slice view of a bar tape (shares memory; no copy). */
export function sliceBars(b: BarTape, from: number, to: number): BarTape {
  return {
    kind: 'bars',
    length: Math.max(0, to - from),
    time: b.time.subarray(from, to),
    open: b.open.subarray(from, to),
    high: b.high.subarray(from, to),
    low: b.low.subarray(from, to),
    close: b.close.subarray(from, to),
    volume: b.volume.subarray(from, to),
    timeframeMs: b.timeframeMs,
    source: b.source,
  };
}

/** First and last time and the row count, for summaries and artifacts. */
export function describeTape(t: TradeTape | BarTape | QuoteTape): {
  file: string;
  format: string;
  symbol?: string;
  kind: string;
  from: string | null;
  to: string | null;
  fromMs: number | null;
  toMs: number | null;
  rows: number;
} {
  const n = t.length;
  const fromMs = n ? t.time[0] : null;
  const toMs = n ? t.time[n - 1] + (t.kind === 'bars' ? t.timeframeMs : 0) : null;
  return {
    file: t.source.file,
    format: t.source.format,
    ...(t.source.symbol ? { symbol: t.source.symbol } : {}),
    kind: t.kind,
    from: fromMs === null ? null : new Date(fromMs).toISOString(),
    to: toMs === null ? null : new Date(toMs).toISOString(),
    fromMs,
    toMs,
    rows: n,
  };
}
