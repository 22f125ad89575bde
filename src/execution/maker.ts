/**
 * Maker (post-only limit) entries with a timeout, after the action plan's
 * Phase 4 `MakerOrderExecutor`: post a limit `offsetPct` away from the
 * current price, wait up to `timeoutMs`, then cancel and either take as
 * market (`fallback: 'taker'`, the plan's code) or give up (`'cancel'`).
 *
 * Conventions (all times are ms on the trade tape's clock):
 *  - Decision. An order is decided on trade row `d` (knowing rows ≤ d, the
 *    engine's convention) and reaches the exchange at `time[d] + latencyMs`
 *    (default latency 0). Only trades on later rows (> d) at or after that
 *    arrival time can fill it.
 *  - "Current price" = the mid of the latest best bid/ask at or before the
 *    decision time when quotes exist (the capture's bookTicker; else the best
 *    bid/ask of the reconstructed L2 book), otherwise the decision trade's
 *    price. Buy limit = price × (1 − offsetPct/100) rounded DOWN to the tick
 *    grid; sell limit = price × (1 + offsetPct/100) rounded UP. Offset 0
 *    therefore joins the best bid (buy) / best ask (sell) when the spread is
 *    one tick.
 *  - Post-only. Checked at arrival: with quotes, a buy limit ≥ best ask (sell
 *    ≤ best bid) would take liquidity and is rejected; with trades only, a
 *    limit strictly through the last trade price (buy above it, sell below)
 *    is rejected. A rejected order does not trade (the plan's executor
 *    returns None when the order is cancelled) — whatever the fallback.
 *  - Resting. The order rests during [arrival, arrival + timeoutMs). Which
 *    prints fill it is the FILL MODEL's assumption (below). A maker fill is
 *    at the limit price, in full (no partial fills; the order is assumed
 *    small next to the prints — hftbacktest's NoPartialFillExchange).
 *  - Timeout. At arrival + timeoutMs the order is cancelled. Fallback
 *    'taker': a market order fills at the first print at or after that time
 *    (the engine's taker convention: a print's price, no extra spread), as
 *    taker. Fallback 'cancel': no trade. When the tape ends first the order
 *    is 'cancelled' with `censored: true`.
 *
 * Fill models, one interface (`MakerFillModel`), named for their assumption:
 *  - `TradeThroughFill` (default, conservative): filled only when a print is
 *    strictly through the limit (a print below a buy limit). A print AT the
 *    limit may have filled others ahead of us, so it does not count.
 *  - `TouchFill` (optimistic bound): a print at or through the limit fills.
 *  - `QueueFill` + a queue model (queue.ts) on the reconstructed L2 book: the
 *    order joins behind the displayed size at its price (0 for a new level,
 *    e.g. one better than the book's best), is advanced by prints at its
 *    price and — depending on the queue model — by cancellations; it is
 *    filled by a print at its price that goes past the quantity ahead, or by
 *    any print through its price. Prints advance the queue whatever their
 *    taker side (a print at our bid price while the ask sits there means the
 *    bid level has already emptied). The book's depth stream is batched
 *    (100 ms on spot), so the queue is read from the book as published at
 *    arrival (every depth message with event time ≤ arrival). Unlike
 *    hftbacktest, a book that crosses the limit without a print does not
 *    fill the order (only prints do).
 *    Because a trade-through also fills a queue order, and a queue fill
 *    needs a print at or through the limit, per order:
 *      touch fill time ≤ queue fill time ≤ trade-through fill time,
 *    so fill rates are ordered trade-through ≤ queue ≤ touch by
 *    construction; the queue model says where in that band reality sits.
 *
 * `simulateMakerEntry` is the one-order entry point the backtest engine uses
 * for maker entries (`edgelab backtest --execution maker`, or
 * `engine.execution.mode: "maker"`; see execution/maker-entry.ts). The engine
 * runs trades-only models; the L2 queue models need the book and stay in
 * `edgelab maker-sim`.
 */
import type { Liquidity } from '../core/ledger';
import type { DepthDiffTape } from '../data/readers/binance-capture';
import { lastAtOrBefore, lowerBound, type QuoteTape, type TradeTape } from '../data/tape';
import {
  ProbQueue,
  RiskAverseQueue,
  buildBookLevels,
  firstRowAfter,
  inferTickSize,
  levelRows,
  tickPrice,
  toTick,
  type BookLevels,
  type QueueModel,
  type QueueModelName,
} from './queue';

export type MakerStatus = 'filled' | 'taker-fallback' | 'cancelled' | 'rejected';
export type MakerFallback = 'taker' | 'cancel';
export type FillModelName = 'trade-through' | 'touch' | 'queue';

