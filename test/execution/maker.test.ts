/**
 * Maker entries on hand-built tapes whose fills are known: the fill models
 * (trade-through, touch, queue with risk-averse / prob queues), post-only
 * rejection, timeout → taker fallback, and the L2 book reconstruction.
 */
import { describe, expect, it } from 'vitest';
import { makeQuoteTape, makeTradeTape } from '../../src/data/tape';
import type { DepthDiffTape } from '../../src/data/readers/binance-capture';
import {
  PLAN_MAKER_PARAMS,
  QueueFill,
  TouchFill,
  TradeThroughFill,
  makeFillModel,
  makeMarketView,
  simulateMakerEntry,
  simulateMakerOrder,
  type MakerParams,
} from '../../src/execution/maker';
import {
  ProbQueue,
  RiskAverseQueue,
  buildBookLevels,
  inferTickSize,
  levelQtyAt,
  powerProbAhead,
  tickPrice,
} from '../../src/execution/queue';

const T0 = Date.UTC(2024, 0, 1);
const at = (s: number) => T0 + s * 1000;
const PARAMS: MakerParams = { ...PLAN_MAKER_PARAMS }; // 0.02%, 30 s, taker fallback, no latency

/** Prints at (seconds, price[, amount]); amount defaults to 1. */
function prints(rows: [number, number, number?][]) {
  return makeTradeTape({
    time: rows.map(([s]) => at(s)),
    price: rows.map(([, p]) => p),
    amount: rows.map(([, , a]) => a ?? 1),
    side: rows.map(() => -1),
  });
}

type Levels = [number, number][];
interface Msg {
  s: number;
  U: number;
  u: number;
  pu?: number;
  bids?: Levels;
  asks?: Levels;
}

/** A depth tape: the REST snapshot plus diff messages in receive order. */
function depthTape(snapshot: { lastUpdateId: number; bids: Levels; asks: Levels }, msgs: Msg[]): DepthDiffTape {
  const rows: { t: number; side: number; p: number; q: number; U: number; u: number; pu: number }[] = [];
  for (const m of msgs) {
    for (const [p, q] of m.bids ?? []) rows.push({ t: at(m.s), side: 1, p, q, U: m.U, u: m.u, pu: m.pu ?? NaN });
    for (const [p, q] of m.asks ?? []) rows.push({ t: at(m.s), side: -1, p, q, U: m.U, u: m.u, pu: m.pu ?? NaN });
  }
  const f = (k: 't' | 'p' | 'q' | 'U' | 'u' | 'pu') => Float64Array.from(rows.map((r) => r[k]));
  return {
    kind: 'depth',
    length: rows.length,
    time: f('t'),
    localTime: f('t'),
    side: Int8Array.from(rows.map((r) => r.side)),
    price: f('p'),
    qty: f('q'),
    firstUpdateId: f('U'),
    lastUpdateId: f('u'),
    prevUpdateId: f('pu'),
    messages: msgs.length,
    snapshots: [
      {
        line: 1,
        file: 'hand',
        localTime: at(-10),
        exchangeTime: NaN,
        lastUpdateId: snapshot.lastUpdateId,
        bidPrice: Float64Array.from(snapshot.bids.map((l) => l[0])),
        bidQty: Float64Array.from(snapshot.bids.map((l) => l[1])),
        askPrice: Float64Array.from(snapshot.asks.map((l) => l[0])),
        askQty: Float64Array.from(snapshot.asks.map((l) => l[1])),
      },
    ],
    source: { file: 'hand', format: 'arrays' },
  };
}

/**
 * Book around 100: bids 99.99 × 1, 99.98 × 3; asks 100.01 × 2 → mid 100.00,
 * so a 0.02% buy rests at 99.98 behind 3. One message before the snapshot
 * (dropped: already in it) and one after (applied; the book is known from −5 s).
 */
function bookAround100(later: Msg[] = []) {
  return depthTape({ lastUpdateId: 10, bids: [[99.99, 1], [99.98, 3]], asks: [[100.01, 2]] }, [
    { s: -20, U: 9, u: 10, asks: [[100.05, 7]] },
    { s: -5, U: 11, u: 11, asks: [[100.02, 1]] },
    ...later,
  ]);
}

const TT = new TradeThroughFill();
const TOUCH = new TouchFill();
const RA = new QueueFill(new RiskAverseQueue());
const PROB = new QueueFill(new ProbQueue(2));

