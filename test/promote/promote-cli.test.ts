import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { edgelab, ROOT } from '../helpers/cli';
import { bundledCalibration, plantedCalibration } from './fixtures';

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));
const logOf = (live: string) =>
  fs
    .readFileSync(`${live}.history/promotions.jsonl`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const iso = (ms: number) => new Date(ms).toISOString();

let dir: string;
let planted: { data: string; artifact: string; dataEnd: number };
let bundled: string;
/** A "now" one day after the planted data ends: fresh data. */
let NOW: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-promote-'));
  planted = plantedCalibration(dir);
  bundled = bundledCalibration(dir);
  NOW = iso(planted.dataEnd + 86_400_000);
}, 180_000);

let n = 0;
/** A fresh live config created from phase3. */
function freshLive(): string {
  const live = path.join(dir, `live-${++n}`, 'live.json');
  const r = edgelab(['promote', '--init-from', 'phase3', '--to', live, '--now', iso(planted.dataEnd)]);
  expect(r.code, r.stderr).toBe(0);
  return live;
}

describe('edgelab promote: a passing artifact', () => {
  it('is promoted with the exact diff, its evidence and gate recorded, and backtest --config live.json runs exactly those settings', () => {
    const live = freshLive();
    const r1 = readJson(live);
    const a = readJson(planted.artifact);
    // The calibration really passes (planted edge), by its own numbers.
    expect(a.outOfSample.trades).toBeGreaterThanOrEqual(30);
    expect(a.significance.edgePerTradeCI[0]).toBeGreaterThan(0);
    expect(a.significance.dsr).toBeGreaterThanOrEqual(0.95);
    expect(a.significance.pbo).toBeLessThanOrEqual(0.5);

    const r = edgelab(['promote', '--from', planted.artifact, '--to', live, '--now', NOW]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('promoted');

    // Expected diff, by hand: phase3's V4 block → the calibration's choice and
    // the rules it was calibrated under (v4-signal-only.json over phase3).
    const expected: { path: string; old: unknown; new: unknown }[] = [];
    for (const k of ['zEntry', 'zExit']) {
      if (a.params[k] !== r1.strategies.V4.params[k]) expected.push({ path: `strategies.V4.params.${k}`, old: r1.strategies.V4.params[k], new: a.params[k] });
    }
    expected.push(
      { path: 'strategies.V4.rules.stopPct', old: 0.5, new: null },
      { path: 'strategies.V4.rules.targetPct', old: 1.5, new: null },
      { path: 'strategies.V4.rules.minHoldMs', old: 1_800_000, new: 0 },
      { path: 'strategies.V4.rules.maxTradesPerMinute', old: 1, new: null },
      { path: 'strategies.V4.rules.maxTradesPerHour', old: 10, new: null },
      { path: 'strategies.V4.rules.maxTradesPerDay', old: 50, new: null },
      { path: 'strategies.V4.rules.minConfirmations', old: 2, new: 0 },
    );
    const log = logOf(live);
    expect(log.map((e: { action: string }) => e.action)).toEqual(['init', 'promote']);
    const entry = log[1];
    const got = entry.diff.map((c: { path: string; old: unknown; new: unknown }) => ({ path: c.path, old: c.old, new: c.new }));
    expect(got.sort((x: { path: string }, y: { path: string }) => x.path.localeCompare(y.path))).toEqual(expected.sort((x, y) => x.path.localeCompare(y.path)));
    for (const c of expected) expect(r.stdout).toContain(`${c.path}: ${JSON.stringify(c.old)} → ${JSON.stringify(c.new)}`);

    // Recorded: revision chain, artifact hash, every gate check with its value, thresholds.
    expect(entry.revision).toBe(2);
    expect(entry.previousRevision).toBe(1);
    expect(entry.artifacts).toEqual([{ file: planted.artifact, sha256: sha(fs.readFileSync(planted.artifact)), strategy: 'V4' }]);
    expect(entry.gate.passed).toBe(true);
    expect(entry.gate.checks.map((c: { id: string; status: string }) => `${c.id}:${c.status}`)).toEqual([
      'oosTrades:pass',
      'oosEdgeCi:pass',
      'dsr:pass',
      'pbo:pass',
      'dataAge:pass',
      'dataHash:pass',
      'marketModel:pass',
    ]);
    expect(entry.gate.thresholds).toEqual({ minOosTrades: 30, minEdgeCiLow: 0, minDsr: 0.95, maxPbo: 0.5, maxDataAgeDays: 30, liveAlpha: 0.05 });
    expect(entry.forced).toBe(false);
    expect(entry.sha256).toBe(sha(fs.readFileSync(live)));

    const r2 = readJson(live);
    expect(r2.revision).toBe(2);
    expect(r2.strategies.V4.params).toEqual(a.fullParams);
    expect(r2.strategies.V4.evidence).toMatchObject({ artifact: planted.artifact, dsr: a.significance.dsr, pbo: a.significance.pbo, forced: false, source: 'calibration' });
    for (const id of ['V1', 'V2', 'V3', 'V5', 'V6', 'V7', 'V8']) expect(r2.strategies[id]).toEqual(r1.strategies[id]);
    // Every revision kept byte for byte.
    expect(fs.readFileSync(`${live}.history/r000002.json`, 'utf8')).toBe(fs.readFileSync(live, 'utf8'));

    // The live config is a valid --config: the backtest resolves exactly the promoted settings.
    const out = path.join(dir, 'bt-live');
    const b = edgelab(['backtest', '--data', planted.data, '--strategies', 'V4', '--config', live, '--out', out, '--quiet']);
    expect(b.code, b.stderr).toBe(0);
    const cfg = readJson(path.join(out, 'summary.json')).config.strategies.V4;
    expect(cfg.params).toEqual(r2.strategies.V4.params);
    expect(cfg.rules).toMatchObject({ stopPct: null, targetPct: null, signalExit: true, minHoldMs: 0, limits: null });
    expect(cfg.confirmation.minConfirmations).toBe(0);
  });
});

describe('edgelab promote: dry run and a strategy new to the live config', () => {
  it('--dry-run shows gate and diff and writes nothing; a strategy not yet live is added whole', () => {
    const live = path.join(dir, `live-${++n}`, 'live.json');
    expect(edgelab(['promote', '--init-from', 'phase3', '--strategies', 'V1', '--to', live, '--now', NOW]).code).toBe(0);
    const before = fs.readFileSync(live);
    const dry = edgelab(['promote', '--from', planted.artifact, '--to', live, '--now', NOW, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run: gate passes; nothing written');
    expect(fs.readFileSync(live).equals(before)).toBe(true);
    expect(logOf(live)).toHaveLength(1);
    const r = edgelab(['promote', '--from', planted.artifact, '--to', live, '--now', NOW]);
    expect(r.code, r.stderr).toBe(0);
    const doc = readJson(live);
    expect(Object.keys(doc.strategies)).toEqual(['V1', 'V4']);
    // Every field of the new block is in the diff as (absent) → value: 5 params + 12 rules + 1 execution field.
    const diff = logOf(live)[1].diff;
    expect(diff).toHaveLength(18);
    expect(diff.every((c: { old?: unknown }) => !('old' in c))).toBe(true);
    expect(r.stdout).toContain('strategies.V4.params.zEntry: (absent) → ');
  });
});

describe('edgelab promote: a failing artifact', () => {
  it('is refused with exit 1, every failing check named with its value, the live file byte-identical and nothing recorded', () => {
    const live = freshLive();
    const before = fs.readFileSync(live);
    const a = readJson(bundled);
    // Which checks must fail, from the artifact's own numbers.
    const expectFail = new Set<string>();
    if (a.outOfSample.trades < 30) expectFail.add('oosTrades');
    if (!a.significance.edgePerTradeCI || a.significance.edgePerTradeCI[0] <= 0) expectFail.add('oosEdgeCi');
    if (a.significance.dsr === null || a.significance.dsr < 0.95) expectFail.add('dsr');
    if (a.significance.pbo === null || a.significance.pbo > 0.5) expectFail.add('pbo');
    expect(expectFail.size).toBeGreaterThan(0);
    const fresh = iso(Date.parse(a.data.to) + 86_400_000);
    const r = edgelab(['promote', '--from', bundled, '--to', live, '--now', fresh]);
    expect(r.code).toBe(1);
    const failed = [...r.stdout.matchAll(/\[FAIL\] V4 (\w+):/g)].map((m) => m[1]);
    expect(new Set(failed)).toEqual(expectFail);
    for (const id of expectFail) expect(r.stderr).toContain(`V4 ${id} (`);
    expect(r.stderr).toContain('REFUSED');
    expect(fs.readFileSync(live).equals(before)).toBe(true);
    expect(fs.readdirSync(`${live}.history`).sort()).toEqual(['promotions.jsonl', 'r000001.json']);
    expect(logOf(live)).toHaveLength(1);

    // Stale data adds its own failure: the bundled data ends in 2024, `now` is 60 days later.
    const stale = edgelab(['promote', '--from', bundled, '--to', live, '--now', iso(Date.parse(a.data.to) + 60 * 86_400_000)]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/\[FAIL\] V4 dataAge: data ends .* 60\.0 days before/);

    // --force needs --reason; with one, it promotes and records both.
    const noReason = edgelab(['promote', '--from', bundled, '--to', live, '--force', '--now', fresh]);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--force needs --reason');
    expect(fs.readFileSync(live).equals(before)).toBe(true);
    const forced = edgelab(['promote', '--from', bundled, '--to', live, '--force', '--reason', 'paper trading to measure slippage', '--now', fresh]);
    expect(forced.code, forced.stderr).toBe(0);
    const e = logOf(live)[1];
    expect(e.forced).toBe(true);
    expect(e.reason).toBe('paper trading to measure slippage');
    expect(e.gate.passed).toBe(false);
    expect(readJson(live).strategies.V4.evidence).toMatchObject({ forced: true, reason: 'paper trading to measure slippage' });
  });

  it('a changed data file fails the hash check', () => {
    const live = freshLive();
    const copyDir = path.join(dir, 'tampered');
    fs.mkdirSync(copyDir, { recursive: true });
    const a = readJson(planted.artifact);
    const data = path.join(copyDir, 'planted.csv');
    fs.writeFileSync(data, fs.readFileSync(planted.data, 'utf8').replace(/\n$/, '\n\n'));
    a.data.file = data;
    const art = path.join(copyDir, 'calibration.json');
    fs.writeFileSync(art, JSON.stringify(a));
    const r = edgelab(['promote', '--from', art, '--to', live, '--now', NOW]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\[FAIL\] V4 dataHash:/);
  });
});

describe('edgelab promote: malformed artifacts are bad input naming their field', () => {
  const cases: [string, (a: Record<string, any>) => string, RegExp][] = [
    ['truncated file', (a) => JSON.stringify(a, null, 2).slice(0, 500), /not valid JSON/],
    ['not JSON', () => 'oos trades: 41\n', /not valid JSON/],
    ['unknown strategy id', (a) => JSON.stringify({ ...a, strategy: 'V9' }), /strategy: .*V9/],
    ['a parameter not the strategy’s', (a) => JSON.stringify({ ...a, fullParams: { ...a.fullParams, vpinThreshold: 0.85 } }), /fullParams\.vpinThreshold: not a parameter of V4/],
    ['a value out of bounds', (a) => JSON.stringify({ ...a, params: { ...a.params, zEntry: -1 }, fullParams: { ...a.fullParams, zEntry: -1 }, swept: a.swept.map((p: any) => (p.name === 'zEntry' ? { ...p, values: [...p.values, -1] } : p)) }), /params\.zEntry: .*-1/],
    ['trials vs configurations listed', (a) => JSON.stringify({ ...a, trials: a.trials - 1 }), /trials: \d+ contradicts configurations, which lists \d+/],
    ['span vs rows', (a) => JSON.stringify({ ...a, data: { ...a.data, rows: a.data.rows * 2 } }), /data\.rows: \d+ bars of 5 min cannot fit in the span/],
    ['params vs fullParams', (a) => JSON.stringify({ ...a, fullParams: { ...a.fullParams, zExit: a.params.zExit === 0 ? 0.5 : 0 } }), /params\.zExit: .* contradicts fullParams\.zExit/],
    ['out-of-sample total vs its folds', (a) => JSON.stringify({ ...a, outOfSample: { ...a.outOfSample, trades: a.outOfSample.trades + 5 } }), /outOfSample\.trades: \d+ contradicts the walk-forward test windows/],
    ['a missing field', (a) => JSON.stringify({ ...a, significance: { ...a.significance, dsr: undefined } }), /significance\.dsr: missing/],
  ];
  it.each(cases)('%s', (_name, mutate, message) => {
    const live = freshLive();
    const before = fs.readFileSync(live);
    const bad = path.join(dir, `bad-${++n}.json`);
    fs.writeFileSync(bad, mutate(readJson(planted.artifact)));
    const r = edgelab(['promote', '--from', bad, '--to', live, '--now', NOW]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(fs.readFileSync(live).equals(before)).toBe(true);
    expect(logOf(live)).toHaveLength(1);
  });
});

describe('edgelab promote: crash safety, rollback, concurrency', () => {
  it('a crash between the temp write and the rename leaves the old file intact', () => {
    const live = freshLive();
    const before = fs.readFileSync(live);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'edgelab.js'), 'promote', '--from', planted.artifact, '--to', live, '--now', NOW], {
      encoding: 'utf8',
      env: { ...process.env, EDGELAB_TEST_KILL_BEFORE_RENAME: '1' },
    });
    expect(r.signal).toBe('SIGKILL');
    expect(fs.readFileSync(live).equals(before)).toBe(true);
    // The new revision was fully written to a temp file when the process died: the crash happened at that point.
    const tmp = fs.readdirSync(path.dirname(live)).filter((f) => f.startsWith('.live.json.') && f.endsWith('.tmp'));
    expect(tmp).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(path.dirname(live), tmp[0]), 'utf8')).revision).toBe(2);
    expect(logOf(live)).toHaveLength(1);
    // The next promotion takes over the dead process's stale lock (after ~10 s) and writes revision 2 over the
    // orphaned history file, which the log never confirmed.
    const next = edgelab(['promote', '--from', planted.artifact, '--to', live, '--now', NOW]);
    expect(next.code, next.stderr).toBe(0);
    expect(readJson(live).revision).toBe(2);
    expect(logOf(live).map((e: any) => e.revision)).toEqual([1, 2]);
  });

  it('rollback restores byte-identically, defaults to the revision before, and is logged', () => {
    const live = freshLive();
    const r1 = fs.readFileSync(live);
    expect(edgelab(['promote', '--from', planted.artifact, '--to', live, '--now', NOW]).code).toBe(0);
    const r2 = fs.readFileSync(live);
    expect(r2.equals(r1)).toBe(false);
    const back = edgelab(['promote', '--rollback', '--to', live, '--reason', 'test', '--now', NOW]);
    expect(back.code, back.stderr).toBe(0);
    expect(fs.readFileSync(live).equals(r1)).toBe(true);
    const fwd = edgelab(['promote', '--rollback', '--revision', '2', '--to', live, '--now', NOW]);
    expect(fwd.code, fwd.stderr).toBe(0);
    expect(fs.readFileSync(live).equals(r2)).toBe(true);
    const log = logOf(live);
    expect(log.map((e: any) => [e.action, e.revision, e.previousRevision])).toEqual([
      ['init', 1, null],
      ['promote', 2, 1],
      ['rollback', 1, 2],
      ['rollback', 2, 1],
    ]);
    expect(log[2].sha256).toBe(sha(r1));
    expect(log[2].reason).toBe('test');
    // A promotion after a rollback takes the next free revision, never overwriting history.
    expect(edgelab(['promote', '--rollback', '--revision', '1', '--to', live]).code).toBe(0);
    expect(edgelab(['promote', '--from', planted.artifact, '--to', live, '--now', NOW]).code).toBe(0);
    expect(readJson(live).revision).toBe(3);
    expect(fs.readFileSync(`${live}.history/r000002.json`).equals(r2)).toBe(true);
    const bad = edgelab(['promote', '--rollback', '--revision', '9', '--to', live]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--revision 9: not in');
  });

  it('two concurrent promotions (two processes) never interleave: revisions sequential, both logged, file valid', async () => {
    const live = freshLive();
    const run = () =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, [path.join(ROOT, 'bin', 'edgelab.js'), 'promote', '--from', planted.artifact, '--to', live, '--now', NOW], {
          env: { ...process.env, EDGELAB_TEST_HOLD_LOCK_MS: '1500' },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        p.stderr!.on('data', (d) => (stderr += d));
        p.on('close', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([run(), run()]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    // One of them found the lock taken and said it was waiting (which one depends on who started first).
    expect(results.filter((r) => r.stderr.includes('another promotion holds')).length).toBe(1);
    const log = logOf(live);
    // Without the lock both would read revision 1 and both write revision 2.
    expect(log.map((e: any) => [e.action, e.revision, e.previousRevision])).toEqual([
      ['init', 1, null],
      ['promote', 2, 1],
      ['promote', 3, 2],
    ]);
    const h = edgelab(['promote', '--history', '--to', live]);
    expect(h.code).toBe(0);
    expect(readJson(live).revision).toBe(3);
    expect(fs.readdirSync(`${live}.history`).sort()).toEqual(['promotions.jsonl', 'r000001.json', 'r000002.json', 'r000003.json']);
    expect(log[2].sha256).toBe(sha(fs.readFileSync(live)));
  });
});

describe('edgelab promote --init-from', () => {
  it('creates the first live config only, and bad input names the field', () => {
    const live = path.join(dir, 'init-only', 'live.json');
    expect(edgelab(['promote', '--init-from', 'phase9', '--to', live]).stderr).toContain("unknown preset 'phase9'");
    expect(fs.existsSync(live)).toBe(false);
    expect(edgelab(['promote', '--from', planted.artifact, '--to', live]).stderr).toContain('no live config here');
    expect(fs.existsSync(live)).toBe(false);
    expect(edgelab(['promote', '--init-from', 'phase1', '--to', live, '--strategies', 'V4,V8']).code).toBe(0);
    expect(Object.keys(readJson(live).strategies)).toEqual(['V4', 'V8']);
    const again = edgelab(['promote', '--init-from', 'phase1', '--to', live]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });
});
