import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { edgelab } from '../helpers/cli';
import { liveConfigFromPreset, parseLiveConfig, readLiveConfig, serializeLiveConfig } from '../../src/config/live-config';
import { readArtifact } from '../../src/promote/artifact';
import { runGate } from '../../src/promote/gate';
import { plantedCalibration } from './fixtures';

let dir: string;
let planted: { data: string; artifact: string; dataEnd: number };
let live: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-live-'));
  planted = plantedCalibration(dir);
  live = path.join(dir, 'live.json');
  const now = new Date(planted.dataEnd + 86_400_000).toISOString();
  expect(edgelab(['promote', '--init-from', 'phase3', '--to', live, '--now', now]).code).toBe(0);
  const r = edgelab(['promote', '--from', planted.artifact, '--to', live, '--now', now]);
  expect(r.code, r.stderr).toBe(0);
}, 180_000);

describe('live config validation (the --config check, errors naming the live field)', () => {
  const NOW = new Date(Date.UTC(2024, 7, 10));
  const base = () => JSON.parse(serializeLiveConfig(liveConfigFromPreset('phase3', NOW)));
  const cases: [string, (d: any) => void, RegExp][] = [
    ['a value out of bounds', (d) => (d.strategies.V8.params.vpinThreshold = 1.2), /live\.json: strategies\.V8\.params\.vpinThreshold: .*1\.2/],
    ['a parameter not the strategy’s', (d) => (d.strategies.V4.params.vpinThreshold = 0.85), /strategies\.V4\.params\.vpinThreshold: unknown parameter for V4/],
    ['a rule under params', (d) => (d.strategies.V4.params.stopPct = 0.5), /strategies\.V4\.params\.stopPct: is a rule/],
    ['a missing rule', (d) => delete d.strategies.V4.rules.maxTradesPerDay, /strategies\.V4\.rules\.maxTradesPerDay: missing/],
    ['a missing parameter', (d) => delete d.strategies.V4.params.zExit, /strategies\.V4\.params\.zExit: missing/],
    ['a bad rule type', (d) => (d.strategies.V4.rules.signalExit = 'yes'), /strategies\.V4\.rules\.signalExit: expected true or false/],
    ['an unknown strategy id', (d) => (d.strategies.V9 = d.strategies.V4), /strategies\.V9: .*V9/],
    ['a bad execution', (d) => (d.strategies.V4.execution = { mode: 'maker', offsetPct: 'x' }), /strategies\.V4\.execution\.offsetPct: expected a number/],
    ['a wrong version', (d) => (d.edgelabLiveConfig = 2), /edgelabLiveConfig: expected 1, got 2/],
    ['a bad revision', (d) => (d.revision = 0), /revision: expected an integer ≥ 1/],
  ];
  it.each(cases)('%s', (_n, mutate, message) => {
    const d = base();
    mutate(d);
    expect(() => parseLiveConfig(JSON.stringify(d), 'live.json')).toThrow(message);
  });

  it('the same errors reach backtest --config (exit 2, field named, nothing written)', () => {
    const d = JSON.parse(fs.readFileSync(live, 'utf8'));
    d.strategies.V4.params.zEntry = -3;
    const bad = path.join(dir, 'bad-live.json');
    fs.writeFileSync(bad, JSON.stringify(d));
    const out = path.join(dir, 'bt-bad');
    const r = edgelab(['backtest', '--data', planted.data, '--strategies', 'V4', '--config', bad, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-live\.json: strategies\.V4\.params\.zEntry: .*-3/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('strategies with different execution models cannot share one engine run, and say so', () => {
    const d = base();
    d.strategies.V1.execution = { mode: 'maker', offsetPct: 0.02, timeoutMs: 30000, fallback: 'taker', fillModel: 'trade-through' };
    const f = path.join(dir, 'mixed.json');
    fs.writeFileSync(f, JSON.stringify(d));
    // Each alone is fine (validation resolves per strategy)…
    expect(() => parseLiveConfig(JSON.stringify(d), f)).not.toThrow();
    // …together in one backtest they are refused.
    const r = edgelab(['backtest', '--data', planted.data, '--strategies', 'V1,V4', '--config', f, '--out', path.join(dir, 'bt-mixed')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/strategies\.V4\.execution: .* differs from strategies\.V1\.execution/);
  });

  it('report daily accepts it as --config: the replay of a backtest run under the live config matches every trade, and its JSON feeds --live-report', () => {
    const bt = path.join(dir, 'bt-for-report');
    expect(edgelab(['backtest', '--data', planted.data, '--strategies', 'V4', '--config', live, '--out', bt, '--quiet']).code).toBe(0);
    const rep = path.join(dir, 'reports');
    const r = edgelab(['report', 'daily', '--from', bt, '--data', planted.data, '--config', live, '--now', '2024-02-11T00:00:00Z', '--out', rep]);
    expect(r.code, r.stderr).toBe(0);
    const json = fs.readdirSync(rep).find((f) => /^daily-.*\.json$/.test(f))!;
    const daily = JSON.parse(fs.readFileSync(path.join(rep, json), 'utf8'));
    const rec = daily.strategies.V4.reconciliation;
    expect(rec.trades).toBeGreaterThan(0);
    expect(rec.matched).toBe(rec.trades);
    expect(rec.exitReasonAgreement).toBe(1);
    const now = new Date(planted.dataEnd + 86_400_000).toISOString();
    const p = edgelab(['promote', '--from', planted.artifact, '--to', live, '--live-report', path.join(rep, json), '--now', now, '--dry-run']);
    // By hand: z = (live − OOS) / √(se_live² + se_oos²), se = CI width / (2·1.96); "not significantly below" at
    // α = 0.05 one-sided ⟺ z ≥ −1.6449.
    const a = JSON.parse(fs.readFileSync(planted.artifact, 'utf8'));
    const w = daily.strategies.V4.windows.all;
    const se = (ci: [number, number]) => (ci[1] - ci[0]) / (2 * 1.959963984540054);
    const z = (w.edgePerTrade - a.outOfSample.edgePerTrade) / Math.sqrt(se(w.edgeCi) ** 2 + se(a.significance.edgePerTradeCI) ** 2);
    const status = z >= -1.6448536269514722 ? 'pass' : 'FAIL';
    expect(p.stdout).toContain(`[${status}] V4 liveEdge: live edge/trade ${w.edgePerTrade.toFixed(6)} (${w.trades} trades`);
    expect(p.stdout).toContain(`z ${z.toFixed(2)}`);
  });

  it('calibrate accepts the live config as --config', () => {
    const r = edgelab(['calibrate', '--data', planted.data, '--strategy', 'V4', '--param', 'zEntry=2:2.5:0.5', '--config', live, '--walk-forward', '2', '--workers', '1', '--quiet', '--out', path.join(dir, 'cal-from-live')]);
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(fs.readFileSync(path.join(dir, 'cal-from-live', 'calibration.json'), 'utf8'));
    const l = readLiveConfig(live).config.strategies.V4;
    // Unswept parameters and every rule come from the live config.
    expect(a.fullParams.zExit).toBe(l.params.zExit);
    expect(a.settings.rules.stopPct).toBe(l.rules.stopPct);
    expect(a.settings.rules.minHoldMs).toBe(l.rules.minHoldMs);
  });
});

describe('exports', () => {
  it('python: Debian’s /usr/bin/python3 imports the module and every value matches the live config in plan units', () => {
    const out = path.join(dir, 'edgelab_live.py');
    const r = edgelab(['promote', '--export', 'python', '--to', live, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const script = [
      'import importlib.util, json, sys',
      `spec = importlib.util.spec_from_file_location("edgelab_live", ${JSON.stringify(out)})`,
      'm = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
      'out = {"revision": m.LIVE_CONFIG_REVISION, "sha256": m.LIVE_CONFIG_SHA256, "minHold": m.MIN_HOLD_TIMES, "classes": {}}',
      'for sid, cls in m.STRATEGIES.items():',
      '    out["classes"][sid] = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}',
      'print(json.dumps(out))',
    ].join('\n');
    const py = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const got = JSON.parse(py.stdout);
    const { config, sha256 } = readLiveConfig(live);
    expect(got.revision).toBe(config.revision);
    expect(got.sha256).toBe(sha256);
    // The plan's names, written out here independently of the exporter.
    const plan: Record<string, Record<string, string>> = {
      V1: { imbalanceThreshold: 'OFI_THRESHOLD', volumeRatio: 'MIN_VOLUME_RATIO' },
      V3: { vpinEntry: 'VPIN_ENTRY', volumeSurge: 'MIN_VOLUME_SURGE' },
      V4: { zEntry: 'Z_SCORE_ENTRY', zExit: 'Z_SCORE_EXIT' },
      V6: { minRegimeProb: 'MIN_REGIME_PROB' },
      V8: { vpinThreshold: 'VPIN_THRESHOLD', vpinPercentile: 'VPIN_PERCENTILE' },
    };
    const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
    expect(Object.keys(got.classes).sort()).toEqual(Object.keys(config.strategies).sort());
    for (const [id, s] of Object.entries(config.strategies)) {
      const c = got.classes[id];
      const expected: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.params)) expected[plan[id]?.[k] ?? snake(k)] = v;
      if (id === 'V8') expected.USE_PERCENTILE_VPIN = s.params.vpinPercentile > 0;
      Object.assign(expected, {
        STOP_LOSS_PCT: s.rules.stopPct,
        TAKE_PROFIT_PCT: s.rules.targetPct,
        SIGNAL_EXIT: s.rules.signalExit,
        MIN_HOLD: s.rules.minHoldMs / 1000,
        MAX_HOLD: s.rules.maxHoldMs === null ? null : s.rules.maxHoldMs / 1000,
        BRACKET_DURING_HOLD: s.rules.bracketDuringHold,
        MAX_TRADES_PER_MINUTE: s.rules.maxTradesPerMinute,
        MAX_TRADES_PER_HOUR: s.rules.maxTradesPerHour,
        MAX_TRADES_PER_DAY: s.rules.maxTradesPerDay,
        MIN_CONFIRMATIONS: s.rules.minConfirmations,
        CONFIRMATION_VOLUME_RATIO: s.rules.confirmationVolumeRatio,
        CONFIRMATION_REGIME_PROB: s.rules.confirmationRegimeProb,
        USE_MAKER_ORDERS: s.execution.mode === 'maker',
        MAKER_OFFSET_PCT: s.execution.mode === 'maker' ? s.execution.offsetPct : null,
        MAKER_TIMEOUT: s.execution.mode === 'maker' ? s.execution.timeoutMs / 1000 : null,
        MAKER_FALLBACK: s.execution.mode === 'maker' ? s.execution.fallback : null,
      });
      expect(c, id).toEqual(expected);
    }
    // The promoted V4 carries the calibration's choice; the plan's 1.2 holds by type (seconds).
    const a = JSON.parse(fs.readFileSync(planted.artifact, 'utf8'));
    expect(got.classes.V4.Z_SCORE_ENTRY).toBe(a.params.zEntry);
    // V4 now holds 0 s while V3 keeps 1800 s: one value per type would be wrong for one of them, so it is None.
    expect(got.minHold).toEqual({ microstructure: 300, mean_reversion: null, event: 600, regime: 7200 });
    expect(got.classes.V3.MIN_HOLD).toBe(1800);
    expect(got.classes.V4.MIN_HOLD).toBe(0);
    // Every value line names the revision and its evidence.
    const text = fs.readFileSync(out, 'utf8');
    const valueLines = text.split('\n').filter((l) => /^ {4}[A-Z_]+ = /.test(l));
    expect(valueLines.length).toBeGreaterThan(100);
    for (const l of valueLines) expect(l).toMatch(/ {2}# r2 · /);
    expect(text).toMatch(/Z_SCORE_ENTRY = .*# r2 · calibration\.json sha256:[0-9a-f]{12}, OOS \d+ trades, DSR/);
    expect(text).toMatch(/OFI_THRESHOLD = 0\.7 {2}# r2 · preset phase3 \(no out-of-sample evidence\)/);
  });

  it('freqtrade: a strategy parameter file with roi, stoploss, the rest under buy, ft_stratparam_v and export_time', () => {
    const out = path.join(dir, 'EdgelabV8.json');
    const r = edgelab(['promote', '--export', 'freqtrade', '--to', live, '--strategy', 'V8', '--strategy-name', 'EdgelabV8', '--out', out, '--now', '2024-08-10T12:00:00Z']);
    expect(r.code, r.stderr).toBe(0);
    const ft = JSON.parse(fs.readFileSync(out, 'utf8'));
    const s = readLiveConfig(live).config.strategies.V8;
    expect(ft.strategy_name).toBe('EdgelabV8');
    expect(ft.ft_stratparam_v).toBe(1);
    expect(ft.export_time).toBe('2024-08-10 12:00:00.000000+00:00');
    // phase3: stop 0.5% → −0.005; target 1.5% → ROI 0.015 from minute 0.
    expect(ft.params.stoploss).toBe(-0.005);
    expect(ft.params.roi).toEqual({ '0': 0.015 });
    for (const [k, v] of Object.entries(s.params)) expect(ft.params.buy[k]).toBe(v);
    expect(ft.params.buy.maxTradesPerDay).toBe(50);
    expect(ft.params.buy.minHoldMs).toBe(300_000);
    expect(ft.params.buy.stopPct).toBeUndefined();
    // The promoted V4 has no bracket: no ROI exit, freqtrade's "no stop" (−1).
    const v4 = path.join(dir, 'V4.json');
    expect(edgelab(['promote', '--export', 'freqtrade', '--to', live, '--strategy', 'V4', '--out', v4]).code).toBe(0);
    const f4 = JSON.parse(fs.readFileSync(v4, 'utf8'));
    expect(f4.params.roi).toEqual({});
    expect(f4.params.stoploss).toBe(-1);
    const multi = edgelab(['promote', '--export', 'freqtrade', '--to', live, '--out', path.join(dir, 'x.json')]);
    expect(multi.code).toBe(2);
    expect(multi.stderr).toContain('--strategy');
  });
});

describe('gate: live edge against the out-of-sample estimate (--live-report)', () => {
  it('passes when live matches, fails when live is significantly below, skips without live trades', () => {
    const art = readArtifact(planted.artifact);
    const a = art.artifact;
    const oos = a.outOfSample.edgePerTrade!;
    const ci = a.significance.edgePerTradeCI!;
    const seO = (ci[1] - ci[0]) / (2 * 1.959963984540054);
    const engine = readLiveConfig(live).config.engine;
    const now = new Date(planted.dataEnd + 86_400_000);
    const report = (edge: number, half: number, trades = 60) => ({
      strategies: { V4: { windows: { all: { trades, edgePerTrade: edge, edgeCi: [edge - half, edge + half] as [number, number] } } } },
    });
    const check = (rep: ReturnType<typeof report> | { strategies: Record<string, never> }) =>
      runGate([art], { now, liveReport: rep as never, liveEngine: engine }).checks.find((c) => c.id === 'liveEdge')!;
    // Live equal to OOS: z = 0, p = 0.5.
    const same = check(report(oos, 1.959963984540054 * seO));
    expect(same.status).toBe('pass');
    expect(same.value).toContain('z 0.00');
    // Live 3 combined SEs below: z = −3, one-sided p = Φ(−3) = 0.00135 < 0.05.
    const seL = seO;
    const below = oos - 3 * Math.sqrt(seO ** 2 + seL ** 2);
    const low = check(report(below, 1.959963984540054 * seL));
    expect(low.status).toBe('fail');
    expect(low.value).toContain('z -3.00');
    expect(low.value).toContain('p 0.001');
    // 1 SE below: z = −1, p = 0.159 ≥ 0.05 — not significantly below.
    expect(check(report(oos - Math.sqrt(seO ** 2 + seL ** 2), 1.959963984540054 * seL)).status).toBe('pass');
    expect(check({ strategies: {} }).status).toBe('skipped');
  });

  it('the CLI reads a daily report and refuses on it', () => {
    const a = JSON.parse(fs.readFileSync(planted.artifact, 'utf8'));
    const rep = path.join(dir, 'daily-2024-02-11.json');
    fs.writeFileSync(rep, JSON.stringify({ date: '2024-02-11', sources: [], strategies: { V4: { windows: { all: { trades: 80, edgePerTrade: -0.05, edgeCi: [-0.07, -0.03] } } } } }));
    const now = new Date(planted.dataEnd + 86_400_000).toISOString();
    const r = edgelab(['promote', '--from', planted.artifact, '--to', live, '--live-report', rep, '--now', now, '--dry-run']);
    expect(a.outOfSample.edgePerTrade).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\[FAIL\] V4 liveEdge: live edge\/trade -0\.050000 \(80 trades/);
    const broken = path.join(dir, 'daily-broken.json');
    fs.writeFileSync(broken, '{"strategies": {"V4": {"windows": {"all": {"trades": "many"}}}}}');
    const b = edgelab(['promote', '--from', planted.artifact, '--to', live, '--live-report', broken, '--now', now]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('strategies.V4.windows.all.trades');
  });
});