describe('placing the order', () => {
  it('limit = current price ∓ offset on the tick grid; current price = last print without quotes, mid with quotes', () => {
    const tape = prints([[0, 100], [1, 100.5]]);
    const m = makeMarketView(tape, { tickSize: 0.01 });
    const buy = simulateMakerOrder(m, 0, 1, PARAMS, TT);
    expect(buy.refSource).toBe('last-trade');
    expect(buy.limitPrice).toBe(99.98);
    const sell = simulateMakerOrder(m, 0, -1, PARAMS, TT);
    expect(sell.limitPrice).toBe(100.02);
    // 100.003 × 0.9998 = 99.983 → rounded DOWN for a buy; × 1.0002 = 100.023 → UP for a sell.
    const q = makeQuoteTape({ time: [at(-1)], bidPrice: [99.998], bidSize: [1], askPrice: [100.008], askSize: [1] });
    const mq = makeMarketView(tape, { quotes: q, tickSize: 0.001 });
    const b2 = simulateMakerOrder(mq, 0, 1, PARAMS, TT);
    expect(b2.refSource).toBe('mid');
    expect(b2.refPrice).toBeCloseTo(100.003, 9);
    expect(b2.limitPrice).toBe(99.982);
    expect(simulateMakerOrder(mq, 0, -1, PARAMS, TT).limitPrice).toBe(100.024);
  });

  it('infers the tick grid from prices', () => {
    expect(inferTickSize(Float64Array.from([61837.63, 61837.64, 61800]))).toBe(0.01);
    expect(inferTickSize(Float64Array.from([61800.2, 61800.3]))).toBeCloseTo(0.1, 15);
    expect(inferTickSize(Float64Array.from([100, 250]))).toBe(10);
    expect(tickPrice(6183763, 0.01)).toBe(61837.63);
  });
});

describe('fill models on prints', () => {
  it('a print through the limit fills a buy at its limit, as maker (trade-through and touch alike)', () => {
    const tape = prints([[0, 100], [1, 99.99], [2, 99.97], [3, 99.9]]);
    const m = makeMarketView(tape, { tickSize: 0.01 });
    for (const model of [TT, TOUCH]) {
      const r = simulateMakerOrder(m, 0, 1, PARAMS, model);
      expect(r).toMatchObject({ status: 'filled', fillRow: 2, fillTime: at(2), fillPrice: 99.98, liquidity: 'maker' });
    }
    // ... and a sell symmetrically: 100.02 touched at 1 s, gone through at 2 s.
    const up = makeMarketView(prints([[0, 100], [1, 100.02], [2, 100.03]]), { tickSize: 0.01 });
    expect(simulateMakerOrder(up, 0, -1, PARAMS, TT)).toMatchObject({ status: 'filled', fillRow: 2, fillPrice: 100.02 });
    expect(simulateMakerOrder(up, 0, -1, PARAMS, TOUCH)).toMatchObject({ status: 'filled', fillRow: 1, fillPrice: 100.02 });
  });

  it('a touch only: trade-through does not fill (taker fallback at the first print at/after the deadline), touch does', () => {
    // 99.98 is touched at 1 s; the print AT the 30 s deadline is after the cancel; 99.90 at 31 s is too late.
    const tape = prints([[0, 100], [1, 99.98], [2, 100.01], [30, 100.05], [31, 99.9]]);
    const m = makeMarketView(tape, { tickSize: 0.01 });
    const tt = simulateMakerOrder(m, 0, 1, PARAMS, TT);
    expect(tt).toMatchObject({ status: 'taker-fallback', fillRow: 3, fillTime: at(30), fillPrice: 100.05, liquidity: 'taker', deadline: at(30) });
    expect(simulateMakerOrder(m, 0, 1, PARAMS, TOUCH)).toMatchObject({ status: 'filled', fillRow: 1, fillPrice: 99.98, liquidity: 'maker' });
    // fallback 'cancel': no trade at all.
    const c = simulateMakerOrder(m, 0, 1, { ...PARAMS, fallback: 'cancel' }, TT);
    expect(c).toMatchObject({ status: 'cancelled', fillRow: -1, liquidity: null, deadlineRow: 3, censored: false });
  });

  it('the fallback is censored when the tape ends before the deadline', () => {
    const m = makeMarketView(prints([[0, 100], [5, 100.1]]), { tickSize: 0.01 });
    expect(simulateMakerOrder(m, 0, 1, PARAMS, TT)).toMatchObject({ status: 'cancelled', censored: true, deadlineRow: -1 });
  });

  it('only prints after the decision row and at/after arrival can fill', () => {
    // Offset 0 puts the limit AT the decision print: even a touch model does not fill on that print itself.
    const self = makeMarketView(prints([[0, 99.9], [1, 99.9], [2, 99.8]]), { tickSize: 0.01 });
    expect(simulateMakerOrder(self, 0, 1, { ...PARAMS, offsetPct: 0 }, TOUCH).fillRow).toBe(1);
    expect(simulateMakerOrder(self, 0, 1, { ...PARAMS, offsetPct: 0 }, TT).fillRow).toBe(2);
    // A later row on the same ms is after the decision.
    const same = makeMarketView(prints([[0, 100], [0, 99.97], [1, 99.97]]), { tickSize: 0.01 });
    expect(simulateMakerOrder(same, 0, 1, PARAMS, TT).fillRow).toBe(1);
    // With 100 ms latency, the 99.97 print at 50 ms happens before the order exists.
    const lat = makeMarketView(prints([[0, 100], [0.05, 99.97], [0.08, 100], [0.2, 99.97]]), { tickSize: 0.01 });
    expect(simulateMakerOrder(lat, 0, 1, PARAMS, TT).fillRow).toBe(1);
    expect(simulateMakerOrder(lat, 0, 1, { ...PARAMS, latencyMs: 100 }, TT)).toMatchObject({ fillRow: 3, placedTime: at(0.1) });
  });
});

