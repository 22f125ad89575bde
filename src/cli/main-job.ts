import * as path from 'node:path';
import type { Command } from './main';
import { parseFlags } from './args';
import { bundledData } from '../data/bundled';
import { runBacktest, type BacktestResult } from '../backtest/run';
import { writeBacktestOutputs } from '../backtest/output';
import { edgelabVersion, packageRoot } from '../util/package-root';
import { formatResultTable, loadMarketData } from './backtest';
import { int, money, table } from './format';

const USAGE = 'edgelab main [--out <dir>] [--strategies V1,V4]';
const PRESETS = ['before', 'phase1', 'phase2'];

/**
 * The main job (`npm start`): every preset, on the bundled real trade tape
 * and on months of bundled 5m bars, with a before → phase2 comparison.
 */
export const mainJobCommand: Command = {
  summary: 'Run the plan presets (before, phase1, phase2) on the bundled real data and compare them.',
  usage: USAGE,
  async run(argv) {
    const v = parseFlags(argv, { out: { type: 'string' }, strategies: { type: 'string', default: 'V1,V4' } }, USAGE);
    const outRoot = v.out ?? path.join(packageRoot(), 'reports', 'latest');
    const ids = v.strategies!.split(',').map((s) => s.trim());
    const datasets = [
      { name: 'trades', label: 'Binance USD-M BTCUSDT trades (Tardis sample)', files: [bundledData.trades] },
      { name: 'bars5m', label: 'Binance spot BTC/USDT 5m bars', files: [bundledData.bars5m] },
    ];
    const compare: string[][] = [];
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
      for (const id of ids) {
        const b = results.before.strategies[id].metrics;
        const p = results.phase2.strategies[id].metrics;
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
      '\n== before → phase2 (same data, fees on both legs)\n' +
        table(['data strategy', 'trades before', 'after', 'fees before', 'after', 'edge/trade before', 'after', 'net P&L before', 'after'], compare) +
        `\n\nOutputs (trades.csv, trades.jsonl, summary.json per run) are in ${outRoot}\n`,
    );
    return 0;
  },
};
