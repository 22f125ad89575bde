import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readTradeLogs } from '../../../src/data/readers/trade-log';
import { writeFreqtradeDb, type FreqtradeDbTrade } from '../../helpers/freqtrade-db';

const FIX = path.join(__dirname, '../../fixtures/trade-logs/freqtrade');
const EXPORT = path.join(FIX, 'backtest-result-2024-03-05_10-00-00.json');

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'freqtrade-'));
}

describe('freqtrade backtest export (json)', () => {
  const set = readTradeLogs([EXPORT]);

  it('is detected from its shape and read per strategy with fees from the rates', () => {
    expect(set.sources).toHaveLength(1);
    expect(set.sources[0]).toMatchObject({ format: 'freqtrade-backtest-json', trades: 5, open: 0 });
    const byStrategy = (s: string) => set.trades.filter((t) => t.strategy === s);
    expect(byStrategy('SampleStrategy')).toHaveLength(3);
    expect(byStrategy('MyTrendStrategy')).toHaveLength(2);
    // SampleStrategy #1: long 0.001 BTC 60000 → 60600, fee 0.1% each leg
    const t1 = set.trades.find((t) => t.source.line === 1)!;
    expect(t1).toMatchObject({ symbol: 'BTC/USDT', side: 'long', exitReason: 'target', entryTime: Date.UTC(2024, 2, 1, 9), exitTime: Date.UTC(2024, 2, 1, 9, 30) });
    expect(t1.entryFee).toBeCloseTo(0.06, 12); // 0.001 · 60000 · 0.001
    expect(t1.exitFee).toBeCloseTo(0.0606, 12);
    expect(t1.netPnl).toBeCloseTo(0.6 - 0.1206, 12);
    // SampleStrategy #3: short 61000 → 60390: gross +0.61, fees 0.061 + 0.06039
    const t3 = set.trades.find((t) => t.source.line === 3)!;
    expect(t3.side).toBe('short');
    expect(t3.exitReason).toBe('signal'); // exit_signal
    expect(t3.netPnl).toBeCloseTo(0.61 - 0.12139, 12);
    // MyTrendStrategy #2 (5th in the file): trailing_stop_loss → stop
    expect(set.trades.find((t) => t.source.line === 5)!.exitReason).toBe('stop');
  });

  it("cross-checks every trade against freqtrade's own profit_abs: all agree here", () => {
    expect(set.trades.every((t) => t.reportedPnl !== undefined)).toBe(true);
    expect(set.mismatches).toEqual([]);
  });

  it('reports a trade whose profit_abs does not match the recomputed net P&L', () => {
    const doc = JSON.parse(fs.readFileSync(EXPORT, 'utf8'));
    doc.strategy.MyTrendStrategy.trades[0].profit_abs = 1.9; // recomputed: 2.04 − 0.102 − 0.10404 = 1.83396
    const f = path.join(tmpDir(), 'backtest-result-x.json');
    fs.writeFileSync(f, JSON.stringify(doc));
    const s = readTradeLogs([f]);
    expect(s.mismatches).toHaveLength(1);
    const m = s.mismatches[0];
    expect(m).toMatchObject({ file: f, line: 4, strategy: 'MyTrendStrategy', reported: 1.9, basis: 'net' });
    expect(m.recomputed).toBeCloseTo(1.83396, 10);
    expect(m.difference).toBeCloseTo(1.83396 - 1.9, 10);
    expect(s.warnings.join('\n')).toMatch(/1 trade\(s\) whose recomputed P&L differs/);
  });

  it('an open trade in an export (is_open) is listed apart, not counted', () => {
    const doc = JSON.parse(fs.readFileSync(EXPORT, 'utf8'));
    doc.strategy.MyTrendStrategy.trades.push({ ...doc.strategy.MyTrendStrategy.trades[0], is_open: true, close_rate: null, close_date: null, close_timestamp: null, profit_abs: null, open_timestamp: Date.UTC(2024, 2, 2, 20) });
    const f = path.join(tmpDir(), 'with-open.json');
    fs.writeFileSync(f, JSON.stringify(doc));
    const s = readTradeLogs([f]);
    expect(s.trades).toHaveLength(5);
    expect(s.open).toEqual([{ strategy: 'MyTrendStrategy', symbol: 'ETH/USDT', side: 'long', entryTime: Date.UTC(2024, 2, 2, 20), entryPrice: 3400, qty: 0.03, source: { file: f, line: 6 } }]);
  });

  it('a malformed trade names the file, its position and the strategy', () => {
    const doc = JSON.parse(fs.readFileSync(EXPORT, 'utf8'));
    delete doc.strategy.SampleStrategy.trades[1].open_rate;
    const f = path.join(tmpDir(), 'bad.json');
    fs.writeFileSync(f, JSON.stringify(doc));
    expect(() => readTradeLogs([f])).toThrow(/bad\.json: row 2: strategy SampleStrategy trade 2: open_rate: not a number/);
  });
});

