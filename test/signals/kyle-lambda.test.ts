import { describe, expect, it } from 'vitest';
import ss from '../../src/analytics/ss';
import { loadBars, loadTrades } from '../../src/data/load';
import { bundledData } from '../../src/data/bundled';
import { makeBarTape, makeTradeTape, sliceTrades, type BarTape, type TradeTape } from '../../src/data/tape';
import { KYLE_SIGNAL, KyleLambdaBarIndicator, KyleLambdaIndicator, kyleLambdaSeries, type KyleParams } from '../../src/signals/kyle-lambda';
import { barFlowImbalance } from '../../src/signals/ofi';

const trades = loadTrades(bundledData.trades).tape;
const spot = loadTrades(bundledData.spotTrades).tape;
const bars = loadBars(bundledData.bars5m).tape;

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

/** Trades from [ms, price, amount, side] rows. */
function tape(rows: [number, number, number, number][]): TradeTape {
  return makeTradeTape({
    time: rows.map((r) => r[0]),
    price: rows.map((r) => r[1]),
    amount: rows.map((r) => r[2]),
    side: rows.map((r) => r[3]),
  });
}

/**
 * Independent reference: intervals built with a Map (not the module's pass),
 * regression by simple-statistics, t-stat from the correlation:
 * t = r·√((n − 2)/(1 − r²)), the textbook identity for the slope's t.
 */
function referencePoints(t: TradeTape, sampleMs: number, sqrt: boolean) {
  const byBucket = new Map<number, { last: number; flow: number }>();
  for (let i = 0; i < t.length; i++) {
    const b = Math.floor(t.time[i] / sampleMs);
    const cur = byBucket.get(b) ?? { last: 0, flow: 0 };
    cur.last = t.price[i];
    cur.flow += t.side[i] * (sqrt ? Math.sqrt(t.amount[i]) : t.amount[i]);
    byBucket.set(b, cur);
  }
  const first = Math.floor(t.time[0] / sampleMs);
  const last = Math.floor(t.time[t.length - 1] / sampleMs);
  const pts: { bucket: number; x: number; y: number }[] = []; // point of interval `bucket`
  let price = byBucket.get(first)!.last;
  for (let b = first + 1; b <= last; b++) {
    const c = byBucket.get(b);
    const p = c ? c.last : price; // empty: carried price, zero flow
    pts.push({ bucket: b, x: c ? c.flow : 0, y: p - price });
    price = p;
  }
  return pts;
}

function referenceFit(xs: number[], ys: number[]) {
  const n = xs.length;
  const pairs = xs.map((x, i) => [x, ys[i]]);
  const { m } = ss.linearRegression(pairs);
  const r = ss.sampleCorrelation(xs, ys);
  return { lambda: m, tStat: r * Math.sqrt((n - 2) / (1 - r * r)), r2: r * r };
}

