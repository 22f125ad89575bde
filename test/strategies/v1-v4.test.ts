import { describe, expect, it } from 'vitest';
import { loadBars, loadTrades } from '../../src/data/load';
import { bundledData } from '../../src/data/bundled';
import { sliceBars, sliceTrades, type MarketTape } from '../../src/data/tape';
import { tradeFlowImbalance } from '../../src/signals/ofi';
import { V1_OFI, type V1Params } from '../../src/strategies/v1-ofi';
import { V4_OU, ouZScores, type V4Params } from '../../src/strategies/v4-ou';
import { defaultParams } from '../../src/strategies/strategy';
import { KyleLambdaIndicator } from '../../src/signals/kyle-lambda';
import { OuIndicator } from '../../src/signals/ou';
import { ticks } from '../helpers/tapes';

const trades = loadTrades(bundledData.trades).tape;
const bars = loadBars(bundledData.bars5m).tape;
const v1 = { ...(defaultParams(V1_OFI) as V1Params) };
const v4 = { ...(defaultParams(V4_OU) as V4Params) };

describe('tradeFlowImbalance', () => {
  it('hand example: window of 2 s over five prints', () => {
    const t = ticks([
      [0, 100],
      [1, 100],
      [2, 100],
      [3, 100],
      [4, 100],
    ]);
    // amounts 1,2,3,4,5 with sides + − + + −
    const tape = { ...t, amount: Float64Array.from([1, 2, 3, 4, 5]), side: Int8Array.from([1, -1, 1, 1, -1]) };
    const { imbalance, count } = tradeFlowImbalance(tape, 2000);
    // window (t−2 s, t]: row 0 {1}: 1; row 1 {1,−2}: −1/3; row 2 {−2,3}: 1/5; row 3 {3,4}: 1; row 4 {4,−5}: −1/9
    expect(Array.from(imbalance)).toEqual([1, -1 / 3, 1 / 5, 1, -1 / 9].map((x) => expect.closeTo(x, 12)));
    expect(Array.from(count)).toEqual([1, 2, 2, 2, 2]);
  });
});

describe('V1 on ticks', () => {
  it('the fused signal pass equals thresholding tradeFlowImbalance on the real tape', () => {
    const p = { ...v1, imbalanceThreshold: 0.5 };
    const s = V1_OFI.signals(trades, p);
    const { imbalance, count } = tradeFlowImbalance(trades, p.windowMs);
    let n = 0;
    for (let i = 0; i < trades.length; i++) {
      const ok = count[i] >= p.minWindowTrades;
      const want = ok && imbalance[i] >= 0.5 ? 1 : ok && imbalance[i] <= -0.5 ? -1 : 0;
      if (Math.abs(Math.abs(imbalance[i]) - 0.5) < 1e-9) continue; // rounding at the boundary
      expect(s.entry[i]).toBe(want);
      if (want) n++;
    }
    expect(n).toBeGreaterThan(100);
  });

  it('a stricter threshold gives a subset of the entries', () => {
    const loose = V1_OFI.signals(trades, { ...v1, imbalanceThreshold: 0.3 }).entry;
    const strict = V1_OFI.signals(trades, { ...v1, imbalanceThreshold: 0.7 }).entry;
    let a = 0;
    let b = 0;
    for (let i = 0; i < loose.length; i++) {
      if (strict[i]) expect(loose[i]).toBe(strict[i]);
      a += loose[i] ? 1 : 0;
      b += strict[i] ? 1 : 0;
    }
    expect(b).toBeLessThan(a);
  });
});

/** Changing the future must not change the past: signals on a prefix equal the prefix of signals. */
function expectCausal(tape: MarketTape, signals: (t: MarketTape) => { entry: Int8Array; exit?: Uint8Array }, cut: number) {
  const full = signals(tape);
  const prefix = signals(tape.kind === 'trades' ? sliceTrades(tape, 0, cut) : sliceBars(tape, 0, cut));
  expect(Array.from(prefix.entry)).toEqual(Array.from(full.entry.subarray(0, cut)));
  if (full.exit && prefix.exit) expect(Array.from(prefix.exit)).toEqual(Array.from(full.exit.subarray(0, cut)));
}

describe('no look-ahead', () => {
  it('V1 and V4 signals on a prefix of the real trade tape equal the full run’s prefix', () => {
    expectCausal(trades, (t) => V1_OFI.signals(t, v1), 6000);
    expectCausal(trades, (t) => V4_OU.signals(t, v4), 6000);
  });
  it('same on 5m bars', () => {
    expectCausal(bars, (t) => V1_OFI.signals(t, { ...v1, volumeRatio: 1.5 }), 30_000);
    expectCausal(bars, (t) => V4_OU.signals(t, v4), 30_000);
  });
});

