/**
 * V5–V8 entry rules on hand-built 1-minute bar tapes (on bars every row is
 * one sample, so the windows are counts of bars): a tape on which the rule
 * must fire, one on which it must not, and each rule's parameters moving the
 * decision as documented in the strategy's header.
 */
import { describe, expect, it } from 'vitest';
import { makeBarTape, type BarTape } from '../../src/data/tape';
import { defaultParams } from '../../src/strategies/strategy';
import { V5_VOL_BREAKOUT, type V5Params } from '../../src/strategies/v5-vol-breakout';
import { V6_HMM_REGIME, type V6Params } from '../../src/strategies/v6-hmm-regime';
import { V7_VOLUME_SPIKE, type V7Params } from '../../src/strategies/v7-volume-spike';
import { V8_VPIN_GATED, type V8Params } from '../../src/strategies/v8-vpin-gated';
import { VpinIndicator, vpinSeries } from '../../src/signals/vpin';
import { V3_VPIN_REVERSION, type V3Params } from '../../src/strategies/v3-vpin-reversion';
import { loadTrades } from '../../src/data/load';
import { bundledData } from '../../src/data/bundled';
import { createPrng } from '../../src/util/prng';

const MIN = 60_000;

/** 1-minute bars from closes (open = previous close; high/low span both), volume 1 unless given. */
function bars(closes: number[], volumes?: number[]): BarTape {
  const prev = (i: number) => (i ? closes[i - 1] : closes[0]);
  return makeBarTape({
    time: closes.map((_, i) => Date.UTC(2024, 0, 1) + i * MIN),
    open: closes.map((_, i) => prev(i)),
    high: closes.map((c, i) => Math.max(c, prev(i))),
    low: closes.map((c, i) => Math.min(c, prev(i))),
    close: closes,
    volume: volumes ?? closes.map(() => 1),
    timeframeMs: MIN,
  });
}

/** A flat market wiggling between 100 and 100.1 for `n` bars. */
const wiggle = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 ? 100.1 : 100));

/** Sample standard deviation of the one-bar log returns of closes[from..to] (inclusive ends of the returns). */
function sdOfReturns(c: number[], lastIndex: number, k: number): number {
  const r: number[] = [];
  for (let j = lastIndex - k + 1; j <= lastIndex; j++) r.push(Math.log(c[j] / c[j - 1]));
  const m = r.reduce((a, b) => a + b, 0) / k;
  return Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / (k - 1));
}

const entries = (e: Int8Array) => Array.from(e).flatMap((x, i) => (x ? [[i, x]] : []));

describe('V5 volatility breakout', () => {
  // Channel = the 5 closes before now; short vol over 3 returns, long over 10.
  const p: V5Params = { ...(defaultParams(V5_VOL_BREAKOUT) as V5Params), channelMs: 5 * MIN, shortVolMs: 3 * MIN, longVolMs: 10 * MIN };
  const up = [...wiggle(20), 101]; // bar 20 closes above the channel high 100.1
  const down = [...wiggle(20), 99]; // … below the channel low 100
  // Hand calculation at bar 20: σ of the last 3 returns over σ of the last 10 (both include the jump).
  const ratioUp = sdOfReturns(up, 20, 3) / sdOfReturns(up, 20, 10);

  it('fires long on a close above the highest of the previous closes while short vol ≥ volExpansion × long vol, short on a break below', () => {
    expect(ratioUp).toBeGreaterThan(p.volExpansion); // the default 1.2 is met: ≈ 1.35
    expect(entries(V5_VOL_BREAKOUT.signals(bars(up), p).entry)).toEqual([[20, 1]]);
    expect(entries(V5_VOL_BREAKOUT.signals(bars(down), p).entry)).toEqual([[20, -1]]);
  });

  it('does not fire while the price stays inside its channel', () => {
    expect(entries(V5_VOL_BREAKOUT.signals(bars([...wiggle(20), 100.05]), p).entry)).toEqual([]);
    expect(entries(V5_VOL_BREAKOUT.signals(bars(wiggle(40)), p).entry)).toEqual([]);
  });

  it('volExpansion moves the decision at the hand-computed vol ratio', () => {
    expect(V5_VOL_BREAKOUT.signals(bars(up), { ...p, volExpansion: ratioUp * 0.999 }).entry[20]).toBe(1);
    expect(V5_VOL_BREAKOUT.signals(bars(up), { ...p, volExpansion: ratioUp * 1.001 }).entry[20]).toBe(0);
  });

  it('channelMs: a longer channel that holds an earlier higher close sees no breakout', () => {
    const c = [102, ...wiggle(19), 101]; // 102 is 20 closes back
    expect(V5_VOL_BREAKOUT.signals(bars(c), p).entry[20]).toBe(1);
    expect(V5_VOL_BREAKOUT.signals(bars(c), { ...p, channelMs: 20 * MIN }).entry[20]).toBe(0);
  });

  it('signal exit: a long exits below the channel midpoint, a short above it', () => {
    const s = V5_VOL_BREAKOUT.signals(bars([...wiggle(20), 100.02, 100.09]), p);
    // channel before bar 20: [100, 100.1], midpoint 100.05
    expect(s.exit![20] & 1).toBe(1);
    expect(s.exit![21] & 2).toBe(2);
  });
});