describe('post-only', () => {
  it('trades only: a limit through the last print is rejected; at it, accepted', () => {
    const m = makeMarketView(prints([[0, 100], [1, 99]]), { tickSize: 0.01 });
    const r = simulateMakerOrder(m, 0, 1, { ...PARAMS, offsetPct: -0.01 }, TT); // buy at 100.01 > 100
    expect(r).toMatchObject({ status: 'rejected', fillRow: -1, liquidity: null, limitPrice: 100.01 });
    expect(simulateMakerOrder(m, 0, -1, { ...PARAMS, offsetPct: -0.01 }, TT).status).toBe('rejected'); // sell at 99.99 < 100
    expect(simulateMakerOrder(m, 0, 1, { ...PARAMS, offsetPct: 0 }, TT).status).toBe('filled'); // buy at 100, then 99 prints
  });

  it('with quotes: rejected when the limit would cross the spread at arrival (the book moved during the latency)', () => {
    const tape = prints([[0, 100], [1, 99.9]]);
    const quotes = makeQuoteTape({
      time: [at(-1), at(0.05)],
      bidPrice: [99.99, 99.96],
      bidSize: [1, 1],
      askPrice: [100.01, 99.98],
      askSize: [1, 1],
    });
    const m = makeMarketView(tape, { quotes, tickSize: 0.01 });
    // Decided on mid 100.00 → buy at 99.98; at arrival (0.1 s) the ask is 99.98: it would take.
    const r = simulateMakerOrder(m, 0, 1, { ...PARAMS, latencyMs: 100 }, TT);
    expect(r).toMatchObject({ status: 'rejected', limitPrice: 99.98, refSource: 'mid' });
    // Without latency the quote at arrival is the decision quote: accepted.
    expect(simulateMakerOrder(m, 0, 1, PARAMS, TT).status).toBe('filled');
    // Even a rejected order is rejected under fallback 'taker' — it does not trade (the plan's executor).
    expect(r.fillRow).toBe(-1);
  });
});