describe('freqtrade backtest export (zip, newer releases)', () => {
  it('finds the export among the zip members and reads the same trades', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'backtest-result-2024-03-05_10-00-00.zip');
    fs.writeFileSync(
      f,
      zipSync({
        'backtest-result-2024-03-05_10-00-00.json': strToU8(fs.readFileSync(EXPORT, 'utf8')),
        'backtest-result-2024-03-05_10-00-00_config.json': strToU8('{"max_open_trades": 3, "stake_currency": "USDT"}'),
        'backtest-result-2024-03-05_10-00-00_SampleStrategy.py': strToU8('# strategy source'),
      }),
    );
    const s = readTradeLogs([f]);
    const j = readTradeLogs([EXPORT]);
    expect(s.sources[0].format).toBe('freqtrade-backtest-zip');
    expect(s.trades.map((t) => t.netPnl)).toEqual(j.trades.map((t) => t.netPnl));
    expect(s.trades[0].source.file).toBe(`${f}!backtest-result-2024-03-05_10-00-00.json`);
  });

  it('a zip without an export inside is refused', () => {
    const f = path.join(tmpDir(), 'other.zip');
    fs.writeFileSync(f, zipSync({ 'notes.json': strToU8('{"a": 1}') }));
    expect(() => readTradeLogs([f])).toThrow(/other\.zip: a zip without a freqtrade backtest export/);
  });
});

describe('freqtrade tradesv3.sqlite', () => {
  // Two closed trades, one open, one whose close_profit_abs is off by 0.01.
  const rows: FreqtradeDbTrade[] = [
    { id: 1, pair: 'BTC/USDT', is_open: 0, open_rate: 60000, close_rate: 60300, amount: 0.002, fee_open: 0.001, fee_close: 0.001, open_date: '2024-03-01 09:00:00.123456', close_date: '2024-03-01 10:00:00.000000', strategy: 'LiveStrat', exit_reason: 'roi', is_short: 0, close_profit_abs: 0.6 - 0.12 - 0.1206 },
    { id: 2, pair: 'ETH/USDT', is_open: 0, open_rate: 3500, close_rate: 3535, amount: 0.05, fee_open: 0.001, fee_close: 0.001, open_date: '2024-03-01 11:00:00', close_date: '2024-03-01 12:00:00', strategy: 'LiveStrat', exit_reason: 'stop_loss', is_short: 1, close_profit_abs: -1.75 - 0.175 - 0.17675 + 0.01 },
    { id: 7, pair: 'BTC/USDT', is_open: 1, open_rate: 61000, close_rate: null, amount: 0.001, fee_open: 0.001, fee_close: 0.001, open_date: '2024-03-01 13:00:00', close_date: null, strategy: 'LiveStrat', exit_reason: null, is_short: 0, close_profit_abs: null },
  ];

  it('reads closed and open trades, cross-checks close_profit_abs, and never touches the file', async () => {
    const f = path.join(tmpDir(), 'tradesv3.sqlite');
    await writeFreqtradeDb(f, rows);
    const old = new Date('2024-01-01T00:00:00Z');
    fs.utimesSync(f, old, old);
    const before = fs.readFileSync(f);
    const mtimeBefore = fs.statSync(f).mtimeMs;

    const s = readTradeLogs([f]);

    expect(fs.readFileSync(f).equals(before)).toBe(true);
    expect(fs.statSync(f).mtimeMs).toBe(mtimeBefore);
    expect(fs.readdirSync(path.dirname(f))).toEqual(['tradesv3.sqlite']); // no -journal / -wal left behind

    expect(s.sources[0]).toMatchObject({ format: 'freqtrade-sqlite', trades: 2, open: 1 });
    const [a, b] = s.trades;
    // id 1: long 0.002 BTC 60000 → 60300: gross 0.6, fees 0.12 + 0.1206
    expect(a).toMatchObject({ strategy: 'LiveStrat', symbol: 'BTC/USDT', side: 'long', exitReason: 'target', source: { file: f, line: 1 } });
    expect(a.entryTime).toBe(Date.UTC(2024, 2, 1, 9, 0, 0, 123)); // naive UTC, microseconds dropped
    expect(a.netPnl).toBeCloseTo(0.3594, 12);
    // id 2: short 0.05 ETH 3500 → 3535: gross −1.75, fees 0.175 + 0.17675
    expect(b.side).toBe('short');
    expect(b.exitReason).toBe('stop');
    expect(b.netPnl).toBeCloseTo(-2.10175, 12);
    expect(s.open).toEqual([{ strategy: 'LiveStrat', symbol: 'BTC/USDT', side: 'long', entryTime: Date.UTC(2024, 2, 1, 13), entryPrice: 61000, qty: 0.001, source: { file: f, line: 7 } }]);
    expect(s.mismatches).toHaveLength(1);
    expect(s.mismatches[0]).toMatchObject({ line: 2, strategy: 'LiveStrat' });
    expect(s.mismatches[0].difference).toBeCloseTo(-0.01, 10);
  });

  it('a bad row is named by its trade id', async () => {
    const f = path.join(tmpDir(), 'tradesv3.sqlite');
    await writeFreqtradeDb(f, [{ ...rows[0], id: 42, close_rate: -5 }]);
    expect(() => readTradeLogs([f])).toThrow(/tradesv3\.sqlite: row 42: trade id 42: close_rate must be > 0/);
  });

  it('an SQLite file without a trades table is not taken for a freqtrade database', async () => {
    const f = path.join(tmpDir(), 'other.sqlite');
    await writeFreqtradeDb(f, [], { withoutTradesTable: true });
    expect(() => readTradeLogs([f])).toThrow(/other\.sqlite: an SQLite database without a `trades` table/);
  });
});
