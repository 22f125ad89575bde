/**
 * V6 — HMM regime (regime).
 *
 * A 3-state Gaussian hidden Markov model of sampled log returns, fitted on
 * past data only and run forward as a filter (never smoothed: smoothing uses
 * the future). States are labelled by mean return: 0 = bear, 1 = range,
 * 2 = bull. Long while the filtered probability of the bull state is at
 * least `minRegimeProb`, short while the bear state's is (plan 3.1:
 * MIN_REGIME_PROB 0.6 → 0.8). Signal exit when the regime is no longer the
 * one traded.
 */
import type { MarketTape } from '../data/tape';
import type { StrategySignals } from '../core/signals';
import { hmmRegimeSeries } from '../signals/hmm';
import { cachedSeries, paramKey } from '../signals/cache';
import { sampledBars, sampleRuns, sampleTape } from '../signals/sampling';
import type { Strategy } from './strategy';

export interface V6Params extends Record<string, number> {
  minRegimeProb: number;
  states: number;
  sampleMs: number;
  trainSamples: number;
}

export const V6_HMM_REGIME: Strategy<V6Params> = {
  id: 'V6',
  name: 'HMM regime',
  type: 'regime',
  description: 'Trades with the filtered regime of a 3-state Gaussian HMM of returns: long in the bull state, short in the bear state.',
  params: {
    minRegimeProb: { default: 0.6, min: 0, max: 1, unit: 'probability', doc: 'Minimum filtered probability of the traded regime (plan 3.1: 0.6 before, 0.8 after).' },
    states: { default: 3, min: 2, max: 6, integer: true, series: true, unit: 'states', doc: 'Number of hidden states (lowest-mean = bear, highest-mean = bull).' },
    sampleMs: { default: 0, min: 0, series: true, unit: 'ms', doc: 'Return interval (ms); 0 = one return per bar on bars, per second on ticks.' },
    trainSamples: { default: 2000, min: 50, integer: true, series: true, unit: 'samples', doc: 'Observations the model is fitted on before it trades (past data only).' },
  },
  signals(tape: MarketTape, p: V6Params): StrategySignals {
    // Ticks: the HMM runs on the sampled grid (one observation per sample, read through
    // rowToSample: a row sees completed samples only). Bars: on the bars themselves.
    const dt = tape.kind === 'bars' ? 0 : p.sampleMs || 1000;
    const smp = sampleTape(tape, dt || 1);
    const grid = sampledBars(tape, dt || 1);
    const hp = { K: p.states, trainSamples: p.trainSamples };
    // Sweeping minRegimeProb must not refit the HMM: the series is cached per grid and HMM parameters.
    const r = cachedSeries(grid, paramKey('hmm', hp), () => hmmRegimeSeries(grid, hp));
    const top = p.states - 1;
    const n = tape.length;
    const entry = new Int8Array(n);
    const exit = new Uint8Array(n);
    // Every decision is a function of the sample alone: written to the sample's rows with one fill each.
    const runs = sampleRuns(smp);
    for (let j = 0; j < smp.length; j++) {
      const from = runs[j + 1];
      const to = runs[j + 2];
      if (from === to) continue;
      const st = r.state[j];
      if (st !== st) continue;
      const pr = r.prob[j];
      const bull = st === top && pr >= p.minRegimeProb;
      const bear = st === 0 && pr >= p.minRegimeProb;
      if (bull) entry.fill(1, from, to);
      else if (bear) entry.fill(-1, from, to);
      const ex = (st !== top ? 1 : 0) | (st !== 0 ? 2 : 0);
      if (ex) exit.fill(ex, from, to);
    }
    return { entry, exit };
  },
};
