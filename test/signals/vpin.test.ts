import { describe, expect, it } from 'vitest';
import ss from '../../src/analytics/ss';
import { bundledData } from '../../src/data/bundled';
import { loadBars, loadTrades } from '../../src/data/load';
import { makeBarTape, makeTradeTape, sliceBars, sliceTrades, type BarTape, type TradeTape } from '../../src/data/tape';
import {
  RollingEcdf,
  VPIN_SIGNAL,
  VpinBarIndicator,
  VpinIndicator,
  resolveVpinParams,
  stdNormalCdf,
  vpinSeries,
  vpinSteps,
  type VpinParams,
} from '../../src/signals/vpin';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

/** E = 1 − 2Φ(−1) = erf(1/√2): the |sell − buy| share of a bar with ΔP = ±σ. */
const PHI1 = 0.841344746068542948; // Φ(1), mpmath ncdf(1) at 30 digits
const E = 2 * PHI1 - 1; // 0.682689492137085897

/** NaN-aware equality of two arrays, relative tolerance `rel`. Returns the first failing index or -1. */
function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>, rel = 0): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return i;
      continue;
    }
    if (Math.abs(x - y) > rel * Math.max(Math.abs(x), Math.abs(y))) return i;
  }
  return -1;
}

function barTape(close: number[], volume: number[], tf = MIN, t0 = T0): BarTape {
  return makeBarTape({ time: close.map((_, i) => t0 + i * tf), open: close, high: close, low: close, close, volume, timeframeMs: tf });
}

/**
 * The hand example. Closes 100, 99, 99, 100, 99, 99, 100, 99 give ΔP = −1, 0, +1, −1, 0, +1, −1
 * (bars 1..7). With sigmaBars = 3 every full window is a permutation of (−1, 0, +1): mean 0,
 * sample variance (1 + 0 + 1)/2 = 1, so σ = 1 exactly and z = ΔP. Bars 0..2 are not classified
 * (bar 2 has only two ΔP values). Buy shares: z = +1 → Φ(1), z = −1 → Φ(−1), z = 0 → 1/2, so the
 * |sell − buy| share of a whole bar is E = 2Φ(1) − 1, E, 0.
 *
 * bucketVolume 10, nBuckets 2:
 *  bar 3 (z=+1, V=10) → bucket 1 = |−10E| = 10E                         (1 bucket: VPIN NaN)
 *  bar 4 (z=−1, V=10) → bucket 2 = 10E         VPIN = (10E+10E)/20 = E
 *  bar 5 (z= 0, V=4)  → bucket 3 partial (4 of 10, imbalance 0)
 *  bar 6 (z=+1, V=6)  → bucket 3 = |0 − 6E| = 6E VPIN = (10E+6E)/20 = 0.8E
 *  bar 7 (z=−1, V=25) → bucket 4 = 10E          VPIN = (6E+10E)/20 = 0.8E
 *                       bucket 5 = 10E          VPIN = (10E+10E)/20 = E, and 5 left in bucket 6
 * ECDF (cdfBuckets 3, minCdfBuckets 2) over the VPIN values E, 0.8E, 0.8E, E:
 *  after bucket 2: 1 value → NaN; bucket 3: {E, 0.8E} → 1/2; bucket 4: {E, .8E, .8E} → 2/3;
 *  bucket 5: {.8E, .8E, E} → 3/3 = 1.
 */
const HAND_CLOSE = [100, 99, 99, 100, 99, 99, 100, 99];
const HAND_VOLUME = [5, 5, 5, 10, 10, 4, 6, 25];
const HAND_PARAMS: Partial<VpinParams> = { sigmaBars: 3, bucketVolume: 10, nBuckets: 2, cdfBuckets: 3, minCdfBuckets: 2 };
const HAND_VPIN = [NaN, NaN, NaN, NaN, E, E, 0.8 * E, E];
const HAND_CDF = [NaN, NaN, NaN, NaN, NaN, NaN, 0.5, 1];

