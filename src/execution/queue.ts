/**
 * Queue position of a resting limit order, and the L2 book it is read from.
 *
 * Two parts:
 *
 * 1. Queue models (after hftbacktest's `models/queue.rs`). A queue model
 *    tracks how much displayed quantity is AHEAD of our order at its price
 *    level. It is told about trades at the level and about changes of the
 *    level's displayed size; each model is one assumption about what a
 *    decrease of the displayed size that is not explained by trades (a
 *    cancellation) means for us:
 *      - `RiskAverseQueue` — cancellations never advance us (hftbacktest's
 *        RiskAdverseQueueModel). Only trades at the level do. The one forced
 *        exception: the quantity ahead can never exceed the level's displayed
 *        size, so when the level shrinks below it the estimate is clamped.
 *      - `ProbQueue` — a cancellation of size c comes from ahead of us with
 *        probability f(front) / (f(front) + f(back)), f(x) = x^n
 *        (hftbacktest's ProbQueueModel with PowerProbQueueFunc(n)). The
 *        update is deterministic: the EXPECTED advance, no random draws.
 *        Trades at the level since the last depth change are subtracted from
 *        the next decrease, so a trade is not counted twice (once as a trade,
 *        once as the size it removed).
 *    Per-order state is a typed object the model creates (`join`) and
 *    updates; nothing is stored untyped or downcast.
 *
 * 2. `buildBookLevels`: the L2 book reconstructed from a Binance capture
 *    (REST snapshot + diff stream), stored columnar as the history of every
 *    price level — (event time, new quantity) rows grouped by level — so
 *    "displayed size at price P at time t" and "changes at P between t0 and
 *    t1" are binary searches, and many orders can be simulated independently
 *    without replaying the book per order. Synchronisation follows Binance's
 *    rules (see `buildBookLevels`).
 */
import type { DepthDiffTape } from '../data/readers/binance-capture';
import { makeQuoteTape, type QuoteTape } from '../data/tape';

// ───────────────────────────── queue models ─────────────────────────────

export type QueueModelName = 'risk-averse' | 'prob';

/** One assumption about queue position. `S` is the model's per-order state. */
export interface QueueModel<S> {
  readonly name: QueueModelName;
  /** Label with parameters, e.g. `prob(n=2)`. */
  readonly label: string;
  /** What the model assumes, in one sentence. */
  readonly assumption: string;
  /** Our order joins a level showing `displayedQty` (all of it is ahead of us). */
  join(displayedQty: number): S;
  /** A trade of `qty` printed at our level. */
  trade(state: S, qty: number): void;
  /** The level's displayed size changed from `prevQty` to `newQty` (our order is not in the data). */
  depth(state: S, prevQty: number, newQty: number): void;
  /** Estimated quantity ahead of us; negative once trades at the level went past us. */
  ahead(state: S): number;
}

export interface RiskAverseQueueState {
  ahead: number;
}

/**
 * Cancellations never advance the order: only trades at the level do
 * (hftbacktest's RiskAdverseQueueModel). The quantity ahead is clamped to the
 * level's displayed size, the one thing a shrinking level forces.
 */
export class RiskAverseQueue implements QueueModel<RiskAverseQueueState> {
  readonly name = 'risk-averse' as const;
  readonly label = 'risk-averse';
  readonly assumption = 'queue position advances only by trades at the level; cancellations are assumed to come from behind (ahead ≤ displayed size is the only clamp)';
  join(displayedQty: number): RiskAverseQueueState {
    return { ahead: Math.max(0, displayedQty) };
  }
  trade(s: RiskAverseQueueState, qty: number): void {
    s.ahead -= qty;
  }
  depth(s: RiskAverseQueueState, _prevQty: number, newQty: number): void {
    s.ahead = Math.min(s.ahead, newQty);
  }
  ahead(s: RiskAverseQueueState): number {
    return s.ahead;
  }
}

export interface ProbQueueState {
  ahead: number;
  /** Trades at the level since the last depth change (subtracted from the next decrease). */
  tradedSinceDepth: number;
}

/** Probability that a cancellation at the level comes from AHEAD of us: f(front)/(f(front)+f(back)), f(x)=x^n. */
export function powerProbAhead(front: number, back: number, n: number): number {
  const ff = Math.pow(Math.max(0, front), n);
  const fb = Math.pow(Math.max(0, back), n);
  const p = ff / (ff + fb);
  return Number.isFinite(p) ? p : front > 0 ? 1 : 0;
}

