import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBars } from '../../src/data/load';
import { bundledData } from '../../src/data/bundled';
import { calibrate, objectiveValue } from '../../src/research/calibrate';
import { gridConfigs, parseParamRange, runSweep } from '../../src/research/sweep';
import { rowsIn, walkForwardFolds } from '../../src/research/walk-forward';
import { registerStrategy } from '../../src/strategies/registry';
import { resolveRunConfig } from '../../src/config/run-config';
import { createPrng } from '../../src/util/prng';
import type { Strategy } from '../../src/strategies/strategy';
import { edgelab } from '../helpers/cli';

const bars = loadBars(bundledData.bars5m).tape;

/** A strategy with no edge by construction: entries at random bars, random sides, seeded. */
const NOISE: Strategy<{ seed: number; rate: number }> = {
  id: 'NOISE',
  name: 'Random entries',
  type: 'event',
  description: 'Entries at random bars in random directions (test only).',
  params: { seed: { default: 1, min: 0, integer: true, doc: 'PRNG seed' }, rate: { default: 0.01, min: 0, max: 1, doc: 'entry probability per row' } },
  signals(tape, p) {
    const rng = createPrng(p.seed);
    const entry = new Int8Array(tape.length);
    for (let i = 0; i < tape.length; i++) if (rng.nextFloat() < p.rate) entry[i] = rng.nextFloat() < 0.5 ? 1 : -1;
    return { entry };
  },
};
registerStrategy(NOISE);

