import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBars, loadTrades } from '../../src/data/load';
import { bundledData } from '../../src/data/bundled';
import { lowerBound, type BarTape, type MarketTape, type TradeTape } from '../../src/data/tape';
import { runBarEngine, runTickEngine } from '../../src/backtest/engine';
import type { TradeRules } from '../../src/core/rules';
import { NotionalRateFeeModel, PLAN_FEES } from '../../src/execution/fees';
import { FixedBpsSlippage, NO_SLIPPAGE, type SlippageModel } from '../../src/execution/slippage';
import { resolveRunConfig } from '../../src/config/run-config';
import { LEDGER_COLUMNS } from '../../src/core/ledger';
import { UserError } from '../../src/util/errors';
import { compareExits, placeLogEntries, strategyEntries } from '../../src/research/compare-exits';
import { exitFrom, pairPolicy, ratioPolicy, signalPolicy, type ExitPolicy } from '../../src/backtest/exit-simulator';
import { breakEvenWinRate, checkPlanClaim, policyStats, theoreticalBreakEven } from '../../src/analytics/exit-policy-stats';
import { readEntryLog } from '../../src/data/readers/entry-log';
import { parsePairs, parseRatios } from '../../src/cli/compare-exits';
import { bars, ticks } from '../helpers/tapes';
import { edgelab } from '../helpers/cli';

const FEES = new NotionalRateFeeModel(PLAN_FEES);
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'compare-exits', 'trade-log.csv');
const NOTIONAL = 10;

let tickTape: TradeTape;
let barTape: BarTape;
let tmp: string;