describe('V6 HMM regime', () => {
  /** Log returns drawn from three regimes: means +0.2%, 0, −0.2% per bar, σ 0.1%, seeded. */
  function regimeTape(blocks: [regime: 'bull' | 'range' | 'bear', bars: number][], seed = 7): { tape: BarTape; regimes: string[] } {
    const rng = createPrng(seed);
    const mu = { bull: 0.002, range: 0, bear: -0.002 };
    const c = [100];
    const regimes = ['start'];
    for (const [r, n] of blocks) {
      for (let i = 0; i < n; i++) {
        c.push(c[c.length - 1] * Math.exp(mu[r] + 0.001 * rng.normal()));
        regimes.push(r);
      }
    }
    return { tape: bars(c), regimes };
  }
  const training: [('bull' | 'range' | 'bear'), number][] = Array.from({ length: 6 }, (_, b) => [(['bull', 'range', 'bear'] as const)[b % 3], 40]);
  const p: V6Params = { ...(defaultParams(V6_HMM_REGIME) as V6Params), trainSamples: 240 };
  const { tape, regimes } = regimeTape([...training, ['bull', 60], ['bear', 60], ['range', 60]]);
  const count = (e: Int8Array, regime: string, side: number, skip = 3) =>
    regimes.reduce((a, r, i) => a + (r === regime && i > 241 && regimes[i - skip] === regime && e[i] === side ? 1 : 0), 0);

  it('fires long in the bull regime and short in the bear regime once trained (the first bars of each block left for the filter)', () => {
    const e = V6_HMM_REGIME.signals(tape, p).entry;
    const bullRows = 60 - 3;
    expect(count(e, 'bull', 1)).toBeGreaterThanOrEqual(0.9 * bullRows);
    expect(count(e, 'bull', -1)).toBe(0);
    expect(count(e, 'bear', -1)).toBeGreaterThanOrEqual(0.9 * bullRows);
    expect(count(e, 'bear', 1)).toBe(0);
  });

  it('does not fire before trainSamples observations exist, nor in the range regime', () => {
    const e = V6_HMM_REGIME.signals(tape, p).entry;
    // 240 one-bar returns are complete at row 240: the first row that may trade.
    for (let i = 0; i < 240; i++) expect(e[i], `row ${i}`).toBe(0);
    const short = regimeTape(training.slice(0, 5)); // 200 observations < trainSamples 240
    expect(entries(V6_HMM_REGIME.signals(short.tape, p).entry)).toEqual([]);
    expect(count(e, 'range', 1) + count(e, 'range', -1)).toBeLessThanOrEqual(3);
  });

  it('minRegimeProb: a higher bar gives a subset of the entries, and 1 (its max) all but none', () => {
    const loose = V6_HMM_REGIME.signals(tape, { ...p, minRegimeProb: 0.6 }).entry;
    const strict = V6_HMM_REGIME.signals(tape, { ...p, minRegimeProb: 0.99 }).entry;
    let a = 0;
    let b = 0;
    for (let i = 0; i < loose.length; i++) {
      if (strict[i]) expect(loose[i], `row ${i}`).toBe(strict[i]);
      a += loose[i] ? 1 : 0;
      b += strict[i] ? 1 : 0;
    }
    expect(b).toBeLessThan(a);
    expect(b).toBeGreaterThan(0);
    const never = V6_HMM_REGIME.signals(tape, { ...p, minRegimeProb: 1 }).entry;
    expect(entries(never).length).toBeLessThan(b);
  });
});

