import { describe, expect, it } from 'vitest';
import { loadBars } from '../../src/data/load';
import { bundledData } from '../../src/data/bundled';
import { gridConfigs, parseParamRange, runSweep } from '../../src/research/sweep';
import { objectiveValue, planSweep, type SweepSpec } from '../../src/research/sweep-plan';
import { LocalPool } from '../../src/research/local-pool';
import { resolveRunConfig } from '../../src/config/run-config';
import { rowsIn, walkForwardFolds } from '../../src/research/walk-forward';

const bars = loadBars(bundledData.bars5m).tape;
const from = bars.time[0];
const to = bars.time[bars.length - 1] + bars.timeframeMs;
const spec: SweepSpec = {
  strategy: 'V1',
  base: resolveRunConfig({ preset: 'phase2', strategies: ['V1'] }),
  objective: 'edgePerTrade',
  windows: walkForwardFolds(from, to, 3, 'rolling').map((f) => f.train),
  period: { fromMs: from, periodMs: 86_400_000, periods: Math.ceil((to - from) / 86_400_000) },
};
const configs = gridConfigs([parseParamRange('imbalanceThreshold=0.2:0.5:0.1'), parseParamRange('windowMs=3600000,7200000,14400000')]);

describe('sweep planner', () => {
  it('cuts every configuration into exactly one job, keeps a series group together, and names jobs the same way every time', () => {
    const a = planSweep(spec, configs, { chunkSize: 2, dataHash: 'abc' });
    const b = planSweep(spec, configs, { chunkSize: 2, dataHash: 'abc' });
    expect(a.jobs.map((j) => j.id)).toEqual(b.jobs.map((j) => j.id));
    const idx = a.jobs.flatMap((j) => j.configs.map((c) => c.index)).sort((x, y) => x - y);
    expect(idx).toEqual(configs.map((_, k) => k));
    for (const j of a.jobs) {
      expect(j.id).toMatch(/^[0-9a-f]{16}-[0-9a-f]{16}$/); // BullMQ ids may not contain ':'
      expect(j.configs.length).toBeLessThanOrEqual(2);
      expect(new Set(j.configs.map((c) => c.values.windowMs)).size).toBe(1); // windowMs is a series parameter of V1
    }
    expect(new Set(a.jobs.map((j) => j.id)).size).toBe(a.jobs.length);
    // Other data → other ids, so results stored for one tape never answer for another.
    expect(planSweep(spec, configs, { chunkSize: 2, dataHash: 'abd' }).hash).not.toBe(a.hash);
  });

  it('the local pool on 2 threads returns exactly the summaries computed from the ledgers in this thread', async () => {
    const plan = planSweep(spec, configs, { chunkSize: 1, dataHash: 'x' });
    const pool = new LocalPool(bars, { workers: 2, inProcess: false });
    const res = await pool.run(plan);
    await pool.close();
    expect(pool.stats.length).toBe(2);
    expect(pool.stats.reduce((s, w) => s + w.configs, 0)).toBe(configs.length);
    const byIndex = new Map(res.flatMap((r) => r.summaries).map((s) => [s.index, s]));
    expect(byIndex.size).toBe(configs.length);
    const ledgers = await runSweep(bars, spec.base, 'V1', configs, { workers: 1 });
    for (const c of ledgers) {
      const s = byIndex.get(c.index)!;
      expect(s.trades).toBe(c.ledger.length);
      spec.windows.forEach((w, k) => {
        const rows = rowsIn(c.ledger, w);
        expect(s.windows[k].trades).toBe(rows.length);
        const v = objectiveValue(rows, 'edgePerTrade');
        expect(s.windows[k].objective).toBe(Number.isFinite(v) ? v : null);
      });
    }
  });
});