describe('stdNormalCdf (Hart 5666 / West 2005)', () => {
  it('matches Φ at known points (mpmath ncdf, 30 digits) to 1e-15 absolute', () => {
    const known: [number, number][] = [
      [0, 0.5],
      [0.1, 0.53982783727702898367],
      [-0.3, 0.38208857781104736693],
      [0.5, 0.69146246127401310364],
      [1, 0.84134474606854294859],
      [-1, 0.15865525393145705141],
      [1.5, 0.933192798731141934],
      [1.96, 0.97500210485177956379],
      [2, 0.9772498680518207928],
      [-2, 0.0227501319481792072],
      [3, 0.99865010196836990547],
      [-3, 0.0013498980316300945267],
      [5, 0.99999971334842812081],
      [-5, 2.8665157187919391167e-7],
      [7.5, 0.99999999999996809108],
      [-8, 6.2209605742717841235e-16],
    ];
    for (const [x, phi] of known) expect(Math.abs(stdNormalCdf(x) - phi)).toBeLessThan(1e-15);
    // Tails: relative accuracy too (mpmath: Φ(−5) = 2.8665157187919391167e-7, Φ(−10) = 7.619853024160526066e-24).
    expect(Math.abs(stdNormalCdf(-5) / 2.8665157187919391167e-7 - 1)).toBeLessThan(1e-10);
    expect(Math.abs(stdNormalCdf(-10) / 7.619853024160526066e-24 - 1)).toBeLessThan(1e-8);
  });

  it("agrees with simple-statistics' errorFunction (NR erfc fit, 1.2e-7 fractional) to ≤ 1e-7 on [−8, 8]", () => {
    let worst = 0;
    for (let x = -8; x <= 8; x += 0.001) {
      const ref = 0.5 * (1 + ss.errorFunction(x / Math.SQRT2));
      worst = Math.max(worst, Math.abs(stdNormalCdf(x) - ref));
    }
    expect(worst).toBeLessThanOrEqual(1e-7);
  });

  it('is symmetric, monotone, and saturates', () => {
    for (let x = 0; x < 10; x += 0.37) expect(stdNormalCdf(x) + stdNormalCdf(-x)).toBeCloseTo(1, 15);
    let prev = 0;
    for (let x = -40; x <= 40; x += 0.01) {
      const p = stdNormalCdf(x);
      expect(p).toBeGreaterThanOrEqual(prev);
      prev = p;
    }
    expect(stdNormalCdf(-40)).toBe(0);
    expect(stdNormalCdf(40)).toBe(1);
    expect(stdNormalCdf(Infinity)).toBe(1);
    expect(stdNormalCdf(-Infinity)).toBe(0);
    expect(Number.isNaN(stdNormalCdf(NaN))).toBe(true);
  });
});

describe('RollingEcdf', () => {
  it('hand example: fraction of the last W values ≤ the newest (newest included)', () => {
    // W = 4, values 3 1 4 1 5 9 2 6; windows and counts ≤ newest:
    // {3}→1/1  {3,1}→1/2  {3,1,4}→3/3  {3,1,4,1}→2/4  {1,4,1,5}→4/4  {4,1,5,9}→4/4  {1,5,9,2}→2/4  {5,9,2,6}→3/4
    const e = new RollingEcdf(4);
    expect([3, 1, 4, 1, 5, 9, 2, 6].map((x) => e.push(x))).toEqual([1, 0.5, 1, 0.5, 1, 1, 0.5, 0.75]);
    expect(e.count).toBe(4);
  });

  it('matches a brute-force count on random values with ties', () => {
    let s = 12345;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    const W = 37;
    const e = new RollingEcdf(W);
    const xs: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const x = Math.floor(rnd() * 20) / 4; // many ties
      xs.push(x);
      const win = xs.slice(Math.max(0, xs.length - W));
      expect(e.push(x)).toBe(win.filter((y) => y <= x).length / win.length);
    }
  });

  it('rejects a bad window', () => {
    expect(() => new RollingEcdf(0)).toThrow(/window/);
  });
});

