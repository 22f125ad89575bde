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
import { ema, realizedVol, sampledBars, sampleOfRow, sampleRuns, sampleTape, samplesIn, trailingPercentile, volumeRatio, type SampledSeries } from '../signals/sampling';
import { countDecisions, countPositive, decisionWords, firstDecisionFrom } from '../core/signals';

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
  /** The grid the masks are on (rows find their sample through its run starts). */
  smp: SampledSeries;
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
  // The regime is fitted and filtered on the sampled grid (one value per sample, read through the run starts),
  // not written out for every trade.
  const grid = sampledBars(tape, SAMPLE_MS);
  const regime = cachedSeries(grid, paramKey('hmm', {}), () => hmmRegimeSeries(grid, {}));
  const sampleMasks = new Uint8Array(smp.length);
  for (let j = 0; j < smp.length; j++) {
    const args = [vr[j], s.volumeRatioMin, fast[j], slow[j], regime.stateMean[j], regime.prob[j], s.regimeMinProb, volPct[j]] as const;
    sampleMasks[j] = confirmationMask(1, ...args) | (confirmationMask(-1, ...args) << 4);
  }
  const f = { sampleMasks, smp };
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
  const { sampleMasks, smp } = features(tape, s);
  // Read for the few rows a ledger names (a binary search each), not per row.
  const maskAt = (row: number) => {
    const j = sampleOfRow(smp, row);
    return j < 0 ? 0 : sampleMasks[j];
  };
  const out = new Int8Array(entry.length);
  const byMask = new Float64Array(16);
  let decisions = 0;
  let passed = 0;
  // The masks are per sample: each sample's rows (sampleRuns) share one verdict per side.
  // Where both sides get the same verdict the run is copied or dropped whole; otherwise
  // only rows holding a decision are visited (four bytes at a time). The counts are the
  // same as a row-by-row pass's.
  const runs = sampleRuns(smp);
  const words = decisionWords(entry);
  const min = s.minConfirmations;
  for (let j = -1; j + 2 < runs.length; j++) {
    const from = runs[j + 1];
    const to = runs[j + 2];
    if (from === to) continue;
    const m = j < 0 ? 0 : sampleMasks[j];
    const mkLong = m & 15;
    const mkShort = m >> 4;
    const okLong = countConfirmations(mkLong) >= min;
    const okShort = countConfirmations(mkShort) >= min;
    if (okLong === okShort) {
      // One verdict for the whole run (V2 decides on nearly every print, V6 on whole
      // samples): copy or drop it at once, and count its decisions by side.
      const c = countDecisions(entry, words, from, to);
      if (c === 0) continue;
      decisions += c;
      if (okLong) {
        out.set(entry.subarray(from, to), from);
        passed += c;
      } else {
        const longs = countPositive(entry, words, from, to);
        byMask[mkLong] += longs;
        byMask[mkShort] += c - longs;
      }
      continue;
    }
    for (let i = firstDecisionFrom(entry, words, from, to); i < to; i = firstDecisionFrom(entry, words, i + 1, to)) {
      const e = entry[i];
      decisions++;
      if (e > 0 ? okLong : okShort) {
        out[i] = e;
        passed++;
      } else byMask[e > 0 ? mkLong : mkShort]++;
    }
  }
  const blockedBy: Record<string, number> = {};
  for (let mk = 0; mk < 16; mk++) if (byMask[mk]) blockedBy[confirmationNames(mk).join('+') || 'none'] = byMask[mk];
  return { entry: out, maskAt, report: { decisions, passed, blocked: decisions - passed, blockedBy } };
}