describe('queue fills on the L2 book', () => {
  it('joins behind the displayed size; prints at the price drain the queue before the order fills', () => {
    const tape = prints([[0, 100], [1, 99.98, 1], [2, 99.98, 2], [3, 99.98, 0.5], [4, 99.9]]);
    const m = makeMarketView(tape, { depth: bookAround100(), tickSize: 0.01 });
    expect(m.quoteSource).toBe('book');
    for (const model of [RA, PROB]) {
      const r = simulateMakerOrder(m, 0, 1, PARAMS, model);
      expect(r.refSource).toBe('book-mid');
      expect(r.limitPrice).toBe(99.98);
      expect(r.queueAheadAtJoin).toBe(3);
      // 3 ahead: 1 → 2 left, 2 → 0 left (reached, not passed), the 0.5 print fills us.
      expect(r).toMatchObject({ status: 'filled', fillRow: 3, fillTime: at(3), fillPrice: 99.98, liquidity: 'maker' });
    }
    expect(simulateMakerOrder(m, 0, 1, PARAMS, TOUCH).fillRow).toBe(1);
    expect(simulateMakerOrder(m, 0, 1, PARAMS, TT).fillRow).toBe(4);
  });

  it('a price better than the best bid is a new level: queue 0, the first print at it fills', () => {
    const tape = prints([[0, 100], [1, 99.995, 0.1]]);
    const m = makeMarketView(tape, { depth: bookAround100(), tickSize: 0.001 });
    const r = simulateMakerOrder(m, 0, 1, { ...PARAMS, offsetPct: 0.005 }, RA); // 100 × 0.99995 = 99.995
    expect(r.limitPrice).toBe(99.995);
    expect(r.queueAheadAtJoin).toBe(0);
    expect(r).toMatchObject({ status: 'filled', fillRow: 1 });
  });

  it('a cancellation ahead: risk-averse does not advance, prob advances by the expected share', () => {
    // After arrival: 2 join behind (3 → 5), then 1 is cancelled (5 → 4) with no print; then 2.5 prints at 99.98.
    const depth = bookAround100([
      { s: 1, U: 12, u: 12, bids: [[99.98, 5]] },
      { s: 2, U: 13, u: 13, bids: [[99.98, 4]] },
    ]);
    const tape = prints([[0, 100], [3, 99.98, 2.5], [40, 100]]);
    const m = makeMarketView(tape, { depth, tickSize: 0.01 });
    const ra = simulateMakerOrder(m, 0, 1, PARAMS, RA);
    expect(ra.status).toBe('taker-fallback');
    expect(ra.queueAheadAtEnd).toBeCloseTo(0.5, 12); // 3 − 2.5: the cancel did not move us
    const pb = simulateMakerOrder(m, 0, 1, PARAMS, PROB);
    // front 3, back 2, f(x) = x²: P(ahead) = 9/13 → ahead 3 − 9/13 = 2.3077; the 2.5 print goes past it.
    expect(pb).toMatchObject({ status: 'filled', fillRow: 1, fillPrice: 99.98 });
    expect(pb.queueAheadAtEnd).toBeCloseTo(3 - 9 / 13 - 2.5, 12);
  });

  it('the level shrinking below the estimate clamps it (both models)', () => {
    const depth = bookAround100([{ s: 1, U: 12, u: 12, bids: [[99.98, 0.5]] }]);
    const tape = prints([[0, 100], [2, 99.98, 0.6]]);
    const m = makeMarketView(tape, { depth, tickSize: 0.01 });
    for (const model of [RA, PROB]) expect(simulateMakerOrder(m, 0, 1, PARAMS, model)).toMatchObject({ status: 'filled', fillRow: 1 });
  });

  it('queue models in isolation (hftbacktest semantics)', () => {
    const ra = new RiskAverseQueue();
    const s = ra.join(3);
    ra.depth(s, 3, 5);
    ra.depth(s, 5, 4);
    expect(ra.ahead(s)).toBe(3);
    ra.depth(s, 4, 2);
    expect(ra.ahead(s)).toBe(2);

    const pq = new ProbQueue(2);
    expect(powerProbAhead(3, 2, 2)).toBeCloseTo(9 / 13, 15);
    expect(powerProbAhead(0, 0, 2)).toBe(0);
    const p = pq.join(3);
    pq.depth(p, 3, 5); // growth: behind us
    expect(pq.ahead(p)).toBe(3);
    // A print of 1 at the level, then the level drops 5 → 4: that drop IS the print, not a cancel.
    pq.trade(p, 1);
    pq.depth(p, 5, 4);
    expect(pq.ahead(p)).toBe(2);
    // A cancel bigger than the back (front 2, back 2, cancel 3): the back's share overflows to the front.
    pq.depth(p, 4, 1); // chg 3, P(ahead) = 1/2: est = 2 − 1.5 + min(2 − 1.5, 0) = 0.5
    expect(pq.ahead(p)).toBeCloseTo(0.5, 12);
    expect(() => new ProbQueue(0)).toThrow(RangeError);
  });

  it('needs a book, and refuses orders placed before the book is known', () => {
    const tape = prints([[-30, 100], [0, 100], [1, 99.9]]);
    expect(() => simulateMakerOrder(makeMarketView(tape, { tickSize: 0.01 }), 1, 1, PARAMS, RA)).toThrow(/needs the L2 book/);
    const m = makeMarketView(tape, { depth: bookAround100(), tickSize: 0.01 });
    expect(() => simulateMakerOrder(m, 0, 1, PARAMS, RA)).toThrow(/before the book is known/);
    expect(simulateMakerOrder(m, 1, 1, PARAMS, RA).status).toBe('filled');
  });
});