describe('vpinSeries: hand calculations', () => {
  it('bar tape: BVC with σ = 1, a bar splitting across two buckets, ECDF', () => {
    const r = vpinSeries(barTape(HAND_CLOSE, HAND_VOLUME), HAND_PARAMS);
    expect(firstMismatch(r.vpin, HAND_VPIN, 1e-14)).toBe(-1);
    expect(firstMismatch(r.vpinCdf, HAND_CDF, 1e-14)).toBe(-1);
    expect(r.bucketsCompleted).toBe(5);
    expect(r.bucketVolume).toBe(10);
    expect(r.vpin[7]).toBeCloseTo(0.682689492137086, 14); // E = erf(1/√2)
    expect(r.vpin[6]).toBeCloseTo(0.546151593709669, 14); // 0.8E
  });

  it('trade tape: the same bars from prints; a bar is seen only from the first print at or after its end', () => {
    // Two prints per minute: an opening print and the close; volume split evenly.
    const time: number[] = [];
    const price: number[] = [];
    const amount: number[] = [];
    HAND_CLOSE.forEach((c, k) => {
      time.push(T0 + k * MIN + 1_000, T0 + k * MIN + 59_999);
      price.push(c + 0.5, c);
      amount.push(HAND_VOLUME[k] / 2, HAND_VOLUME[k] / 2);
    });
    time.push(T0 + 8 * MIN); // completes bar 7 (exactly at its end)
    price.push(123);
    amount.push(1);
    const tape = makeTradeTape({ time, price, amount });
    const r = vpinSeries(tape, HAND_PARAMS);
    // Rows 2k, 2k+1 are inside bar k and see bars < k: expected = hand value of bar k − 1.
    for (let k = 0; k < 8; k++) {
      const want = k === 0 ? NaN : HAND_VPIN[k - 1];
      const wantCdf = k === 0 ? NaN : HAND_CDF[k - 1];
      expect(firstMismatch(r.vpin.subarray(2 * k, 2 * k + 2), [want, want], 1e-14)).toBe(-1);
      expect(firstMismatch(r.vpinCdf.subarray(2 * k, 2 * k + 2), [wantCdf, wantCdf], 1e-14)).toBe(-1);
    }
    expect(r.vpin[16]).toBeCloseTo(E, 14);
    expect(r.vpinCdf[16]).toBe(1);
    expect(r.bucketsCompleted).toBe(5);
    // Streaming gives the same, print by print.
    const ind = new VpinIndicator(HAND_PARAMS);
    for (let i = 0; i < tape.length; i++) {
      const defined = ind.update(tape.time[i], tape.price[i], tape.amount[i], tape.side[i]);
      expect(defined).toBe(!Number.isNaN(r.vpin[i]));
      expect(firstMismatch([ind.value(0), ind.value(1)], [r.vpin[i], r.vpinCdf[i]])).toBe(-1);
    }
  });

  it('zero-volume bars: their ΔP counts for σ, they pour nothing', () => {
    // Bar 5 has V = 0; bar 6 (z = +1 only if bar 5's ΔP = 0 stays in the window) fills bucket 3 alone:
    // bucket 3 = 10E, VPIN = (10E + 10E)/20 = E. (Skipping bar 5's ΔP would give window (1, −1, 1),
    // σ = √(4/3), z = 0.866 and a different value.)
    const r = vpinSeries(barTape(HAND_CLOSE.slice(0, 7), [5, 5, 5, 10, 10, 0, 10]), HAND_PARAMS);
    expect(firstMismatch(r.vpin, [NaN, NaN, NaN, NaN, E, E, E], 1e-14)).toBe(-1);
    expect(r.bucketsCompleted).toBe(3);
    // All-zero volume: nothing ever completes.
    const z = vpinSeries(barTape(HAND_CLOSE, HAND_CLOSE.map(() => 0)), HAND_PARAMS);
    expect(z.bucketsCompleted).toBe(0);
    expect(z.vpin.every(Number.isNaN)).toBe(true);
  });

  it('trade tape: a minute without prints is not a bar (ΔP from the previous bar that exists)', () => {
    // Prints in minutes 0..4 and 6..8 (none in minute 5), one per minute, plus a closing print.
    const minutes = [0, 1, 2, 3, 4, 6, 7, 8, 9];
    const tape = makeTradeTape({
      time: minutes.map((m) => T0 + m * MIN + 30_000),
      price: [...HAND_CLOSE, 1],
      amount: [...HAND_VOLUME, 1],
    });
    const r = vpinSeries(tape, HAND_PARAMS);
    // Row k + 1 sees bars 0..k, i.e. the bar-tape value at row k.
    expect(firstMismatch(r.vpin.subarray(1), HAND_VPIN, 1e-14)).toBe(-1);
    expect(firstMismatch(r.vpinCdf.subarray(1), HAND_CDF, 1e-14)).toBe(-1);
  });

  it('constant prices: σ = 0 ⇒ 50/50 split ⇒ VPIN exactly 0, percentile 1', () => {
    const n = 5000;
    const tape = makeTradeTape({
      time: Array.from({ length: n }, (_, i) => T0 + i * 997),
      price: Array.from({ length: n }, () => 42_000),
      amount: Array.from({ length: n }, (_, i) => 0.01 + (i % 7) * 0.003),
    });
    const r = vpinSeries(tape, { sigmaBars: 5, bucketVolume: 0.2, nBuckets: 10, cdfBuckets: 50, minCdfBuckets: 5 });
    expect(r.bucketsCompleted).toBeGreaterThan(50);
    const defined = Array.from(r.vpin).filter((v) => !Number.isNaN(v));
    expect(defined.length).toBeGreaterThan(1000);
    expect(defined.every((v) => v === 0)).toBe(true);
    expect(r.vpinCdf[n - 1]).toBe(1);
  });

  it('a steady trend (all ΔP equal up to rounding) also has σ = 0 ⇒ 50/50 ⇒ VPIN 0', () => {
    // closes 100, 100.1, 100.2, …: the ΔP differ only by floating-point rounding (~1e-14).
    const close = Array.from({ length: 40 }, (_, k) => 100 + 0.1 * k);
    const r = vpinSeries(barTape(close, close.map(() => 3)), { sigmaBars: 5, bucketVolume: 2, nBuckets: 4, cdfBuckets: 10, minCdfBuckets: 1 });
    const defined = Array.from(r.vpin).filter((v) => !Number.isNaN(v));
    expect(defined.length).toBeGreaterThan(25);
    expect(defined.every((v) => v === 0)).toBe(true);
  });

  it('a bucket larger than the whole tape: all NaN', () => {
    const total = HAND_VOLUME.reduce((a, b) => a + b, 0);
    const r = vpinSeries(barTape(HAND_CLOSE, HAND_VOLUME), { ...HAND_PARAMS, bucketVolume: total + 1, nBuckets: 1 });
    expect(r.bucketsCompleted).toBe(0);
    expect(r.vpin.every(Number.isNaN)).toBe(true);
    expect(r.vpinCdf.every(Number.isNaN)).toBe(true);
  });

  it('fewer bars than the σ window: nothing classified, all NaN; the first classified bar is index sigmaBars', () => {
    const r = vpinSeries(barTape(HAND_CLOSE, HAND_VOLUME), { ...HAND_PARAMS, sigmaBars: 8 });
    expect(r.bucketsCompleted).toBe(0);
    expect(r.vpin.every(Number.isNaN)).toBe(true);
    // sigmaBars = 7: only bar 7 is classified. Its window is the ΔP of bars 1..7 = −1,0,1,−1,0,1,−1:
    // mean −1/7, Σ(d − mean)² = 5 − 7·(1/49) = 34/7, sample variance (34/7)/6 = 34/42, z = −1/σ.
    const r7 = vpinSeries(barTape(HAND_CLOSE, HAND_VOLUME), { ...HAND_PARAMS, sigmaBars: 7, nBuckets: 1 });
    const sd = Math.sqrt(34 / 42);
    const share = 1 - 2 * stdNormalCdf(-1 / sd); // (V_S − V_B)/V; V = 25 → buckets 10, 10 (+5 partial)
    expect(r7.bucketsCompleted).toBe(2);
    expect(r7.vpin[6]).toBeNaN();
    expect(r7.vpin[7]).toBeCloseTo(Math.abs(share), 14);
    // Cross-check σ with simple-statistics' sample standard deviation.
    expect(ss.sampleStandardDeviation([-1, 0, 1, -1, 0, 1, -1])).toBeCloseTo(sd, 14);
  });

  it('auto bucket size: (warm-up volume per day) / 50, warm-up rows NaN, bars after it poured', () => {
    // Bars 9.6 min apart and autoWarmupMs = 1 day / 50 = 28.8 min: bars 0..2 (starts 0, 9.6, 19.2 min)
    // are the warm-up and bucketVolume = V_w · 86 400 000 / (50 · 1 728 000) = V_w = 4 + 3 + 3 = 10.
    // Bars 3.. are then exactly the hand example.
    const tf = 576_000;
    const r = vpinSeries(barTape(HAND_CLOSE, [4, 3, 3, 10, 10, 4, 6, 25], tf), { ...HAND_PARAMS, bucketVolume: 0, autoWarmupMs: 1_728_000 });
    expect(r.bucketVolume).toBe(10);
    expect(firstMismatch(r.vpin, HAND_VPIN, 1e-14)).toBe(-1);
    expect(firstMismatch(r.vpinCdf, HAND_CDF, 1e-14)).toBe(-1);
    // Warm-up longer than the tape: never sized, all NaN.
    const never = vpinSeries(barTape(HAND_CLOSE, HAND_VOLUME, tf), { ...HAND_PARAMS, bucketVolume: 0, autoWarmupMs: 8 * tf + 1 });
    expect(never.bucketVolume).toBe(0);
    expect(never.vpin.every(Number.isNaN)).toBe(true);
  });

  it('auto bucket size on trades: warm-up measured from the first print’s aligned bar start', () => {
    // First print at 00:00:30 → T0 = 00:00:00; warm-up 2 min covers bars 00:00 and 00:01 (volume 1 + 2 + 3);
    // bucketVolume = 6 · 86 400 000 / (50 · 120 000) = 86.4, fixed when bar 00:02 completes (print at 00:03:00).
    const tape = makeTradeTape({
      time: [T0 + 30_000, T0 + 70_000, T0 + 110_000, T0 + 150_000, T0 + 180_000],
      price: [10, 11, 12, 11, 10],
      amount: [1, 2, 3, 4, 5],
    });
    const ind = new VpinIndicator({ bucketVolume: 0, autoWarmupMs: 120_000, sigmaBars: 2 });
    for (let i = 0; i < 4; i++) {
      ind.update(tape.time[i], tape.price[i], tape.amount[i], 0);
      expect(ind.bucketVolume).toBe(0);
    }
    ind.update(tape.time[4], tape.price[4], tape.amount[4], 0);
    expect(ind.bucketVolume).toBeCloseTo(86.4, 12);
    expect(vpinSeries(tape, { bucketVolume: 0, autoWarmupMs: 120_000, sigmaBars: 2 }).bucketVolume).toBeCloseTo(86.4, 12);
  });

  it('parameters: defaults, unknown and out-of-range fields fail loudly naming the field', () => {
    expect(resolveVpinParams({})).toEqual({
      barMs: 60_000,
      sigmaBars: 500,
      bucketVolume: 0,
      autoWarmupMs: 86_400_000,
      nBuckets: 50,
      cdfBuckets: 1000,
      minCdfBuckets: 100,
    });
    expect(() => resolveVpinParams({ sigmaBars: 1 })).toThrow(/sigmaBars/);
    expect(() => resolveVpinParams({ nBuckets: 2.5 })).toThrow(/nBuckets/);
    expect(() => resolveVpinParams({ bucketVolume: -1 })).toThrow(/bucketVolume/);
    expect(() => resolveVpinParams({ minCdfBuckets: 20, cdfBuckets: 10 })).toThrow(/minCdfBuckets/);
    expect(() => resolveVpinParams({ nBucket: 5 } as Partial<VpinParams>)).toThrow(/unknown parameter 'nBucket'/);
  });

  it('VPIN_SIGNAL: spec shape and compute = vpinSeries', () => {
    expect(VPIN_SIGNAL.name).toBe('vpin');
    expect(VPIN_SIGNAL.outputs).toEqual(['vpin', 'vpinCdf']);
    expect(VPIN_SIGNAL.accepts).toEqual(['trades', 'bars']);
    for (const spec of Object.values(VPIN_SIGNAL.params)) expect(spec.doc.length).toBeGreaterThan(10);
    const out = VPIN_SIGNAL.compute(barTape(HAND_CLOSE, HAND_VOLUME), HAND_PARAMS as Record<string, number>);
    expect(firstMismatch(out.vpin, HAND_VPIN, 1e-14)).toBe(-1);
    expect(firstMismatch(out.vpinCdf, HAND_CDF, 1e-14)).toBe(-1);
  });
});

