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
import type { StrategySignals } from '../backtest/engine';
import { returnZ, sampleTape, samplesIn, volumeRatio } from '../signals/sampling';
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
    volumeSpike: { default: 2.0, min: 0, doc: 'Window volume must be ≥ this × trailing average.' },
    moveZ: { default: 1.0, min: 0, doc: 'Window return must be ≥ this many trailing standard deviations.' },
    windowMs: { default: 300_000, min: 1, doc: 'Spike window (ms).' },
    volumeLookbackMs: { default: 86_400_000, min: 1, doc: 'Trailing span for average volume (ms).' },
    sigmaLookbackMs: { default: 86_400_000, min: 1, doc: 'Trailing span for the return standard deviation (ms).' },
    sampleMs: { default: 60_000, min: 1, doc: 'Ticks: sampling interval (ms); bars use the bar.' },
  },
  signals(tape: MarketTape, p: V7Params): StrategySignals {
    const smp = sampleTape(tape, p.sampleMs);
    const dt = smp.dtMs;
    const k = samplesIn(p.windowMs, dt);
    const vr = volumeRatio(smp.volume, k, Math.max(k, samplesIn(p.volumeLookbackMs, dt)));
    const z = returnZ(smp.close, k, Math.max(2 * k, samplesIn(p.sigmaLookbackMs, dt)));
    const n = tape.length;
    const entry = new Int8Array(n);
    const exit = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const j = smp.rowToSample[i];
      if (j < 0) continue;
      const zj = z[j];
      if (zj !== zj) continue;
      if (zj < 0) exit[i] |= 1;
      if (zj > 0) exit[i] |= 2;
      if (!(vr[j] >= p.volumeSpike)) continue;
      if (zj >= p.moveZ) entry[i] = 1;
      else if (zj <= -p.moveZ) entry[i] = -1;
    }
    return { entry, exit };
  },
};