/** Quantities closer than this to zero count as zero (float noise from summing decimal sizes). */
const QTY_EPS = 1e-9;

// ───────────────────────────── fill models ─────────────────────────────

/** A limit order resting at the exchange. */
export interface RestingOrder {
  /** +1 buy (rests on the bid), −1 sell. */
  readonly side: 1 | -1;
  /** Limit price as an integer index on the tick grid. */
  readonly limitTick: number;
  /** Arrival time at the exchange (ms). */
  readonly placedTime: number;
}

/** One order's fill state, created by a fill model when the order arrives. */
export interface OrderFillTracker {
  /** A print at `priceTick` of `amount` while the order rests; true when it fills the order. */
  trade(priceTick: number, amount: number): boolean;
  /** The displayed size at the order's own price level changed (queue models; others ignore it). */
  depth(prevQty: number, newQty: number): void;
  /** Estimated quantity ahead in the queue (NaN for models without a queue). */
  readonly queueAhead: number;
}

/** When a resting limit order counts as filled. Implementations are named for that assumption. */
export interface MakerFillModel {
  readonly name: FillModelName;
  /** Name with its parameters, e.g. `queue(prob(n=2))`. */
  readonly label: string;
  readonly assumption: string;
  /** True when the model reads the L2 book (queue position). */
  readonly needsBook: boolean;
  /** The order arrives; `displayedQty` = size shown at its price then (NaN when the model needs no book). */
  open(order: RestingOrder, displayedQty: number): OrderFillTracker;
}

class PriceTracker implements OrderFillTracker {
  constructor(
    private readonly side: 1 | -1,
    private readonly limitTick: number,
    private readonly inclusive: boolean,
  ) {}
  trade(priceTick: number): boolean {
    const through = this.side * (this.limitTick - priceTick); // > 0: through the limit, 0: at it
    return this.inclusive ? through >= 0 : through > 0;
  }
  depth(): void {}
  get queueAhead(): number {
    return NaN;
  }
}

/** Filled only when a print is strictly through the limit (the conservative default). */
export class TradeThroughFill implements MakerFillModel {
  readonly name = 'trade-through' as const;
  readonly label = 'trade-through';
  readonly assumption = 'filled only by a print strictly through the limit (a print at the limit may have gone to orders ahead)';
  readonly needsBook = false;
  open(order: RestingOrder): OrderFillTracker {
    return new PriceTracker(order.side, order.limitTick, false);
  }
}

/** Filled by any print at or through the limit (an optimistic upper bound). */
export class TouchFill implements MakerFillModel {
  readonly name = 'touch' as const;
  readonly label = 'touch';
  readonly assumption = 'filled by any print at or through the limit (as if always first in the queue): an optimistic bound';
  readonly needsBook = false;
  open(order: RestingOrder): OrderFillTracker {
    return new PriceTracker(order.side, order.limitTick, true);
  }
}

class QueueTracker<S> implements OrderFillTracker {
  private readonly state: S;
  constructor(
    private readonly queue: QueueModel<S>,
    private readonly side: 1 | -1,
    private readonly limitTick: number,
    displayedQty: number,
  ) {
    this.state = queue.join(displayedQty);
  }
  trade(priceTick: number, amount: number): boolean {
    const through = this.side * (this.limitTick - priceTick);
    if (through > 0) return true;
    if (through < 0) return false;
    this.queue.trade(this.state, amount);
    return this.queue.ahead(this.state) < -QTY_EPS;
  }
  depth(prevQty: number, newQty: number): void {
    this.queue.depth(this.state, prevQty, newQty);
  }
  get queueAhead(): number {
    return this.queue.ahead(this.state);
  }
}

/**
 * Queue position on the L2 book: filled when a print at the limit goes past
 * the quantity ahead (estimated by `queue`), or by any print through it.
 */
export class QueueFill<S> implements MakerFillModel {
  readonly name = 'queue' as const;
  readonly label: string;
  readonly assumption: string;
  readonly needsBook = true;
  constructor(readonly queue: QueueModel<S>) {
    this.label = `queue(${queue.label})`;
    this.assumption = `joins behind the displayed size at its price; filled when prints at the price go past the size ahead, or by any print through it; ${queue.assumption}`;
  }
  open(order: RestingOrder, displayedQty: number): OrderFillTracker {
    if (!(displayedQty >= 0)) throw new RangeError(`QueueFill needs the displayed size at the limit, got ${displayedQty}`);
    return new QueueTracker(this.queue, order.side, order.limitTick, displayedQty);
  }
}