describe('V7 volume-spike momentum', () => {
  // Window = 1 bar; the volume average over 10 bars; σ of returns over 20 bars.
  const p: V7Params = { ...(defaultParams(V7_VOLUME_SPIKE) as V7Params), windowMs: MIN, volumeLookbackMs: 10 * MIN, sigmaLookbackMs: 20 * MIN };
  const c = [...wiggle(40), 100.6];
  const spike = [...wiggle(40).map(() => 1), 5];
  // Hand calculation at bar 40: volume ratio = 5 / ((9 × 1 + 5) / 10) = 3.571…;
  // z = one-bar log return / σ of the last 20 one-bar returns (the move included).
  const ratio = 5 / ((9 + 5) / 10);
  const z = Math.log(100.6 / 100.1) / sdOfReturns(c, 40, 20);

  it('fires in the direction of a move of ≥ moveZ σ that comes with volume ≥ volumeSpike × average', () => {
    expect(ratio).toBeGreaterThan(p.volumeSpike);
    expect(z).toBeGreaterThan(p.moveZ);
    expect(entries(V7_VOLUME_SPIKE.signals(bars(c, spike), p).entry)).toEqual([[40, 1]]);
    const cDown = [...wiggle(40), 99.5];
    expect(entries(V7_VOLUME_SPIKE.signals(bars(cDown, spike), p).entry)).toEqual([[40, -1]]);
  });

  it('does not fire on the same move without the volume spike, nor on a spike without a move', () => {
    expect(entries(V7_VOLUME_SPIKE.signals(bars(c), p).entry)).toEqual([]);
    expect(entries(V7_VOLUME_SPIKE.signals(bars([...wiggle(40), 100], spike), p).entry)).toEqual([]);
  });

  it('volumeSpike and moveZ move the decision at the hand-computed ratio and z', () => {
    const t = bars(c, spike);
    expect(V7_VOLUME_SPIKE.signals(t, { ...p, volumeSpike: ratio * 0.999 }).entry[40]).toBe(1);
    expect(V7_VOLUME_SPIKE.signals(t, { ...p, volumeSpike: ratio * 1.001 }).entry[40]).toBe(0);
    expect(V7_VOLUME_SPIKE.signals(t, { ...p, moveZ: z * 0.999 }).entry[40]).toBe(1);
    expect(V7_VOLUME_SPIKE.signals(t, { ...p, moveZ: z * 1.001 }).entry[40]).toBe(0);
  });
});

describe('V8 VPIN-gated momentum', () => {
  // Momentum on a 1-bar window against σ over 20 bars; VPIN with 5-unit buckets and σ over 20 bars.
  const base: V8Params = {
    ...(defaultParams(V8_VPIN_GATED) as V8Params),
    windowMs: MIN,
    sigmaLookbackMs: 20 * MIN,
    bucketVolume: 5,
    vpinSigmaBars: 20,
  };
  const rng = createPrng(3);
  // 1000 bars → 200 buckets: enough VPIN values (≥ 100) for its trailing percentile.
  const N = 1000;
  const c = [100];
  for (let i = 1; i < N; i++) c.push(c[i - 1] * Math.exp(0.001 * rng.normal()));
  c.push(c[N - 1] * 1.01, c[N - 1] * 1.01 * 0.99); // a +1% bar, then a −1% bar
  const tape = bars(c);
  const vp = vpinSeries(tape, { bucketVolume: 5, sigmaBars: 20 });
  const momentum = V8_VPIN_GATED.signals(tape, { ...base, vpinThreshold: 1 }); // gate open: momentum alone

  it('fires on a ≥ moveZ σ move while VPIN ≤ vpinThreshold, in the move’s direction', () => {
    expect(Number.isFinite(vp.vpin[N])).toBe(true);
    expect(momentum.entry[N]).toBe(1);
    expect(momentum.entry[N + 1]).toBe(-1);
  });

  it('does not fire on a quiet tape even with the gate open, and blocks every entry at vpinThreshold 0', () => {
    const quiet = bars(wiggle(400));
    expect(entries(V8_VPIN_GATED.signals(quiet, { ...base, vpinThreshold: 1 }).entry)).toEqual([]);
    const shut = V8_VPIN_GATED.signals(tape, { ...base, vpinThreshold: 0 });
    expect(entries(shut.entry)).toEqual([]);
    expect(shut.stats!.gateBlocked).toBe(momentum.stats!.gateAllowed);
  });

  it('vpinThreshold: the entries are exactly the momentum entries with VPIN ≤ the threshold', () => {
    const defined = Array.from(vp.vpin).filter((x, i) => Number.isFinite(x) && momentum.entry[i] !== 0).sort((a, b) => a - b);
    expect(defined.length).toBeGreaterThan(10);
    const threshold = defined[Math.floor(defined.length / 2)]; // the median VPIN of the momentum rows
    const gated = V8_VPIN_GATED.signals(tape, { ...base, vpinThreshold: threshold });
    for (let i = 0; i < tape.length; i++) {
      const want = momentum.entry[i] !== 0 && vp.vpin[i] <= threshold ? momentum.entry[i] : 0;
      expect(gated.entry[i], `row ${i}`).toBe(want);
    }
    expect(gated.stats!.gateAllowed + gated.stats!.gateBlocked).toBe(momentum.stats!.gateAllowed);
    expect(gated.stats!.gateBlocked).toBeGreaterThan(0);
  });

  it('vpinPercentile > 0 replaces the threshold by the trailing percentile of VPIN', () => {
    const pct = V8_VPIN_GATED.signals(tape, { ...base, vpinThreshold: 0, vpinPercentile: 75 });
    let allowed = 0;
    for (let i = 0; i < tape.length; i++) {
      const want = momentum.entry[i] !== 0 && vp.vpinCdf[i] <= 0.75 ? momentum.entry[i] : 0;
      expect(pct.entry[i], `row ${i}`).toBe(want);
      allowed += want ? 1 : 0;
    }
    expect(allowed).toBeGreaterThan(0);
    expect(allowed).toBeLessThan(entries(momentum.entry).length);
  });
});

