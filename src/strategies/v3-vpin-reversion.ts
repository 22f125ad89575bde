/**
 * V3 — VPIN mean reversion.
 *
 * Fades sharp moves when order flow is NOT toxic: VPIN (Easley, López de
 * Prado & O'Hara 2012) below `vpinEntry` says the move is driven by
 * uninformed flow, which tends to revert. Entry when the last `windowMs`
 * return is at least `moveZ` trailing standard deviations (long after a
 * drop, short after a rise), VPIN < `vpinEntry`, and — from phase 3 — the
 * window's volume is at least `volumeSurge` × its trailing average (plan
 * 3.1: VPIN_ENTRY 0.7 → 0.5 "only trade low toxicity", MIN_VOLUME_SURGE
 * 1.5). Signal exit when the move has reverted (z back past zero).
 */
import type { MarketTape } from '../data/tape';
import type { StrategySignals } from '../core/signals';
import { vpinSteps } from '../signals/vpin';
import { runEnd, runOf } from '../signals/row-runs';
import { cachedSeries, paramKey } from '../signals/cache';
import { vpinParamsOf } from './window-features';
import { VOLUME_LOOKBACK_SPEC, WINDOW_PARAM_SPECS, windowReturnZ, windowVolumeRatio, zExitFlags } from './window-features';
import { sampleRuns } from '../signals/sampling';
import type { Strategy } from './strategy';

export interface V3Params extends Record<string, number> {
  vpinEntry: number;
  volumeSurge: number;
  moveZ: number;
  windowMs: number;
  sigmaLookbackMs: number;
  volumeLookbackMs: number;
  sampleMs: number;
  bucketVolume: number;
  vpinBarMs: number;
  vpinSigmaBars: number;
}

export const V3_VPIN_REVERSION: Strategy<V3Params> = {
  id: 'V3',
  name: 'VPIN mean reversion',
  type: 'mean_reversion',
  description: 'Fades sharp moves made on non-toxic (low VPIN) flow.',
  params: {
    vpinEntry: { default: 0.7, min: 0, max: 1, unit: 'fraction', doc: 'Trade only when VPIN < this (plan 3.1: 0.7 before, 0.5 after).' },
    volumeSurge: { default: 0, min: 0, unit: '× average', doc: 'Require window volume ≥ this × trailing average; 0 disables (plan 3.1: 1.5 after).' },
    moveZ: { default: 2.0, min: 0, unit: 'σ', doc: 'Size of the move to fade, in trailing standard deviations.' },
    windowMs: { default: 300_000, min: 1, series: true, unit: 'ms', doc: 'Span of the move (ms).' },
    volumeLookbackMs: VOLUME_LOOKBACK_SPEC,
    ...WINDOW_PARAM_SPECS,
    bucketVolume: { default: 0, min: 0, series: true, unit: 'base units', doc: 'VPIN bucket volume; 0 = automatic, sized without look-ahead (see src/signals/vpin.ts).' },
    vpinBarMs: { default: 60_000, min: 1, series: true, unit: 'ms', doc: 'VPIN time bars on ticks (ms; the paper uses 1 minute).' },
    vpinSigmaBars: { default: 500, min: 2, integer: true, series: true, unit: 'bars', doc: 'VPIN: time bars in the σ of price changes for bulk volume classification.' },
  },
  signals(tape: MarketTape, p: V3Params): StrategySignals {
    const f = windowReturnZ(tape, p);
    const { smp, z } = f;
    const surge = windowVolumeRatio(f, p.volumeLookbackMs);
    const st = cachedSeries(tape, paramKey('vpinSteps', vpinParamsOf(p)), () => vpinSteps(tape, vpinParamsOf(p)));
    const n = tape.length;
    const entry = new Int8Array(n);
    const exit = new Uint8Array(n);
    // The exit and the move are functions of the sample, VPIN a step function of the row: one
    // fill per sample, and one per VPIN step inside a sample whose move qualifies.
    const runs = sampleRuns(smp);
    let s = 0;
    for (let j = 0; j < smp.length; j++) {
      const from = runs[j + 1];
      const to = runs[j + 2];
      if (from === to) continue;
      const zj = z[j];
      if (zj !== zj) continue;
      const ex = zExitFlags(zj, true); // a long bought the drop: it exits once the move has reverted
      if (ex) exit.fill(ex, from, to);
      if (p.volumeSurge > 0 && !(surge[j] >= p.volumeSurge)) continue;
      const dir = zj <= -p.moveZ ? 1 : zj >= p.moveZ ? -1 : 0;
      if (dir === 0) continue;
      for (let a = from; a < to; ) {
        s = runOf(st, a, s);
        const b = Math.min(to, runEnd(st, s, n));
        if (st.vpin[s] < p.vpinEntry) entry.fill(dir, a, b);
        a = b;
      }
    }
    return { entry, exit };
  },
};
