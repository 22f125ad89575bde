import { describe, expect, it } from 'vitest';
import { loadBars, loadQuotes, loadTrades } from '../../src/data/load';
import { bundledData } from '../../src/data/bundled';
import { makeBarTape, makeQuoteTape, makeTradeTape, type BarTape, type TradeTape } from '../../src/data/tape';
import {
  BarFlowImbalanceIndicator,
  BookOfiIndicator,
  OFI_SIGNAL,
  TradeFlowImbalanceIndicator,
  barFlowImbalance,
  bookOfiSeries,
  cksEvent,
  tradeFlowImbalance,
} from '../../src/signals/ofi';
import { V1_OFI, type V1Params } from '../../src/strategies/v1-ofi';
import { defaultParams } from '../../src/strategies/strategy';
import { ticks } from '../helpers/tapes';

const trades = loadTrades(bundledData.trades).tape;
const spot = loadTrades(bundledData.spotTrades).tape;
const bars = loadBars(bundledData.bars5m).tape;
const quotes = loadQuotes(bundledData.quotes).tape;

/** Index of the first element where a and b differ by more than rel (NaN matches NaN), or −1. */
function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>, rel = 1e-9): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y || (x !== x && y !== y)) continue;
    if (!(Math.abs(x - y) <= rel * Math.max(Math.abs(x), Math.abs(y)))) return i;
  }
  return -1;
}

function streamTrades(tape: TradeTape, ind: { update(t: number, p: number, a: number, s: number): boolean; value(k?: number): number }, outputs: number) {
  const cols = Array.from({ length: outputs }, () => new Float64Array(tape.length));
  for (let i = 0; i < tape.length; i++) {
    ind.update(tape.time[i], tape.price[i], tape.amount[i], tape.side[i]);
    for (let k = 0; k < outputs; k++) cols[k][i] = ind.value(k);
  }
  return cols;
}

describe('TradeFlowImbalanceIndicator', () => {
  it('refuses an infinite time instead of evicting forever', () => {
    const ind = new TradeFlowImbalanceIndicator(60_000);
    ind.update(1000, 100, 1, 1);
    expect(() => ind.update(Infinity, 100, 1, 1)).toThrow(/time must be finite/);
    // the window is as it was: one buy of 1
    expect([ind.value(0), ind.value(1), ind.value(2)]).toEqual([1, 1, 1]);
  });
  it('hand example: window of 2 s over five prints (same as the batch hand example)', () => {
    // amounts 1..5, sides + − + + −, one print per second
    // window (t−2 s, t]: {1} → 1; {1,−2} → −1/3; {−2,3} → 1/5; {3,4} → 1; {4,−5} → −1/9
    const ind = new TradeFlowImbalanceIndicator(2000);
    const sides = [1, -1, 1, 1, -1];
    const got: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect(ind.update(i * 1000, 100, i + 1, sides[i])).toBe(true);
      got.push(ind.value(0));
      counts.push(ind.value(2));
    }
    expect(got).toEqual([1, -1 / 3, 1 / 5, 1, -1 / 9].map((x) => expect.closeTo(x, 12)));
    expect(counts).toEqual([1, 2, 2, 2, 2]);
    expect(ind.value(1)).toBe(9); // 4 + 5
  });

  it.each([
    ['futures trades', 60_000, trades],
    ['futures trades', 1_000, trades],
    ['spot trades (window > 1024 prints: the ring grows)', 120_000, spot],
    ['spot trades', 5_000, spot],
  ] as const)('equals tradeFlowImbalance on the real %s, window %i ms', (_name, w, tape) => {
    const ref = tradeFlowImbalance(tape, w);
    const [imb, vol, cnt] = streamTrades(tape, new TradeFlowImbalanceIndicator(w), 3);
    expect(firstMismatch(imb, ref.imbalance)).toBe(-1);
    expect(firstMismatch(vol, ref.volume)).toBe(-1);
    expect(firstMismatch(cnt, ref.count)).toBe(-1);
  });

  it('bursts: one print clears up to 3,000 at once, and the ring grows while full; bit for bit the batch numbers', () => {
    // Bursts of 1 … 3,000 prints in one millisecond, each followed by one print 1.5 s later: with a 1 s
    // window that print evicts the whole burst at once (the streaming class's rare path, > 2 leaving),
    // and a burst of more than 1,024 prints fills the ring, which must grow in the middle of the burst.
    const time: number[] = [];
    const amount: number[] = [];
    const side: number[] = [];
    let t = Date.UTC(2024, 0, 1);
    let k = 0;
    for (const burst of [1, 2, 3, 4, 7, 64, 1023, 1024, 1025, 3000, 5]) {
      for (let j = 0; j < burst; j++, k++) {
        time.push(t);
        amount.push(0.001 + ((k * 7919) % 1000) / 37);
        side.push(k % 3 === 0 ? -1 : 1);
      }
      t += 1500;
      time.push(t);
      amount.push(0.5);
      side.push(-1);
      k++;
      t += 1;
    }
    const tape = makeTradeTape({ time, price: time.map(() => 100), amount, side });
    const ref = tradeFlowImbalance(tape, 1000);
    const [imb, vol, cnt] = streamTrades(tape, new TradeFlowImbalanceIndicator(1000), 3);
    const differs = (x: ArrayLike<number>, y: ArrayLike<number>) => Array.from(x).findIndex((v, i) => !Object.is(v, y[i]));
    expect(differs(imb, ref.imbalance)).toBe(-1);
    expect(differs(vol, ref.volume)).toBe(-1);
    expect(differs(cnt, ref.count)).toBe(-1);
    // After each lone print the burst has left: the window holds that print alone (a sell of 0.5), so
    // imbalance −1 and volume 0.5 up to the rounding the running sums carry.
    const lone = time.flatMap((_, i) => (side[i] === -1 && amount[i] === 0.5 ? [i] : []));
    expect(lone.length).toBe(11);
    expect(lone.map((i) => cnt[i])).toEqual(lone.map(() => 1));
    expect(lone.map((i) => imb[i])).toEqual(lone.map(() => expect.closeTo(-1, 9)));
    expect(lone.map((i) => vol[i])).toEqual(lone.map(() => expect.closeTo(0.5, 9)));
  });

  it('rejects a non-positive window', () => {
    expect(() => new TradeFlowImbalanceIndicator(0)).toThrow(/windowMs/);
  });
});