/**
 * A cancellation advances the order with probability f(front)/(f(front)+f(back)),
 * f(x) = x^n (hftbacktest's ProbQueueModel + PowerProbQueueFunc(n)); the
 * state moves by the expected advance. n = 1: proportional to the size
 * ahead; larger n: cancellations concentrate on the longer side of us.
 */
export class ProbQueue implements QueueModel<ProbQueueState> {
  readonly name = 'prob' as const;
  readonly label: string;
  readonly assumption: string;
  constructor(readonly power = 2) {
    if (!(Number.isFinite(power) && power > 0)) throw new RangeError(`ProbQueue power must be > 0, got ${power}`);
    this.label = `prob(n=${power})`;
    this.assumption =
      `a cancellation of size c at the level advances the order by c·f(front)/(f(front)+f(back)), f(x)=x^${power} ` +
      '(expected value of hftbacktest’s power prob queue); trades at the level are not double-counted as cancellations';
  }
  join(displayedQty: number): ProbQueueState {
    return { ahead: Math.max(0, displayedQty), tradedSinceDepth: 0 };
  }
  trade(s: ProbQueueState, qty: number): void {
    s.ahead -= qty;
    s.tradedSinceDepth += qty;
  }
  depth(s: ProbQueueState, prevQty: number, newQty: number): void {
    const chg = prevQty - newQty - s.tradedSinceDepth;
    s.tradedSinceDepth = 0;
    if (chg < 0) {
      // The level grew (beyond what trades took): newcomers join behind us.
      s.ahead = Math.min(s.ahead, newQty);
      return;
    }
    const front = s.ahead;
    const back = prevQty - front;
    const pAhead = powerProbAhead(front, back, this.power);
    // Expected part of the cancellation from ahead, plus whatever the back cannot absorb.
    const est = front - pAhead * chg + Math.min(back - (1 - pAhead) * chg, 0);
    s.ahead = Math.min(est, newQty);
  }
  ahead(s: ProbQueueState): number {
    return s.ahead;
  }
}

// ───────────────────────────── tick grid ─────────────────────────────

/**
 * The price grid: the coarsest power of ten on which every given price lies
 * (0.01 for Binance spot BTCUSDT, 0.1 for USD-M). Finer exchange ticks that
 * are not powers of ten (0.5, 0.25) give a finer grid, which is harmless.
 */
export function inferTickSize(...priceArrays: ArrayLike<number>[]): number {
  for (let d = -4; d <= 10; d++) {
    const tick = Math.pow(10, -d);
    let ok = true;
    let any = false;
    for (const prices of priceArrays) {
      // A strided sample is enough and keeps this O(1000) per array.
      const step = Math.max(1, Math.floor(prices.length / 4000));
      for (let i = 0; i < prices.length && ok; i += step) {
        const p = prices[i];
        if (!(p > 0)) continue;
        any = true;
        const k = p / tick;
        if (Math.abs(k - Math.round(k)) > 1e-6) ok = false;
      }
      if (!ok) break;
    }
    if (ok && any) return tick;
  }
  return 1e-10;
}

/** Integer tick index of a price (nearest grid point). */
export function toTick(price: number, tick: number): number {
  return Math.round(price / tick);
}

/** Decimal places of a tick (0.01 → 2), for printing grid prices without float noise. */
export function tickDecimals(tick: number): number {
  return Math.max(0, Math.min(12, Math.ceil(-Math.log10(tick) - 1e-9)));
}

/** The price of a tick index, rounded to the tick's decimals. */
export function tickPrice(tickIndex: number, tick: number): number {
  return Number((tickIndex * tick).toFixed(tickDecimals(tick)));
}

// ───────────────────────────── book levels ─────────────────────────────

/** What the reconstruction did, for summaries and checks. */
export interface BookStats {
  /** Depth messages in the tape. */
  messages: number;
  /** Messages applied to the book. */
  applied: number;
  /** Messages dropped because the snapshot already contains them (u ≤ lastUpdateId). */
  dropped: number;
  /** Sequence breaks among applied messages (spot: U ≠ previous u + 1; futures: pu ≠ previous u). */
  gaps: number;
  /** Applied messages after which best bid ≥ best ask. */
  crossed: number;
  /** Message times that went backwards and were clamped to the previous time. */
  timeClamped: number;
  snapshotLastUpdateId: number;
  /** Distinct (side, price) levels in the history. */
  levels: number;
  /** 'spot' (U/u continuity) or 'futures' (pu continuity). */
  sequencing: 'spot' | 'futures';
}

/**
 * The reconstructed book as the history of every price level, columnar.
 * Level `id` owns rows `start[id] .. start[id+1]-1` of `time`/`qty`, in time
 * order; the first row of a level present in the snapshot has time −∞.
 * Levels are keyed by `side × tickIndex` (bids positive, asks negative).
 */