// ---------------------------------------------------------------------------
// Real tapes
// ---------------------------------------------------------------------------

/**
 * Independent, slow reference: bars as objects, σ by simple-statistics' sampleStandardDeviation
 * on each window, buy and sell volumes accumulated separately, ECDF by filtering the window.
 */
function referenceVpin(tape: TradeTape | BarTape, params: Partial<VpinParams>): { vpin: number[]; cdf: number[] } {
  const p = resolveVpinParams(params);
  type Bar = { start: number; close: number; volume: number; seenFrom: number };
  const bars: Bar[] = [];
  if (tape.kind === 'bars') {
    for (let i = 0; i < tape.length; i++) bars.push({ start: tape.time[i], close: tape.close[i], volume: tape.volume[i], seenFrom: i });
  } else {
    let cur: Bar | null = null;
    for (let i = 0; i < tape.length; i++) {
      const start = Math.floor(tape.time[i] / p.barMs) * p.barMs;
      if (!cur || start !== cur.start) {
        if (cur) {
          cur.seenFrom = i;
          bars.push(cur);
        }
        cur = { start, close: 0, volume: 0, seenFrom: -1 };
      }
      cur.volume += tape.amount[i];
      cur.close = tape.price[i];
    }
  }
  let B = p.bucketVolume;
  let firstPoured = 0;
  if (B === 0) {
    const warmEnd = bars.length ? bars[0].start + p.autoWarmupMs : 0;
    firstPoured = bars.findIndex((b) => b.start >= warmEnd);
    if (firstPoured < 0) firstPoured = bars.length;
    else B = (bars.slice(0, firstPoured).reduce((a, b) => a + b.volume, 0) * 86_400_000) / (50 * p.autoWarmupMs);
  }
  const dps = bars.map((b, j) => (j === 0 ? NaN : b.close - bars[j - 1].close));
  const vpinAtBar: number[] = [];
  const cdfAtBar: number[] = [];
  const imbalances: number[] = [];
  const vpins: number[] = [];
  let buy = 0;
  let sell = 0;
  let fill = 0;
  let lastV = NaN;
  let lastC = NaN;
  for (let j = 0; j < bars.length; j++) {
    const bar = bars[j];
    if (j >= firstPoured && j >= p.sigmaBars && bar.volume > 0 && B > 0) {
      const sd = ss.sampleStandardDeviation(dps.slice(j - p.sigmaBars + 1, j + 1));
      const buyShare = sd > 0 ? stdNormalCdf(dps[j] / sd) : 0.5;
      let rest = bar.volume;
      while (rest > 0) {
        const room = B - fill;
        const x = rest >= room ? room : rest;
        buy += x * buyShare;
        sell += x - x * buyShare;
        rest -= x;
        if (x === room) {
          imbalances.push(Math.abs(sell - buy));
          buy = sell = fill = 0;
          if (imbalances.length >= p.nBuckets) {
            lastV = imbalances.slice(-p.nBuckets).reduce((a, b) => a + b, 0) / (p.nBuckets * B);
            vpins.push(lastV);
            const win = vpins.slice(-p.cdfBuckets);
            lastC = win.length >= p.minCdfBuckets ? win.filter((v) => v <= lastV).length / win.length : NaN;
          }
        } else {
          fill += x;
        }
      }
    }
    vpinAtBar.push(lastV);
    cdfAtBar.push(lastC);
  }
  const vpin = new Array<number>(tape.length).fill(NaN);
  const cdf = new Array<number>(tape.length).fill(NaN);
  let j = -1;
  for (let i = 0; i < tape.length; i++) {
    while (j + 1 < bars.length && bars[j + 1].seenFrom <= i) j++;
    if (j >= 0) {
      vpin[i] = vpinAtBar[j];
      cdf[i] = cdfAtBar[j];
    }
  }
  return { vpin, cdf };
}

