/**
 * Seeded synthetic trade tape for benchmarks (never for research results).
 *
 * How it is made: inter-arrival times are exponential with mean `meanGapMs`
 * (rounded to whole ms, so several prints share a millisecond as on a real
 * exchange); order flow has regimes: a regime side flips with probability
 * 1/2000 per print, and each print's taker side follows the regime with
 * probability 0.86 (so a settled 60 s window shows |imbalance| ≈ 0.7 and
 * V1's stricter threshold fires now and then); each print moves log price by ±1 bp in the taker's
 * direction with probability 0.55 plus Gaussian noise of 0.5 bp; amounts are
 * log-normal. A 32-bit xorshift generator seeded by `seed` makes it
 * reproducible.
 */
import { makeTradeTape, type TradeTape } from '../src/data/tape';

export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export function syntheticTrades(n: number, seed = 1, meanGapMs = 20, startMs = Date.UTC(2024, 0, 1)): TradeTape {
  const rand = xorshift32(seed);
  const time = new Float64Array(n);
  const price = new Float64Array(n);
  const amount = new Float64Array(n);
  const side = new Int8Array(n);
  let t = startMs;
  let logp = Math.log(40_000);
  let regime = 1;
  for (let i = 0; i < n; i++) {
    t += Math.round(-Math.log(1 - rand()) * meanGapMs);
    if (rand() < 1 / 2000) regime = -regime;
    const s = rand() < 0.86 ? regime : -regime;
    const u1 = rand() || 1e-12;
    const u2 = rand();
    const gauss = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    logp += (rand() < 0.55 ? s : -s) * 1e-4 + gauss * 0.5e-4;
    time[i] = t;
    price[i] = Math.exp(logp);
    amount[i] = Math.exp(gauss * 0.8 - 4);
    side[i] = s;
  }
  return makeTradeTape({ time, price, amount, side, source: { file: `synthetic(seed=${seed}, n=${n})`, format: 'synthetic' } });
}
