import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTradeLogs } from '../../../src/data/readers/trade-log';
import { edgelab, ROOT } from '../../helpers/cli';

// What the commands write today, run on the bundled Tardis sample (9,999 trades, ~2 h).
const TAPE = path.join(ROOT, 'data/tardis-binance-futures-btcusdt-trades-2020-02-22.csv');
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-outputs-'));
const dirs = { backtest: path.join(base, 'runs/bt'), portfolio: path.join(base, 'pf'), calibrate: path.join(base, 'cal'), maker: path.join(base, 'mk') };

function run(args: string[]): void {
  const r = edgelab(args);
  if (r.code !== 0) throw new Error(`edgelab ${args.join(' ')} → ${r.code}\n${r.stderr}`);
}

beforeAll(() => {
  run(['backtest', '--data', TAPE, '--strategies', 'V1,V2,V4', '--preset', 'before', '--quiet', '--out', dirs.backtest]);
  run(['portfolio', '--data', TAPE, '--preset', 'phase1', '--rebalance-every', '30m', '--quiet', '--out', dirs.portfolio]);
  run(['calibrate', '--data', TAPE, '--strategy', 'V1', '--preset', 'before', '--param', 'imbalanceThreshold=0.3:0.5:0.2', '--walk-forward', '2', '--min-trades', '1', '--workers', '1', '--quiet', '--out', dirs.calibrate]);
  run(['maker-sim', '--data', TAPE, '--quiet', '--out', dirs.maker]);
}, 180_000);

function csvRows(file: string): number {
  return fs.readFileSync(file, 'utf8').trim().split('\n').length - 1;
}

describe('edgelab output folders as trade logs', () => {
  it('a backtest folder: trades.jsonl with the symbol from summary.json, matching the summary', () => {
    const s = readTradeLogs([dirs.backtest]);
    const summary = JSON.parse(fs.readFileSync(path.join(dirs.backtest, 'summary.json'), 'utf8'));
    expect(s.sources).toHaveLength(1);
    expect(s.sources[0]).toMatchObject({ file: path.join(dirs.backtest, 'trades.jsonl'), format: 'edgelab-backtest' });
    expect(s.trades.length).toBe(csvRows(path.join(dirs.backtest, 'trades.csv')));
    expect(new Set(s.trades.map((t) => t.symbol))).toEqual(new Set([summary.data.symbol]));
    for (const id of ['V1', 'V2', 'V4']) {
      const mine = s.trades.filter((t) => t.strategy === id);
      expect(mine.length).toBe(summary.strategies[id].trades);
      expect(mine.reduce((a, t) => a + t.netPnl, 0)).toBeCloseTo(summary.strategies[id].totalPnl, 10);
    }
    expect(s.mismatches).toEqual([]);
  });

  it("a portfolio folder: its trades.csv (qty and notional), each sleeve's P&L as portfolio.json says", () => {
    const s = readTradeLogs([dirs.portfolio]);
    const pf = JSON.parse(fs.readFileSync(path.join(dirs.portfolio, 'portfolio.json'), 'utf8'));
    expect(s.sources[0]).toMatchObject({ file: path.join(dirs.portfolio, 'trades.csv'), format: 'edgelab-portfolio' });
    expect(s.trades.length).toBe(pf.summary.trades);
    for (const sleeve of pf.strategies) {
      const mine = s.trades.filter((t) => t.strategy === sleeve.id);
      expect(mine.length).toBe(sleeve.trades);
      expect(mine.reduce((a, t) => a + t.netPnl, 0)).toBeCloseTo(sleeve.pnl, 9);
    }
  });

  it('a calibrate folder: the out-of-sample ledger only', () => {
    const s = readTradeLogs([dirs.calibrate]);
    const cal = JSON.parse(fs.readFileSync(path.join(dirs.calibrate, 'calibration.json'), 'utf8'));
    expect(s.sources[0]).toMatchObject({ file: path.join(dirs.calibrate, 'oos-trades.csv'), format: 'edgelab-calibrate-oos' });
    expect(s.trades.length).toBe(cal.outOfSample.trades);
    expect(s.trades.reduce((a, t) => a + t.netPnl, 0)).toBeCloseTo(cal.outOfSample.totalPnl, 10);
  });

  it('a maker-sim folder holds no round trips: listed with 0 trades and a warning', () => {
    const s = readTradeLogs([dirs.maker]);
    expect(s.sources[0]).toMatchObject({ file: path.join(dirs.maker, 'orders.csv'), format: 'edgelab-maker-sim', trades: 0 });
    expect(s.warnings.join('\n')).toMatch(/not round trips/);
  });

  it('a folder of run folders names strategies <run>/<strategy>', () => {
    const s = readTradeLogs([path.join(base, 'runs')]);
    const summary = JSON.parse(fs.readFileSync(path.join(dirs.backtest, 'summary.json'), 'utf8'));
    const traded = ['V1', 'V2', 'V4'].filter((id) => summary.strategies[id].trades > 0);
    expect(traded.length).toBeGreaterThan(0);
    expect([...new Set(s.trades.map((t) => t.strategy))].sort()).toEqual(traded.map((id) => `bt/${id}`));
  });

  it("a folder of live-log files (the plan's trade_logs/) pools them; a stray file is an error", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade_logs-'));
    fs.copyFileSync(path.join(ROOT, 'test/fixtures/trade-logs/live-bot.csv'), path.join(dir, '2024-03-01.csv'));
    fs.copyFileSync(path.join(ROOT, 'test/fixtures/trade-logs/live-bot.jsonl'), path.join(dir, '2024-03-02.jsonl'));
    fs.writeFileSync(path.join(dir, '.hidden'), 'ignored');
    const s = readTradeLogs([dir]);
    expect(s.sources.map((x) => [path.basename(x.file), x.format, x.trades, x.open])).toEqual([
      ['2024-03-01.csv', 'trade-log-csv', 6, 1],
      ['2024-03-02.jsonl', 'trade-log-jsonl', 2, 1],
    ]);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello\n');
    expect(() => readTradeLogs([dir])).toThrow(/notes\.txt: not a trade log edgelab can read/);
  });
});
