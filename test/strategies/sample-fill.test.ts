/**
 * V3, V5, V6, V7 and V8 on ticks write each sample's decision to the sample's rows
 * with one fill (src/signals/sampling.ts sampleRuns). The reference here is
 * the rule as written row by row (each row reads its last completed sample
 * through rowToSample), on a seeded synthetic trade tape with windows short
 * enough that every strategy enters and exits: entries, exit flags and V8's
 * gate counters must be equal element for element.
 */
import { describe, expect, it } from 'vitest';
import { syntheticTrades } from '../../bench/synthetic';
import { defaultParams } from '../../src/strategies/strategy';
import { V3_VPIN_REVERSION, type V3Params } from '../../src/strategies/v3-vpin-reversion';
import { V5_VOL_BREAKOUT, type V5Params } from '../../src/strategies/v5-vol-breakout';
import { V6_HMM_REGIME, type V6Params } from '../../src/strategies/v6-hmm-regime';
import { V7_VOLUME_SPIKE, type V7Params } from '../../src/strategies/v7-volume-spike';
import { V8_VPIN_GATED, type V8Params } from '../../src/strategies/v8-vpin-gated';
import { hmmRegimeSeries } from '../../src/signals/hmm';
import { channel, realizedVol, sampledBars, sampleTape, samplesIn } from '../../src/signals/sampling';
import { vpinSeries } from '../../src/signals/vpin';
import { windowReturnZ, windowVolumeRatio, zExitFlags, vpinParamsOf } from '../../src/strategies/window-features';

const tape = syntheticTrades(200_000, 11); // ~4,000 s of prints
const win = { sampleMs: 1000, windowMs: 5000, sigmaLookbackMs: 60_000, volumeLookbackMs: 60_000 };
const count = (a: ArrayLike<number>) => Array.from(a).filter((x) => x !== 0).length;

/** The row-by-row rule: every row looks up its sample. */
function byRow(n: number, r2s: Int32Array, at: (i: number, j: number) => [number, number]): { entry: Int8Array; exit: Uint8Array } {
  const entry = new Int8Array(n);
  const exit = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = r2s[i];
    if (j < 0) continue;
    [entry[i], exit[i]] = at(i, j);
  }
  return { entry, exit };
}

