import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTradeLogs } from '../../../src/data/readers/trade-log';
import { DataError } from '../../../src/util/errors';

const FIX = path.join(__dirname, '../../fixtures/trade-logs');

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradelog-'));
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

describe('live-bot CSV trade log', () => {
  const set = readTradeLogs([path.join(FIX, 'live-bot.csv')]);

  it('reads closed trades with P&L recomputed from prices and the fee split by leg notional', () => {
    expect(set.trades).toHaveLength(6);
    expect(set.open).toHaveLength(1);
    const [first] = set.trades; // earliest exit: V3 BTC long 60000 → 60600, qty 0.001
    expect(first.strategy).toBe('V3_Fixed');
    expect(first.symbol).toBe('BTC/USDT');
    expect(first.entryTime).toBe(Date.UTC(2024, 2, 1, 9, 0));
    expect(first.exitTime).toBe(Date.UTC(2024, 2, 1, 9, 30));
    // gross = (60600 − 60000)·0.001 = 0.6; fee 0.04824 = 0.0004·(60 + 60.6), split 60 : 60.6
    expect(first.grossPnl).toBeCloseTo(0.6, 12);
    expect(first.entryFee).toBeCloseTo((0.04824 * 60) / 120.6, 12); // 0.024
    expect(first.exitFee).toBeCloseTo(0.02424, 12);
    expect(first.netPnl).toBeCloseTo(0.55176, 12);
    expect(first.exitReason).toBe('target'); // take_profit
    expect(first.entryLiquidity).toBe('taker');
    expect(first.exitDelayedBy).toBeNull();
    expect(first.source).toEqual({ file: path.join(FIX, 'live-bot.csv'), line: 2 });
  });

  it('normalises exit reasons, signs short P&L and keeps the minimum-hold flag', () => {
    const short = set.trades.find((t) => t.source.line === 3)!;
    expect(short.side).toBe('short');
    expect(short.grossPnl).toBeCloseTo(-0.2, 12); // −(61200 − 61000)·0.001
    expect(short.netPnl).toBeCloseTo(-0.24888, 12);
    expect(short.exitReason).toBe('stop');
    expect(short.exitDelayedBy).toBe('minHold');
    const reasons = Object.fromEntries(set.trades.map((t) => [t.source.line, t.exitReason]));
    expect(reasons).toEqual({ 2: 'target', 3: 'stop', 4: 'stop', 5: 'target', 6: 'signal', 8: 'time' });
    const total = set.trades.reduce((s, t) => s + t.netPnl, 0);
    // 0.55176 − 0.24888 − 1.45544 + 0.55148 + 0.9726 + 0.25052
    expect(total).toBeCloseTo(0.62204, 10);
  });

  it('lists the open trade apart and the source with its SHA-256', () => {
    expect(set.open[0]).toMatchObject({ strategy: 'V4_Fixed', symbol: 'ETH/USDT', side: 'long', entryPrice: 3410, qty: 0.02 });
    expect(set.open[0].source.line).toBe(7);
    expect(set.sources).toEqual([
      {
        file: path.join(FIX, 'live-bot.csv'),
        format: 'trade-log-csv',
        trades: 6,
        open: 1,
        sha256: require('node:crypto').createHash('sha256').update(fs.readFileSync(path.join(FIX, 'live-bot.csv'))).digest('hex'),
      },
    ]);
  });
});

describe('live-bot JSON Lines trade log', () => {
  const set = readTradeLogs([path.join(FIX, 'live-bot.jsonl')]);

  it('takes qty from notional, per-leg fees, and cross-checks the plan\'s gross pnl', () => {
    expect(set.sources[0].format).toBe('trade-log-jsonl');
    expect(set.trades).toHaveLength(2);
    const [a, b] = set.trades;
    expect(a.qty).toBeCloseTo(0.001, 15); // 60 / 60000
    expect(a.netPnl).toBeCloseTo(0.3 - 0.024 - 0.02412, 12);
    expect(b.netPnl).toBeCloseTo(-0.2 - 0.0242 - 0.02428, 12);
    expect(a.reportedPnlBasis).toBe('gross');
    expect(set.mismatches).toEqual([]);
    expect(set.open).toHaveLength(1);
    expect(set.open[0].source.line).toBe(4); // line 3 is blank
  });
});

