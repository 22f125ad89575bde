import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { edgelab, ROOT } from '../helpers/cli';

const TRADES = path.join(ROOT, 'data', 'tardis-binance-futures-btcusdt-trades-2020-02-22.csv');
const BARS = path.join(ROOT, 'data', 'BTC_USDT-5m.feather');
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-cli-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('edgelab backtest', () => {
  it('writes trades.csv, trades.jsonl and summary.json with the contract fields, and prints a table', () => {
    const out = path.join(tmp, 'ok');
    const r = edgelab(['backtest', '--data', TRADES, '--strategies', 'V1,V4', '--preset', 'before', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/strategy\s+trades/);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    for (const id of ['V1', 'V4']) {
      for (const k of ['trades', 'winRate', 'avgWin', 'avgLoss', 'riskReward', 'totalPnl', 'edgePerTrade', 'expectedValue', 'feesPaid', 'tradesPerDay', 'sharpe', 'maxDrawdown']) {
        expect(summary.strategies[id]).toHaveProperty(k);
      }
    }
    expect(summary.data).toMatchObject({ rows: 9999, from: '2020-02-22T00:00:02.111Z' });
    expect(summary.data.file).toContain('tardis');
    expect(summary.config.preset).toBe('before');
    const csv = fs.readFileSync(path.join(out, 'trades.csv'), 'utf8').trim().split('\n');
    const header = csv[0].split(',');
    for (const c of ['strategy', 'side', 'entryTime', 'entryPrice', 'exitTime', 'exitPrice', 'qty', 'stopPrice', 'targetPrice', 'entryFee', 'exitFee', 'entryLiquidity', 'exitLiquidity', 'grossPnl', 'netPnl', 'exitReason']) {
      expect(header).toContain(c);
    }
    const jsonl = fs.readFileSync(path.join(out, 'trades.jsonl'), 'utf8').trim().split('\n');
    expect(jsonl.length).toBe(csv.length - 1);
    expect(jsonl.length).toBe(summary.strategies.V1.trades + summary.strategies.V4.trades);
    const first = JSON.parse(jsonl[0]);
    expect(Number.isInteger(first.entryTime)).toBe(true);
    expect(['signal', 'stop', 'target', 'time', 'end']).toContain(first.exitReason);
  });

  it('runs on bars too', () => {
    const out = path.join(tmp, 'bars');
    const r = edgelab(['backtest', '--data', BARS, '--strategies', 'V1', '--preset', 'phase2', '--out', out]);
    expect(r.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).data.kind).toBe('bars');
  });

  const bad: [string, string[], RegExp][] = [
    ['missing data file', ['--data', 'nope/missing.csv'], /missing\.csv/],
    ['unknown strategy', ['--data', TRADES, '--strategies', 'V1,V99'], /unknown strategy 'V99'/],
    ['unknown preset', ['--data', TRADES, '--preset', 'phase9'], /unknown preset 'phase9'/],
    ['unknown flag', ['--data', TRADES, '--bogus', '1'], /bogus/],
  ];
  for (const [name, args, msg] of bad) {
    it(`${name}: clear message, exit 2, nothing written`, () => {
      const out = path.join(tmp, `bad-${name.replace(/\s/g, '-')}`);
      const r = edgelab(['backtest', ...args, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(fs.existsSync(out)).toBe(false);
    });
  }

  it('a malformed data row names the file and the line; nothing written', () => {
    const f = path.join(tmp, 'broken.csv');
    fs.writeFileSync(f, 'timestamp,price,amount,side\n1700000000000,100,1,buy\n1700000001000,abc,1,sell\n');
    const out = path.join(tmp, 'bad-row');
    const r = edgelab(['backtest', '--data', f, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('broken.csv');
    expect(r.stderr).toMatch(/row 3|line 3/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a bad config field is named by its path; an existing output dir is left as it was', () => {
    const out = path.join(tmp, 'keep');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'summary.json'), 'previous');
    const cfg = path.join(tmp, 'cfg.json');
    fs.writeFileSync(cfg, JSON.stringify({ strategies: { V1: { imbalanceThreshhold: 0.5 } } }));
    const r = edgelab(['backtest', '--data', TRADES, '--strategies', 'V1', '--config', cfg, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('strategies.V1.imbalanceThreshhold');
    expect(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).toBe('previous');
    fs.writeFileSync(cfg, JSON.stringify({ strategies: { V1: { stopPct: 'half' } } }));
    const r2 = edgelab(['backtest', '--data', TRADES, '--strategies', 'V1', '--config', cfg, '--out', out]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('strategies.V1.stopPct');
    fs.writeFileSync(cfg, '{ not json');
    const r3 = edgelab(['backtest', '--data', TRADES, '--strategies', 'V1', '--config', cfg, '--out', out]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/cfg\.json: not valid JSON/);
    expect(fs.readdirSync(out)).toEqual(['summary.json']);
  });

  it('--config overrides a preset and takes fees from ccxt’s schedule for an exchange id', () => {
    const out = path.join(tmp, 'ccxt-fees');
    const cfg = path.join(tmp, 'fees.json');
    fs.writeFileSync(cfg, JSON.stringify({ engine: { fees: { exchange: 'binance' } } }));
    const r = edgelab(['backtest', '--data', TRADES, '--strategies', 'V1', '--preset', 'before', '--config', cfg, '--out', out]);
    expect(r.code).toBe(0);
    const rows = fs.readFileSync(path.join(out, 'trades.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // ccxt's binance schedule: 0.1% maker and taker (spot base tier)
    for (const x of rows) expect(x.entryFee).toBeCloseTo(x.entryPrice * x.qty * 0.001, 12);
  });
});

describe('a user strategy from a file of theirs', () => {
  it('--module registers it; the engine runs it with the preset rules like any built-in', () => {
    const out = path.join(tmp, 'user-module');
    const mod = path.join(ROOT, 'test', 'fixtures', 'strategies', 'my-strategy.js');
    const r = edgelab(['backtest', '--data', BARS, '--module', mod, '--strategies', 'DIP,V1', '--preset', 'phase2', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(s.strategies.DIP.trades).toBeGreaterThan(10);
    expect(s.strategies.DIP.type).toBe('mean_reversion');
    // phase2's defaults reach user strategies: 0.5% / 1.5% bracket, 30 min hold for mean reversion
    expect(s.config.strategies.DIP.rules).toMatchObject({ stopPct: 0.5, targetPct: 1.5, minHoldMs: 1_800_000 });
    const rows = fs.readFileSync(path.join(out, 'trades.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.strategy === 'DIP');
    expect(rows.every((x) => x.side === 'long')).toBe(true);
  });

  it('a module that exports no strategy is a clear error', () => {
    const bad = path.join(tmp, 'not-a-strategy.js');
    fs.writeFileSync(bad, 'exports.x = 1;');
    const r = edgelab(['backtest', '--data', BARS, '--module', bad, '--strategies', 'V1', '--out', path.join(tmp, 'nm')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exports no strategy/);
  });
});
