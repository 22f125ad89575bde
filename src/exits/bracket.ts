/**
 * Stop and target levels of a bracket, as in plan 2.1
 * `AsymmetricExitManager.calculate_exit_levels`. Percentages as the plan
 * writes them: 0.5 means 0.5%.
 *
 * @example bracketLevels(100, 1, 0.5, 1.5) // => { stop: 99.5, target: 101.5 }
 */
export function bracketLevels(
  entryPrice: number,
  side: number,
  stopPct: number | null,
  targetPct: number | null,
): { stop: number; target: number } {
  // NaN marks "no level": comparisons with NaN are false, so the engine's
  // trigger tests need no extra branch.
  const stop = stopPct === null ? NaN : entryPrice * (1 - (side * stopPct) / 100);
  const target = targetPct === null ? NaN : entryPrice * (1 + (side * targetPct) / 100);
  return { stop, target };
}