describe('per-sample fills equal the row-by-row rule on ticks', () => {
  it('V7', () => {
    const p: V7Params = { ...(defaultParams(V7_VOLUME_SPIKE) as V7Params), ...win, volumeSpike: 1.2, moveZ: 0.8 };
    const f = windowReturnZ(tape, p);
    const vr = windowVolumeRatio(f, p.volumeLookbackMs);
    const ref = byRow(tape.length, f.smp.rowToSample, (_i, j) => {
      const z = f.z[j];
      if (z !== z) return [0, 0];
      const e = vr[j] >= p.volumeSpike ? (z >= p.moveZ ? 1 : z <= -p.moveZ ? -1 : 0) : 0;
      return [e, zExitFlags(z, false)];
    });
    const got = V7_VOLUME_SPIKE.signals({ ...tape }, p);
    expect(count(ref.entry)).toBeGreaterThan(0);
    expect(count(ref.exit)).toBeGreaterThan(0);
    expect(got.entry).toEqual(ref.entry);
    expect(got.exit).toEqual(ref.exit);
  });

  it('V3', () => {
    const p: V3Params = { ...(defaultParams(V3_VPIN_REVERSION) as V3Params), ...win, vpinEntry: 0.5, volumeSurge: 1.1, moveZ: 1, vpinBarMs: 10_000, vpinSigmaBars: 50, bucketVolume: 2.5 };
    const f = windowReturnZ(tape, p);
    const surge = windowVolumeRatio(f, p.volumeLookbackMs);
    const { vpin } = vpinSeries(tape, vpinParamsOf(p));
    const ref = byRow(tape.length, f.smp.rowToSample, (i, j) => {
      const z = f.z[j];
      if (z !== z) return [0, 0];
      const ex = zExitFlags(z, true);
      if (!(vpin[i] < p.vpinEntry) || !(surge[j] >= p.volumeSurge)) return [0, ex];
      return [z <= -p.moveZ ? 1 : z >= p.moveZ ? -1 : 0, ex];
    });
    const got = V3_VPIN_REVERSION.signals({ ...tape }, p);
    expect(count(ref.entry)).toBeGreaterThan(0);
    expect(got.entry).toEqual(ref.entry);
    expect(got.exit).toEqual(ref.exit);
  });

  it('V8 (entries, exits and the gate counters)', () => {
    const p: V8Params = { ...(defaultParams(V8_VPIN_GATED) as V8Params), ...win, vpinThreshold: 0.5, moveZ: 1, vpinBarMs: 10_000, vpinSigmaBars: 50, bucketVolume: 2.5 };
    const f = windowReturnZ(tape, p);
    const { vpin } = vpinSeries(tape, vpinParamsOf(p));
    const stats = { gateAllowed: 0, gateBlocked: 0, gateVpinUndefined: 0 };
    const ref = byRow(tape.length, f.smp.rowToSample, (i, j) => {
      const z = f.z[j];
      if (z !== z) return [0, 0];
      const ex = zExitFlags(z, false);
      const dir = z >= p.moveZ ? 1 : z <= -p.moveZ ? -1 : 0;
      if (dir === 0) return [0, ex];
      if (vpin[i] !== vpin[i]) return (stats.gateVpinUndefined++, [0, ex]);
      if (vpin[i] <= p.vpinThreshold) return (stats.gateAllowed++, [dir, ex]);
      return (stats.gateBlocked++, [0, ex]);
    });
    const got = V8_VPIN_GATED.signals({ ...tape }, p);
    expect(stats.gateAllowed).toBeGreaterThan(0);
    expect(stats.gateBlocked).toBeGreaterThan(0);
    expect(got.entry).toEqual(ref.entry);
    expect(got.exit).toEqual(ref.exit);
    expect(got.stats).toEqual(stats);
  });

  it('V5 (per-sample channel and volatility, per-row print)', () => {
    const p: V5Params = { ...(defaultParams(V5_VOL_BREAKOUT) as V5Params), sampleMs: 1000, channelMs: 30_000, shortVolMs: 30_000, longVolMs: 300_000, volExpansion: 1 };
    const smp = sampleTape(tape, p.sampleMs);
    const { high, low } = channel(smp.close, samplesIn(p.channelMs, 1000));
    const vs = realizedVol(smp.close, samplesIn(p.shortVolMs, 1000));
    const vl = realizedVol(smp.close, samplesIn(p.longVolMs, 1000));
    const ref = byRow(tape.length, smp.rowToSample, (i, j) => {
      const h = j + 1 < high.length ? high[j + 1] : NaN;
      const l = j + 1 < low.length ? low[j + 1] : NaN;
      if (h !== h) return [0, 0];
      const p0 = tape.price[i];
      const ex = (p0 < (h + l) / 2 ? 1 : 0) | (p0 > (h + l) / 2 ? 2 : 0);
      if (!(vs[j] >= p.volExpansion * vl[j])) return [0, ex];
      return [p0 > h ? 1 : p0 < l ? -1 : 0, ex];
    });
    const got = V5_VOL_BREAKOUT.signals({ ...tape }, p);
    expect(count(ref.entry)).toBeGreaterThan(0);
    expect(got.entry).toEqual(ref.entry);
    expect(got.exit).toEqual(ref.exit);
  });

  it('V6', () => {
    const p: V6Params = { ...(defaultParams(V6_HMM_REGIME) as V6Params), sampleMs: 5000, trainSamples: 200, minRegimeProb: 0.6 };
    const smp = sampleTape(tape, p.sampleMs);
    const r = hmmRegimeSeries(sampledBars(tape, p.sampleMs), { K: p.states, trainSamples: p.trainSamples });
    const top = p.states - 1;
    const ref = byRow(tape.length, smp.rowToSample, (_i, j) => {
      const st = r.state[j];
      if (st !== st) return [0, 0];
      const e = st === top && r.prob[j] >= p.minRegimeProb ? 1 : st === 0 && r.prob[j] >= p.minRegimeProb ? -1 : 0;
      return [e, (st !== top ? 1 : 0) | (st !== 0 ? 2 : 0)];
    });
    const got = V6_HMM_REGIME.signals({ ...tape }, p);
    expect(count(ref.entry)).toBeGreaterThan(0);
    expect(got.entry).toEqual(ref.entry);
    expect(got.exit).toEqual(ref.exit);
  });
});
