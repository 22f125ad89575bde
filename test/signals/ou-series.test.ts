import { describe, expect, it } from 'vitest';
import { loadBars, loadTrades } from '../../src/data/load';
import { bundledData } from '../../src/data/bundled';
import { makeBarTape, makeTradeTape, sliceBars, sliceTrades, type BarTape, type MarketTape, type TradeTape } from '../../src/data/tape';
import { OU_SIGNAL, OuBarIndicator, OuIndicator, fitOu, ouSeries, type OuSeriesParams } from '../../src/signals/ou';
import { V4_OU, ouZScores, type V4Params } from '../../src/strategies/v4-ou';
import { defaultParams } from '../../src/strategies/strategy';

const trades = loadTrades(bundledData.trades).tape;
const spot = loadTrades(bundledData.spotTrades).tape;
const bars = loadBars(bundledData.bars5m).tape;
const v4 = defaultParams(V4_OU) as V4Params;

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

function finiteCount(a: Float64Array): number {
  let c = 0;
  for (const v of a) if (Number.isFinite(v)) c++;
  return c;
}

const CASES: [string, MarketTape, OuSeriesParams][] = [
  ['futures trades, V4 defaults', trades, v4],
  ['futures trades, 1 s samples, 5 min lookback (buffer compacts many times)', trades, { lookbackMs: 300_000, sampleMs: 1_000, minSamples: 20 }],
  ['spot trades, V4 defaults (short tape: mostly warm-up)', spot, v4],
  ['spot trades, 2 s samples', spot, { lookbackMs: 120_000, sampleMs: 2_000, minSamples: 10 }],
  ['5m bars, V4 defaults', bars, v4],
  ['5m bars, 4 h lookback', bars, { lookbackMs: 4 * 3_600_000, sampleMs: 1, minSamples: 12 }],
];

describe('ouSeries', () => {
  it.each(CASES)('z is identical to V4’s ouZScores on the real %s', (_name, tape, p) => {
    const z = ouSeries(tape, p).z;
    const want = ouZScores(tape, p);
    expect(firstMismatch(z, want, 0)).toBe(-1); // bit for bit (NaN where V4 has NaN)
    if (tape !== spot || p !== v4) expect(finiteCount(z)).toBeGreaterThan(tape.length / 3);
  });

  it('θ, μ, σ, half-life equal fitOu on the trailing samples (bars: each close), μ as absolute ln price', () => {
    const p = { lookbackMs: 4 * 3_600_000, sampleMs: 1, minSamples: 12 };
    const r = ouSeries(bars, p);
    const cap = 48; // 4 h of 5 m bars
    const ref = Math.log(bars.close[0]);
    let valid = 0;
    for (const i of [11, 47, 48, 1000, 20_000, 50_001, bars.length - 1]) {
      const from = Math.max(0, i - cap + 1);
      const xs: number[] = [];
      for (let j = from; j <= i; j++) xs.push(Math.log(bars.close[j]) - ref);
      const f = fitOu(xs, bars.timeframeMs);
      const same = (a: number, b: number) => (Number.isNaN(b) ? Number.isNaN(a) : Math.abs(a - b) <= 1e-12 * Math.abs(b));
      expect(same(r.theta[i], f.theta)).toBe(true);
      expect(same(r.mu[i], f.mu + ref)).toBe(true);
      expect(same(r.sigma[i], f.sigma)).toBe(true);
      expect(same(r.halfLife[i], f.halfLife)).toBe(true);
      if (Number.isFinite(f.theta)) valid++;
    }
    expect(valid).toBeGreaterThan(2);
    expect(Number.isNaN(r.theta[10])).toBe(true); // 11 samples < minSamples 12
  });

  it('ticks: a row sees completed samples only (last print of each interval, carried through gaps)', () => {
    // sampleMs 1000; intervals 0..4 hold one print each, interval 5 is empty, the print at 6.5 s reads the fit.
    const prices = [100, 102, 103, 103.4, 103.3];
    const t: TradeTape = makeTradeTape({
      time: [0, 1000, 2000, 3000, 4000, 4500, 6500],
      price: [...prices, 103.5, 103.1],
      amount: new Float64Array(7).fill(1),
    });
    const p = { lookbackMs: 100_000, sampleMs: 1000, minSamples: 3 };
    const r = ouSeries(t, p);
    // samples at the row t = 6500: intervals 0..4 closes (interval 4's last print is 103.5) and interval 5 carried.
    const ref = Math.log(100);
    const xs = [100, 102, 103, 103.4, 103.5, 103.5].map((v) => Math.log(v) - ref);
    const f = fitOu(xs, 1000);
    expect(r.theta[6]).toBe(f.theta);
    expect(r.mu[6]).toBe(f.mu + ref);
    expect(f.b).toBeGreaterThan(0); // mean-reverting window (b ≈ 0.43): finite outputs
    expect(Number.isFinite(r.theta[6])).toBe(true);
    expect(r.z[6]).toBe((Math.log(103.1) - ref - f.mu) / f.sigmaEq);
    // at t = 4500 only intervals 0..3 are complete
    const f4 = fitOu(xs.slice(0, 4), 1000);
    expect(f4.b).toBeGreaterThan(0); // b ≈ 0.47
    expect(r.theta[5]).toBe(f4.theta);
    expect(r.theta[4]).toBe(f4.theta); // same interval as row 5
    expect(Number.isNaN(r.theta[2])).toBe(true); // two samples < minSamples 3
  });

  it('units: θ per ms, half-life in ms, e^μ the equilibrium price (noiseless AR(1) on hourly bars)', () => {
    // ln price follows x_{k+1} = μ + 0.8 (x_k − μ) toward ln 50 000: b = 0.8 per bar of 3.6e6 ms.
    const mu = Math.log(50_000);
    const xs = [Math.log(60_000)];
    for (let k = 0; k < 40; k++) xs.push(mu + 0.8 * (xs[k] - mu));
    const closes = xs.map(Math.exp);
    const b: BarTape = makeBarTape({ time: closes.map((_, k) => k * 3_600_000), open: closes, high: closes, low: closes, close: closes, volume: closes.map(() => 1), timeframeMs: 3_600_000 });
    const r = ouSeries(b, { lookbackMs: 30 * 3_600_000, sampleMs: 1, minSamples: 10 });
    const last = b.length - 1;
    expect(r.theta[last]).toBeCloseTo(-Math.log(0.8) / 3_600_000, 15);
    expect(r.halfLife[last] / 3_600_000).toBeCloseTo(Math.LN2 / -Math.log(0.8), 5); // ≈ 3.106 bars
    expect(Math.exp(r.mu[last])).toBeCloseTo(50_000, 3);
  });

  it('rejects minSamples < 3 and a non-positive sampleMs; an empty tape gives empty outputs', () => {
    expect(() => ouSeries(trades, { ...v4, minSamples: 2 })).toThrow(/minSamples/);
    expect(() => new OuIndicator({ ...v4, sampleMs: 0 })).toThrow(/sampleMs/);
    expect(ouSeries(sliceTrades(trades, 0, 0), v4).z.length).toBe(0);
  });

  it('is causal on bars: a prefix gives the prefix', () => {
    const full = ouSeries(bars, v4);
    const pre = ouSeries(sliceBars(bars, 0, 30_000), v4);
    expect(firstMismatch(pre.mu, full.mu.subarray(0, 30_000), 0)).toBe(-1);
    expect(firstMismatch(pre.z, full.z.subarray(0, 30_000), 0)).toBe(-1);
  });
});

