import { describe, expect, it } from 'vitest';
import {
  HIT_BOTH,
  HIT_NONE,
  HIT_STOP,
  HIT_TARGET,
  LEVEL_EPS,
  barStopFillPrice,
  bracketHitByPrint,
  bracketHitInBar,
  bracketLevels,
  pctToFraction,
  stopFirst,
  stopLevel,
  targetLevel,
  triggerLevel,
} from '../../src/exits/fill-rules';

// Hand calculations: entry 100, stop 0.5% → 99.5, target 1.5% → 101.5 (long);
// short: stop 100.5, target 98.5. In doubles 100 × (1 + 0.015) = 101.49999999999999.
describe('levels', () => {
  it('percent as the plan writes it; null is no level (NaN)', () => {
    expect(pctToFraction(0.5)).toBe(0.005);
    expect(pctToFraction(null)).toBeNaN();
    expect(bracketLevels(100, 1, 0.5, 1.5)).toEqual({ stop: 99.5, target: 100 * (1 + 0.015) });
    expect(bracketLevels(100, -1, 0.5, 1.5)).toEqual({ stop: 100 * (1 + 0.005), target: 100 * (1 - 0.015) });
    expect(bracketLevels(100, 1, null, null).stop).toBeNaN();
  });
  it('the trigger moves each level by the tolerance in the safe direction', () => {
    const stop = stopLevel(100, 1, 0.005);
    const target = targetLevel(100, 1, 0.015);
    expect(triggerLevel(stop, 1)).toBe(99.5 * (1 + LEVEL_EPS));
    expect(triggerLevel(target, -1)).toBe(target * (1 - LEVEL_EPS));
  });
});

describe('one print (ticks)', () => {
  const stopT = triggerLevel(99.5, 1);
  const targetT = triggerLevel(targetLevel(100, 1, 0.015), 1);
  it('a print at the stop triggers it; one just above does not', () => {
    expect(bracketHitByPrint(99.5, 1, stopT, targetT)).toBe(HIT_STOP);
    expect(bracketHitByPrint(99.51, 1, stopT, targetT)).toBe(HIT_NONE);
  });
  it('a print AT the target (101.5, although the level is 101.49999999999999) is not a fill; one through it is', () => {
    expect(bracketHitByPrint(101.5, 1, stopT, targetT)).toBe(HIT_NONE);
    expect(bracketHitByPrint(101.51, 1, stopT, targetT)).toBe(HIT_TARGET);
  });
  it('shorts mirror it', () => {
    const s = triggerLevel(100.5, -1);
    const t = triggerLevel(targetLevel(100, -1, 0.015), -1);
    expect(bracketHitByPrint(100.5, -1, s, t)).toBe(HIT_STOP);
    expect(bracketHitByPrint(98.5, -1, s, t)).toBe(HIT_NONE);
    expect(bracketHitByPrint(98.49, -1, s, t)).toBe(HIT_TARGET);
  });
  it('a missing level never fires', () => {
    expect(bracketHitByPrint(1, 1, NaN, NaN)).toBe(HIT_NONE);
    expect(bracketHitByPrint(1e9, 1, NaN, NaN)).toBe(HIT_NONE);
  });
});

describe('one bar', () => {
  const stop = 99.5;
  const stopT = triggerLevel(stop, 1);
  const targetT = triggerLevel(101.5, 1);
  it('low reaching the stop is a stop filled at the stop price', () => {
    expect(bracketHitInBar(100, 100.2, 99.4, 1, stopT, targetT)).toBe(HIT_STOP);
    expect(barStopFillPrice(100, 1, stop, stopT)).toBe(99.5);
  });
  it('a bar opening beyond the stop fills at the open, and is a stop even when its high passes the target', () => {
    expect(bracketHitInBar(99, 102, 98.8, 1, stopT, targetT)).toBe(HIT_STOP);
    expect(barStopFillPrice(99, 1, stop, stopT)).toBe(99);
  });
  it('high strictly through the target is a target; a touch is not', () => {
    expect(bracketHitInBar(100, 101.6, 99.9, 1, stopT, targetT)).toBe(HIT_TARGET);
    expect(bracketHitInBar(100, 101.5, 99.9, 1, stopT, targetT)).toBe(HIT_NONE);
  });
  it('both inside one bar: ambiguous, and the stop-first rule takes the stop', () => {
    const hit = bracketHitInBar(100, 101.6, 99.4, 1, stopT, targetT);
    expect(hit).toBe(HIT_BOTH);
    expect(stopFirst(hit)).toBe(HIT_STOP);
    expect(stopFirst(HIT_TARGET)).toBe(HIT_TARGET);
  });
  it('shorts read the high for the stop and the low for the target', () => {
    const s = triggerLevel(100.5, -1);
    const t = triggerLevel(98.5, -1);
    expect(bracketHitInBar(100, 100.6, 99, -1, s, t)).toBe(HIT_STOP);
    expect(bracketHitInBar(100, 100.2, 98.4, -1, s, t)).toBe(HIT_TARGET);
    expect(bracketHitInBar(101, 101, 98, -1, s, t)).toBe(HIT_STOP); // opened beyond the stop
    expect(barStopFillPrice(101, -1, 100.5, s)).toBe(101);
  });
});
