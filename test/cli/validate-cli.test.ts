import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { edgelab, ROOT } from '../helpers/cli';

const FIX = path.join(ROOT, 'test/fixtures/trade-logs');

describe('edgelab validate', () => {
  it('exits 0 on a log with a real, significant edge, and shows the figures', () => {
    const r = edgelab(['validate', '--from', path.join(FIX, 'significant-edge.csv'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const v8 = j.strategies.V8_Fixed;
    const all = v8.windows.all;
    // 9 wins: (50500 − 50000)·0.001 − 0.02 − 0.0202 = 0.4598; 3 losses: −0.2 − 0.02 − 0.01992 = −0.23992
    expect(all.trades).toBe(12);
    expect(all.winRate).toBe(0.75);
    expect(all.avgWin).toBeCloseTo(0.4598, 12);
    expect(all.avgLoss).toBeCloseTo(0.23992, 12);
    expect(all.riskReward).toBeCloseTo(0.4598 / 0.23992, 12);
    const mean = (9 * 0.4598 - 3 * 0.23992) / 12; // 0.28487
    expect(all.edgePerTrade).toBeCloseTo(mean, 12);
    expect(all.expectedValue).toBeCloseTo(0.75 * 0.4598 - 0.25 * 0.23992, 12);
    // s² = (9·(0.4598 − m)² + 3·(−0.23992 − m)²)/11; t(0.975, 11) = 2.200985 (scipy.stats.t.ppf)
    const s = Math.sqrt((9 * (0.4598 - mean) ** 2 + 3 * (-0.23992 - mean) ** 2) / 11);
    expect(all.edgeCi[0]).toBeCloseTo(mean - (2.200985 * s) / Math.sqrt(12), 5);
    expect(all.edgeCi[0]).toBeGreaterThan(0);
    expect(v8.verdict).toBe('positive edge, significant');
    expect(v8.tradesNeededForSignificance).toBe(0);
    expect(j.strategies.V2_Fixed.verdict).toBe('negative edge');

    const text = edgelab(['validate', '--from', path.join(FIX, 'significant-edge.csv')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/DAILY EDGE VALIDATION — 2024-04-03 \(UTC\)/);
    expect(text.stdout).toMatch(/V8_Fixed\s+12\s+75\.0%/);
    expect(text.stdout).toMatch(/✓ significant positive edge: V8_Fixed \(exit 0\)/);
  });

  it('lists open trades and a per-symbol breakdown for strategies on several symbols', () => {
    const r = edgelab(['validate', '--from', path.join(FIX, 'live-bot.csv')]);
    expect(r.code).toBe(1);
    // V3_Fixed on ETH/USDT: one long 3500 → 3430 × 0.02, fee 0.05544: −1.4 − 0.05544
    expect(r.stdout).toMatch(/V3_Fixed\s+ETH\/USDT\s+1\s+0\.0%\s+-\$1\.4554/);
    expect(r.stdout).toMatch(/1 open trade\(s\), not counted: V4_Fixed long ETH\/USDT @ 3410/);
  });

  it('a malformed live-log line → exit 2 naming file and line, no stack trace', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-'));
    const f = path.join(dir, 'live.csv');
    const lines = fs.readFileSync(path.join(FIX, 'live-bot.csv'), 'utf8').split('\n');
    lines[3] = lines[3].replace('3500', '35OO');
    fs.writeFileSync(f, lines.join('\n'));
    const r = edgelab(['validate', '--from', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`edgelab validate: error: ${f}: row 4: entry_price: not a number: "35OO"\n`);
  });

  it('bad flags and missing paths exit 2', () => {
    expect(edgelab(['validate']).code).toBe(2);
    expect(edgelab(['validate', '--from', path.join(FIX, 'live-bot.csv'), '--date', '2024-3-1']).stderr).toMatch(/--date: expected a UTC day/);
    const missing = edgelab(['validate', '--from', '/nonexistent/trades.csv']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/\/nonexistent\/trades\.csv: file not found/);
  });
});

describe('edgelab validate on the bundled strategies (they all lose)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-bt-'));
  beforeAll(() => {
    const r = edgelab(['backtest', '--data', 'data/BTC_USDT-5m.feather', '--strategies', 'V1,V2,V3,V4,V5,V6,V7,V8', '--preset', 'phase3', '--quiet', '--out', out]);
    expect(r.code).toBe(0);
  });

  it('exits 1, and its numbers are the backtest summary\'s own', () => {
    const r = edgelab(['validate', '--from', out, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(j.sources).toHaveLength(1);
    expect(j.sources[0]).toMatchObject({ file: path.join(out, 'trades.jsonl'), format: 'edgelab-backtest' });
    expect(j.mismatches).toEqual([]); // every netPnl in trades.jsonl recomputes from its prices and fees
    for (const id of ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8']) {
      const m = summary.strategies[id];
      const s = j.strategies[id];
      if (m.trades === 0) {
        expect(s).toBeUndefined();
        continue;
      }
      const all = s.windows.all;
      expect(all.trades).toBe(m.trades);
      expect(all.edgePerTrade).toBeCloseTo(m.edgePerTrade, 12);
      expect(all.edgeCi[0]).toBeCloseTo(m.edgePerTradeCI[0], 12);
      expect(all.winRateCi[0]).toBeCloseTo(m.winRateCI[0], 12);
      expect(all.feesPaid).toBeCloseTo(m.feesPaid, 9);
      expect(all.maxDrawdown).toBeCloseTo(m.maxDrawdownAbs, 9);
      if (m.finalEquity > 0 && all.ruined === false) expect(all.maxDrawdownPct).toBeCloseTo(m.maxDrawdown * 100, 9);
      expect(all.maxDrawdownPct).toBeLessThanOrEqual(100);
      expect(s.significant).toBe(false);
    }
    const text = edgelab(['validate', '--from', out]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/✗ no strategy has a significant positive edge \(exit 1\)/);
  });
});