describe('OuIndicator / OuBarIndicator (streaming)', () => {
  it.each(CASES)('equal ouSeries to 1e-9 on the real %s', (_name, tape, p) => {
    const r = ouSeries(tape, p);
    const want = [r.theta, r.mu, r.sigma, r.halfLife, r.z];
    const cols = want.map(() => new Float64Array(tape.length));
    let defined = 0;
    if (tape.kind === 'trades') {
      const ind = new OuIndicator(p);
      for (let i = 0; i < tape.length; i++) {
        if (ind.update(tape.time[i], tape.price[i], tape.amount[i], tape.side[i])) defined++;
        for (let k = 0; k < 5; k++) cols[k][i] = ind.value(k);
      }
    } else {
      const ind = new OuBarIndicator(p, tape.timeframeMs);
      for (let i = 0; i < tape.length; i++) {
        if (ind.update(tape.time[i], tape.open[i], tape.high[i], tape.low[i], tape.close[i], tape.volume[i])) defined++;
        for (let k = 0; k < 5; k++) cols[k][i] = ind.value(k);
      }
    }
    for (let k = 0; k < 5; k++) expect(firstMismatch(cols[k], want[k])).toBe(-1);
    expect(defined).toBeGreaterThan(0); // update() returns true once a fit exists
  });
});

describe('OU_SIGNAL', () => {
  it('outputs exactly theta, mu, sigma, halfLife, z with V4’s defaults, and computes ouSeries', () => {
    expect(OU_SIGNAL.name).toBe('ou');
    expect(OU_SIGNAL.outputs).toEqual(['theta', 'mu', 'sigma', 'halfLife', 'z']);
    expect(OU_SIGNAL.params.lookbackMs.default).toBe(v4.lookbackMs);
    expect(OU_SIGNAL.params.sampleMs.default).toBe(v4.sampleMs);
    expect(OU_SIGNAL.params.minSamples.default).toBe(v4.minSamples);
    const out = OU_SIGNAL.compute(trades, { lookbackMs: v4.lookbackMs, sampleMs: v4.sampleMs, minSamples: v4.minSamples });
    expect(Object.keys(out)).toEqual(['theta', 'mu', 'sigma', 'halfLife', 'z']);
    expect(firstMismatch(out.z, ouZScores(trades, v4), 0)).toBe(-1);
  });
});

describe('ouTickRuns: more runs than the tape spans intervals', () => {
  it('grows its columns and still gives the streaming form’s values (times running back to the start)', () => {
    // Run columns are sized from the first and last time; a tape that ends where it began (not a
    // valid tape, whose times are non-decreasing, but nothing checks that here) needs more.
    const n = 400;
    const time = Array.from({ length: n }, (_, i) => (i === n - 1 ? 0 : i * 1000));
    const price = Array.from({ length: n }, (_, i) => 100 * Math.exp(0.01 * Math.sin(i / 5) + 0.002 * Math.cos(i * 1.7)));
    const t = makeTradeTape({ time, price, amount: time.map(() => 1), side: time.map(() => 1) });
    const p = { lookbackMs: 30_000, sampleMs: 1000, minSamples: 10 };
    const r = ouSeries(t, p);
    const ind = new OuIndicator(p);
    let defined = 0;
    for (let i = 0; i < n; i++) {
      ind.update(t.time[i], t.price[i], 1, 1);
      expect([r.theta[i], r.mu[i], r.sigma[i], r.halfLife[i], r.z[i]]).toEqual([0, 1, 2, 3, 4].map((k) => ind.value(k)));
      if (Number.isFinite(r.z[i])) defined++;
    }
    expect(defined).toBeGreaterThan(100);
  });
});
