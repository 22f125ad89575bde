/**
 * The bracket fill rules, written once: where the stop and target sit, when a
 * print or a bar reaches them, and at what price they fill. The tick and bar
 * engines (src/backtest/engine.ts) and compare-exits' exit simulator
 * (src/exits/simulate.ts) all call these; backtest/audit.ts deliberately
 * does not — it re-reads the rules literally, as the independent check.
 *
 * Rules (README "Fill rules"):
 *  - Levels: stop = entry × (1 − side × stop%), target = entry × (1 + side ×
 *    target%), percentages as the plan writes them (0.5 = 0.5%). No level is
 *    NaN: every comparison with NaN is false, so a missing level never fires
 *    and the hot loops need no extra branch.
 *  - Ticks: a stop is a stop-market order, triggered by a print AT or beyond
 *    it and filled at that print (the caller adds slippage); a target is a
 *    resting limit, filled at the target price only by a print strictly
 *    THROUGH it (a touch is not a fill). Stop first when one print does both
 *    (only possible with a degenerate bracket).
 *  - Bars: the stop fills at the stop price, or at the open when the bar opens
 *    beyond it; the target fills at the target price when the high (low, for
 *    shorts) goes strictly through it. When one bar reaches both and did not
 *    open beyond the stop, the order inside the bar is unknown: the stop is
 *    taken first (pessimistic) unless a tick tape says otherwise.
 *
 * Everything is a small pure function over numbers, returning a number or a
 * boolean: V8 inlines them into the engine's loops, and nothing allocates
 * per event.
 */

/**
 * Relative tolerance on level comparisons. Levels are products like
 * 100 × 1.015 = 101.49999999999999; without it a print AT the target would
 * count as "through" it. Stops get the same tolerance in the safe direction
 * (a print at the stop level triggers it).
 */
export const LEVEL_EPS = 1e-12;

/** Which bracket level a print or a bar reached. Values equal the ledger's exit-reason codes for stop and target. */
export const HIT_NONE = 0;
export const HIT_STOP = 1;
export const HIT_TARGET = 2;
/** A bar reached both levels and did not open beyond the stop: the order inside the bar is unknown. */
export const HIT_BOTH = 3;

/** Percent → fraction; null (no level) → NaN. */
export function pctToFraction(pct: number | null): number {
  return pct === null ? NaN : pct / 100;
}

/** Stop level from the entry fill price, side (+1 long, −1 short) and the stop distance as a fraction (NaN: none). */
export function stopLevel(entryPrice: number, side: number, stopFrac: number): number {
  return entryPrice * (1 - side * stopFrac);
}

/** Target level from the entry fill price, side and the target distance as a fraction (NaN: none). */
export function targetLevel(entryPrice: number, side: number, targetFrac: number): number {
  return entryPrice * (1 + side * targetFrac);
}

/**
 * The comparison level of a stop or target: the level moved by LEVEL_EPS
 * in the side's favourable direction, so that a print exactly at the target
 * is not through it and a print exactly at the stop triggers it.
 */
export function triggerLevel(level: number, side: number): number {
  return level * (1 + side * LEVEL_EPS);
}

/**
 * Stop and target levels of a bracket, as in plan 2.1
 * `AsymmetricExitManager.calculate_exit_levels`. Percentages as the plan
 * writes them: 0.5 means 0.5%.
 *
 * @example bracketLevels(100, 1, 0.5, 1.5) // => { stop: 99.5, target: 101.5 }
 */
export function bracketLevels(entryPrice: number, side: number, stopPct: number | null, targetPct: number | null): { stop: number; target: number } {
  return { stop: stopLevel(entryPrice, side, pctToFraction(stopPct)), target: targetLevel(entryPrice, side, pctToFraction(targetPct)) };
}

/** A print (or a bar's open) at or beyond the stop's trigger level. */
export function stopTriggered(price: number, side: number, stopTrig: number): boolean {
  return side > 0 ? price <= stopTrig : price >= stopTrig;
}

/** A print strictly through the target's trigger level. */
export function targetTriggered(price: number, side: number, targetTrig: number): boolean {
  return side > 0 ? price > targetTrig : price < targetTrig;
}

/**
 * What one print does to an open bracket: HIT_STOP (fill at the print, plus
 * slippage), HIT_TARGET (fill at the target price, maker) or HIT_NONE.
 * The stop is tested first.
 */
export function bracketHitByPrint(price: number, side: number, stopTrig: number, targetTrig: number): number {
  if (stopTriggered(price, side, stopTrig)) return HIT_STOP;
  return targetTriggered(price, side, targetTrig) ? HIT_TARGET : HIT_NONE;
}

/**
 * The first print in [from, end) that triggers the stop or goes through the
 * target (the tests of `stopTriggered` and `targetTriggered`), or `end`.
 *
 * The tick engine skips an open position's quiet prints with it: one tight
 * loop per side reading only the price column, instead of the whole per-row
 * state machine. Those prints are most of a tape, so this loop is most of the
 * engine's time.
 */
export function firstBracketPrint(price: Float64Array, from: number, end: number, side: number, stopTrig: number, targetTrig: number): number {
  let i = from;
  if (side > 0) {
    while (i < end && !(price[i] <= stopTrig || price[i] > targetTrig)) i++;
  } else {
    while (i < end && !(price[i] >= stopTrig || price[i] < targetTrig)) i++;
  }
  return i;
}

/**
 * What one bar does to an open bracket: HIT_STOP, HIT_TARGET, HIT_NONE, or
 * HIT_BOTH when the bar reached both and did not open beyond the stop (a bar
 * that opens beyond the stop is a stop, whatever its high does).
 */
export function bracketHitInBar(open: number, high: number, low: number, side: number, stopTrig: number, targetTrig: number): number {
  const stopHit = side > 0 ? low <= stopTrig : high >= stopTrig;
  const targetHit = targetTriggered(side > 0 ? high : low, side, targetTrig);
  if (stopHit) return targetHit && !stopTriggered(open, side, stopTrig) ? HIT_BOTH : HIT_STOP;
  return targetHit ? HIT_TARGET : HIT_NONE;
}

/** The stop-first rule for bars: a bar that reached both levels, with nothing better to go on, is a stop. */
export function stopFirst(hit: number): number {
  return hit === HIT_BOTH ? HIT_STOP : hit;
}

/** Price (before slippage) at which a bar's stop fills: the open when the bar opened beyond the stop, else the stop. */
export function barStopFillPrice(open: number, side: number, stop: number, stopTrig: number): number {
  return stopTriggered(open, side, stopTrig) ? open : stop;
}
