/**
 * Confirmation filter (plan 3.2 `ConfirmationFilter`): an entry passes when
 * at least `minConfirmations` of four independent confirmations agree.
 *
 *  - volume: the window's volume ratio > `volumeRatioMin` (plan: 1.5);
 *  - trend: the fast EMA is above the slow EMA for a long (below, short);
 *  - regime: the Gaussian HMM's filtered most-likely state has probability
 *    ≥ `regimeMinProb` and a mean return with the trade's sign;
 *  - volatility: realised volatility sits between the 20th and 80th
 *    percentiles of its own trailing history (neither dead nor chaotic).
 *
 * The plan gives the four names and the count (2) but not their
 * definitions; the definitions above are edgelab's, documented here and in
 * the README. Every input is causal (computed on samples before the row).
 */
export const CONFIRMATION_NAMES = ['volume', 'trend', 'regime', 'volatility'] as const;
export type ConfirmationName = (typeof CONFIRMATION_NAMES)[number];

export const C_VOLUME = 1;
export const C_TREND = 2;
export const C_REGIME = 4;
export const C_VOLATILITY = 8;

/** Names of the confirmations in a bit mask, e.g. 5 → ['volume', 'regime']. */
export function confirmationNames(mask: number): ConfirmationName[] {
  return CONFIRMATION_NAMES.filter((_, b) => (mask & (1 << b)) !== 0);
}

/** Number of set bits of a 4-bit mask. */
export function countConfirmations(mask: number): number {
  return (mask & 1) + ((mask >> 1) & 1) + ((mask >> 2) & 1) + ((mask >> 3) & 1);
}

/**
 * The confirmations an entry in direction `dir` (±1) would have, from
 * per-sample features. NaN features confirm nothing.
 */
export function confirmationMask(
  dir: number,
  volumeRatio: number,
  volumeRatioMin: number,
  emaFast: number,
  emaSlow: number,
  regimeMean: number,
  regimeProb: number,
  regimeMinProb: number,
  volPercentile: number,
): number {
  let m = 0;
  if (volumeRatio > volumeRatioMin) m |= C_VOLUME;
  if (dir * (emaFast - emaSlow) > 0) m |= C_TREND;
  if (regimeProb >= regimeMinProb && dir * regimeMean > 0) m |= C_REGIME;
  if (volPercentile >= 0.2 && volPercentile <= 0.8) m |= C_VOLATILITY;
  return m;
}