function streamTrades(tape: TradeTape, params: Partial<VpinParams>): { vpin: Float64Array; cdf: Float64Array } {
  const ind = new VpinIndicator(params);
  const vpin = new Float64Array(tape.length);
  const cdf = new Float64Array(tape.length);
  for (let i = 0; i < tape.length; i++) {
    ind.update(tape.time[i], tape.price[i], tape.amount[i], tape.side[i]);
    vpin[i] = ind.value(0);
    cdf[i] = ind.value(1);
  }
  return { vpin, cdf };
}

function streamBars(tape: BarTape, params: Partial<VpinParams>): { vpin: Float64Array; cdf: Float64Array } {
  const ind = new VpinBarIndicator(params);
  const vpin = new Float64Array(tape.length);
  const cdf = new Float64Array(tape.length);
  for (let i = 0; i < tape.length; i++) {
    ind.update(tape.time[i], tape.open[i], tape.high[i], tape.low[i], tape.close[i], tape.volume[i]);
    vpin[i] = ind.value(0);
    cdf[i] = ind.value(1);
  }
  return { vpin, cdf };
}

function totalVolume(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

describe('vpinSeries on the bundled real tapes', () => {
  const futures = loadTrades(bundledData.trades).tape; // 9,999 trades, ~2 h
  const spot = loadTrades(bundledData.spotTrades).tape; // 19,904 trades, 10.8 min
  const bars5m = loadBars(bundledData.bars5m).tape; // 71,769 bars, 8 months

  const cases: { name: string; tape: TradeTape | BarTape; params: Partial<VpinParams> }[] = [
    {
      name: 'futures trades, 10 s bars, explicit buckets',
      tape: futures,
      params: { barMs: 10_000, sigmaBars: 30, bucketVolume: totalVolume(futures.amount) / 400, nBuckets: 20, cdfBuckets: 100, minCdfBuckets: 20 },
    },
    {
      name: 'futures trades, 1 min bars, auto buckets over a 15 min warm-up',
      tape: futures,
      params: { sigmaBars: 20, bucketVolume: 0, autoWarmupMs: 900_000, nBuckets: 1, cdfBuckets: 5, minCdfBuckets: 1 }, // bucket = 28.8 min of warm-up-rate volume
    },
    {
      name: 'spot trades, 2 s bars, explicit buckets',
      tape: spot,
      params: { barMs: 2_000, sigmaBars: 20, bucketVolume: totalVolume(spot.amount) / 300, nBuckets: 10, cdfBuckets: 60, minCdfBuckets: 10 },
    },
    { name: '5m bars, default parameters (auto buckets, 1-day warm-up)', tape: bars5m, params: {} },
  ];

  for (const c of cases) {
    it(`${c.name}: pure = streaming (≤ 1e-9 relative) = independent reference`, () => {
      const pure = vpinSeries(c.tape, c.params);
      const stream = c.tape.kind === 'bars' ? streamBars(c.tape, c.params) : streamTrades(c.tape, c.params);
      expect(firstMismatch(pure.vpin, stream.vpin, 1e-9)).toBe(-1);
      expect(firstMismatch(pure.vpinCdf, stream.cdf, 1e-9)).toBe(-1);
      const defined = Array.from(pure.vpin).filter((v) => !Number.isNaN(v));
      const definedCdf = Array.from(pure.vpinCdf).filter((v) => !Number.isNaN(v));
      expect(defined.length).toBeGreaterThan(c.tape.length / 10); // the case really exercises the formula
      expect(definedCdf.length).toBeGreaterThan(0);
      expect(defined.every((v) => v >= 0 && v <= 1)).toBe(true);

      const ref = referenceVpin(c.tape, c.params);
      expect(firstMismatch(pure.vpin, ref.vpin, 1e-9)).toBe(-1);
      expect(firstMismatch(pure.vpinCdf, ref.cdf, 1e-12)).toBe(-1);
    });
  }

  for (const c of cases) {
    it(`${c.name}: vpinSteps holds exactly the streaming values, one step per change at most`, () => {
      const st = vpinSteps(c.tape, c.params);
      const stream = c.tape.kind === 'bars' ? streamBars(c.tape, c.params) : streamTrades(c.tape, c.params);
      expect(st.row[0]).toBe(0);
      let s = 0;
      let changes = 0;
      for (let i = 0; i < c.tape.length; i++) {
        while (s + 1 < st.length && st.row[s + 1] <= i) s++;
        expect(st.row[s] <= i && (s + 1 === st.length || i < st.row[s + 1])).toBe(true);
        expect(st.vpin[s]).toBe(stream.vpin[i]); // Object.is: exact, NaN included
        expect(st.vpinCdf[s]).toBe(stream.cdf[i]);
        if (i > 0 && !Object.is(stream.vpin[i], stream.vpin[i - 1])) changes++;
      }
      expect(changes).toBeGreaterThan(1); // the values do move (the 2 h tape with ~29 min buckets: only a few)
      expect(st.length).toBeLessThanOrEqual(st.bucketsCompleted + 1); // a step only where a bucket completed
      expect(st.bucketsCompleted).toBe(vpinSeries(c.tape, c.params).bucketsCompleted);
    });
  }

  it('5m bars with defaults: sensible numbers (bucket ≈ 1/50 of a day’s volume, VPIN in (0, 1))', () => {
    const r = vpinSeries(bars5m, {});
    // bucketVolume = first day's volume / 50.
    let day = 0;
    for (let i = 0; i < bars5m.length && bars5m.time[i] < bars5m.time[0] + 86_400_000; i++) day += bars5m.volume[i];
    expect(r.bucketVolume).toBeCloseTo(day / 50, 6);
    expect(r.bucketsCompleted).toBeGreaterThan(5000);
    const first = r.vpin.findIndex((v) => !Number.isNaN(v));
    expect(first).toBeGreaterThanOrEqual(500); // σ window of 500 bars (> the 288-bar warm-up)
    const last = r.vpin[r.vpin.length - 1];
    expect(last).toBeGreaterThan(0);
    expect(last).toBeLessThan(1);
  });

  it('causality: a prefix of the tape gives the prefix of the full run (trades and bars)', () => {
    const p = cases[0].params;
    const full = vpinSeries(futures, p);
    for (const k of [1, 500, 2345, 5000, 7777, futures.length - 1]) {
      const part = vpinSeries(sliceTrades(futures, 0, k), p);
      expect(firstMismatch(part.vpin, full.vpin.subarray(0, k))).toBe(-1);
      expect(firstMismatch(part.vpinCdf, full.vpinCdf.subarray(0, k))).toBe(-1);
    }
    const fullBars = vpinSeries(bars5m, {});
    for (const k of [1000, 20_000, 50_001]) {
      const part = vpinSeries(sliceBars(bars5m, 0, k), {});
      expect(firstMismatch(part.vpin, fullBars.vpin.subarray(0, k))).toBe(-1);
      expect(firstMismatch(part.vpinCdf, fullBars.vpinCdf.subarray(0, k))).toBe(-1);
    }
  });

  it("causality: on trades, row i does not depend on its own print (it is in the bar still forming)", () => {
    const p = cases[0].params;
    const full = vpinSeries(futures, p);
    const price = futures.price.slice();
    const amount = futures.amount.slice();
    for (const i of [3000, 6000, 9000]) {
      price[i] *= 1.05;
      amount[i] *= 50;
    }
    const changed = vpinSeries(makeTradeTape({ time: futures.time, price, amount, side: futures.side }), p);
    // Identical up to and including row 3000; the first row that can differ is the first print of the next bar.
    expect(firstMismatch(changed.vpin.subarray(0, 3001), full.vpin.subarray(0, 3001))).toBe(-1);
    const nextBar = Math.floor(futures.time[3000] / 10_000) * 10_000 + 10_000;
    const seen = futures.time.findIndex((t) => t >= nextBar);
    expect(firstMismatch(changed.vpin.subarray(0, seen), full.vpin.subarray(0, seen))).toBe(-1);
    expect(firstMismatch(changed.vpin, full.vpin)).toBeGreaterThanOrEqual(seen);
  });
});
