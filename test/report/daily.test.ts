import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgelab, ROOT } from '../helpers/cli';
import { bundledData } from '../../src/data/bundled';
import { handNet, liveRows, realLedgers, writeFreqtradeExport, writeLiveCsv } from './report-fixtures';

const DAY = 86_400_000;
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-daily-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));

describe('edgelab report daily', () => {
  it('from a freqtrade backtest export: the JSON numbers equal a hand recomputation from the export rows', () => {
    const ledgers = realLedgers();
    const file = writeFreqtradeExport(tmp, ledgers);
    const out = path.join(tmp, 'ft');
    const r = edgelab(['report', 'daily', '--from', file, '--now', '2024-09-06T12:00:00Z', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const raw = readJson(file).strategy as Record<string, { trades: any[] }>;
    const lastExit = Math.max(...Object.values(raw).flatMap((s) => s.trades.map((t) => t.close_timestamp)));
    const date = new Date(lastExit).toISOString().slice(0, 10);
    const j = readJson(path.join(out, `daily-${date}.json`));
    expect(j.date).toBe(date);
    expect(j.sources).toHaveLength(1);
    expect(j.sources[0]).toMatchObject({ format: 'freqtrade-backtest-json', trades: ledgers.V1.length + ledgers.V4.length });
    expect(j.sources[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const dayEnd = Date.parse(date) + DAY;
    for (const id of ['V1', 'V4']) {
      // Hand recomputation from freqtrade's fields: fee = rate × price × amount on each leg.
      const nets = raw[id].trades.map((t) => (t.is_short ? -1 : 1) * (t.close_rate - t.open_rate) * t.amount - t.fee_open * t.open_rate * t.amount - t.fee_close * t.close_rate * t.amount);
      const fees = raw[id].trades.reduce((s, t) => s + t.fee_open * t.open_rate * t.amount + t.fee_close * t.close_rate * t.amount, 0);
      const all = j.strategies[id].windows.all;
      expect(all.trades).toBe(nets.length);
      expect(all.winRate).toBeCloseTo(nets.filter((x) => x > 0).length / nets.length, 12);
      expect(all.totalPnl).toBeCloseTo(nets.reduce((a, b) => a + b, 0), 9);
      expect(all.edgePerTrade).toBeCloseTo(nets.reduce((a, b) => a + b, 0) / nets.length, 12);
      expect(all.feesPaid).toBeCloseTo(fees, 9);
      const inWeek = raw[id].trades.filter((t) => t.close_timestamp >= dayEnd - 7 * DAY && t.close_timestamp < dayEnd).length;
      expect(j.strategies[id].windows['7d'].trades).toBe(inWeek);
      const inDay = raw[id].trades.filter((t) => t.close_timestamp >= dayEnd - DAY && t.close_timestamp < dayEnd).length;
      expect(j.strategies[id].windows.day.trades).toBe(inDay);
      // Every bundled strategy loses after fees: the verdict says so.
      expect(j.strategies[id].verdict).toBe('negative edge');
      for (const k of ['winRateCi', 'edgeCi', 'psr', 'maxDrawdown', 'maxDrawdownPct', 'riskReward', 'expectedValue', 'tradesPerDay', 'sharpe', 'avgWin', 'avgLoss']) expect(all).toHaveProperty(k);
      expect(all.maxDrawdownPct).toBeLessThanOrEqual(100);
    }
    const html = fs.readFileSync(path.join(out, `daily-${date}.html`), 'utf8');
    expect(html).toContain('<script src="assets/plotly.min.js"></script>');
    expect(fs.existsSync(path.join(out, 'assets', 'plotly.min.js'))).toBe(true);
    // No URL outside the folder: no http(s):// and no protocol-relative // anywhere in the page.
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/["'(=\s]\/\/[a-z0-9]/i);
    const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain(`href="daily-${date}.html"`);
  });

  it('reconciles a live log whose entries were moved 5 bps against the trader: the report measures +5 bps', () => {
    const rows = liveRows(realLedgers().V4, 5);
    const file = writeLiveCsv(path.join(tmp, 'live-shifted.csv'), rows);
    const out = path.join(tmp, 'live');
    const r = edgelab(['report', 'daily', '--from', file, '--data', bundledData.bars5m, '--now', '2024-09-06T12:00:00Z', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const date = new Date(Math.max(...rows.map((x) => x.exitTime))).toISOString().slice(0, 10);
    const j = readJson(path.join(out, `daily-${date}.json`));
    const rec = j.strategies.V4.reconciliation;
    expect(rec.trades).toBe(rows.length);
    expect(rec.matched).toBe(rows.length);
    expect(rec.entrySlippageBpsMean).toBeCloseTo(5, 6);
    expect(rec.exitSlippageBpsMean).toBeCloseTo(0, 6);
    expect(rec.exitReasonAgreement).toBe(1);
    // Hand: the live net P&L from the CSV rows, against the unshifted backtest's.
    const live = rows.reduce((s, x) => s + handNet(x), 0) / rows.length;
    const bt = realLedgers().V4.reduce((s, x) => s + x.netPnl, 0) / rows.length;
    expect(rec.liveEdgePerTrade).toBeCloseTo(live, 9);
    expect(rec.replayEdgePerTrade).toBeCloseTo(bt, 9);
    expect(rec.differenceCi[1]).toBeLessThan(0);
    expect(j.strategies.V4.windows.all.edgePerTrade).toBeCloseTo(live, 9);
  });

  it('the clock is injected: same inputs and --now give byte-identical HTML; another --now changes only the time line', () => {
    const file = path.join(ROOT, 'test', 'fixtures', 'trade-logs', 'live-bot.csv');
    const a = path.join(tmp, 'g1');
    const b = path.join(tmp, 'g2');
    const c = path.join(tmp, 'g3');
    for (const [dir, now] of [[a, '2024-03-02T08:00:00Z'], [b, '2024-03-02T08:00:00Z'], [c, '2024-03-03T09:30:00Z']]) {
      expect(edgelab(['report', 'daily', '--from', file, '--now', now, '--out', dir]).code).toBe(0);
    }
    const html = (d: string) => fs.readFileSync(path.join(d, 'daily-2024-03-02.html'));
    expect(html(a).equals(html(b))).toBe(true);
    expect(fs.readFileSync(path.join(a, 'index.html')).equals(fs.readFileSync(path.join(b, 'index.html')))).toBe(true);
    const la = html(a).toString().split('\n');
    const lc = html(c).toString().split('\n');
    expect(la.length).toBe(lc.length);
    const differ = la.filter((l, i) => l !== lc[i]);
    expect(differ).toHaveLength(1);
    expect(differ[0]).toContain('Generated 2024-03-02T08:00:00.000Z');
  });

  it('--standalone inlines plotly: the page needs no assets folder', () => {
    const file = path.join(ROOT, 'test', 'fixtures', 'trade-logs', 'live-bot.csv');
    const out = path.join(tmp, 'standalone');
    expect(edgelab(['report', 'daily', '--from', file, '--standalone', '--out', out]).code).toBe(0);
    const html = fs.readFileSync(path.join(out, 'daily-2024-03-02.html'), 'utf8');
    expect(html).not.toContain('src="assets/');
    expect(html.length).toBeGreaterThan(4_000_000);
    expect(fs.existsSync(path.join(out, 'assets'))).toBe(false);
  });

  it('a malformed live-log line → exit 2 naming file and line; the previous report and index stay byte-identical', () => {
    const rows = liveRows(realLedgers().V4.slice(0, 30), 0);
    const good = writeLiveCsv(path.join(tmp, 'live-good.csv'), rows);
    const out = path.join(tmp, 'malformed');
    expect(edgelab(['report', 'daily', '--from', good, '--now', '2024-09-06T12:00:00Z', '--out', out]).code).toBe(0);
    const before = Object.fromEntries(fs.readdirSync(out).filter((f) => f.endsWith('.html') || f.endsWith('.json')).map((f) => [f, fs.readFileSync(path.join(out, f))]));
    expect(Object.keys(before).length).toBe(3);
    // Same trades plus one line with a price that is not a number (line 32: header + 30 rows + this).
    const bad = writeLiveCsv(path.join(tmp, 'live-bad.csv'), rows, ['V4,BTC/USDT,long,2024-02-01T00:00:00Z,2024-02-01T01:00:00Z,abc,42000,0.0002,0.004,0.004,stop']);
    const r = edgelab(['report', 'daily', '--from', bad, '--now', '2024-09-07T12:00:00Z', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('live-bad.csv');
    expect(r.stderr).toMatch(/(line|row) 32/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    for (const [f, bytes] of Object.entries(before)) expect(fs.readFileSync(path.join(out, f)).equals(bytes)).toBe(true);
    expect(fs.readdirSync(out).sort()).toEqual([...Object.keys(before), 'assets'].sort());
  });
});

describe('atomic report writes', () => {
  it('a report failing half-way through its writes leaves the folder byte-identical (page, JSON and index)', async () => {
    const { writeReport } = await import('../../src/report/render');
    const dir = path.join(tmp, 'atomic');
    const page = (date: string, html: string) => ({ html, json: '{}\n', base: `daily-${date}`, kind: 'daily' as const, date, summary: 's', generatedAt: 't', standalone: true });
    writeReport(dir, page('2024-01-01', '<p>first</p>'));
    // An obstacle where the next report's JSON goes: its page is moved in first, then the JSON move fails.
    fs.mkdirSync(path.join(dir, 'daily-2024-01-02.json'));
    const snap = () => Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.statSync(path.join(dir, f)).isFile() ? fs.readFileSync(path.join(dir, f), 'utf8') : 'dir']));
    const before = snap();
    expect(() => writeReport(dir, page('2024-01-02', '<p>second</p>'))).toThrow();
    expect(snap()).toEqual(before);
    // Same for a report replacing an existing one: the old bytes come back.
    fs.rmdirSync(path.join(dir, 'daily-2024-01-02.json'));
    fs.rmSync(path.join(dir, 'daily-2024-01-01.json'));
    fs.mkdirSync(path.join(dir, 'daily-2024-01-01.json'));
    const before2 = snap();
    expect(() => writeReport(dir, page('2024-01-01', '<p>replaced</p>'))).toThrow();
    expect(snap()).toEqual(before2);
    expect(fs.readFileSync(path.join(dir, 'daily-2024-01-01.html'), 'utf8')).toBe('<p>first</p>');
    expect(fs.readdirSync(path.dirname(dir)).filter((f) => f.includes('staging'))).toEqual([]);
  });
});
