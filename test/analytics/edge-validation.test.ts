import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPITAL, defaultReportDate, edgeVerdict, validateEdge } from '../../src/analytics/edge-validation';
import { defaultEngine } from '../../src/config/run-config';
import type { TradeLogTrade } from '../../src/data/readers/trade-log';

const H = 3_600_000;
let line = 0;
/** A long round trip closing at `exitIso` with net P&L `net` after a 0.1 fee split over the legs. */
function trade(strategy: string, exitIso: string, net: number, extra: Partial<TradeLogTrade> = {}): TradeLogTrade {
  const exitTime = Date.parse(exitIso);
  const gross = net + 0.1;
  return {
    strategy,
    symbol: 'BTC/USDT',
    side: 'long',
    entryTime: exitTime - H,
    exitTime,
    entryPrice: 100,
    exitPrice: 100 + gross,
    qty: 1,
    entryFee: 0.05,
    exitFee: 0.05,
    grossPnl: gross,
    netPnl: net,
    exitReason: 'signal',
    entryLiquidity: 'taker',
    exitLiquidity: 'taker',
    exitDelayedBy: null,
    source: { file: 'hand.csv', line: ++line },
    ...extra,
  };
}

// Strategy A, report date 2024-03-10, capital 10. Net P&L by exit:
//   02-01 +2 | 02-20 +0.5 (ETH) | 03-05 −1 (min-hold delayed) | 03-08 +3 | 03-10 10:00 −4 | 03-10 12:00 +1
const A = [
  trade('A', '2024-02-01T12:00:00Z', 2),
  trade('A', '2024-02-20T12:00:00Z', 0.5, { symbol: 'ETH/USDT' }),
  trade('A', '2024-03-05T12:00:00Z', -1, { exitDelayedBy: 'minHold' }),
  trade('A', '2024-03-08T12:00:00Z', 3),
  trade('A', '2024-03-10T10:00:00Z', -4),
  trade('A', '2024-03-10T12:00:00Z', 1),
];
// B: (+2, +2, −1) ten times, in March — mean 1, sd 1.43839.
const B = Array.from({ length: 30 }, (_, i) => trade('B', new Date(Date.UTC(2024, 2, 1, i)).toISOString(), [2, 2, -1][i % 3]));
// C: ruined — equity 10 → 4 → −1 → 2.
const C = [trade('C', '2024-03-09T01:00:00Z', -6), trade('C', '2024-03-09T02:00:00Z', -5), trade('C', '2024-03-09T03:00:00Z', 3)];
// E: one old trade, a log that does not say whether exits were delayed.
const E = [trade('E', '2024-01-15T12:00:00Z', 0.3, { exitDelayedBy: undefined })];

const v = validateEdge([...E, ...C, ...B, ...A], { date: '2024-03-10', capital: 10, limits: { perDay: 1 } });

