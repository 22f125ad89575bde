import { describe, expect, it } from 'vitest';
import { channel, ema, realizedVol, returnZ, rollingReturnVariance, sampledBars, sampleOfRow, sampleRuns, sampleTape, trailingPercentile, volumeRatio } from '../../src/signals/sampling';
import { createPrng } from '../../src/util/prng';
import { makeTradeTape } from '../../src/data/tape';
import ss from '../../src/analytics/ss';

const f64 = (x: number[]) => Float64Array.from(x);

describe('sampleTape (ticks)', () => {
  // prints at 0.5 s, 0.9 s, 2.2 s, 2.4 s, 5.1 s on a 1 s grid
  const tape = makeTradeTape({
    time: [500, 900, 2200, 2400, 5100],
    price: [10, 11, 12, 13, 14],
    amount: [1, 2, 3, 4, 5],
    side: ['buy', 'sell', 'buy', 'buy', 'sell'],
  });
  const s = sampleTape(tape, 1000);
  it('closes each interval at its last print and carries it through empty ones', () => {
    expect(Array.from(s.close)).toEqual([11, 11, 13, 13, 13, 14]);
    expect(Array.from(s.end)).toEqual([1000, 2000, 3000, 4000, 5000, 6000]);
    expect(Array.from(s.volume)).toEqual([3, 0, 7, 0, 0, 5]);
    expect(Array.from(s.signedVolume)).toEqual([-1, 0, 7, 0, 0, -5]);
  });
  it('a row sees only the samples before its own interval', () => {
    expect(Array.from(s.rowToSample)).toEqual([-1, -1, 1, 1, 4]);
  });
  it('sampleRuns: the rows of each sample as one contiguous range (rows before any sample, empty samples, the last sample)', () => {
    // rowToSample [-1, -1, 1, 1, 4] over 6 samples: rows 0–1 see none, 2–3 see sample 1, 4 sees sample 4.
    const runs = sampleRuns(s);
    expect(Array.from(runs)).toEqual([0, 2, 2, 4, 4, 4, 5, 5]);
    for (let j = -1; j < s.length; j++) {
      const rows = Array.from(s.rowToSample.keys()).filter((i) => s.rowToSample[i] === j);
      expect(rows).toEqual(Array.from({ length: runs[j + 2] - runs[j + 1] }, (_, q) => runs[j + 1] + q));
    }
    expect(sampleRuns(s)).toBe(runs);
  });
  it('sampleOfRow: the sample each row sees, by search over the run starts', () => {
    expect([0, 1, 2, 3, 4].map((i) => sampleOfRow(s, i))).toEqual([-1, -1, 1, 1, 4]);
  });
  it('run starts recorded by the sampling pass match the definition (interval floor(t/Δ), row sees the one before) on random tapes with gaps', () => {
    const rnd = createPrng(3);
    for (let c = 0; c < 20; c++) {
      const n = 1 + Math.floor(rnd.nextFloat() * 3000);
      const time: number[] = [];
      let t = 1_700_000_000_000 + rnd.nextFloat() * 5000;
      for (let i = 0; i < n; i++) {
        const u = rnd.nextFloat();
        t += u < 0.2 ? 0 : u < 0.97 ? rnd.nextFloat() * 300 : rnd.nextFloat() * 20_000; // ties, steps, gaps
        time.push(t);
      }
      const tp = makeTradeTape({ time, price: time.map((_, i) => 100 + i), amount: time.map(() => 1) });
      const dt = [250, 1000, 7000][c % 3];
      const smp = sampleTape(tp, dt);
      const first = Math.floor(time[0] / dt);
      const sees = time.map((x) => Math.floor(x / dt) - first - 1);
      expect(Array.from(smp.rowToSample)).toEqual(sees);
      expect(time.map((_, i) => sampleOfRow(smp, i))).toEqual(sees);
      const runs = sampleRuns(smp);
      expect(runs.length).toBe(smp.length + 2);
      for (let j = -1; j < smp.length; j++) {
        const rows = sees.flatMap((v, i) => (v === j ? [i] : []));
        const from = runs[j + 1];
        expect(rows, `case ${c} sample ${j}`).toEqual(Array.from({ length: runs[j + 2] - from }, (_, q) => from + q));
        if (rows.length === 0) {
          // An empty sample's rows "start" where the next sample's rows do.
          const next = sees.findIndex((v) => v > j);
          expect(from).toBe(next === -1 ? n : next);
        }
      }
    }
  });
  it('as bars: one bar per sample, open time = end − Δ', () => {
    const b = sampledBars(tape, 1000);
    expect(Array.from(b.time)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(Array.from(b.close)).toEqual(Array.from(s.close));
    expect(b.timeframeMs).toBe(1000);
  });
});

describe('rolling windows against direct computation', () => {
  const close = f64([100, 101, 99, 102, 103, 101, 104, 106, 105, 107, 108, 106]);
  const logret = (j: number) => Math.log(close[j] / close[j - 1]);

  it('rollingReturnVariance and realizedVol equal the sample variance / sd of the window', () => {
    const v = rollingReturnVariance(close, 4);
    const rv = realizedVol(close, 4);
    for (let j = 0; j < close.length; j++) {
      if (j < 4) {
        expect(Number.isNaN(v[j])).toBe(true);
        continue;
      }
      const w = [1, 2, 3, 4].map((d) => logret(j - 4 + d));
      expect(v[j]).toBeCloseTo(ss.sampleVariance(w), 14);
      expect(rv[j]).toBeCloseTo(ss.sampleStandardDeviation(w), 12);
    }
  });

  it('returnZ = k-sample log return / (σ·√k)', () => {
    const z = returnZ(close, 2, 5);
    const j = 9;
    const w = [1, 2, 3, 4, 5].map((d) => logret(j - 5 + d));
    expect(z[j]).toBeCloseTo(Math.log(close[j] / close[j - 2]) / (ss.sampleStandardDeviation(w) * Math.SQRT2), 12);
    expect(Number.isNaN(z[4])).toBe(true);
  });

  it('volumeRatio: last k over the average k within the last kLong', () => {
    const vol = f64([1, 2, 3, 4, 5, 6]);
    const r = volumeRatio(vol, 2, 4);
    // at j = 5: last 2 = 11, last 4 = 18 → average per 2 = 9 → 11/9
    expect(r[5]).toBeCloseTo(11 / 9, 14);
    expect(Number.isNaN(r[2])).toBe(true);
  });

  it('channel: max/min of the k samples before j (excluding j)', () => {
    const { high, low } = channel(close, 3);
    for (let j = 3; j < close.length; j++) {
      const w = Array.from(close.subarray(j - 3, j));
      expect(high[j]).toBe(Math.max(...w));
      expect(low[j]).toBe(Math.min(...w));
    }
    expect(Number.isNaN(high[2])).toBe(true);
  });

  it('ema: α = 2/(k+1) seeded with the first value', () => {
    const e = ema(f64([1, 2, 3]), 3); // α = 0.5
    expect(Array.from(e)).toEqual([1, 1.5, 2.25]);
  });

  it('trailingPercentile: share of the previous window ≤ the value, NaN until enough history', () => {
    const x = f64([5, 1, 3, 2, 4, 6]);
    const p = trailingPercentile(x, 4, 3);
    expect(Number.isNaN(p[2])).toBe(true); // 2 earlier values < minCount 3
    expect(p[3]).toBeCloseTo(1 / 3, 15); // 2 vs {5,1,3}: one ≤
    expect(p[4]).toBeCloseTo(3 / 4, 15); // 4 vs {5,1,3,2}
    expect(p[5]).toBe(1); // 6 vs {1,3,2,4}
  });
});