export interface FillModelSpec {
  model: FillModelName;
  /** Queue model for `queue` (default risk-averse). */
  queue?: QueueModelName;
  /** Power n of the prob queue's f(x) = x^n (default 2). */
  power?: number;
}

/** A fill model from its name (CLI / config). */
export function makeFillModel(spec: FillModelSpec | FillModelName): MakerFillModel {
  const s: FillModelSpec = typeof spec === 'string' ? { model: spec } : spec;
  switch (s.model) {
    case 'trade-through':
      return new TradeThroughFill();
    case 'touch':
      return new TouchFill();
    case 'queue':
      return (s.queue ?? 'risk-averse') === 'prob' ? new QueueFill(new ProbQueue(s.power ?? 2)) : new QueueFill(new RiskAverseQueue());
    default:
      throw new RangeError(`unknown fill model '${String((s as { model: unknown }).model)}' (trade-through, touch, queue)`);
  }
}

// ───────────────────────────── market view ─────────────────────────────

/** Everything the simulator reads: trades, optional top of book, optional L2 history, the tick grid. */
export interface MarketView {
  readonly trades: TradeTape;
  /** Best bid/ask for the current price, the post-only check and markouts (null: trades only). */
  readonly quotes: QuoteTape | null;
  /** Where `quotes` come from. */
  readonly quoteSource: 'quotes' | 'book' | 'none';
  /** L2 level history (needed by queue models). */
  readonly book: BookLevels | null;
  readonly tick: number;
}

/**
 * Assemble a market view. `tickSize` defaults to the grid inferred from the
 * trade prices (and the depth snapshot). Quotes default to the book's own
 * best bid/ask when only depth is given.
 */
export function makeMarketView(
  trades: TradeTape,
  opts: { quotes?: QuoteTape | null; depth?: DepthDiffTape | null; book?: BookLevels | null; tickSize?: number } = {},
): MarketView {
  const snap = opts.depth?.snapshots[0];
  const tick =
    opts.tickSize ?? opts.book?.tick ?? (snap ? inferTickSize(trades.price, snap.bidPrice, snap.askPrice) : inferTickSize(trades.price));
  if (!(tick > 0 && Number.isFinite(tick))) throw new RangeError(`tickSize must be > 0, got ${tick}`);
  const book = opts.book ?? (opts.depth ? buildBookLevels(opts.depth, { tick }) : null);
  if (book && Math.abs(book.tick - tick) > 1e-12 * tick) throw new RangeError(`the book's tick ${book.tick} differs from the tick ${tick}`);
  const quotes = opts.quotes && opts.quotes.length > 0 ? opts.quotes : book && book.quotes.length > 0 ? book.quotes : null;
  return {
    trades,
    quotes,
    quoteSource: quotes === null ? 'none' : quotes === book?.quotes ? 'book' : 'quotes',
    book,
    tick,
  };
}

const viewCache = new WeakMap<TradeTape, MarketView>();

function asMarket(x: TradeTape | MarketView): MarketView {
  if ('kind' in x && x.kind === 'trades') {
    let v = viewCache.get(x);
    if (!v) {
      v = makeMarketView(x);
      viewCache.set(x, v);
    }
    return v;
  }
  return x as MarketView;
}

function validQuote(q: QuoteTape, i: number): boolean {
  const b = q.bidPrice[i];
  const a = q.askPrice[i];
  return i >= 0 && b > 0 && a > 0 && a > b;
}

/** Mid price at time t (latest quote ≤ t; the latest print when there are no quotes); NaN outside the data. */
export function midAt(market: MarketView, t: number): number {
  const q = market.quotes;
  const tr = market.trades;
  const end = Math.max(tr.length ? tr.time[tr.length - 1] : -Infinity, q && q.length ? q.time[q.length - 1] : -Infinity);
  if (t > end) return NaN;
  if (q) {
    const i = lastAtOrBefore(q.time, t);
    if (i >= 0 && validQuote(q, i)) return (q.bidPrice[i] + q.askPrice[i]) / 2;
  }
  const j = lastAtOrBefore(tr.time, t);
  return j >= 0 ? tr.price[j] : NaN;
}

// ───────────────────────────── one order ─────────────────────────────

export interface MakerParams {
  /** Distance from the current price, in PERCENT (0.02 = 0.02%). Negative = inside / through. */
  offsetPct: number;
  /** How long the order rests before it is cancelled (ms). */
  timeoutMs: number;
  /** After the timeout: take as market ('taker', the plan) or give up ('cancel'). */
  fallback: MakerFallback;
  /** Decision → arrival at the exchange (ms). */
  latencyMs: number;
}