beforeAll(() => {
  tickTape = loadTrades(bundledData.trades).tape;
  barTape = loadBars(bundledData.bars5m).tape;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-compare-exits-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function rulesOf(p: ExitPolicy): TradeRules {
  return {
    stopPct: p.stopPct,
    targetPct: p.targetPct,
    signalExit: p.signalExit,
    maxHoldMs: p.maxHoldMs,
    minHoldMs: 0,
    bracketDuringHold: 'active',
    limits: null,
  };
}

/** The engine's round trip for ONE entry decided on row e − 1 (filled on row e), with nothing else on the tape. */
function engineAlone(tape: MarketTape, e: number, side: 1 | -1, p: ExitPolicy, slippage: SlippageModel, exit?: Uint8Array) {
  const entry = new Int8Array(tape.length);
  entry[e - 1] = side;
  const exec = { fees: FEES, slippage, sizing: { mode: 'fixed' as const, notional: NOTIONAL }, initialCapital: NOTIONAL };
  const sig = { entry, exit };
  const res = tape.kind === 'trades' ? runTickEngine(tape, sig, rulesOf(p), exec) : runBarEngine(tape as BarTape, sig, rulesOf(p), exec);
  const rows = res.ledger.toRows('x');
  expect(rows.length).toBe(1);
  return rows[0];
}

/** Up to k entries spread evenly over a list. */
function spread<T>(xs: T[], k: number): T[] {
  if (xs.length <= k) return xs;
  return Array.from({ length: k }, (_, j) => xs[Math.floor((j * (xs.length - 1)) / (k - 1))]);
}

function expectSameAsEngine(tape: MarketTape, ids: string[], preset: string, policies: ExitPolicy[], slippage: SlippageModel, perStrategy: number) {
  const cfg = resolveRunConfig({ preset, strategies: ids });
  const src = strategyEntries(tape, cfg, ids, true);
  const reasons = new Set<string>();
  let checked = 0;
  let gapStops = 0;
  for (const id of ids) {
    const entries = spread(src[id].entries, perStrategy);
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      for (const p of policies) {
        const want = engineAlone(tape, e.index, e.side, p, slippage, src[id].exitSignals);
        expect(want.entryIndex).toBe(e.index);
        const got = exitFrom(tape, e.index, e.side, want.entryPrice, p, { fees: FEES, slippage, notional: NOTIONAL }, { exitSignals: src[id].exitSignals });
        const ctx = `${id} entry row ${e.index} ${want.side} policy ${p.name}`;
        expect({ ctx, exitIndex: got.exitIndex, exitTime: got.exitTime, exitPrice: got.exitPrice, reason: got.exitReason, liq: got.exitLiquidity }).toEqual({
          ctx,
          exitIndex: want.exitIndex,
          exitTime: want.exitTime,
          exitPrice: want.exitPrice,
          reason: want.exitReason,
          liq: want.exitLiquidity,
        });
        expect(got.entryTime).toBe(want.entryTime);
        expect(got.qty).toBe(want.qty);
        expect(got.stopPrice).toBe(want.stopPrice);
        expect(got.targetPrice).toBe(want.targetPrice);
        expect(got.entryFee).toBe(want.entryFee);
        expect(got.exitFee).toBe(want.exitFee);
        expect(got.grossPnl).toBe(want.grossPnl);
        expect(got.netPnl).toBeCloseTo(want.netPnl, 12);
        reasons.add(got.exitReason);
        if (got.exitReason === 'stop' && got.exitPrice !== slippage.fillPrice(got.stopPrice!, -got.side)) gapStops++;
        checked++;
      }
    }
  }
  return { reasons, checked, gapStops };
}

describe('exitFrom equals the engine for an isolated entry (bundled real data)', () => {
  it('ticks: V1 and V4 entries, brackets, signal and time exits, with and without slippage', () => {
    // The 2-hour tape moves only ~0.6%, so small brackets exercise stops and targets; 0.5/1.5 ends at 'end'.
    const policies = [
      ratioPolicy(1, 1, 0.05),
      ratioPolicy(3, 1, 0.05),
      pairPolicy(0.1, 0.3, 120_000),
      ratioPolicy(3, 1, 0.5),
      signalPolicy(),
      signalPolicy(60_000),
    ];
    for (const slip of [NO_SLIPPAGE, new FixedBpsSlippage(1)]) {
      const { reasons, checked } = expectSameAsEngine(tickTape, ['V1', 'V4'], 'before', policies, slip, 15);
      expect(checked).toBeGreaterThan(100);
      for (const r of ['stop', 'target', 'signal', 'time', 'end']) expect(reasons).toContain(r);
    }
  });

  it('5m bars: V1 and V4 phase2 entries, brackets (incl. gaps and both-in-one-bar), signal and time exits', () => {
    const policies = [ratioPolicy(1, 1, 0.5), ratioPolicy(3, 1, 0.5), ratioPolicy(3, 1, 0.5, 4 * 3600_000), signalPolicy(), ratioPolicy(3, 1, 0.1), pairPolicy(0.02, 0.06)];
    const { reasons, checked, gapStops } = expectSameAsEngine(barTape, ['V1', 'V4'], 'phase2', policies, new FixedBpsSlippage(2), 20);
    expect(checked).toBe(2 * 20 * policies.length);
    expect(gapStops).toBeGreaterThan(0); // some stops filled at a gapped open, not at the stop price
    for (const r of ['stop', 'target', 'signal', 'time']) expect(reasons).toContain(r);
  });

  it('hand-built tapes: the same on ticks (touch vs through, stop at the level) and bars (gap, both in one bar)', () => {
    const tk = ticks([[0, 100], [1, 100], [2, 100.5], [3, 100.3], [4, 99.5], [5, 101]]);
    const br = bars([[100, 100.2, 99.9, 100], [100, 101.6, 99.4, 100], [99, 99.2, 98, 98.5], [100, 100.6, 99.8, 100]]);
    for (const side of [1, -1] as const) {
      for (const p of [ratioPolicy(1, 1, 0.5), ratioPolicy(3, 1, 0.5), pairPolicy(0.2, 0.2)]) {
        for (const [tape, e] of [[tk, 1], [br, 1], [br, 2], [br, 3]] as const) {
          const want = engineAlone(tape, e, side, p, NO_SLIPPAGE);
          const got = exitFrom(tape, e, side, want.entryPrice, p, { fees: FEES, notional: NOTIONAL });
          expect([got.exitIndex, got.exitPrice, got.exitReason, got.exitFee]).toEqual([want.exitIndex, want.exitPrice, want.exitReason, want.exitFee]);
        }
      }
    }
  });
});

describe('hand-built outcomes', () => {
  // Row 1 is the entry fill at 100; then +0.51% (through the 1:1 target) before −0.6% (through the 3:1 stop).
  const path1 = ticks([[0, 100], [1, 100], [2, 100.3], [3, 100.51], [4, 99.6], [5, 99.4], [6, 101.6]]);
  const costs = { fees: FEES, notional: 10 };

  it('ticks: +0.5% before −0.5% — 1:1 wins at the target (maker), 3:1 is stopped at the print (taker)', () => {
    const one = exitFrom(path1, 1, 1, 100, ratioPolicy(1, 1, 0.5), costs);
    expect(one).toMatchObject({ exitReason: 'target', exitIndex: 3, exitLiquidity: 'maker' });
    expect(one.exitPrice).toBeCloseTo(100.5, 10); // the limit price (100 × 1.005 in floating point)
    expect(one.grossPnl).toBeCloseTo(0.05, 12); // qty 0.1 × 0.5
    expect(one.entryFee).toBeCloseTo(0.004, 12); // 10 × 0.04%
    expect(one.exitFee).toBeCloseTo(0.00201, 12); // 10.05 × 0.02%
    expect(one.netPnl).toBeCloseTo(0.04399, 12);
    const three = exitFrom(path1, 1, 1, 100, ratioPolicy(3, 1, 0.5), costs);
    expect(three).toMatchObject({ exitReason: 'stop', exitIndex: 5, exitPrice: 99.4, exitLiquidity: 'taker' });
    expect(three.netPnl).toBeCloseTo(-0.06 - 0.004 - 0.003976, 12);
    // The short side of the same path: 1:1 stop at 100.51 (first print at/beyond 100.5), 3:1 likewise.
    expect(exitFrom(path1, 1, -1, 100, ratioPolicy(1, 1, 0.5), costs)).toMatchObject({ exitReason: 'stop', exitIndex: 3, exitPrice: 100.51 });
  });

  it('ticks: a touch of the target is not a fill; a print at the stop level is', () => {
    const tk = ticks([[0, 100], [1, 100], [2, 100.5], [3, 100.5], [4, 99.5], [5, 101]]);
    expect(exitFrom(tk, 1, 1, 100, ratioPolicy(1, 1, 0.5), costs)).toMatchObject({ exitReason: 'stop', exitIndex: 4, exitPrice: 99.5 });
    // Nothing reached: closes at the last print.
    expect(exitFrom(tk, 1, 1, 100, ratioPolicy(3, 1, 1), costs)).toMatchObject({ exitReason: 'end', exitIndex: 5, exitPrice: 101 });
    // The time exit: the first print at or after entry + 2 s.
    expect(exitFrom(tk, 1, 1, 100, ratioPolicy(3, 1, 1, 2000), costs)).toMatchObject({ exitReason: 'time', exitIndex: 3, exitPrice: 100.5 });
  });

  it('bars: stop at the stop price, at the open when gapped, stop first when one bar reaches both, target at its price', () => {
    const br = bars([[100, 100, 100, 100], [100, 101.6, 99.4, 100], [99, 99.2, 98, 98.5], [100, 100.6, 99.8, 100]]);
    expect(exitFrom(br, 1, 1, 100, ratioPolicy(3, 1, 0.5), costs)).toMatchObject({ exitReason: 'stop', exitIndex: 1, exitPrice: 99.5 });
    expect(exitFrom(br, 2, 1, 100, ratioPolicy(3, 1, 0.5), costs)).toMatchObject({ exitReason: 'stop', exitIndex: 2, exitPrice: 99 });
    const tgt = exitFrom(br, 3, 1, 100, ratioPolicy(1, 1, 0.5), costs);
    expect(tgt).toMatchObject({ exitReason: 'target', exitIndex: 3, exitLiquidity: 'maker' });
    expect(tgt.exitPrice).toBeCloseTo(100.5, 10);
    const end = exitFrom(br, 3, 1, 100, ratioPolicy(3, 1, 0.5), costs);
    expect(end).toMatchObject({ exitReason: 'end', exitIndex: 3, exitPrice: 100, exitTime: br.time[3] + 300_000 });
  });

  it('compareExits on a log: every policy sees the same entries; the win rate falls as the target widens', () => {
    // Four round trips from 100: peaks of +0.6%, +1.1%, +1.6%, and a straight fall.
    const pts: [number, number][] = [];
    let s = 0;
    const legs = [100.6, 101.1, 101.6, 99];
    const times: number[] = [];
    for (const peak of legs) {
      pts.push([s++, 100]);
      times.push(s - 1);
      pts.push([s++, peak]);
      pts.push([s++, 99.4]); // then through every 0.5% stop
      pts.push([s++, 100]);
    }
    const tape = ticks(pts);
    const log = times.map((sec, k) => ({ time: tape.time[0] + sec * 1000, side: 1 as const, price: 100, line: k + 2 }));
    const res = compareExits(tape, { entriesLog: { file: 'mem', trades: log }, policies: parseRatios('1:1,2:1,3:1', 0.5) });
    expect(res.entries).toMatchObject({ source: 'log', count: 4, perStrategy: { log: 4 } });
    expect(res.policies.map((p) => p.name)).toEqual(['1to1', '2to1', '3to1']);
    expect(res.policies.map((p) => p.strategies.log.trades)).toEqual([4, 4, 4]);
    expect(res.winRates.byStrategy.log).toEqual({ '1to1': 0.75, '2to1': 0.5, '3to1': 0.25 });
    expect(res.winRates.byStrategyGross.log).toEqual({ '1to1': 0.75, '2to1': 0.5, '3to1': 0.25 });
    expect(res.winRates.fallsAsTargetWidens.log).toBe(true);
    for (const p of res.policies) expect(res.ledgers[p.name].map((r) => r.entryIndex)).toEqual([0, 4, 8, 12]);
    // 3:1: one win of +1.5% and three stops at −0.6% → R:R ≈ 1.44/0.68, break-even ≈ 32%: 25% loses.
    const c = res.planClaim.strategies.log;
    expect(res.planClaim.policy).toBe('3to1');
    expect(c.observedWinRate).toBe(0.25);
    expect(c.holds).toBe(false);
    expect(c.conclusive).toBe(false); // n = 4 cannot tell
    expect(c.note).toMatch(/inconclusive/);
  });
});

describe('break-even win rate', () => {
  it('theoretical: (stop + fees) / (stop + target) in return terms, with the maker target exit', () => {
    // 3:1 at 0.5%: win = 1.5% − 0.04% − 0.02% = 1.44%, loss = 0.5% + 0.04% + 0.04% = 0.58% → 0.58 / 2.02.
    expect(theoreticalBreakEven(0.5, 1.5, PLAN_FEES)).toBeCloseTo(0.58 / 2.02, 12);
    expect(theoreticalBreakEven(0.5, 1.5, PLAN_FEES)).toBeCloseTo(0.287129, 6);
    // 1:1: 0.58 / (0.44 + 0.58).
    expect(theoreticalBreakEven(0.5, 0.5, PLAN_FEES)).toBeCloseTo(0.58 / 1.02, 12);
    // Without fees: stop / (stop + target) — 25% for 3:1, so 27% wins only before fees.
    expect(theoreticalBreakEven(0.5, 1.5, { maker: 0, taker: 0 })).toBeCloseTo(0.25, 12);
    // Equal fees on both outcomes reduce to (stop + fees) / (stop + target).
    expect(theoreticalBreakEven(0.5, 1.5, { maker: 0.0004, taker: 0.0004 })).toBeCloseTo((0.5 + 0.08) / 2.0, 12);
    expect(theoreticalBreakEven(null, 1.5, PLAN_FEES)).toBeNull();
  });

  it('realised: avgLoss / (avgWin + avgLoss); null without wins or losses', () => {
    const rows = [3, 3, -1, -1, -1, 0].map((net) => ({ netPnl: net, grossPnl: net + 0.1, entryFee: 0.05, exitFee: 0.05, exitReason: 'stop' as const, holdMs: 1000 }));
    const s = policyStats(rows, 10, 0.3);
    expect(s.winRate).toBeCloseTo(2 / 6, 12);
    expect(s.riskReward).toBe(3);
    expect(s.breakEvenWinRate).toBeCloseTo(1 / (3 + 1), 12);
    expect(s.expectedValue).toBeCloseTo((2 / 6) * 3 - (4 / 6) * 1, 12);
    expect(s.edgePerTrade).toBeCloseTo(0.5, 12);
    expect(s.edgePerTradeReturn).toBeCloseTo(0.05, 12);
    expect(s.edgePerTradeGross).toBeCloseTo(0.6, 12);
    expect(s.feesPaid).toBeCloseTo(0.6, 12);
    expect(s.winRateGross).toBeCloseTo(3 / 6, 12); // the breakeven trade is a gross win
    expect(s.breakEvenWinRateTheoretical).toBe(0.3);
    expect(s.winRateCI![0]).toBeLessThan(2 / 6);
    expect(breakEvenWinRate(0, 1)).toBeNull();
    expect(breakEvenWinRate(2, 0)).toBeNull();
    expect(breakEvenWinRate(1.44, 0.58)).toBeCloseTo(0.58 / 2.02, 12);
  });

  it('plan claim: 27% at realised 3:1 after fees is below break-even', () => {
    // 270 wins of +1.44 and 730 losses of −0.58 (per 100 notional): the plan's arithmetic after fees.
    const rows = [...Array(270).fill(1.44), ...Array(730).fill(-0.58)].map((net) => ({ netPnl: net, grossPnl: net, entryFee: 0, exitFee: 0, exitReason: 'target' as const, holdMs: 0 }));
    const c = checkPlanClaim(policyStats(rows, 100, theoreticalBreakEven(0.5, 1.5, PLAN_FEES)));
    expect(c.observedWinRate).toBeCloseTo(0.27, 12);
    expect(c.breakEvenWinRate).toBeCloseTo(0.287129, 6);
    expect(c.edgePerTrade!).toBeLessThan(0);
    expect(c.holds).toBe(false);
  });
});

describe('policies', () => {
  it('parses ratios and pairs into file-safe names', () => {
    expect(parseRatios('1:1,3:1,2', 0.5).map((p) => [p.name, p.label, p.stopPct, p.targetPct])).toEqual([
      ['1to1', '1:1', 0.5, 0.5],
      ['3to1', '3:1', 0.5, 1.5],
      ['2to1', '2:1', 0.5, 1],
    ]);
    expect(parseRatios('3:1', 0.3)[0].targetPct).toBe(0.9);
    expect(parsePairs('0.5/1.5,0.3/0.9').map((p) => [p.name, p.stopPct, p.targetPct])).toEqual([
      ['s0.5-t1.5', 0.5, 1.5],
      ['s0.3-t0.9', 0.3, 0.9],
    ]);
    expect(() => parseRatios('3-1', 0.5)).toThrow(UserError);
    expect(() => parsePairs('0.5:1.5')).toThrow(/--pairs/);
  });
});

describe('trade-log replay on the bundled real tape', () => {
  it('reads the fixture: ms and ISO times, buy/sell/long/short, sorted', () => {
    const log = readEntryLog(FIXTURE);
    expect(log.map((r) => [r.side, r.price, r.line])).toEqual([
      [1, 9670.5, 2],
      [-1, 9699.9, 3],
      [1, 9705, 4],
      [-1, 9688, 5],
      [1, 9780, 6],
    ]);
    expect(log[0].time).toBe(1582329900000);
    expect(log[1].time).toBe(Date.parse('2020-02-22T00:20:00.250Z'));
    expect(log[3].time).toBe(Date.parse('2020-02-22T01:10:00Z'));
  });

  it('places each entry at the first print at or after its time, at the log price; warns on a far price', () => {
    const placed = placeLogEntries(tickTape, readEntryLog(FIXTURE), { file: 'trade-log.csv' });
    expect(placed.entries.length).toBe(5);
    for (const e of placed.entries) {
      expect(e.index).toBe(lowerBound(tickTape.time, e.time));
      expect(tickTape.time[e.index]).toBeGreaterThanOrEqual(e.time);
      expect(tickTape.time[e.index - 1]).toBeLessThan(e.time);
    }
    expect(placed.warnings).toHaveLength(1);
    expect(placed.warnings[0]).toMatch(/trade-log\.csv: line 6: log price 9780 is 1\.\d+% from the tape's price/);
  });

  it('exits match a brute-force scan of the tape from the log price', () => {
    const placed = placeLogEntries(tickTape, readEntryLog(FIXTURE));
    const reasons = new Set<string>();
    for (const p of [ratioPolicy(1, 1, 0.05), ratioPolicy(3, 1, 0.05), ratioPolicy(3, 1, 0.5)]) {
      for (const e of placed.entries) {
        const got = exitFrom(tickTape, e.index, e.side, e.price, p, { fees: FEES, notional: NOTIONAL }, { entryTime: e.time });
        // Oracle: first later print at/beyond the stop, or strictly through the target; else the last print.
        const stop = e.price * (1 - (e.side * p.stopPct!) / 100);
        const target = e.price * (1 + (e.side * p.targetPct!) / 100);
        let want = { exitIndex: tickTape.length - 1, exitPrice: tickTape.price[tickTape.length - 1], exitReason: 'end' };
        for (let i = e.index + 1; i < tickTape.length; i++) {
          const x = tickTape.price[i];
          if (e.side * (x - stop) <= 1e-9) {
            want = { exitIndex: i, exitPrice: x, exitReason: 'stop' };
            break;
          }
          if (e.side * (x - target) > 1e-9) {
            want = { exitIndex: i, exitPrice: target, exitReason: 'target' };
            break;
          }
        }
        expect({ exitIndex: got.exitIndex, exitPrice: got.exitPrice, exitReason: got.exitReason }).toEqual(want);
        expect(got.entryTime).toBe(e.time);
        expect(got.entryPrice).toBe(e.price);
        reasons.add(got.exitReason);
      }
    }
    expect(reasons).toContain('end'); // 0.5%/1.5% is never reached on this 2-hour tape
    expect([...reasons].some((r) => r === 'stop' || r === 'target')).toBe(true);
  });

  it('compareExits with the log: strategy id "log", no signal policy, entries skipped outside the tape', () => {
    const log = readEntryLog(FIXTURE);
    const outside = { time: tickTape.time[tickTape.length - 1] + 60_000, side: 1 as const, price: 9700, line: 7 };
    const res = compareExits(tickTape, { entriesLog: { file: 'log.csv', trades: [...log, outside] } });
    expect(res.policies.map((p) => p.name)).toEqual(['1to1', '3to1']);
    expect(Object.keys(res.policies[0].strategies)).toEqual(['log']);
    expect(res.entries).toMatchObject({ source: 'log', count: 5, skipped: 1, file: 'log.csv' });
    expect(res.warnings.some((w) => /line 7: .* outside the tape/.test(w))).toBe(true);
    for (const p of res.policies) {
      expect(res.ledgers[p.name]).toHaveLength(5);
      expect(res.ledgers[p.name].every((r) => r.strategy === 'log' && r.entryLiquidity === 'taker')).toBe(true);
    }
  });
});

describe('bad trade logs are UserErrors naming the file and line', () => {
  const cases: [string, string, RegExp][] = [
    ['bad side', 'time,side,price\n1582329900000,buy,9670\n1582329901000,hold,9670\n', /line 3: side 'hold'/],
    ['bad time', 'time,side,price\n1582329900000,buy,9670\nyesterday,sell,9670\n', /line 3: time 'yesterday'/],
    ['bad price', 'time,side,price\n1582329900000,buy,-5\n', /line 2: price '-5'/],
    ['empty price', 'time,side,price\n1582329900000,buy,\n', /line 2: empty price/],
    ['column count', 'time,side,price\n1582329900000,buy\n', /line 2: expected 3 columns, found 2/],
    ['missing column', 'time,price\n1582329900000,9670\n', /line 1: header is missing column\(s\) side/],
    ['no rows', 'time,side,price\n', /no trades after the header/],
    ['empty file', '', /line 1: file is empty/],
  ];
  for (const [name, text, msg] of cases) {
    it(name, () => {
      const f = path.join(tmp, `${name.replace(/\s/g, '-')}.csv`);
      fs.writeFileSync(f, text);
      let err: unknown;
      try {
        readEntryLog(f);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toContain(f);
      expect((err as Error).message).toMatch(msg);
    });
  }
});

describe('edgelab compare-exits (built CLI, real data)', () => {
  const TRADES = bundledData.trades;

  function expectContract(doc: Record<string, any>, ids: string[]) {
    expect(Array.isArray(doc.policies)).toBe(true);
    for (const p of doc.policies) {
      for (const k of ['name', 'stopPct', 'targetPct', 'strategies']) expect(p).toHaveProperty(k);
      for (const id of ids) {
        if (p.name === 'signal' && id === 'log') continue;
        for (const k of ['trades', 'winRate', 'winRateCI', 'riskReward', 'expectedValue', 'edgePerTrade', 'edgePerTradeGross', 'breakEvenWinRate', 'breakEvenWinRateTheoretical', 'feesPaid']) {
          expect(p.strategies[id], `${p.name} ${id}`).toHaveProperty(k);
        }
      }
    }
    expect(doc.planClaim.policy).toBe('3to1');
    for (const id of ids) {
      for (const k of ['claimedWinRate', 'observedWinRate', 'breakEvenWinRate', 'holds', 'note']) expect(doc.planClaim.strategies[id]).toHaveProperty(k);
      expect(doc.planClaim.strategies[id].claimedWinRate).toBe(0.27);
      expect(typeof doc.planClaim.strategies[id].holds).toBe('boolean');
    }
    expect(doc.data).toMatchObject({ rows: 9999, kind: 'trades' });
    expect(doc.entries).toHaveProperty('source');
    expect(doc.entries).toHaveProperty('count');
  }

  it('strategies + trade log: JSON contract, one ledger CSV per policy, a table on stdout', () => {
    const out = path.join(tmp, 'cli-ok');
    const r = edgelab(['compare-exits', '--data', TRADES, '--strategies', 'V1,V4', '--preset', 'before', '--ratios', '1:1,3:1', '--stop-pct', '0.05', '--entries', FIXTURE, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*trade-log\.csv: line 6: log price 9780/);
    expect(r.stdout).toMatch(/exit\s+strategy\s+trades\s+win/);
    expect(r.stdout).toMatch(/plan claim/);
    const doc = JSON.parse(fs.readFileSync(path.join(out, 'compare-exits.json'), 'utf8'));
    expectContract(doc, ['V1', 'V4', 'log']);
    expect(doc.policies.map((p: { name: string }) => p.name)).toEqual(['1to1', '3to1', 'signal']);
    expect(doc.policies[1]).toMatchObject({ stopPct: 0.05, targetPct: 0.15 });
    expect(doc.entries).toMatchObject({ source: 'strategy+log', preset: 'before' });
    expect(doc.entries.perStrategy.log).toBe(5);
    expect(doc.entries.count).toBe(doc.entries.perStrategy.V1 + doc.entries.perStrategy.V4 + 5);
    // Same entries under every policy.
    for (const id of ['V1', 'V4']) {
      const n = doc.policies.map((p: any) => p.strategies[id].trades);
      expect(new Set(n).size).toBe(1);
      expect(n[0]).toBe(doc.entries.perStrategy[id]);
    }
    for (const p of doc.policies) {
      const csv = fs.readFileSync(path.join(out, `${p.name}-trades.csv`), 'utf8').trim().split('\n');
      expect(csv[0]).toBe(LEDGER_COLUMNS.join(','));
      const total = Object.values(p.strategies as Record<string, { trades: number }>).reduce((a, s) => a + s.trades, 0);
      expect(csv.length - 1).toBe(total);
    }
  });

  it('--entries alone: strategy id "log", no signal policy', () => {
    const out = path.join(tmp, 'cli-log');
    const r = edgelab(['compare-exits', '--data', TRADES, '--entries', FIXTURE, '--pairs', '0.1/0.1,0.1/0.3', '--ratios', '3:1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(fs.readFileSync(path.join(out, 'compare-exits.json'), 'utf8'));
    expectContract(doc, ['log']);
    expect(doc.entries).toMatchObject({ source: 'log', count: 5 });
    expect(doc.policies.map((p: { name: string }) => p.name)).toEqual(['3to1', 's0.1-t0.1', 's0.1-t0.3']);
    expect(fs.readdirSync(out).sort()).toEqual(['3to1-trades.csv', 'compare-exits.json', 's0.1-t0.1-trades.csv', 's0.1-t0.3-trades.csv']);
  });

  it('a bad trade log: exit 2, the file and line named, nothing written', () => {
    const bad = path.join(__dirname, '..', 'fixtures', 'compare-exits', 'bad-side.csv');
    const out = path.join(tmp, 'cli-bad');
    const r = edgelab(['compare-exits', '--data', TRADES, '--entries', bad, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-side\.csv: line 3: side 'hold'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);
  });
});
