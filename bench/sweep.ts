/**
 * Sweep scaling (issue 12): a 100-configuration V1 calibration sweep on 1
 * and on 2 worker threads of the local pool. The tape goes to the workers
 * once as SharedArrayBuffers (no copy per worker). Each pool is warmed up
 * first (the JIT compiles the hot loops; that time is reported, not counted),
 * then one timed sweep on cold series caches. Work goes out one
 * configuration per job, configurations sharing a window on the same worker.
 * Per-worker busy time shows whether a core idled.
 */
import * as os from 'node:os';
import { syntheticTrades } from './synthetic';
import { resolveRunConfig } from '../src/config/run-config';
import { gridConfigs } from '../src/research/sweep';
import { planSweep, type SweepSpec } from '../src/research/sweep-plan';
import { LocalPool } from '../src/research/local-pool';
import { finalSelectionWindow, walkForwardFolds } from '../src/research/walk-forward';

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

export async function sweepSection(results: Record<string, unknown>, sizes: number[] = [1_000_000, 10_000_000]): Promise<void> {
  const configs = gridConfigs([
    { name: 'imbalanceThreshold', values: Array.from({ length: 10 }, (_, k) => 0.3 + 0.05 * k) },
    { name: 'windowMs', values: Array.from({ length: 10 }, (_, k) => 10_000 * (k + 1)) },
  ]);
  const base = resolveRunConfig({ preset: 'phase2', strategies: ['V1'] });
  const out: Record<string, unknown> = { configurations: configs.length, strategy: 'V1', params: 'imbalanceThreshold × windowMs (10 × 10)', executor: 'local pool' };
  for (const M of sizes) {
    const tape = syntheticTrades(M, 11);
    const from = tape.time[0];
    const to = tape.time[M - 1];
    const spec: SweepSpec = {
      strategy: 'V1',
      base,
      objective: 'edgePerTrade',
      windows: [...walkForwardFolds(from, to, 4, 'rolling').map((f) => f.train), finalSelectionWindow(from, to, 4, 'rolling')],
      period: { fromMs: from, periodMs: 3_600_000, periods: Math.max(1, Math.ceil((to - from) / 3_600_000)) },
    };
    const plan = planSweep(spec, configs, { chunkSize: 1, dataHash: `synthetic-${M}-11` });
    // Warm-up: two configurations per worker, windows other than the timed sweep's first ones.
    const warm = planSweep(spec, configs.filter((_, k) => k % 10 === 9).slice(0, 4), { chunkSize: 1, dataHash: 'warm-up' });
    const timed = async (workers: number) => {
      const pool = new LocalPool(tape, { workers, inProcess: false });
      try {
        let t0 = process.hrtime.bigint();
        await pool.run(warm);
        const warmMs = ms(t0);
        t0 = process.hrtime.bigint();
        const res = await pool.run(plan);
        const wall = ms(t0);
        if (res.reduce((s, r) => s + r.summaries.length, 0) !== configs.length) throw new Error('sweep lost configurations');
        return { wall, warmMs, stats: pool.stats.map((s) => ({ ...s })) };
      } finally {
        await pool.close();
      }
    };
    const load0 = os.loadavg()[0];
    const one = await timed(1);
    const two = await timed(2);
    const load1 = os.loadavg()[0];
    const rate = (x: number) => (configs.length * M) / (x / 1000);
    const busy = (r: typeof one) =>
      r.stats
        .map((s) => `worker ${s.worker} ${(s.busyMs / 1000).toFixed(2)} s busy (${((100 * s.busyMs) / r.wall).toFixed(0)}%), ${s.cpuMs === null ? '—' : (s.cpuMs / 1000).toFixed(2)} s CPU, ${s.configs} configs`)
        .join('; ');
    const cpu = (r: typeof one) => r.stats.map((s) => s.cpuMs ?? NaN);
    // What the 2-worker run would take with a core each: the busier worker's CPU time against the lone worker's.
    const cpuScaling = cpu(one).reduce((a, b) => a + b, 0) / Math.max(...cpu(two));
    process.stdout.write(
      `\nsweep: ${configs.length} configurations of V1 over ${M.toLocaleString('en-US')} trades, local pool, tape shared (SharedArrayBuffer), one configuration per job\n` +
        `  1 worker : ${(one.wall / 1000).toFixed(2)} s, ${(rate(one.wall) / 1e6).toFixed(0)} M config·trades/s  [warm-up ${(one.warmMs / 1000).toFixed(2)} s excluded; ${busy(one)}]\n` +
        `  2 workers: ${(two.wall / 1000).toFixed(2)} s, ${(rate(two.wall) / 1e6).toFixed(0)} M config·trades/s, scaling ${(one.wall / two.wall).toFixed(2)}×  [warm-up ${(two.warmMs / 1000).toFixed(2)} s excluded; ${busy(two)}]\n` +
        `  load average ${load0.toFixed(1)} → ${load1.toFixed(1)} on ${os.availableParallelism()} cores (wall-clock scaling needs cores nobody else is using)\n` +
        `  CPU-time scaling ${Number.isFinite(cpuScaling) ? cpuScaling.toFixed(2) + '×' : '—'} (1 worker's CPU time / the busier of 2 workers' CPU time: the speed-up with a free core each; not a wall-clock figure)\n`,
    );
    out[`trades${M / 1e6}M`] = {
      trades: M,
      secondsOneWorker: Number((one.wall / 1000).toFixed(3)),
      secondsTwoWorkers: Number((two.wall / 1000).toFixed(3)),
      warmUpSecondsOneWorker: Number((one.warmMs / 1000).toFixed(3)),
      warmUpSecondsTwoWorkers: Number((two.warmMs / 1000).toFixed(3)),
      busySecondsOneWorker: one.stats.map((s) => Number((s.busyMs / 1000).toFixed(3))),
      busySecondsTwoWorkers: two.stats.map((s) => Number((s.busyMs / 1000).toFixed(3))),
      cpuSecondsOneWorker: one.stats.map((s) => (s.cpuMs === null ? null : Number((s.cpuMs / 1000).toFixed(2)))),
      cpuSecondsTwoWorkers: two.stats.map((s) => (s.cpuMs === null ? null : Number((s.cpuMs / 1000).toFixed(2)))),
      cpuTimeScaling: Number.isFinite(cpuScaling) ? Number(cpuScaling.toFixed(2)) : null,
      configTradesPerSecondOneWorker: Math.round(rate(one.wall)),
      configTradesPerSecondTwoWorkers: Math.round(rate(two.wall)),
      scaling: Number((one.wall / two.wall).toFixed(2)),
      loadAverage: [Number(load0.toFixed(2)), Number(load1.toFixed(2))],
    };
  }
  results.sweep = out;
}