describe('barFlowImbalance (bulk volume classification)', () => {
  it('hand example: Φ from erf, σ over the last 2 changes, window of 2 bars', () => {
    // closes 100, 101, 100, 102; volumes 1, 2, 3, 4; tf 5 min; kσ = 2, k = 2, warm-up min(kσ, 20) = 2.
    // bar 1: d = 1, one change → σ undefined → buy share ½ → signed 0.
    // bar 2: d = −1, changes {1, −1}: var = (2 − 0²/2)/1 = 2 → z = −1/√2; 2Φ(z) − 1 = erf(z/√2) = erf(−0.5)
    //        = −0.5204998778130465 (Python math.erf) → signed = 3·erf(−0.5) = −1.5614996334391396;
    //        window {bar 1, bar 2}: imbalance = (0 − 1.5614996…)/(2 + 3) = −0.3122999266878279.
    // bar 3: d = 2, changes {−1, 2}: var = (5 − 1²/2)/1 = 4.5 → z = 2/√4.5; erf(z/√2) = 0.6542214138488397
    //        → signed = 2.616885655395359; window {bar 2, bar 3}: (−1.5614996… + 2.6168856…)/7 = 0.1507694317080313.
    const b = makeBarTape({ time: [0, 3e5, 6e5, 9e5], open: [100, 100, 101, 100], high: [101, 102, 101, 103], low: [99, 100, 99, 100], close: [100, 101, 100, 102], volume: [1, 2, 3, 4], timeframeMs: 3e5 });
    const r = barFlowImbalance(b, { windowMs: 6e5, sigmaLookbackMs: 6e5 });
    expect(r.windowBars).toBe(2);
    // Φ is evaluated, as in V1, through simple-statistics' errorFunction, a truncated series good to
    // ~1e-7 (here −0.52049990 vs the exact −0.52049988), hence 6 decimals.
    expect(Array.from(r.signedVolume)).toEqual([0, 0, expect.closeTo(-1.5614996334391396, 6), expect.closeTo(2.616885655395359, 6)]);
    expect(Number.isNaN(r.imbalance[0])).toBe(true);
    expect(Number.isNaN(r.imbalance[1])).toBe(true); // i < k
    expect(r.imbalance[2]).toBeCloseTo(-0.3122999266878279, 6);
    expect(r.imbalance[3]).toBeCloseTo(0.1507694317080313, 6);
    expect(Array.from(r.volume)).toEqual([0, 2, 5, 7]);
  });

  /** V1's bar decision rule applied to barFlowImbalance (what V1 will do once switched to it). */
  function v1FromBarFlow(b: BarTape, p: V1Params) {
    const r = barFlowImbalance(b, p);
    const n = b.length;
    const entry = new Int8Array(n);
    const exit = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const imb = r.imbalance[i];
      if (imb !== imb) continue;
      const ok = !(p.volumeRatio > 0) || r.volume[i] >= p.volumeRatio * r.longVolume[i] * (r.windowBars / r.longBars);
      if (imb >= p.imbalanceThreshold) {
        if (ok) entry[i] = 1;
        exit[i] = 2;
      } else if (imb <= -p.imbalanceThreshold) {
        if (ok) entry[i] = -1;
        exit[i] = 1;
      }
    }
    return { entry, exit };
  }

  it.each([
    { imbalanceThreshold: 0.3, volumeRatio: 0, windowMs: 60_000 },
    { imbalanceThreshold: 0.7, volumeRatio: 1.5, windowMs: 60_000 },
    { imbalanceThreshold: 0.1, volumeRatio: 1.2, windowMs: 3_600_000, volumeLookbackMs: 86_400_000 },
    { imbalanceThreshold: 0.1, volumeRatio: 0, windowMs: 1_800_000, sigmaLookbackMs: 3_600_000 },
  ])('reproduces V1’s bar entries and exits exactly on the real 5m bars: %o', (over) => {
    const p = { ...(defaultParams(V1_OFI) as V1Params), ...over };
    const want = V1_OFI.signals(bars, p);
    const got = v1FromBarFlow(bars, p);
    let entries = 0;
    for (const e of want.entry) entries += e ? 1 : 0;
    expect(entries).toBeGreaterThan(10);
    expect(Buffer.from(got.entry.buffer).equals(Buffer.from(want.entry.buffer))).toBe(true);
    expect(Buffer.from(got.exit.buffer).equals(Buffer.from(want.exit!.buffer))).toBe(true);
  });

  it('BarFlowImbalanceIndicator equals the batch form on the real 5m bars', () => {
    for (const p of [
      { windowMs: 60_000, sigmaLookbackMs: 86_400_000 },
      { windowMs: 3_600_000, sigmaLookbackMs: 3_600_000, volumeLookbackMs: 86_400_000 },
    ]) {
      const ref = barFlowImbalance(bars, p);
      const ind = new BarFlowImbalanceIndicator(p, bars.timeframeMs);
      const cols = [new Float64Array(bars.length), new Float64Array(bars.length), new Float64Array(bars.length), new Float64Array(bars.length)];
      for (let i = 0; i < bars.length; i++) {
        ind.update(bars.time[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]);
        for (let k = 0; k < 4; k++) cols[k][i] = ind.value(k);
      }
      expect(firstMismatch(cols[0], ref.imbalance)).toBe(-1);
      expect(firstMismatch(cols[1], ref.volume)).toBe(-1);
      expect(firstMismatch(cols[2], ref.longVolume)).toBe(-1);
      expect(firstMismatch(cols[3], ref.signedVolume)).toBe(-1);
    }
  });
});