describe('V4 z-scores', () => {
  it('are NaN until enough samples exist, then finite on the real tape', () => {
    const z = ouZScores(trades, v4);
    expect(Number.isNaN(z[0])).toBe(true);
    let finite = 0;
    for (const v of z) if (Number.isFinite(v)) finite++;
    expect(finite).toBeGreaterThan(trades.length / 2);
  });

  it('enter beyond ±zEntry and request exits back inside ±zExit', () => {
    const z = ouZScores(bars, v4);
    const s = V4_OU.signals(bars, v4);
    for (let i = 0; i < z.length; i++) {
      if (s.entry[i] === 1) expect(z[i]).toBeLessThanOrEqual(-2);
      if (s.entry[i] === -1) expect(z[i]).toBeGreaterThanOrEqual(2);
      if (Number.isFinite(z[i]) && Math.abs(z[i]) <= 0.5) expect(s.exit![i]).toBe(3);
    }
  });
});

describe('V4 price-band fast path', () => {
  it('gives the same decisions as thresholding the z-scores, except within rounding of a band', () => {
    const z = ouZScores(trades, v4);
    const slow = V4_OU.signals(bars, v4); // bars take the z path: sanity that it still works
    expect(slow.entry.length).toBe(bars.length);
    const fast = V4_OU.signals(trades, v4);
    let entries = 0;
    for (let i = 0; i < trades.length; i++) {
      const v = z[i];
      const near = (t: number) => Math.abs(Math.abs(v) - t) < 1e-9;
      if (Number.isNaN(v) || near(v4.zEntry) || near(v4.zExit)) continue;
      const want = v <= -v4.zEntry ? 1 : v >= v4.zEntry ? -1 : 0;
      expect(fast.entry[i]).toBe(want);
      expect(fast.exit![i]).toBe((v >= -v4.zExit ? 1 : 0) | (v <= v4.zExit ? 2 : 0));
      if (want) entries++;
    }
    expect(entries).toBeGreaterThan(10);
  });
});

describe('V4 on ticks: runs of one fit against the streaming indicator row by row', () => {
  // V4 computes its price bands once per run of rows sharing a fit (ouTickRuns). Reference: the
  // streaming OuIndicator updated at every trade, its bands from priceAtZ after each refit, each
  // trade compared with them — decision for decision, no tolerance.
  it.each([
    [v4.sampleMs, v4.lookbackMs, v4.minSamples, 2.5, 0.5],
    [1000, 300_000, 20, 1.5, 0],
  ] as const)('sampleMs %i, lookback %i ms, minSamples %i, zEntry %f, zExit %f', (sampleMs, lookbackMs, minSamples, zEntry, zExit) => {
    const p = { ...v4, sampleMs, lookbackMs, minSamples, zEntry, zExit };
    const got = V4_OU.signals(trades, p);
    const ou = new OuIndicator(p);
    let fits = 0;
    let bands = [NaN, NaN, NaN, NaN];
    let entries = 0;
    let exits = 0;
    for (let i = 0; i < trades.length; i++) {
      const q = trades.price[i];
      ou.update(trades.time[i], q, 0, 0);
      if (ou.fits !== fits) {
        fits = ou.fits;
        bands = [ou.priceAtZ(-zEntry), ou.priceAtZ(zEntry), ou.priceAtZ(-zExit), ou.priceAtZ(zExit)];
      }
      const [longIn, shortIn, longOut, shortOut] = bands;
      const want = Number.isNaN(longIn) ? [0, 0] : [q <= longIn ? 1 : q >= shortIn ? -1 : 0, (q >= longOut ? 1 : 0) | (q <= shortOut ? 2 : 0)];
      expect([got.entry[i], got.exit![i]]).toEqual(want);
      if (want[0]) entries++;
      if (want[1] === 1 || want[1] === 2) exits++;
    }
    expect(entries).toBeGreaterThan(20);
    expect(exits).toBeGreaterThan(100);
  });
});