describe('validateEdge windows (hand-computed)', () => {
  it('day = the report date (UTC): trades, win rate with Wilson, edge with t-interval, drawdown from the equity it opened with', () => {
    const d = v.A.windows.day;
    expect(d.trades).toBe(2);
    expect(d.winRate).toBe(0.5);
    // Wilson 95% for 1/2 (z = 1.959964): centre (0.5 + z²/4)/(1 + z²/2), half-width z/(1+z²/2)·√(0.125 + z²/16)
    expect(d.winRateCi![0]).toBeCloseTo(0.0945312057, 9);
    expect(d.winRateCi![1]).toBeCloseTo(0.9054687943, 9);
    expect(d.edgePerTrade).toBe(-1.5);
    // mean −1.5, s = √12.5, t(0.975, 1) = 12.7062 (scipy.stats.t.ppf): −1.5 ∓ 12.7062·√12.5/√2
    expect(d.edgeCi![0]).toBeCloseTo(-33.26551184, 6);
    expect(d.edgeCi![1]).toBeCloseTo(30.26551184, 6);
    expect(d.avgWin).toBe(1);
    expect(d.avgLoss).toBe(4);
    expect(d.riskReward).toBe(0.25);
    expect(d.expectedValue).toBe(-1.5);
    expect(d.feesPaid).toBeCloseTo(0.2, 12);
    // opened at 10 + 2 + 0.5 − 1 + 3 = 14.5, fell to 10.5: 4 quote, 4/14.5 of the peak
    expect(d.startEquity).toBe(14.5);
    expect(d.maxDrawdown).toBeCloseTo(4, 12);
    expect(d.maxDrawdownPct).toBeCloseTo((4 / 14.5) * 100, 10);
    expect(d.ruined).toBe(false);
    expect(d.tradesPerDay).toBe(2);
    expect(d.busiestDayTrades).toBe(2);
    expect(d.daysOverLimit).toBe(1);
    expect(d.status).toBe('negative edge');
    expect(d.statusReason).toBe('Negative edge: -1.5000');
  });

  it('7d and 30d end with the report date; all is everything', () => {
    const w7 = v.A.windows['7d'];
    expect(w7.from).toBe(Date.UTC(2024, 2, 4));
    expect(w7.to).toBe(Date.UTC(2024, 2, 11));
    expect(w7.trades).toBe(4); // −1, +3, −4, +1
    expect(w7.totalPnl).toBe(-1);
    expect(w7.edgePerTrade).toBe(-0.25);
    expect(w7.winRateCi![0]).toBeCloseTo(0.1500389892, 9); // Wilson 2/4
    expect(w7.edgeCi![0]).toBeCloseTo(-5.00151774, 6); // t(0.975, 3) = 3.18245
    expect(w7.exitsDelayedByMinHold).toBe(1);
    expect(w7.tradesPerDay).toBeCloseTo(4 / 7, 12);
    const w30 = v.A.windows['30d'];
    expect(w30.from).toBe(Date.UTC(2024, 1, 10));
    expect(w30.trades).toBe(5); // the 02-01 trade is outside
    expect(w30.startEquity).toBe(12);
    expect(w30.maxDrawdown).toBeCloseTo(4, 12); // 14.5 → 10.5
    expect(w30.maxDrawdownPct).toBeCloseTo((4 / 14.5) * 100, 10);
    const all = v.A.windows.all;
    expect(all.trades).toBe(6);
    expect(all.totalPnl).toBe(1.5);
    expect(all.edgePerTrade).toBe(0.25);
    expect(all.winRate).toBeCloseTo(4 / 6, 12);
    expect(all.winRateCi![0]).toBeCloseTo(0.2999933151, 9);
    expect(all.edgeCi![0]).toBeCloseTo(-2.35780006, 6);
    expect(all.edgeCi![1]).toBeCloseTo(2.85780006, 6);
    expect(all.edgeSd).toBeCloseTo(2.48495473, 7);
    expect(all.status).toBe('positive edge'); // the plan's rule: edge 0.25 > 0, EV > 0.0005
  });

  it('verdict from the interval, and trades needed = ⌈(1.96·s/m)²⌉ − n', () => {
    expect(v.A.verdict).toBe('positive but not significant after 6 trades');
    expect(v.A.significant).toBe(false);
    // ⌈(1.959964 · 2.484955 / 0.25)²⌉ = 380 → 380 − 6
    expect(v.A.tradesNeededForSignificance).toBe(374);
    const b = v.B.windows.all;
    expect(b.edgePerTrade).toBeCloseTo(1, 12);
    // 1 ∓ t(0.975, 29)·1.43839/√30 with t = 2.04523
    expect(b.edgeCi![0]).toBeCloseTo(0.46289638, 6);
    expect(v.B.verdict).toBe('positive edge, significant');
    expect(v.B.tradesNeededForSignificance).toBe(0);
    expect(v.C.verdict).toBe('negative edge');
    expect(v.C.tradesNeededForSignificance).toBeNull();
  });

  it('a strategy that traded past zero is ruined: 100%, never a percentage beyond it', () => {
    const c = v.C.windows.all;
    expect(c.maxDrawdown).toBeCloseTo(11, 12); // 10 → −1
    expect(c.ruined).toBe(true);
    expect(c.maxDrawdownPct).toBe(100);
    expect(c.sharpe).toBeNull(); // returns are undefined after ruin
  });

  it('windows without trades, logs that do not say about the minimum hold, per-symbol breakdown', () => {
    expect(v.E.windows.day).toMatchObject({ trades: 0, winRate: null, winRateCi: null, edgePerTrade: null, edgeCi: null, status: 'no trades', statusReason: 'Not enough trades', maxDrawdown: 0 });
    expect(v.E.windows.all.exitsDelayedByMinHold).toBeNull();
    expect(v.E.verdict).toBe('positive but not significant after 1 trades');
    expect(v.E.tradesNeededForSignificance).toBeNull(); // no spread from one trade
    expect(v.A.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(v.A.perSymbol!['ETH/USDT'].trades).toBe(1);
    expect(v.A.perSymbol!['BTC/USDT'].totalPnl).toBe(1);
    expect(v.B.perSymbol).toBeUndefined();
  });

  it('PSR lies in [0, 1] and grows with the edge', () => {
    expect(v.B.windows.all.psr).toBeGreaterThan(0.9);
    expect(v.C.windows.all.psr).toBeNull();
  });
});

describe('helpers', () => {
  it('defaultReportDate is the UTC day of the last exit', () => {
    expect(defaultReportDate([...A, ...E])).toBe('2024-03-10');
    expect(defaultReportDate([trade('X', '2024-03-10T23:59:59.999Z', 1)])).toBe('2024-03-10');
  });
  it('the default capital is the presets\' initial capital', () => {
    expect(DEFAULT_CAPITAL).toBe(defaultEngine().initialCapital);
  });
  it('a bad date is a user error naming the flag', () => {
    expect(() => validateEdge(A, { date: '2024-02-30' })).toThrow(/--date: expected a UTC day YYYY-MM-DD, got '2024-02-30'/);
  });
  it('never says "significant" while the interval still holds zero', () => {
    // normal-approximation n already reached but the t-interval still includes 0
    expect(edgeVerdict({ trades: 2, edgePerTrade: 1, edgeCi: [-0.5, 2.5], edgeSd: 0.2 })).toEqual({
      verdict: 'positive but not significant after 2 trades',
      significant: false,
      tradesNeededForSignificance: 1,
    });
  });
});
