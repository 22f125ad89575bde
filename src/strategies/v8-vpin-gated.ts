/**
 * V8 — VPIN-gated momentum (microstructure).
 *
 * The plan describes V8 only through its gate (1.3): entries are allowed
 * while VPIN is at or below `vpinThreshold` (OLD 0.6 "blocks all trades",
 * NEW 0.85), or — percentile mode, `vpinPercentile` > 0 — while VPIN is at
 * or below that percentile of its own trailing history ("allow bottom 75% of
 * VPIN values"), computed without look-ahead. The signal behind the gate is
 * not described; edgelab uses short-term momentum (the last `windowMs`
 * return ≥ `moveZ` trailing standard deviations) and says so. The strategy
 * reports how many decisions the gate allowed and blocked, so the plan's
 * claim about 0.6 vs 0.85 can be checked on data.
 */
import type { MarketTape } from '../data/tape';
import type { StrategySignals } from '../core/signals';
import { vpinSteps } from '../signals/vpin';
import { runEnd, runOf } from '../signals/row-runs';
import { cachedSeries, paramKey } from '../signals/cache';
import { vpinParamsOf } from './window-features';
import { windowReturnZ, zExitFlags } from './window-features';
import { sampleRuns } from '../signals/sampling';
import type { Strategy } from './strategy';

export interface V8Params extends Record<string, number> {
  vpinThreshold: number;
  vpinPercentile: number;
  moveZ: number;
  windowMs: number;
  sigmaLookbackMs: number;
  sampleMs: number;
  bucketVolume: number;
  vpinBarMs: number;
  vpinSigmaBars: number;
}

export const V8_VPIN_GATED: Strategy<V8Params> = {
  id: 'V8',
  name: 'VPIN-gated momentum',
  type: 'microstructure',
  description: 'Short-term momentum, allowed only while flow toxicity (VPIN) is below a threshold or a trailing percentile.',
  params: {
    vpinThreshold: { default: 0.6, min: 0, max: 1, unit: 'fraction', doc: 'Allow entries while VPIN ≤ this (plan 1.3: 0.6 before, 0.85 after).' },
    vpinPercentile: { default: 0, min: 0, max: 100, unit: 'percentile', doc: 'If > 0: allow while VPIN ≤ this percentile of its trailing history instead (plan 1.3: 75).' },
    moveZ: { default: 1.0, min: 0, unit: 'σ', doc: 'Momentum signal: window return ≥ this many trailing standard deviations.' },
    windowMs: { default: 300_000, min: 1, series: true, unit: 'ms', doc: 'Momentum window (ms).' },
    sigmaLookbackMs: { default: 86_400_000, min: 1, unit: 'ms', doc: 'Span for the return standard deviation (ms).' },
    sampleMs: { default: 60_000, min: 1, unit: 'ms', doc: 'Ticks: sampling interval (ms); bars use the bar.' },
    bucketVolume: { default: 0, min: 0, series: true, unit: 'base units', doc: 'VPIN bucket volume; 0 = automatic without look-ahead.' },
    vpinBarMs: { default: 60_000, min: 1, series: true, unit: 'ms', doc: 'VPIN time bars on ticks (ms; the paper uses 1 minute).' },
    vpinSigmaBars: { default: 500, min: 2, integer: true, series: true, unit: 'bars', doc: 'VPIN: time bars in the σ of price changes for bulk volume classification.' },
  },
  signals(tape: MarketTape, p: V8Params): StrategySignals {
    const { smp, z } = windowReturnZ(tape, p);
    const st = cachedSeries(tape, paramKey('vpinSteps', vpinParamsOf(p)), () => vpinSteps(tape, vpinParamsOf(p)));
    const usePct = p.vpinPercentile > 0;
    const pct = p.vpinPercentile / 100;
    const n = tape.length;
    const entry = new Int8Array(n);
    const exit = new Uint8Array(n);
    let allowed = 0;
    let blocked = 0;
    let undefinedVpin = 0;
    // The exit and the momentum are functions of the sample, VPIN a step function of the row:
    // one fill per sample, and one per VPIN step (gate counted per run) inside a sample with a
    // momentum signal.
    const runs = sampleRuns(smp);
    const limit = usePct ? pct : p.vpinThreshold;
    const g = usePct ? st.vpinCdf : st.vpin;
    let s = 0;
    for (let j = 0; j < smp.length; j++) {
      const from = runs[j + 1];
      const to = runs[j + 2];
      if (from === to) continue;
      const zj = z[j];
      if (zj !== zj) continue;
      const ex = zExitFlags(zj, false);
      if (ex) exit.fill(ex, from, to);
      const dir = zj >= p.moveZ ? 1 : zj <= -p.moveZ ? -1 : 0;
      if (dir === 0) continue;
      for (let a = from; a < to; ) {
        s = runOf(st, a, s);
        const b = Math.min(to, runEnd(st, s, n));
        const gs = g[s];
        if (gs !== gs) undefinedVpin += b - a;
        else if (gs <= limit) {
          entry.fill(dir, a, b);
          allowed += b - a;
        } else blocked += b - a;
        a = b;
      }
    }
    return { entry, exit, stats: { gateAllowed: allowed, gateBlocked: blocked, gateVpinUndefined: undefinedVpin } };
  },
};