describe('V3 and V8 on ticks: the VPIN gate read as steps', () => {
  // VPIN on ticks is a step function of the row; V3 and V8 walk its steps over each sample's rows.
  // The reference reads the streaming VpinIndicator row by row (no steps): with the gate wide
  // open the entries are the move/momentum rule alone, and a threshold t must keep exactly the
  // rows whose VPIN passes t.
  const futures = loadTrades(bundledData.trades).tape; // 9,999 trades, ~2 h
  let vol = 0;
  for (let i = 0; i < futures.length; i++) vol += futures.amount[i];
  const vpinP = { barMs: 10_000, sigmaBars: 30, bucketVolume: vol / 400 }; // what vpinParamsOf makes of `common`
  const ind = new VpinIndicator(vpinP);
  const rowVpin = new Float64Array(futures.length);
  for (let i = 0; i < futures.length; i++) {
    ind.update(futures.time[i], futures.price[i], futures.amount[i], futures.side[i]);
    rowVpin[i] = ind.value(0);
  }
  const common = { windowMs: 60_000, sigmaLookbackMs: 600_000, sampleMs: 10_000, bucketVolume: vpinP.bucketVolume, vpinBarMs: 10_000, vpinSigmaBars: 30 };
  /** Median VPIN over the rows a rule fires on: a threshold that keeps some and drops some. */
  const medianOver = (entry: Int8Array) => {
    const v = Array.from(entry.keys()).filter((i) => entry[i] !== 0).map((i) => rowVpin[i]).sort((a, b) => a - b);
    return v[v.length >> 1];
  };

  it('V8: entries and gate counts equal the row-by-row reading of the streaming VPIN', () => {
    const p = { ...(defaultParams(V8_VPIN_GATED) as V8Params), ...common, moveZ: 0.5 };
    const open = V8_VPIN_GATED.signals(futures, { ...p, vpinThreshold: 1 });
    const th = medianOver(open.entry);
    const gated = V8_VPIN_GATED.signals(futures, { ...p, vpinThreshold: th });
    let allowed = 0;
    let blocked = 0;
    for (let i = 0; i < futures.length; i++) {
      const keep = open.entry[i] !== 0 && rowVpin[i] <= th;
      expect(gated.entry[i]).toBe(keep ? open.entry[i] : 0);
      if (keep) allowed++;
      else if (open.entry[i] !== 0) blocked++;
    }
    expect(allowed).toBeGreaterThan(50);
    expect(blocked).toBeGreaterThan(50);
    expect(gated.stats).toEqual({ gateAllowed: allowed, gateBlocked: blocked, gateVpinUndefined: open.stats!.gateVpinUndefined });
  });

  it('V3: entries equal the row-by-row reading of the streaming VPIN', () => {
    const p = { ...(defaultParams(V3_VPIN_REVERSION) as V3Params), ...common, moveZ: 0.5 };
    const open = V3_VPIN_REVERSION.signals(futures, { ...p, vpinEntry: 1 });
    const th = medianOver(open.entry);
    const gated = V3_VPIN_REVERSION.signals(futures, { ...p, vpinEntry: th });
    let kept = 0;
    let dropped = 0;
    for (let i = 0; i < futures.length; i++) {
      const keep = open.entry[i] !== 0 && rowVpin[i] < th;
      expect(gated.entry[i]).toBe(keep ? open.entry[i] : 0);
      if (keep) kept++;
      else if (open.entry[i] !== 0) dropped++;
    }
    expect(kept).toBeGreaterThan(50);
    expect(dropped).toBeGreaterThan(50);
  });
});