describe('kyleLambdaSeries: hand calculation', () => {
  // sampleMs 1000, windowSamples 4. Intervals (epoch ms):
  //  [0,1000)    buy 1 @ 100                     → first interval: reference price 100, no point
  //  [1000,2000) buy 2 @ 101, sell 1 @ 100.5     → S = 2 − 1 = 1,  Δp = 100.5 − 100 = 0.5
  //  [2000,3000) buy 3 @ 102                     → S = 3,          Δp = 1.5
  //  [3000,4000) empty                           → S = 0,          Δp = 0 (price carried)
  //  [4000,5000) sell 2 @ 100.5                  → S = −2,         Δp = −1.5
  //  [5000,…)    buy 1 @ 100.5                   → completes [4000,5000): the window is full here
  // x̄ = 0.5, ȳ = 0.125; dx = .5, 2.5, −.5, −2.5; dy = .375, 1.375, −.125, −1.625
  // Sxx = 13, Sxy = .1875 + 3.4375 + .0625 + 4.0625 = 7.75, Syy = 4.6875
  // λ = 7.75/13 = 0.596153846…; SSE = Syy − Sxy²/Sxx = 0.875/13; SE = √(SSE/2/Sxx) = √0.4375/13
  // t = 7.75/√0.4375 = 11.716898663…; R² = 7.75²/(13·4.6875) = 60.0625/60.9375 = 0.985641025…
  const t = tape([
    [0, 100, 1, 1],
    [1100, 101, 2, 1],
    [1900, 100.5, 1, -1],
    [2500, 102, 3, 1],
    [4200, 100.5, 2, -1],
    [5000, 100.5, 1, 1],
    [5999, 100.5, 1, 1],
  ]);
  const p: KyleParams = { sampleMs: 1000, windowSamples: 4 };

  it('λ, t and R² from the hand sums, only from the row that completes the fourth point', () => {
    const r = kyleLambdaSeries(t, p);
    for (let i = 0; i < 5; i++) expect(Number.isNaN(r.lambda[i])).toBe(true); // fewer points than the window
    for (const i of [5, 6]) {
      expect(r.lambda[i]).toBeCloseTo(7.75 / 13, 14);
      expect(r.tStat[i]).toBeCloseTo(7.75 / Math.sqrt(0.4375), 12);
      expect(r.r2[i]).toBeCloseTo(60.0625 / 60.9375, 14);
    }
  });

  it('agrees with simple-statistics linearRegression and the correlation form of t on the same points', () => {
    const ref = referenceFit([1, 3, 0, -2], [0.5, 1.5, 0, -1.5]);
    const r = kyleLambdaSeries(t, p);
    expect(r.lambda[5]).toBeCloseTo(ref.lambda, 12);
    expect(r.tStat[5]).toBeCloseTo(ref.tStat, 9);
    expect(r.r2[5]).toBeCloseTo(ref.r2, 12);
  });

  it('signed √volume: S = Σ side·√amount', () => {
    // S: √2 − 1, √3, 0, −√2 with the same Δp
    const ref = referenceFit([Math.SQRT2 - 1, Math.sqrt(3), 0, -Math.SQRT2], [0.5, 1.5, 0, -1.5]);
    const r = kyleLambdaSeries(t, { ...p, sqrtVolume: 1 });
    expect(r.lambda[6]).toBeCloseTo(ref.lambda, 12);
    expect(r.tStat[6]).toBeCloseTo(ref.tStat, 9);
    expect(r.r2[6]).toBeCloseTo(ref.r2, 12);
  });

  it('the streaming form reproduces it', () => {
    const ind = new KyleLambdaIndicator(p);
    const got: boolean[] = [];
    for (let i = 0; i < t.length; i++) got.push(ind.update(t.time[i], t.price[i], t.amount[i], t.side[i]));
    expect(got).toEqual([false, false, false, false, false, true, true]);
    expect(ind.value(0)).toBeCloseTo(7.75 / 13, 14);
    expect(ind.value(1)).toBeCloseTo(7.75 / Math.sqrt(0.4375), 12);
    expect(ind.value(2)).toBeCloseTo(60.0625 / 60.9375, 14);
  });
});