describe('malformed live logs name file and line', () => {
  const header = 'strategy,side,entry_time,exit_time,entry_price,exit_price,qty,fee\n';
  const good = 'A,long,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,100,101,1,0.08\n';
  const cases: [string, string, RegExp][] = [
    ['bad side', header + good + 'A,up,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,100,101,1,0.08\n', /row 3: side must be long or short/],
    ['bad price', header + good + 'A,long,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,abc,101,1,0.08\n', /row 3: entry_price: not a number/],
    ['negative qty', header + 'A,long,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,100,101,-1,0.08\n', /row 2: qty must be > 0/],
    ['exit before entry', header + 'A,long,2024-01-01T02:00:00Z,2024-01-01T01:00:00Z,100,101,1,0.08\n', /row 2: exit_time .* is before entry_time/],
    ['seconds not ms', header + 'A,long,1704067200,1704070800,100,101,1,0.08\n', /row 2: entry_time: 1704067200 looks like seconds/],
    ['half-closed', header + 'A,long,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,100,,1,0.08\n', /row 2: exit_time is given but exit_price is missing/],
    ['column count', header + good + 'A,long,2024-01-01T00:00:00Z\n', /row 3: expected 8 columns, found 3/],
  ];
  for (const [what, text, re] of cases) {
    it(what, () => {
      const f = tmpFile('log.csv', text);
      expect(() => readTradeLogs([f])).toThrow(DataError);
      expect(() => readTradeLogs([f])).toThrow(new RegExp(f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + ': ' + re.source));
    });
  }

  it('a bad JSON line', () => {
    const f = tmpFile('log.jsonl', '{"strategy":"A","side":"long","entry_time":1704067200000,"entry_price":1,"qty":1}\n{"strategy": oops}\n');
    expect(() => readTradeLogs([f])).toThrow(/log\.jsonl: row 2: invalid JSON/);
  });

  it('duplicated rows are refused with both line numbers', () => {
    const f = tmpFile('log.csv', header + good + good);
    expect(() => readTradeLogs([f])).toThrow(new RegExp(`row 3: duplicate of .*log\\.csv:2`));
  });

  it('the same trade in two files is refused too (it would be counted twice)', () => {
    const f1 = tmpFile('a.csv', header + good);
    const f2 = tmpFile('b.csv', header + good);
    expect(() => readTradeLogs([f1, f2])).toThrow(/b\.csv: row 2: duplicate of .*a\.csv:2/);
  });

  it('an unrecognised file says what edgelab reads', () => {
    const f = tmpFile('x.csv', 'time,price\n1,2\n');
    expect(() => readTradeLogs([f])).toThrow(/x\.csv: not a trade log edgelab can read/);
  });

  it('a trade without any fee is read but warned about', () => {
    const f = tmpFile('nofee.csv', 'strategy,side,entry_time,exit_time,entry_price,exit_price,qty\nA,long,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,100,101,1\n');
    const s = readTradeLogs([f]);
    expect(s.trades[0].netPnl).toBe(1);
    expect(s.warnings.join('\n')).toMatch(/1 of 1 closed trades carry no fee/);
  });
});

describe("the plan's own PerformanceTracker dump", () => {
  it('is refused with what it lacks and why (no side, qty or times; pnl before fees)', () => {
    const csv = tmpFile('tracker.csv', 'strategy,pnl,entry_price,exit_price,timestamp\nV3_Fixed,0.01,100,101,1709280000.5\n');
    expect(() => readTradeLogs([csv])).toThrow(/tracker\.csv: row 1: not a trade-log header: looks like the plan's PerformanceTracker record .* lacks side, entry_time/);
    const jsonl = tmpFile('tracker.jsonl', '{"strategy":"V3_Fixed","pnl":0.01,"entry_price":100,"exit_price":101,"timestamp":1709280000.5}\n');
    expect(() => readTradeLogs([jsonl])).toThrow(/tracker\.jsonl: row 1: not a trade record: looks like the plan's PerformanceTracker record/);
  });

  it('a header with a strategy column but no prices says what is missing', () => {
    const f = tmpFile('thin.csv', 'strategy,side,when\nA,long,2024-01-01\n');
    expect(() => readTradeLogs([f])).toThrow(/thin\.csv: row 1: not a trade-log header: missing entry_time, entry_price/);
  });
});

describe('daily log files', () => {
  it("an open trade in yesterday's file that today's file closes is counted once, as closed", () => {
    const header = 'strategy,symbol,side,entry_time,exit_time,entry_price,exit_price,qty,fee\n';
    const day1 = tmpFile('2024-03-01.csv', header + 'A,BTC/USDT,long,2024-03-01T23:00:00Z,,60000,,0.001,\n');
    const day2 = tmpFile('2024-03-02.csv', header + 'A,BTC/USDT,long,2024-03-01T23:00:00Z,2024-03-02T01:00:00Z,60000,60100,0.001,0.04804\n');
    const s = readTradeLogs([day1, day2]);
    expect(s.trades).toHaveLength(1);
    expect(s.trades[0].netPnl).toBeCloseTo(0.1 - 0.04804, 12);
    expect(s.open).toEqual([]);
    expect(s.sources.map((x) => x.open)).toEqual([1, 0]); // what each file holds
    expect(s.warnings.join('\n')).toMatch(/1 open trade\(s\) are closed in another source/);
  });
});