/** The plan's Phase 4 settings: 0.02% away, 30 s, then market. */
export const PLAN_MAKER_PARAMS: Readonly<MakerParams> = Object.freeze({ offsetPct: 0.02, timeoutMs: 30_000, fallback: 'taker', latencyMs: 0 });

export function validateMakerParams(p: MakerParams): void {
  if (!(Number.isFinite(p.offsetPct) && Math.abs(p.offsetPct) < 50)) throw new RangeError(`offsetPct must be a percent in (−50, 50), got ${p.offsetPct}`);
  if (!(Number.isFinite(p.timeoutMs) && p.timeoutMs >= 0)) throw new RangeError(`timeoutMs must be ≥ 0, got ${p.timeoutMs}`);
  if (!(Number.isFinite(p.latencyMs) && p.latencyMs >= 0)) throw new RangeError(`latencyMs must be ≥ 0, got ${p.latencyMs}`);
  if (p.fallback !== 'taker' && p.fallback !== 'cancel') throw new RangeError(`fallback must be 'taker' or 'cancel', got '${String(p.fallback)}'`);
}

export interface MakerOrderOutcome {
  decisionRow: number;
  side: 1 | -1;
  decisionTime: number;
  /** Arrival at the exchange (decision time + latency). */
  placedTime: number;
  /** The "current price" the limit was set from, and where it came from. */
  refPrice: number;
  refSource: 'mid' | 'book-mid' | 'last-trade';
  limitPrice: number;
  limitTick: number;
  /** placedTime + timeoutMs: when the order is cancelled if still open. */
  deadline: number;
  status: MakerStatus;
  /** Row of the filling print (maker or taker fallback), −1 when none. */
  fillRow: number;
  fillTime: number;
  fillPrice: number;
  liquidity: Liquidity | null;
  /** First print at or after the deadline (the fallback's print), −1 when the tape ends first. */
  deadlineRow: number;
  /** True when the tape ended before the order's life did (no fallback print). */
  censored: boolean;
  /** Queue models: displayed size ahead when the order joined, and the estimate at fill/cancel. */
  queueAheadAtJoin: number;
  queueAheadAtEnd: number;
}

/**
 * Simulate one post-only order decided on trade row `decisionRow`. See the
 * module comment for every convention. Throws RangeError for a bad row or
 * parameters, and when a queue model is asked for an order placed before the
 * book is known (`market.book.readyTime`).
 */
