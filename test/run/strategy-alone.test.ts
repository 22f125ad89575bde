/**
 * strategyAlone: the full replay behind PortfolioResult.alone[id] (notebook 05 charts it against the pool).
 * Its summary figures must be the ones runPortfolio reported, and its curve must start at the pool's capital.
 */
import { describe, expect, it } from 'vitest';
import { bundledData, loadData, runPortfolio, strategyAlone } from '../../src/index';

describe('strategyAlone', () => {
  const { tape } = loadData(bundledData.trades);
  const res = runPortfolio(tape, { strategies: ['V1', 'V4'], allocations: { V1: 40, V4: 60 }, preset: 'phase2', capital: 50 });

  it.each(['V1', 'V4'])('%s alone reproduces runPortfolio’s alone summary', (id) => {
    const r = strategyAlone(tape, res, id);
    expect(r.finalEquity).toBe(res.alone[id].finalEquity);
    expect(r.maxDrawdown).toBe(res.alone[id].maxDrawdown);
    expect(r.sleeves[id].trades).toBe(res.alone[id].trades);
    expect(r.equity.equity[0]).toBe(50);
    expect(r.equity.equity[r.equity.equity.length - 1]).toBeCloseTo(r.finalEquity, 9);
  });

  it('refuses a strategy that is not in the portfolio', () => {
    expect(() => strategyAlone(tape, res, 'V8')).toThrow(/V8 is not in this portfolio/);
  });
});
