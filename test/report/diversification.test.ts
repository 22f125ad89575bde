/**
 * The Phase 5 "diversification benefits visible" rule (src/report/phases.ts
 * diversificationBenefit), read by the checklist and by notebook 05. Values by hand.
 */
import { describe, expect, it } from 'vitest';
import { diversificationBenefit } from '../../src/report/phases';

const alone = (maxDrawdown: number) => ({ finalEquity: 1, totalReturn: 0, sharpe: null, maxDrawdown, trades: 1 });
const pool = (ratio: number | null, maxDrawdown: number) => ({
  diversificationRatio: ratio,
  portfolio: { maxDrawdown },
  correlations: { ids: ['A', 'B'], matrix: [] },
  alone: { A: alone(0.2), B: alone(0.1) },
  // Weighted alone drawdown by hand: 0.25·0.2 + 0.75·0.1 = 0.125.
  settings: { targetWeights: { A: 0.25, B: 0.75 } } as never,
});

describe('diversificationBenefit', () => {
  it('weights each strategy-alone drawdown by its target weight', () => {
    expect(diversificationBenefit(pool(1.3, 0.1)).weightedAloneDrawdown).toBeCloseTo(0.125, 12);
  });
  it('is visible only when the ratio is above 1 and the pool draws down less than its weighted parts', () => {
    expect(diversificationBenefit(pool(1.3, 0.1)).visible).toBe(true);
    expect(diversificationBenefit(pool(1.3, 0.13)).visible).toBe(false); // drawdown 0.13 ≥ 0.125
    expect(diversificationBenefit(pool(1, 0.1)).visible).toBe(false); // ratio exactly 1: no offset
    expect(diversificationBenefit(pool(null, 0.1)).visible).toBeNull();
  });
});