export interface BookLevels {
  readonly tick: number;
  /** Event time of the first applied diff: the book is known from here on. */
  readonly readyTime: number;
  /** Event time of the last applied diff. */
  readonly endTime: number;
  readonly levelId: ReadonlyMap<number, number>;
  readonly start: Uint32Array;
  readonly time: Float64Array;
  readonly qty: Float64Array;
  /** Best bid/ask after each applied message (a quote tape derived from the book). */
  readonly quotes: QuoteTape;
  readonly stats: BookStats;
}

/** Level key: bids +tick, asks −tick. */
export function levelKey(side: 1 | -1, tickIndex: number): number {
  return side * tickIndex;
}

class GrowF64 {
  a: Float64Array;
  n = 0;
  constructor(cap: number) {
    this.a = new Float64Array(Math.max(16, cap));
  }
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  finish(): Float64Array {
    return this.a.slice(0, this.n);
  }
}

/**
 * Live one-side book for best-price tracking during reconstruction. The best
 * price after a removal is searched tick by tick away from the old best (the
 * next level is almost always within a few ticks), with a full scan as the
 * fallback.
 */
class LiveSide {
  readonly levels = new Map<number, number>();
  best = NaN;
  constructor(private readonly dir: 1 | -1) {}
  set(tickIndex: number, qty: number): void {
    if (qty > 0) {
      this.levels.set(tickIndex, qty);
      if (!(this.best === this.best) || this.dir * (tickIndex - this.best) > 0) this.best = tickIndex;
      return;
    }
    if (!this.levels.delete(tickIndex) || tickIndex !== this.best) return;
    if (this.levels.size === 0) {
      this.best = NaN;
      return;
    }
    let k = tickIndex;
    for (let steps = 0; steps < 4096; steps++) {
      k -= this.dir;
      if (this.levels.has(k)) {
        this.best = k;
        return;
      }
    }
    let best = NaN;
    for (const key of this.levels.keys()) if (!(best === best) || this.dir * (key - best) > 0) best = key;
    this.best = best;
  }
  qtyAtBest(): number {
    return this.best === this.best ? (this.levels.get(this.best) ?? 0) : NaN;
  }
}

/**
 * Rebuild the L2 book from a Binance capture's REST snapshot and diff stream
 * (loadBinanceCapture(...).depth), following Binance's "manage a local order
 * book" procedure:
 *  - diffs received before the snapshot are buffered — here the whole diff
 *    tape is available, so "buffered" simply means they are not discarded
 *    for arriving early: only their update ids decide;
 *  - a message already contained in the snapshot is dropped: spot u ≤
 *    lastUpdateId, futures u < lastUpdateId;
 *  - the rest are applied in order (qty 0 removes the level); continuity is
 *    checked (spot U = previous u + 1, futures pu = previous u) and breaks are
 *    counted in `stats.gaps` (0 on every hftbacktest capture pair).
 * Uses the first snapshot (the second file of a day pair has none).
 * `tick` defaults to the grid inferred from the snapshot prices.
 */
