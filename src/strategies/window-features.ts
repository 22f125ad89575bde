/**
 * The windowed features V3, V7 and V8 share: the z-score of the last
 * `windowMs` return against its trailing σ, and the window's volume ratio,
 * both on the sampled grid (causal: a row sees completed samples only).
 */
import type { MarketTape } from '../data/tape';
import type { ParamSpec } from '../core/params';
import { cachedSeries, paramKey } from '../signals/cache';
import { returnZ, sampleTape, samplesIn, volumeRatio, type SampledSeries } from '../signals/sampling';

export interface WindowParams {
  windowMs: number;
  sigmaLookbackMs: number;
  sampleMs: number;
}

/** The parameter specs of `WindowParams` (each strategy adds its own docs for windowMs). */
export const WINDOW_PARAM_SPECS = {
  sigmaLookbackMs: { default: 86_400_000, min: 1, series: true, unit: 'ms', doc: 'Trailing span for the standard deviation of returns (ms).' },
  sampleMs: { default: 60_000, min: 1, series: true, unit: 'ms', doc: 'Ticks: sampling interval of returns and volume (ms); bars use the bar.' },
} as const satisfies Record<string, ParamSpec>;

export const VOLUME_LOOKBACK_SPEC: ParamSpec = { default: 86_400_000, min: 1, series: true, unit: 'ms', doc: 'Trailing span whose average window volume the ratio compares against (ms).' };

export interface WindowFeatures {
  smp: SampledSeries;
  /** Samples in the window. */
  k: number;
  /** Window return z-score per sample. */
  z: Float64Array;
}

/**
 * Computed once per tape and window for every strategy that reads it (V3, V7
 * and V8 share the defaults); callers only read the arrays.
 */
export function windowReturnZ(tape: MarketTape, p: WindowParams): WindowFeatures {
  const wp = { windowMs: p.windowMs, sigmaLookbackMs: p.sigmaLookbackMs, sampleMs: p.sampleMs };
  return cachedSeries(tape, paramKey('window-z', wp), () => {
    const smp = sampleTape(tape, wp.sampleMs);
    const k = samplesIn(wp.windowMs, smp.dtMs);
    const z = returnZ(smp.close, k, Math.max(2 * k, samplesIn(wp.sigmaLookbackMs, smp.dtMs)));
    return { smp, k, z };
  });
}

const ratioCache = new WeakMap<WindowFeatures, Map<number, Float64Array>>();

/** Window volume / its trailing average, per sample (once per window features and lookback; callers only read it). */
export function windowVolumeRatio(f: WindowFeatures, volumeLookbackMs: number): Float64Array {
  let m = ratioCache.get(f);
  if (!m) ratioCache.set(f, (m = new Map()));
  const hit = m.get(volumeLookbackMs);
  if (hit) return hit;
  const r = volumeRatio(f.smp.volume, f.k, Math.max(f.k, samplesIn(volumeLookbackMs, f.smp.dtMs)));
  m.set(volumeLookbackMs, r);
  return r;
}

/** Exit flags from a window z: a long exits once z < 0 (or ≥ 0 for `reverting` strategies), mirrored for shorts. */
export function zExitFlags(z: number, reverting: boolean): number {
  return reverting ? (z >= 0 ? 1 : 0) | (z <= 0 ? 2 : 0) : (z < 0 ? 1 : 0) | (z > 0 ? 2 : 0);
}

/** The VPIN settings a strategy exposes (V3, V8), in `vpinSeries` terms. */
export function vpinParamsOf(p: { bucketVolume: number; vpinBarMs: number; vpinSigmaBars: number }): { bucketVolume: number; barMs: number; sigmaBars: number } {
  return { bucketVolume: p.bucketVolume, barMs: p.vpinBarMs, sigmaBars: p.vpinSigmaBars };
}