describe('kyleLambdaSeries: edge cases', () => {
  const p: KyleParams = { sampleMs: 1000, windowSamples: 3 };

  it('constant prices: λ = 0 exactly, t and R² NaN (no price variance)', () => {
    const t = tape([
      [0, 50, 1, 1],
      [1000, 50, 2, 1],
      [2000, 50, 1, -1],
      [3000, 50, 5, 1],
      [4000, 50, 1, 1],
    ]);
    const r = kyleLambdaSeries(t, p);
    expect(r.lambda[4]).toBe(0);
    expect(Number.isNaN(r.tStat[4])).toBe(true);
    expect(Number.isNaN(r.r2[4])).toBe(true);
  });

  it('no flow variation (zero-volume / unknown-side intervals): every output NaN', () => {
    const t = tape([
      [0, 50, 1, 0],
      [1000, 51, 2, 0],
      [2000, 49, 1, 0],
      [3000, 52, 5, 0],
      [4000, 50, 1, 0],
    ]);
    const r = kyleLambdaSeries(t, p);
    for (const col of [r.lambda, r.tStat, r.r2]) expect(Array.from(col).every(Number.isNaN)).toBe(true);
  });

  it('fewer points than the window: all NaN', () => {
    const t = tape([
      [0, 50, 1, 1],
      [1000, 51, 2, -1],
      [2000, 49, 1, 1],
      [2999, 52, 5, 1],
    ]);
    const r = kyleLambdaSeries(t, p); // interval 0 is the reference, interval 1 gives the only completed point
    expect(Array.from(r.lambda).every(Number.isNaN)).toBe(true);
  });

  it('empty intervals carry the price with S = 0; a gap longer than the window leaves only (0, 0) points', () => {
    // intervals 0: 100; 1: buy 1 @ 101 (S 1, Δp 1); 2: sell 2 @ 99 (S −2, Δp −2); 3, 4: empty (0, 0);
    // 5: trade. Window 4 at interval 5 = {(−2, −2), (0, 0), (0, 0)} preceded by (1, 1):
    const t = tape([
      [0, 100, 1, 1],
      [1000, 101, 1, 1],
      [2000, 99, 2, -1],
      [5000, 99, 1, 1],
      [60_000, 99, 1, 1], // 54 empty intervals: window is all (0, 0) → S constant → NaN
    ]);
    const r = kyleLambdaSeries(t, { sampleMs: 1000, windowSamples: 4 });
    const ref = referenceFit([1, -2, 0, 0], [1, -2, 0, 0]);
    expect(r.lambda[3]).toBeCloseTo(ref.lambda, 12); // exact line through the origin: λ = 1
    expect(r.lambda[3]).toBeCloseTo(1, 12);
    expect(r.r2[3]).toBeCloseTo(1, 12);
    expect(Math.abs(r.tStat[3])).toBeGreaterThan(1e6); // exact fit: t = ±∞ up to rounding
    expect(Number.isNaN(r.lambda[4])).toBe(true);
    const ind = new KyleLambdaIndicator({ sampleMs: 1000, windowSamples: 4 });
    for (let i = 0; i < t.length; i++) ind.update(t.time[i], t.price[i], t.amount[i], t.side[i]);
    expect(Number.isNaN(ind.value(0))).toBe(true);
  });

  it('rejects windows < 3 and non-positive intervals; an empty tape gives empty outputs', () => {
    expect(() => kyleLambdaSeries(trades, { sampleMs: 1000, windowSamples: 2 })).toThrow(/windowSamples/);
    expect(() => new KyleLambdaIndicator({ sampleMs: 0, windowSamples: 10 })).toThrow(/sampleMs/);
    expect(kyleLambdaSeries(sliceTrades(trades, 0, 0), { sampleMs: 1000, windowSamples: 3 }).lambda.length).toBe(0);
  });
});

describe('kyleLambdaSeries on the real tapes', () => {
  it.each([
    ['futures', 10_000, 30, 0],
    ['futures', 10_000, 30, 1],
    ['spot', 1_000, 60, 0],
    ['spot', 2_000, 20, 1],
  ] as const)('%s trades (sampleMs %i, window %i, sqrt %i): λ, t, R² equal simple-statistics on independently built intervals', (which, sampleMs, W, sqrt) => {
    const t = which === 'futures' ? trades : spot;
    const r = kyleLambdaSeries(t, { sampleMs, windowSamples: W, sqrtVolume: sqrt });
    const pts = referencePoints(t, sampleMs, sqrt === 1);
    let checked = 0;
    let positive = 0;
    for (let i = 1; i < t.length; i++) {
      const b = Math.floor(t.time[i] / sampleMs);
      if (b === Math.floor(t.time[i - 1] / sampleMs)) continue; // check the first row of each interval
      // points of completed intervals ≤ b − 1
      const upto = pts.findIndex((q) => q.bucket === b - 1);
      if (upto + 1 < W) {
        expect(Number.isNaN(r.lambda[i])).toBe(true);
        continue;
      }
      const win = pts.slice(upto + 1 - W, upto + 1);
      const ref = referenceFit(
        win.map((q) => q.x),
        win.map((q) => q.y),
      );
      expect(r.lambda[i]).toBeCloseTo(ref.lambda, 8);
      expect(Math.abs(r.lambda[i] - ref.lambda)).toBeLessThanOrEqual(1e-7 * Math.abs(ref.lambda) + 1e-12);
      expect(Math.abs(r.tStat[i] - ref.tStat)).toBeLessThanOrEqual(1e-7 * Math.abs(ref.tStat) + 1e-9);
      expect(r.r2[i]).toBeCloseTo(ref.r2, 9);
      checked++;
      if (r.lambda[i] > 0) positive++;
    }
    expect(checked).toBeGreaterThan(50);
    expect(positive).toBeGreaterThan(checked / 2); // buying pressure lifts prices on real data
  });

  it.each([
    ['futures', 10_000, 30, 0],
    ['futures', 1_000, 60, 1],
    ['spot', 1_000, 60, 0],
    ['spot', 500, 20, 1],
  ] as const)('streaming = batch to 1e-9 on %s trades (sampleMs %i, window %i, sqrt %i)', (which, sampleMs, W, sqrt) => {
    const t = which === 'futures' ? trades : spot;
    const p = { sampleMs, windowSamples: W, sqrtVolume: sqrt };
    const r = kyleLambdaSeries(t, p);
    const ind = new KyleLambdaIndicator(p);
    const cols = [new Float64Array(t.length), new Float64Array(t.length), new Float64Array(t.length)];
    let defined = 0;
    for (let i = 0; i < t.length; i++) {
      if (ind.update(t.time[i], t.price[i], t.amount[i], t.side[i])) defined++;
      for (let k = 0; k < 3; k++) cols[k][i] = ind.value(k);
    }
    expect(defined).toBeGreaterThan(t.length / 3);
    expect(firstMismatch(cols[0], r.lambda)).toBe(-1);
    expect(firstMismatch(cols[1], r.tStat)).toBe(-1);
    expect(firstMismatch(cols[2], r.r2)).toBe(-1);
  });

  it('is causal: the series on a prefix equals the prefix of the series', () => {
    const p = { sampleMs: 5_000, windowSamples: 20 };
    const full = kyleLambdaSeries(trades, p);
    const pre = kyleLambdaSeries(sliceTrades(trades, 0, 6000), p);
    expect(firstMismatch(pre.lambda, full.lambda.subarray(0, 6000), 0)).toBe(-1);
    expect(firstMismatch(pre.tStat, full.tStat.subarray(0, 6000), 0)).toBe(-1);
  });
});

