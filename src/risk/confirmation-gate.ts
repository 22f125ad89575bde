/**
 * The confirmation gate (plan 3.2): drops entry decisions that have fewer
 * than `minConfirmations` confirmations, and counts what it dropped with
 * the confirmations each had. Features are computed once per tape and
 * shared by every strategy (cached).
 */
import type { MarketTape } from '../data/tape';
import { hmmRegimeSeries } from '../signals/hmm';
import { cachedSeries, paramKey } from '../signals/cache';
import { confirmationMask, countConfirmations, confirmationNames } from '../signals/confirmation';
import { ema, realizedVol, sampledBars, sampleTape, samplesIn, trailingPercentile, volumeRatio } from '../signals/sampling';

export interface ConfirmationSettings {
  /** 0 disables the gate (plan: 2 from Phase 3). */
  minConfirmations: number;
  /** Plan 3.2: volume_ratio > 1.5. */
  volumeRatioMin: number;
  /** Minimum filtered probability for the regime confirmation. */
  regimeMinProb: number;
}

export interface ConfirmationReport {
  /** Entry decisions seen / passed / blocked. */
  decisions: number;
  passed: number;
  blocked: number;
  /** Blocked decisions by the set of confirmations they had (key: names joined by '+', or 'none'). */
  blockedBy: Record<string, number>;
}

interface Features {
  /** Per-SAMPLE confirmation masks for a long (bits 0–3) and a short (bits 4–7); every input is per sample. */
  sampleMasks: Uint8Array;
  /** Row → last completed sample (−1: none yet). */
  rowToSample: Int32Array;
}

const cache = new WeakMap<object, Map<string, Features>>();

/** Sampling of the confirmation features: 1-minute samples on ticks; the bars themselves on bars. */
const SAMPLE_MS = 60_000;

function features(tape: MarketTape, s: ConfirmationSettings): Features {
  const key = `${s.volumeRatioMin}|${s.regimeMinProb}`;
  let m = cache.get(tape);
  if (!m) cache.set(tape, (m = new Map()));
  const hit = m.get(key);
  if (hit) return hit;
  const smp = sampleTape(tape, SAMPLE_MS);
  const dt = smp.dtMs;
  const vr = volumeRatio(smp.volume, samplesIn(5 * 60_000, dt), samplesIn(24 * 3_600_000, dt));
  const fast = ema(smp.close, samplesIn(20 * 60_000, dt));
  const slow = ema(smp.close, samplesIn(120 * 60_000, dt));
  const vol = realizedVol(smp.close, samplesIn(60 * 60_000, dt));
  const volPct = trailingPercentile(vol, samplesIn(7 * 86_400_000, dt), 30);
  // The regime is fitted and filtered on the sampled grid (one value per sample, read through rowToSample),
  // not written out for every trade.
  const grid = sampledBars(tape, SAMPLE_MS);
  const regime = cachedSeries(grid, paramKey('hmm', {}), () => hmmRegimeSeries(grid, {}));
  const sampleMasks = new Uint8Array(smp.length);
  for (let j = 0; j < smp.length; j++) {
    const args = [vr[j], s.volumeRatioMin, fast[j], slow[j], regime.stateMean[j], regime.prob[j], s.regimeMinProb, volPct[j]] as const;
    sampleMasks[j] = confirmationMask(1, ...args) | (confirmationMask(-1, ...args) << 4);
  }
  const f = { sampleMasks, rowToSample: smp.rowToSample };
  m.set(key, f);
  return f;
}

/**
 * Filter `entry` in place-free fashion: returns a new entry array with the
 * decisions that lack confirmations removed, the per-row masks, and a report.
 */
export function applyConfirmationGate(
  tape: MarketTape,
  entry: Int8Array,
  s: ConfirmationSettings,
): { entry: Int8Array; maskAt: (row: number) => number; report: ConfirmationReport } {
  const { sampleMasks, rowToSample } = features(tape, s);
  const maskAt = (row: number) => (rowToSample[row] < 0 ? 0 : sampleMasks[rowToSample[row]]);
  const out = new Int8Array(entry.length);
  const byMask = new Float64Array(16);
  let decisions = 0;
  let passed = 0;
  const take = (i: number, e: number): void => {
    decisions++;
    const m = maskAt(i);
    const mk = e > 0 ? m & 15 : m >> 4;
    if (countConfirmations(mk) >= s.minConfirmations) {
      out[i] = e;
      passed++;
    } else byMask[mk]++;
  };
  // Most rows hold no decision: they are skipped four at a time through a 32-bit view of the
  // same bytes (rows still visited in order, so the counts are the same).
  const n = entry.length;
  let i = 0;
  if ((entry.byteOffset & 3) === 0) {
    const words = new Int32Array(entry.buffer, entry.byteOffset, n >> 2);
    for (let w = 0; w < words.length; w++) {
      if (words[w] === 0) continue;
      for (let r = w << 2, end = r + 4; r < end; r++) if (entry[r] !== 0) take(r, entry[r]);
    }
    i = words.length << 2;
  }
  for (; i < n; i++) if (entry[i] !== 0) take(i, entry[i]);
  const blockedBy: Record<string, number> = {};
  for (let mk = 0; mk < 16; mk++) if (byMask[mk]) blockedBy[confirmationNames(mk).join('+') || 'none'] = byMask[mk];
  return { entry: out, maskAt, report: { decisions, passed, blocked: decisions - passed, blockedBy } };
}
