/**
 * V5 — volatility breakout (event). ASSUMPTION: the action plan names V5
 * but never describes it; edgelab defines it as a channel breakout on
 * expanding volatility, and says so in the README and the reports.
 *
 * Long when the price breaks above the highest close of the previous
 * `channelMs`, short below the lowest, but only while short-term realised
 * volatility is at least `volExpansion` × its longer-term level (a breakout
 * on rising volatility, the "event"). Signal exit: the price falls back
 * inside the channel's midpoint.
 */
import type { MarketTape } from '../data/tape';
import type { StrategySignals } from '../core/signals';
import { channel, realizedVol, sampleRuns, sampleTape, samplesIn } from '../signals/sampling';
import type { Strategy } from './strategy';

export interface V5Params extends Record<string, number> {
  channelMs: number;
  volExpansion: number;
  shortVolMs: number;
  longVolMs: number;
  sampleMs: number;
}

export const V5_VOL_BREAKOUT: Strategy<V5Params> = {
  id: 'V5',
  name: 'Volatility breakout (edgelab assumption)',
  type: 'event',
  description: 'ASSUMPTION (not in the plan): breaks of the recent price channel while volatility expands.',
  params: {
    channelMs: { default: 3_600_000, min: 1, series: true, unit: 'ms', doc: 'Channel span (ms): highest/lowest sampled close before now.' },
    volExpansion: { default: 1.2, min: 0, unit: '× long vol', doc: 'Short-term realised vol must be ≥ this × long-term.' },
    shortVolMs: { default: 3_600_000, min: 1, series: true, unit: 'ms', doc: 'Short realised-volatility span (ms).' },
    longVolMs: { default: 86_400_000, min: 1, series: true, unit: 'ms', doc: 'Long realised-volatility span (ms).' },
    sampleMs: { default: 60_000, min: 1, series: true, unit: 'ms', doc: 'Ticks: sampling interval (ms); bars use the bar.' },
  },
  signals(tape: MarketTape, p: V5Params): StrategySignals {
    const smp = sampleTape(tape, p.sampleMs);
    const dt = smp.dtMs;
    const { high, low } = channel(smp.close, samplesIn(p.channelMs, dt));
    const vs = realizedVol(smp.close, Math.max(2, samplesIn(p.shortVolMs, dt)));
    const vl = realizedVol(smp.close, Math.max(3, samplesIn(p.longVolMs, dt)));
    const price = tape.kind === 'trades' ? tape.price : tape.close;
    const isBars = tape.kind === 'bars';
    const n = tape.length;
    const entry = new Int8Array(n);
    const exit = new Uint8Array(n);
    // The channel and the volatility test are per sample: read once for the sample's rows
    // (sampleRuns), then each row compares its own print.
    const runs = sampleRuns(smp);
    for (let j = 0; j < smp.length; j++) {
      const from = runs[j + 1];
      const to = runs[j + 2];
      if (from === to) continue;
      // On bars the channel before bar j is compared with bar j's close; on ticks the
      // channel of completed samples (< the current interval) with the current print.
      const h = isBars ? high[j] : j + 1 < high.length ? high[j + 1] : NaN;
      const l = isBars ? low[j] : j + 1 < low.length ? low[j + 1] : NaN;
      if (h !== h) continue;
      const mid = (h + l) / 2;
      const volOk = vs[j] >= p.volExpansion * vl[j];
      for (let i = from; i < to; i++) {
        const p0 = price[i];
        exit[i] = (p0 < mid ? 1 : 0) | (p0 > mid ? 2 : 0);
        if (!volOk) continue;
        if (p0 > h) entry[i] = 1;
        else if (p0 < l) entry[i] = -1;
      }
    }
    return { entry, exit };
  },
};
