import * as path from 'node:path';
import type { Command } from './command';
import { parseFlags } from './args';
import { UserError } from '../util/errors';
import { resolveRunConfig } from '../config/run-config';
import { bundledData } from '../data/bundled';
import { runBacktest, type BacktestResult } from '../run/run';
import { writeBacktestOutputs } from '../run/output';
import { edgelabVersion, packageRoot } from '../util/package-root';
import { formatResultTable } from './backtest';
import { loadMarketData } from '../data/market';
import { fixed, int, money, table } from './format';

const USAGE = 'edgelab main [--out <dir>] [--strategies V1,…,V8]';
const PRESETS = ['before', 'phase1', 'phase2', 'phase3'];

/**
 * The main job (`npm start`): every preset, on the bundled real trade tape
 * and on months of bundled 5m bars, with a before → phase2 comparison.
 */
export const mainJobCommand: Command = {
  summary: 'Run the plan presets (before, phase1, phase2) on the bundled real data and compare them.',
  usage: USAGE,
  async run(argv) {
    const v = parseFlags(argv, { out: { type: 'string' }, strategies: { type: 'string', default: 'V1,V2,V3,V4,V5,V6,V7,V8' } }, USAGE);
    const outRoot = v.out ?? path.join(packageRoot(), 'reports', 'latest');
    const ids = v.strategies!.split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) throw new UserError(`--strategies is empty, got '${v.strategies}'`);
    // Resolve once before any data is read, so a bad id fails fast and writes nothing.
    for (const preset of PRESETS) resolveRunConfig({ preset, strategies: ids });
    const datasets = [
      { name: 'trades', label: 'Binance USD-M BTCUSDT trades (Tardis sample)', files: [bundledData.trades] },
      { name: 'bars5m', label: 'Binance spot BTC/USDT 5m bars', files: [bundledData.bars5m] },
    ];
    const compare: string[][] = [];
    const gate: string[][] = [];
    for (const ds of datasets) {
      const { tape, warnings } = loadMarketData(ds.files);
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      const results: Record<string, BacktestResult> = {};
      for (const preset of PRESETS) {
        const res = runBacktest(tape, { strategies: ids, preset });
        results[preset] = res;
        const dir = path.join(outRoot, `${ds.name}-${preset}`);
        writeBacktestOutputs(dir, res, { warnings, edgelabVersion: edgelabVersion(), createdAt: new Date().toISOString() });
        process.stdout.write(
          `\n== ${ds.label}: ${int(res.data.rows)} ${tape.kind}, ${res.data.from} → ${res.data.to} — preset ${preset}\n` +
            formatResultTable(res) +
            `\n   → ${dir}\n`,
        );
      }
      if (ids.includes('V8')) {
        // Plan 1.3: "VPIN 0.6 blocks all trades; 0.85 or percentile 75 lets V8 trade". Check it.
        for (const [label, cfg] of [
          ['vpinThreshold 0.6 (before)', { vpinThreshold: 0.6, vpinPercentile: 0 }],
          ['vpinThreshold 0.85 (plan fix)', { vpinThreshold: 0.85, vpinPercentile: 0 }],
          ['vpinPercentile 75 (plan fix)', { vpinPercentile: 75 }],
        ] as const) {
          const r = runBacktest(tape, { strategies: ['V8'], preset: 'phase1', config: { name: 'v8-gate', strategies: { V8: cfg } } }).strategies.V8;
          const st = r.signalStats ?? {};
          const tot = (st.gateAllowed ?? 0) + (st.gateBlocked ?? 0);
          gate.push([ds.name, label, int(st.gateAllowed), int(st.gateBlocked), tot ? `${((100 * (st.gateBlocked ?? 0)) / tot).toFixed(1)}%` : '—', int(r.metrics.trades), fixed(r.metrics.tradesPerDay, 1)]);
        }
      }
      for (const id of ids) {
        const b = results.before.strategies[id].metrics;
        const p = results.phase3.strategies[id].metrics;
        compare.push([
          `${ds.name} ${id}`,
          int(b.trades),
          int(p.trades),
          money(b.feesPaid),
          money(p.feesPaid),
          money(b.edgePerTrade),
          money(p.edgePerTrade),
          money(b.totalPnl),
          money(p.totalPnl),
        ]);
      }
    }
    process.stdout.write(
      '\n== before → phase3 (same data, fees on both legs)\n' +
        table(['data strategy', 'trades before', 'after', 'fees before', 'after', 'edge/trade before', 'after', 'net P&L before', 'after'], compare) +
        (gate.length
          ? '\n\n== V8 VPIN gate (plan 1.3 claims 0.6 blocks nearly every trade; 0.85 or percentile 75 lets V8 trade) — phase1 rules\n' +
            table(['data', 'gate', 'decisions allowed', 'blocked', 'blocked %', 'trades', 'trades/day'], gate)
          : '') +
        `\n\nOutputs (trades.csv, trades.jsonl, summary.json per run) are in ${outRoot}\n`,
    );
    return 0;
  },
};