export function simulateMakerOrder(
  market: MarketView,
  decisionRow: number,
  side: 1 | -1,
  params: MakerParams,
  model: MakerFillModel = new TradeThroughFill(),
): MakerOrderOutcome {
  validateMakerParams(params);
  const { trades, tick } = market;
  const n = trades.length;
  if (!(Number.isInteger(decisionRow) && decisionRow >= 0 && decisionRow < n)) {
    throw new RangeError(`decisionRow must be a row of the tape (0..${n - 1}), got ${decisionRow}`);
  }
  if (side !== 1 && side !== -1) throw new RangeError(`side must be +1 or −1, got ${String(side)}`);
  const time = trades.time;
  const price = trades.price;
  const decisionTime = time[decisionRow];
  const placedTime = decisionTime + params.latencyMs;
  const deadline = placedTime + params.timeoutMs;
  const q = market.quotes;

  // Current price.
  let refPrice = price[decisionRow];
  let refSource: MakerOrderOutcome['refSource'] = 'last-trade';
  if (q) {
    const qi = lastAtOrBefore(q.time, decisionTime);
    if (validQuote(q, qi)) {
      refPrice = (q.bidPrice[qi] + q.askPrice[qi]) / 2;
      refSource = market.quoteSource === 'book' ? 'book-mid' : 'mid';
    }
  }
  const raw = (refPrice * (1 - (side * params.offsetPct) / 100)) / tick;
  const limitTick = side > 0 ? Math.floor(raw + 1e-9) : Math.ceil(raw - 1e-9);
  const limitPrice = tickPrice(limitTick, tick);

  // First print that can reach the order: after the decision row, at or after arrival.
  const j0 = Math.max(decisionRow + 1, lowerBound(time, placedTime));
  const fIdx = Math.max(j0, lowerBound(time, deadline));
  const deadlineRow = fIdx < n ? fIdx : -1;
  const base = {
    decisionRow,
    side,
    decisionTime,
    placedTime,
    refPrice,
    refSource,
    limitPrice,
    limitTick,
    deadline,
    deadlineRow,
  };

  // Post-only check at arrival.
  let rejected: boolean;
  const qa = q ? lastAtOrBefore(q.time, placedTime) : -1;
  if (q && validQuote(q, qa)) {
    rejected = side > 0 ? limitTick >= toTick(q.askPrice[qa], tick) : limitTick <= toTick(q.bidPrice[qa], tick);
  } else {
    // The last print before arrival (prints at the arrival ms on later rows count as after it, as for fills).
    const lastRow = Math.max(decisionRow, lowerBound(time, placedTime) - 1);
    rejected = side * (limitTick - toTick(price[lastRow], tick)) > 0;
  }
  if (rejected) {
    return {
      ...base,
      status: 'rejected',
      fillRow: -1,
      fillTime: NaN,
      fillPrice: NaN,
      liquidity: null,
      censored: deadlineRow < 0,
      queueAheadAtJoin: NaN,
      queueAheadAtEnd: NaN,
    };
  }

  // Queue position at arrival and the level's later changes.
  let displayed = NaN;
  let k = 0;
  let kEnd = 0;
  const book = market.book;
  if (model.needsBook) {
    if (!book) throw new RangeError(`the ${model.label} fill model needs the L2 book (depth snapshot + diffs)`);
    if (!(placedTime >= book.readyTime)) {
      throw new RangeError(`order placed at ${new Date(placedTime).toISOString()}, before the book is known (${new Date(book.readyTime).toISOString()})`);
    }
    const [from, to] = levelRows(book, side, limitTick);
    k = firstRowAfter(book, from, to, placedTime);
    kEnd = to;
    displayed = k > from ? book.qty[k - 1] : 0;
  }
  const tracker = model.open({ side, limitTick, placedTime }, displayed);
  const queueAheadAtJoin = model.needsBook ? displayed : NaN;

  const amount = trades.amount;
  let j = j0;
  let prevQty = displayed;
  for (;;) {
    const tt = j < n ? time[j] : Infinity;
    const dt = k < kEnd && book ? book.time[k] : Infinity;
    if (tt >= deadline && dt >= deadline) break;
    if (tt <= dt) {
      // Trades before depth at equal times: a depth message reports what the prints already did.
      if (tracker.trade(toTick(price[j], tick), amount[j])) {
        return {
          ...base,
          status: 'filled',
          fillRow: j,
          fillTime: time[j],
          fillPrice: limitPrice,
          liquidity: 'maker',
          censored: false,
          queueAheadAtJoin,
          queueAheadAtEnd: tracker.queueAhead,
        };
      }
      j++;
    } else {
      const next = book!.qty[k];
      tracker.depth(prevQty, next);
      prevQty = next;
      k++;
    }
  }

  if (params.fallback === 'taker' && deadlineRow >= 0) {
    return {
      ...base,
      status: 'taker-fallback',
      fillRow: deadlineRow,
      fillTime: time[deadlineRow],
      fillPrice: price[deadlineRow],
      liquidity: 'taker',
      censored: false,
      queueAheadAtJoin,
      queueAheadAtEnd: tracker.queueAhead,
    };
  }
  return {
    ...base,
    status: 'cancelled',
    fillRow: -1,
    fillTime: NaN,
    fillPrice: NaN,
    liquidity: null,
    censored: deadlineRow < 0,
    queueAheadAtJoin,
    queueAheadAtEnd: tracker.queueAhead,
  };
}

/** What the backtest engine needs from a maker entry. */
export interface MakerEntryFill {
  /** True when the order ended in a position (maker fill or taker fallback). */
  filled: boolean;
  fillRow: number;
  fillPrice: number;
  liquidity: Liquidity | null;
  status: MakerStatus;
  outcome: MakerOrderOutcome;
}

/**
 * The engine-facing entry point: a maker entry decided on `decisionRow`.
 * Give a bare trade tape (trades-only conventions: current price = the
 * decision print, post-only against the last print, tick inferred once and
 * cached per tape) or a `MarketView` with quotes and/or the L2 book.
 * `params` default to the plan's (0.02%, 30 s, taker fallback, no latency);
 * `model` to `TradeThroughFill`.
 */
export function simulateMakerEntry(
  tape: TradeTape | MarketView,
  decisionRow: number,
  side: 1 | -1,
  params: Partial<MakerParams> = {},
  model: MakerFillModel = new TradeThroughFill(),
): MakerEntryFill {
  const outcome = simulateMakerOrder(asMarket(tape), decisionRow, side, { ...PLAN_MAKER_PARAMS, ...params }, model);
  return {
    filled: outcome.fillRow >= 0,
    fillRow: outcome.fillRow,
    fillPrice: outcome.fillPrice,
    liquidity: outcome.liquidity,
    status: outcome.status,
    outcome,
  };
}