describe('parameter ranges and grids', () => {
  it('parses from:to:step inclusively without float drift, and lists', () => {
    expect(parseParamRange('zEntry=2:3:0.25')).toEqual({ name: 'zEntry', values: [2, 2.25, 2.5, 2.75, 3] });
    expect(parseParamRange('vpinEntry=0.3:0.7:0.1').values).toEqual([0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(parseParamRange('x=1,5,9').values).toEqual([1, 5, 9]);
    expect(() => parseParamRange('x=3:1:1')).toThrow(/to \(1\) < from \(3\)/);
    expect(() => parseParamRange('x=1:2')).toThrow(/from:to:step/);
    expect(gridConfigs([{ name: 'a', values: [1, 2] }, { name: 'b', values: [3, 4] }])).toEqual([
      { a: 1, b: 3 },
      { a: 1, b: 4 },
      { a: 2, b: 3 },
      { a: 2, b: 4 },
    ]);
  });

  it('walk-forward folds: tests follow their training windows and do not overlap', () => {
    const rolling = walkForwardFolds(0, 500, 4, 'rolling');
    expect(rolling.map((f) => [f.train.fromMs, f.train.toMs, f.test.fromMs, f.test.toMs])).toEqual([
      [0, 100, 100, 200],
      [100, 200, 200, 300],
      [200, 300, 300, 400],
      [300, 400, 400, 500],
    ]);
    const anchored = walkForwardFolds(0, 500, 4, 'anchored');
    expect(anchored.map((f) => f.train.fromMs)).toEqual([0, 0, 0, 0]);
    expect(anchored[3].train.toMs).toBe(400);
  });
});

describe('calibrate', () => {
  it('a pure-noise strategy swept over many seeds: the best in-sample configuration does not pass the significance gate', async () => {
    const res = await calibrate({
      tape: bars,
      strategy: 'NOISE',
      params: [parseParamRange('seed=1:40:1')],
      preset: 'phase2',
      folds: 4,
      workers: 1,
      minTrades: 10,
    });
    const a = res.artifact;
    expect(a.trials).toBe(40);
    // The winner looks good where it was chosen …
    const bestIs = Math.max(...a.walkForward.windows.map((w) => w.trainObjective ?? -Infinity));
    expect(bestIs).toBeGreaterThan(0);
    // … but the gate sees through it.
    expect(a.significance.passed).toBe(false);
    expect(a.significance.dsr).not.toBeNull();
    expect(a.significance.dsr!).toBeLessThan(0.95);
    expect(a.significance.pbo).not.toBeNull();
  });

  it('selects on the train window only and scores only the following test window (no look-ahead)', async () => {
    const params = [parseParamRange('zEntry=1.5:3:0.5')];
    const res = await calibrate({ tape: bars, strategy: 'V4', params, folds: 3, workers: 1, minTrades: 5 });
    const base = resolveRunConfig({ preset: 'phase2', strategies: ['V4'] });
    const all = await runSweep(bars, base, 'V4', gridConfigs(params), { workers: 1 });
    const folds = walkForwardFolds(bars.time[0], bars.time[bars.length - 1] + bars.timeframeMs, 3, 'rolling');
    let oos = 0;
    for (const [k, f] of folds.entries()) {
      // recompute the choice from the train window alone
      const eligible = all.filter((c) => rowsIn(c.ledger, f.train).length >= 5);
      const best = eligible.reduce((b, c) => (objectiveValue(rowsIn(c.ledger, f.train), 'edgePerTrade') > objectiveValue(rowsIn(b.ledger, f.train), 'edgePerTrade') ? c : b));
      expect(res.artifact.walkForward.windows[k].chosen).toEqual({ zEntry: best.params.zEntry });
      oos += rowsIn(best.ledger, f.test).length;
    }
    expect(res.oosLedger.length).toBe(oos);
    for (const r of res.oosLedger) expect(r.entryTime).toBeGreaterThanOrEqual(folds[0].test.fromMs);
  });

  it('worker threads give exactly the single-thread results', async () => {
    const base = resolveRunConfig({ preset: 'phase2', strategies: ['V3'] });
    const configs = gridConfigs([parseParamRange('vpinEntry=0.3:0.9:0.2')]);
    const one = await runSweep(bars, base, 'V3', configs, { workers: 1 });
    const two = await runSweep(bars, base, 'V3', configs, { workers: 2 });
    expect(two.map((c) => c.ledger.map((r) => [r.entryTime, r.netPnl]))).toEqual(one.map((c) => c.ledger.map((r) => [r.entryTime, r.netPnl])));
  });
});

describe('edgelab calibrate (CLI, real 5m bars)', () => {
  it('writes calibration.json with the contract fields and the OOS ledger', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-cal-'));
    const r = edgelab(['calibrate', '--data', bundledData.bars5m, '--strategy', 'V3', '--param', 'vpinEntry=0.3:0.9:0.2', '--walk-forward', '3', '--out', out, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const a = JSON.parse(fs.readFileSync(path.join(out, 'calibration.json'), 'utf8'));
    for (const k of ['strategy', 'params', 'trials', 'inSample', 'outOfSample', 'significance', 'data', 'version', 'createdAt']) expect(a).toHaveProperty(k);
    for (const k of ['trades', 'winRate', 'edgePerTrade', 'expectedValue', 'sharpe']) {
      expect(a.inSample).toHaveProperty(k);
      expect(a.outOfSample).toHaveProperty(k);
    }
    for (const k of ['psr', 'dsr', 'pbo', 'edgePerTradeCI', 'returnsBasis', 'sharpeTrialsVariance']) expect(a.significance).toHaveProperty(k);
    expect(a.trials).toBe(4);
    expect(a.data).toMatchObject({ rows: 71_769 });
    expect(Object.keys(a.params)).toEqual(['vpinEntry']);
    const csv = fs.readFileSync(path.join(out, 'oos-trades.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toContain('entryTime');
    expect(csv.length - 1).toBe(a.outOfSample.trades);
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('a parameter the strategy does not have is a clear error, nothing written', () => {
    const out = path.join(os.tmpdir(), `edgelab-cal-bad-${process.pid}`);
    const r = edgelab(['calibrate', '--data', bundledData.bars5m, '--strategy', 'V4', '--param', 'zEnter=1:2:0.5', '--out', out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/zEnter/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('sweep scheduling', () => {
  it('keeps configurations that share a series on one worker, hands each out once, and lets no worker idle', async () => {
    const { AffinityScheduler } = await import('../../src/research/sweep');
    const configs = gridConfigs([parseParamRange('imbalanceThreshold=0.3:0.7:0.1'), parseParamRange('windowMs=10000,20000,30000')]);
    const s = new AffinityScheduler(configs, ['windowMs']);
    const got: Record<number, number[]> = { 0: [], 1: [] };
    for (let turn = 0, w = 0; ; turn++, w = turn % 2) {
      const k = s.next(w);
      if (k < 0) {
        if (s.next(1 - w) < 0) break;
        continue;
      }
      got[w].push(k);
    }
    const all = [...got[0], ...got[1]].sort((a, b) => a - b);
    expect(all).toEqual(configs.map((_, k) => k)); // each exactly once
    const windowsOf = (w: number) => new Set(got[w].map((k) => configs[k].windowMs));
    // 3 windows over 2 workers: one window may be shared once the untouched groups run out, never more
    const shared = [...windowsOf(0)].filter((x) => windowsOf(1).has(x));
    expect(shared.length).toBeLessThanOrEqual(1);
    expect(got[0].length).toBeGreaterThan(3);
    expect(got[1].length).toBeGreaterThan(3);
  });
});