export function buildBookLevels(depth: DepthDiffTape, opts: { tick?: number } = {}): BookLevels {
  const snap = depth.snapshots[0];
  if (!snap) throw new RangeError(`${depth.source.file}: the capture has no REST depth snapshot; the L2 book cannot be reconstructed`);
  const tick = opts.tick ?? inferTickSize(snap.bidPrice, snap.askPrice, depth.price);
  const S = snap.lastUpdateId;
  let futures = false;
  for (let i = 0; i < Math.min(depth.length, 64); i++) if (depth.prevUpdateId[i] === depth.prevUpdateId[i]) futures = true;

  // Raw change rows (key, time, qty): snapshot levels first (time −∞), then applied diffs.
  const keys = new GrowF64(snap.bidPrice.length + snap.askPrice.length + depth.length);
  const times = new GrowF64(keys.a.length);
  const qtys = new GrowF64(keys.a.length);
  const bids = new LiveSide(1);
  const asks = new LiveSide(-1);
  const push = (side: 1 | -1, t: number, price: number, q: number) => {
    const ti = toTick(price, tick);
    keys.push(levelKey(side, ti));
    times.push(t);
    qtys.push(q);
    (side > 0 ? bids : asks).set(ti, q);
  };
  for (let i = 0; i < snap.bidPrice.length; i++) push(1, -Infinity, snap.bidPrice[i], snap.bidQty[i]);
  for (let i = 0; i < snap.askPrice.length; i++) push(-1, -Infinity, snap.askPrice[i], snap.askQty[i]);

  const qTime = new GrowF64(depth.messages + 1);
  const qBid = new GrowF64(depth.messages + 1);
  const qBidSize = new GrowF64(depth.messages + 1);
  const qAsk = new GrowF64(depth.messages + 1);
  const qAskSize = new GrowF64(depth.messages + 1);

  let messages = 0;
  let applied = 0;
  let dropped = 0;
  let gaps = 0;
  let crossed = 0;
  let timeClamped = 0;
  let prevU = NaN; // u of the previous applied message
  let lastT = -Infinity;
  let readyTime = NaN;
  const n = depth.length;
  let i = 0;
  while (i < n) {
    // One message = consecutive rows sharing (U, u).
    const U = depth.firstUpdateId[i];
    const u = depth.lastUpdateId[i];
    let j = i + 1;
    while (j < n && depth.lastUpdateId[j] === u && depth.firstUpdateId[j] === U) j++;
    messages++;
    const stale = futures ? u < S : u <= S;
    if (stale) {
      dropped++;
      i = j;
      continue;
    }
    if (applied === 0) {
      const first = futures ? U <= S && u >= S : U <= S + 1 && u >= S + 1;
      if (!first) gaps++;
    } else {
      const cont = futures ? depth.prevUpdateId[i] === prevU : U === prevU + 1;
      if (!cont) gaps++;
    }
    let t = depth.time[i];
    if (t < lastT) {
      t = lastT;
      timeClamped++;
    }
    lastT = t;
    if (applied === 0) readyTime = t;
    for (let r = i; r < j; r++) push(depth.side[r] > 0 ? 1 : -1, t, depth.price[r], depth.qty[r]);
    applied++;
    prevU = u;
    const bb = bids.best;
    const ba = asks.best;
    if (bb === bb && ba === ba && bb >= ba) crossed++;
    qTime.push(t);
    qBid.push(bb === bb ? tickPrice(bb, tick) : NaN);
    qBidSize.push(bids.qtyAtBest());
    qAsk.push(ba === ba ? tickPrice(ba, tick) : NaN);
    qAskSize.push(asks.qtyAtBest());
    i = j;
  }

  // Group rows by level (counting sort on dense level ids; stable, so time order is kept).
  const m = keys.n;
  const levelId = new Map<number, number>();
  const ids = new Uint32Array(m);
  for (let r = 0; r < m; r++) {
    const k = keys.a[r];
    let id = levelId.get(k);
    if (id === undefined) {
      id = levelId.size;
      levelId.set(k, id);
    }
    ids[r] = id;
  }
  const L = levelId.size;
  const start = new Uint32Array(L + 1);
  for (let r = 0; r < m; r++) start[ids[r] + 1]++;
  for (let l = 0; l < L; l++) start[l + 1] += start[l];
  const fill = start.slice(0, L);
  const time = new Float64Array(m);
  const qty = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    const at = fill[ids[r]]++;
    time[at] = times.a[r];
    qty[at] = qtys.a[r];
  }

  return {
    tick,
    readyTime,
    endTime: lastT,
    levelId,
    start,
    time,
    qty,
    quotes: makeQuoteTape({
      time: qTime.finish(),
      bidPrice: qBid.finish(),
      bidSize: qBidSize.finish(),
      askPrice: qAsk.finish(),
      askSize: qAskSize.finish(),
      source: { ...depth.source, format: 'book-from-depth' },
    }),
    stats: {
      messages,
      applied,
      dropped,
      gaps,
      crossed,
      timeClamped,
      snapshotLastUpdateId: S,
      levels: L,
      sequencing: futures ? 'futures' : 'spot',
    },
  };
}

/** Row range [from, to) of a level's history; [0, 0) when the level never appears. */
export function levelRows(book: BookLevels, side: 1 | -1, tickIndex: number): [number, number] {
  const id = book.levelId.get(levelKey(side, tickIndex));
  return id === undefined ? [0, 0] : [book.start[id], book.start[id + 1]];
}

/** First row in [from, to) whose time is > t (rows are time-sorted). */
export function firstRowAfter(book: BookLevels, from: number, to: number, t: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (book.time[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Displayed size at (side, price tick) as published at time t (all messages with event time ≤ t); 0 when absent. */
export function levelQtyAt(book: BookLevels, side: 1 | -1, tickIndex: number, t: number): number {
  const [from, to] = levelRows(book, side, tickIndex);
  const k = firstRowAfter(book, from, to, t);
  return k > from ? book.qty[k - 1] : 0;
}