describe('kyleLambdaSeries on bars', () => {
  it('close location value: hand points against simple-statistics', () => {
    // CLV = ((C − L) − (H − C))/(H − L):
    // bar 1: H 12 L 10 C 11.5 → (1.5 − 0.5)/2 = 0.5,  V 4 → S = 2,    Δp = 1.5
    // bar 2: H 12 L 11 C 11   → (0 − 1)/1 = −1,       V 3 → S = −3,   Δp = −0.5
    // bar 3: H 11 L 11 C 11   → H = L → 0,             V 7 → S = 0,    Δp = 0
    // bar 4: H 13 L 11 C 12.5 → (1.5 − 0.5)/2 = 0.5,  V 2 → S = 1,    Δp = 1.5
    const b = makeBarTape({
      time: [0, 1, 2, 3, 4].map((k) => k * 60_000),
      open: [10, 10, 11.5, 11, 11],
      high: [10, 12, 12, 11, 13],
      low: [10, 10, 11, 11, 11],
      close: [10, 11.5, 11, 11, 12.5],
      volume: [1, 4, 3, 7, 2],
      timeframeMs: 60_000,
    });
    const p: KyleParams = { sampleMs: 1, windowSamples: 4, barSigning: 1 };
    const r = kyleLambdaSeries(b, p);
    const ref = referenceFit([2, -3, 0, 1], [1.5, -0.5, 0, 1.5]);
    expect(Number.isNaN(r.lambda[3])).toBe(true);
    expect(r.lambda[4]).toBeCloseTo(ref.lambda, 12);
    expect(r.tStat[4]).toBeCloseTo(ref.tStat, 9);
    expect(r.r2[4]).toBeCloseTo(ref.r2, 12);
    const sq = kyleLambdaSeries(b, { ...p, sqrtVolume: 1 });
    expect(sq.lambda[4]).toBeCloseTo(referenceFit([1, -Math.sqrt(3), 0, Math.SQRT2 / 2], [1.5, -0.5, 0, 1.5]).lambda, 12);
  });

  it('bulk volume classification: S is barFlowImbalance’s signed volume (real 5m bars, against simple-statistics)', () => {
    const W = 48;
    const r = kyleLambdaSeries(bars, { sampleMs: 1, windowSamples: W });
    const sv = barFlowImbalance(bars, { windowMs: bars.timeframeMs, sigmaLookbackMs: 86_400_000 }).signedVolume;
    for (const i of [W, W + 1, 1000, 33_333, bars.length - 1]) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let j = i - W + 1; j <= i; j++) {
        xs.push(sv[j]);
        ys.push(bars.close[j] - bars.close[j - 1]);
      }
      const ref = referenceFit(xs, ys);
      expect(Math.abs(r.lambda[i] - ref.lambda)).toBeLessThanOrEqual(1e-8 * Math.abs(ref.lambda));
      expect(Math.abs(r.tStat[i] - ref.tStat)).toBeLessThanOrEqual(1e-8 * Math.abs(ref.tStat));
    }
    expect(Number.isNaN(r.lambda[W - 1])).toBe(true);
  });

  it.each([
    { barSigning: 0, sqrtVolume: 0 },
    { barSigning: 0, sqrtVolume: 1, sigmaLookbackMs: 3_600_000 },
    { barSigning: 1, sqrtVolume: 0 },
    { barSigning: 1, sqrtVolume: 1 },
  ])('streaming = batch to 1e-9 on the real 5m bars: %o', (over) => {
    const p = { sampleMs: 1, windowSamples: 60, ...over };
    const r = kyleLambdaSeries(bars, p);
    const ind = new KyleLambdaBarIndicator(p, bars.timeframeMs);
    const cols = [new Float64Array(bars.length), new Float64Array(bars.length), new Float64Array(bars.length)];
    for (let i = 0; i < bars.length; i++) {
      ind.update(bars.time[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]);
      for (let k = 0; k < 3; k++) cols[k][i] = ind.value(k);
    }
    expect(firstMismatch(cols[0], r.lambda)).toBe(-1);
    expect(firstMismatch(cols[1], r.tStat)).toBe(-1);
    expect(firstMismatch(cols[2], r.r2)).toBe(-1);
  });
});