describe('V2 on ticks: streaming fast path', () => {
  it('takes exactly the decisions of the series-based reading (kyleLambdaSeries + last completed interval’s flow)', async () => {
    const { V2_KYLE } = await import('../../src/strategies/v2-kyle');
    const { kyleLambdaSeries } = await import('../../src/signals/kyle-lambda');
    const { sampleTape } = await import('../../src/signals/sampling');
    const p = { ...(defaultParams(V2_KYLE) as Record<string, number>), sampleMs: 5000, windowSamples: 30 } as never;
    const fast = V2_KYLE.signals(trades, p);
    const k = kyleLambdaSeries(trades, { sampleMs: 5000, windowSamples: 30, sqrtVolume: 0 });
    const smp = sampleTape(trades, 5000);
    let n = 0;
    for (let i = 0; i < trades.length; i++) {
      const j = smp.rowToSample[i];
      const s = j >= 0 ? smp.signedVolume[j] : 0;
      const want = k.lambda[i] > 0 && k.tStat[i] >= 2 && s !== 0 ? Math.sign(s) : 0;
      expect(fast.entry[i]).toBe(want);
      if (want) n++;
    }
    expect(n).toBeGreaterThan(50);
  });
});

describe('V2 on ticks: runs against the streaming indicator row by row', () => {
  // V2 fills its decisions per run of rows (kyleTickRuns). Reference: KyleLambdaIndicator read at
  // every row, and the last completed interval's Σ side·amount built here from interval indices
  // (0 when that interval had no trades): signed √volume for λ, plain signed volume for the side,
  // and minImpactBps tested on each row's own price.
  const streamed = (p: { sampleMs: number; windowSamples: number; sqrtVolume: number }) => {
    const ind = new KyleLambdaIndicator(p);
    const lam = new Float64Array(trades.length);
    const t = new Float64Array(trades.length);
    const flowOf = new Map<number, number>();
    for (let i = 0; i < trades.length; i++) {
      ind.update(trades.time[i], trades.price[i], trades.amount[i], trades.side[i]);
      lam[i] = ind.value(0);
      t[i] = ind.value(1);
      const b = Math.floor(trades.time[i] / p.sampleMs);
      flowOf.set(b, (flowOf.get(b) ?? 0) + trades.side[i] * trades.amount[i]);
    }
    const last = (i: number) => flowOf.get(Math.floor(trades.time[i] / p.sampleMs) - 1) ?? 0;
    return { lam, t, last };
  };

  it.each([
    [2000, 20, 1, 0],
    [5000, 30, 0, 0.05],
  ] as const)('sampleMs %i, window %i, sqrtVolume %i, minImpactBps %f', async (sampleMs, windowSamples, sqrtVolume, minImpactBps) => {
    const { V2_KYLE } = await import('../../src/strategies/v2-kyle');
    const p = { ...(defaultParams(V2_KYLE) as Record<string, number>), sampleMs, windowSamples, sqrtVolume, minImpactBps } as never;
    const got = V2_KYLE.signals(trades, p);
    const { lam, t, last } = streamed({ sampleMs, windowSamples, sqrtVolume });
    let n = 0;
    let cut = 0;
    for (let i = 0; i < trades.length; i++) {
      const s = last(i);
      let want = lam[i] > 0 && t[i] >= 2 && s !== 0 ? Math.sign(s) : 0;
      if (want && minImpactBps > 0 && (Math.abs(lam[i] * s) / trades.price[i]) * 1e4 < minImpactBps) {
        want = 0;
        cut++;
      }
      expect(got.entry[i]).toBe(want);
      expect(got.exit![i]).toBe(want > 0 ? 2 : want < 0 ? 1 : 0);
      if (want) n++;
    }
    expect(n).toBeGreaterThan(50);
    if (minImpactBps > 0) expect(cut).toBeGreaterThan(50); // the impact floor really bites
  });
});

describe('V1 on ticks: the cached path a sweep takes', () => {
  it('gives the fused pass’s decisions (thresholds and volume ratio) once the window is cached', () => {
    for (const p of [
      { ...v1, imbalanceThreshold: 0.4 },
      { ...v1, imbalanceThreshold: 0.3, volumeRatio: 1.2, volumeLookbackMs: 1_800_000 },
    ]) {
      const tape = { ...trades }; // a fresh tape object: its cache starts empty
      const fused = V1_OFI.signals(tape, p); // first call: fused
      const cached = V1_OFI.signals(tape, p); // second call, same window: cached path
      const { imbalance } = tradeFlowImbalance(trades, p.windowMs);
      let differ = 0;
      let entries = 0;
      for (let i = 0; i < trades.length; i++) {
        if (fused.entry[i] !== cached.entry[i] || fused.exit![i] !== cached.exit![i]) {
          // only where the imbalance sits on the threshold, to rounding
          expect(Math.abs(Math.abs(imbalance[i]) - p.imbalanceThreshold)).toBeLessThan(1e-12);
          differ++;
        }
        if (cached.entry[i]) entries++;
      }
      expect(differ).toBeLessThanOrEqual(2);
      expect(entries).toBeGreaterThan(50);
    }
  });
});
