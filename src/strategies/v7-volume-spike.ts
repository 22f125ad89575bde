/**
 * V7 — volume-spike momentum (event). ASSUMPTION: the action plan names V7
 * but never describes it; edgelab defines it as following a price move that
 * comes with a volume spike, and says so in the README and the reports.
 *
 * When the last `windowMs` volume is at least `volumeSpike` × its trailing
 * average and the window's return is at least `moveZ` trailing standard
 * deviations, trade in the direction of the move. Signal exit: the window
 * return turns against the position.
 */
import type { MarketTape } from '../data/tape';
import type { StrategySignals } from '../core/signals';
import { VOLUME_LOOKBACK_SPEC, WINDOW_PARAM_SPECS, windowReturnZ, windowVolumeRatio, zExitFlags } from './window-features';
import { sampleRuns } from '../signals/sampling';
import type { Strategy } from './strategy';

export interface V7Params extends Record<string, number> {
  volumeSpike: number;
  moveZ: number;
  windowMs: number;
  volumeLookbackMs: number;
  sigmaLookbackMs: number;
  sampleMs: number;
}

export const V7_VOLUME_SPIKE: Strategy<V7Params> = {
  id: 'V7',
  name: 'Volume-spike momentum (edgelab assumption)',
  type: 'event',
  description: 'ASSUMPTION (not in the plan): follows price moves that arrive with a volume spike.',
  params: {
    volumeSpike: { default: 2.0, min: 0, unit: '× average', doc: 'Window volume must be ≥ this × trailing average.' },
    moveZ: { default: 1.0, min: 0, unit: 'σ', doc: 'Window return must be ≥ this many trailing standard deviations.' },
    windowMs: { default: 300_000, min: 1, series: true, unit: 'ms', doc: 'Spike window (ms).' },
    volumeLookbackMs: VOLUME_LOOKBACK_SPEC,
    ...WINDOW_PARAM_SPECS,
  },
  signals(tape: MarketTape, p: V7Params): StrategySignals {
    const f = windowReturnZ(tape, p);
    const { smp, z } = f;
    const vr = windowVolumeRatio(f, p.volumeLookbackMs);
    const n = tape.length;
    const entry = new Int8Array(n);
    const exit = new Uint8Array(n);
    // Every decision is a function of the sample alone: written to the sample's rows with one fill each.
    const runs = sampleRuns(smp);
    for (let j = 0; j < smp.length; j++) {
      const from = runs[j + 1];
      const to = runs[j + 2];
      if (from === to) continue;
      const zj = z[j];
      if (zj !== zj) continue;
      const ex = zExitFlags(zj, false);
      if (ex) exit.fill(ex, from, to);
      if (!(vr[j] >= p.volumeSpike)) continue;
      if (zj >= p.moveZ) entry.fill(1, from, to);
      else if (zj <= -p.moveZ) entry.fill(-1, from, to);
    }
    return { entry, exit };
  },
};