describe('book reconstruction', () => {
  it('drops messages already in the snapshot, applies the rest in order, reads level sizes at any time', () => {
    const depth = bookAround100([
      { s: 1, U: 12, u: 13, bids: [[99.98, 5], [99.99, 0]] },
      { s: 2, U: 14, u: 14, bids: [[99.97, 2]], asks: [[100.01, 0]] },
    ]);
    const book = buildBookLevels(depth, { tick: 0.01 });
    expect(book.stats).toMatchObject({ messages: 4, applied: 3, dropped: 1, gaps: 0, crossed: 0, sequencing: 'spot' });
    expect(book.readyTime).toBe(at(-5));
    expect(levelQtyAt(book, 1, 9998, at(0))).toBe(3);
    expect(levelQtyAt(book, 1, 9998, at(1))).toBe(5);
    expect(levelQtyAt(book, 1, 9999, at(1))).toBe(0);
    expect(levelQtyAt(book, -1, 10005, at(0))).toBe(0); // only in the dropped message
    expect(levelQtyAt(book, -1, 10002, at(-4))).toBe(1);
    // Derived best bid/ask after each applied message.
    expect(Array.from(book.quotes.bidPrice)).toEqual([99.99, 99.98, 99.98]);
    expect(Array.from(book.quotes.askPrice)).toEqual([100.01, 100.01, 100.02]);
  });

  it('counts sequence breaks (spot U = previous u + 1; futures pu = previous u)', () => {
    const spot = bookAround100([{ s: 1, U: 13, u: 13, bids: [[99.98, 5]] }]); // 12 missing
    expect(buildBookLevels(spot, { tick: 0.01 }).stats.gaps).toBe(1);
    const fut = depthTape({ lastUpdateId: 100, bids: [[99.9, 1]], asks: [[100.1, 1]] }, [
      { s: 0, U: 90, u: 99, pu: 89, bids: [[99.9, 2]] }, // u < lastUpdateId: dropped
      { s: 1, U: 99, u: 105, pu: 99, bids: [[99.9, 3]] }, // straddles: first applied
      { s: 2, U: 106, u: 110, pu: 105, asks: [[100.1, 4]] },
      { s: 3, U: 120, u: 125, pu: 111, asks: [[100.1, 5]] }, // pu ≠ 110: a gap
    ]);
    const b = buildBookLevels(fut, { tick: 0.1 });
    expect(b.stats).toMatchObject({ sequencing: 'futures', dropped: 1, applied: 3, gaps: 1 });
    expect(levelQtyAt(b, 1, 999, at(1.5))).toBe(3);
  });
});

describe('engine entry point', () => {
  it('simulateMakerEntry on a bare trade tape uses the plan defaults and returns the fill', () => {
    const tape = prints([[0, 100], [1, 99.97], [40, 101]]);
    const e = simulateMakerEntry(tape, 0, 1);
    expect(e).toMatchObject({ filled: true, fillRow: 1, fillPrice: 99.98, liquidity: 'maker', status: 'filled' });
    const t = simulateMakerEntry(tape, 0, -1, { timeoutMs: 5_000 });
    expect(t).toMatchObject({ filled: true, fillRow: 2, fillPrice: 101, liquidity: 'taker', status: 'taker-fallback' });
    expect(simulateMakerEntry(tape, 0, -1, { fallback: 'cancel', timeoutMs: 5_000 })).toMatchObject({ filled: false, fillRow: -1 });
    expect(() => simulateMakerEntry(tape, 3, 1)).toThrow(RangeError);
  });

  it('makeFillModel names', () => {
    expect(makeFillModel('trade-through').label).toBe('trade-through');
    expect(makeFillModel('touch').label).toBe('touch');
    expect(makeFillModel({ model: 'queue' }).label).toBe('queue(risk-averse)');
    expect(makeFillModel({ model: 'queue', queue: 'prob', power: 3 }).label).toBe('queue(prob(n=3))');
  });
});