describe('Cont–Kukanov–Stoikov book OFI', () => {
  // Hand-worked sequence, one row per case of CKS (2014) eq. 2:
  //  q0  bid 100.0 @5  ask 101.0 @4   reference book
  //  q1  bid UP   100.5 @2 → +qb_n = +2;          ask SAME 101.0 @3 → −qa_n + qa_{n−1} = −3 + 4 = +1  ⇒ e = 3
  //  q2  bid SAME 100.5 @6 → +qb_n − qb_{n−1} = 6 − 2 = +4; ask DOWN 100.8 @1 → −qa_n = −1         ⇒ e = 3
  //  q3  bid DOWN 100.2 @7 → −qb_{n−1} = −6;      ask UP   101.2 @9 → +qa_{n−1} = +1                ⇒ e = −5
  //  q4  bid SAME 100.2 @3 → 3 − 7 = −4;          ask SAME 101.2 @9 → −9 + 9 = 0                    ⇒ e = −4
  //  q5  unchanged book                                                                              ⇒ e = 0
  // times 0, 1000, 2000, 3000, 4000, 4500 ms; window 2000 ms covers (t − 2000, t]:
  //  ofi: NaN, 3, 3+3 = 6, 3−5 = −2, −5−4 = −9, −5−4+0 = −9
  const q = makeQuoteTape({
    time: [0, 1000, 2000, 3000, 4000, 4500],
    bidPrice: [100, 100.5, 100.5, 100.2, 100.2, 100.2],
    bidSize: [5, 2, 6, 7, 3, 3],
    askPrice: [101, 101, 100.8, 101.2, 101.2, 101.2],
    askSize: [4, 3, 1, 9, 9, 9],
  });

  it('hand-worked sequence covers bid up/same/down and ask up/same/down', () => {
    const r = bookOfiSeries(q, { windowMs: 2000 });
    expect(Array.from(r.e)).toEqual([NaN, 3, 3, -5, -4, 0]);
    expect(Array.from(r.ofi)).toEqual([NaN, 3, 6, -2, -9, -9]);
    // the single-event form, case by case
    expect(cksEvent(100, 5, 101, 4, 100.5, 2, 101, 4)).toBe(2); // bid up only
    expect(cksEvent(100, 5, 101, 4, 99.5, 2, 101, 4)).toBe(-5); // bid down only
    expect(cksEvent(100, 5, 101, 4, 100, 2, 101, 4)).toBe(-3); // bid same, size 5 → 2
    expect(cksEvent(100, 5, 101, 4, 100, 5, 100.5, 1)).toBe(-1); // ask down only
    expect(cksEvent(100, 5, 101, 4, 100, 5, 101.5, 1)).toBe(4); // ask up only
  });

  it('streaming twin gives the same numbers on the hand sequence', () => {
    const ind = new BookOfiIndicator({ windowMs: 2000 });
    const ofi: number[] = [];
    const e: number[] = [];
    for (let i = 0; i < q.length; i++) {
      ind.update(q.time[i], q.bidPrice[i], q.bidSize[i], q.askPrice[i], q.askSize[i]);
      ofi.push(ind.value(0));
      e.push(ind.value(1));
    }
    expect(ofi).toEqual([NaN, 3, 6, -2, -9, -9]);
    expect(e).toEqual([NaN, 3, 3, -5, -4, 0]);
  });

  it.each([1_000, 10_000, 60_000])('on the real quotes (window %i ms): rolling sum = direct sum, streaming = batch', (w) => {
    const r = bookOfiSeries(quotes, { windowMs: w });
    // direct recomputation of each window from the event series (no running sum)
    let bad = -1;
    for (let i = 1; i < quotes.length && bad < 0; i += 7) {
      let s = 0;
      for (let j = i; j >= 1 && quotes.time[j] > quotes.time[i] - w; j--) s += r.e[j];
      if (!(Math.abs(s - r.ofi[i]) <= 1e-9 * Math.max(1, Math.abs(s)))) bad = i;
    }
    expect(bad).toBe(-1);
    const ind = new BookOfiIndicator({ windowMs: w });
    const ofi = new Float64Array(quotes.length);
    for (let i = 0; i < quotes.length; i++) {
      ind.update(quotes.time[i], quotes.bidPrice[i], quotes.bidSize[i], quotes.askPrice[i], quotes.askSize[i]);
      ofi[i] = ind.value(0);
    }
    expect(firstMismatch(ofi, r.ofi)).toBe(-1);
    let nonzero = 0;
    for (const v of r.e) if (v) nonzero++;
    expect(nonzero).toBeGreaterThan(1000);
  });
});

describe('OFI_SIGNAL', () => {
  it('declares trades and bars with outputs imbalance and volume, and computes the pure forms', () => {
    expect(OFI_SIGNAL.name).toBe('ofi');
    expect(OFI_SIGNAL.outputs).toEqual(['imbalance', 'volume']);
    expect(OFI_SIGNAL.accepts).toEqual(['trades', 'bars']);
    const p = { windowMs: 60_000, sigmaLookbackMs: 86_400_000 };
    const t = OFI_SIGNAL.compute(trades, p);
    expect(Array.from(t.imbalance)).toEqual(Array.from(tradeFlowImbalance(trades, 60_000).imbalance));
    const b = OFI_SIGNAL.compute(bars, p);
    expect(firstMismatch(b.imbalance, barFlowImbalance(bars, p).imbalance)).toBe(-1);
  });

  it('batch and streaming agree on a small hand tape with the ticks helper', () => {
    const t = ticks([
      [0, 100],
      [0.5, 101],
      [3, 102],
    ]);
    const ind = new TradeFlowImbalanceIndicator(1000);
    const got = streamTrades(t, ind, 2);
    expect(Array.from(got[1])).toEqual([1, 2, 1]);
  });
});