describe('KYLE_SIGNAL', () => {
  it('names, outputs, defaults, and compute = kyleLambdaSeries', () => {
    expect(KYLE_SIGNAL.name).toBe('kyle');
    expect(KYLE_SIGNAL.outputs).toEqual(['lambda', 'tStat', 'r2']);
    expect(KYLE_SIGNAL.accepts).toEqual(['trades', 'bars']);
    const p: Record<string, number> = {};
    for (const [k, s] of Object.entries(KYLE_SIGNAL.params)) p[k] = s.default;
    const a = KYLE_SIGNAL.compute(trades, p);
    const b = kyleLambdaSeries(trades, { sampleMs: p.sampleMs, windowSamples: p.windowSamples });
    expect(firstMismatch(a.lambda, b.lambda, 0)).toBe(-1);
    const c = KYLE_SIGNAL.compute(bars as BarTape, { ...p, barSigning: 1 });
    expect(firstMismatch(c.tStat, kyleLambdaSeries(bars, { sampleMs: 1, windowSamples: p.windowSamples, barSigning: 1 }).tStat, 0)).toBe(-1);
  });
});

describe('kyleTickRuns: more runs than the tape spans intervals', () => {
  it('grows its columns and still gives the streaming form’s values (times running back to the start)', () => {
    // Run columns are sized from the first and last time; a tape that ends where it began (not a
    // valid tape, whose times are non-decreasing, but nothing checks that here) needs more.
    const rows: [number, number, number, number][] = [];
    for (let i = 0; i < 300; i++) rows.push([i * 1000, 100 + Math.sin(i) + i * 0.01, 1 + (i % 3), i % 4 === 0 ? -1 : 1]);
    rows.push([0, 100, 1, 1]);
    const t = tape(rows);
    const p = { sampleMs: 1000, windowSamples: 5 };
    const r = kyleLambdaSeries(t, p);
    const ind = new KyleLambdaIndicator(p);
    let defined = 0;
    for (let i = 0; i < t.length; i++) {
      ind.update(t.time[i], t.price[i], t.amount[i], t.side[i]);
      expect([r.lambda[i], r.tStat[i], r.r2[i]]).toEqual([ind.value(0), ind.value(1), ind.value(2)]);
      if (!Number.isNaN(r.lambda[i])) defined++;
    }
    expect(defined).toBeGreaterThan(250);
  });
});
