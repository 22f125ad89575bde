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
import { parseNow } from './report-args';
import type { MarketTape, TradeTape } from '../data/tape';
import { readTradeLogs } from '../data/readers/trade-log';
import { defaultReportDate } from '../analytics/edge-validation';
import { buildDaily, writeDailyReport, PLAN_PER_DAY_LIMIT } from '../report/daily';
import { judgePhases, runPhaseEvidence } from '../report/phases';
import { writePhasesReport } from '../report/phases-page';
import type { PhaseStep } from '../research/phase-impact';

const USAGE = 'edgelab main [--out <dir>] [--reports <dir>] [--now <iso>] [--strategies V1,…,V8]';
const PRESETS = ['before', 'phase1', 'phase2', 'phase3'];

/**
 * The main job (`npm start`): every preset, on the bundled real trade tape
 * and on months of bundled 5m bars, with a before → phase2 comparison.
 */
export const mainJobCommand: Command = {
  summary: 'Run the plan presets (before, phase1, phase2) on the bundled real data and compare them.',
  usage: USAGE,
  async run(argv) {
    const v = parseFlags(argv, { out: { type: 'string' }, reports: { type: 'string' }, now: { type: 'string' }, strategies: { type: 'string', default: 'V1,V2,V3,V4,V5,V6,V7,V8' } }, USAGE);
    const now = parseNow(v.now);
    const outRoot = v.out ?? path.join(packageRoot(), 'reports', 'latest');
    const ids = v.strategies!.split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) throw new UserError(`--strategies is empty, got '${v.strategies}'`);
    // Resolve once before any data is read, so a bad id fails fast and writes nothing.
    for (const preset of PRESETS) resolveRunConfig({ preset, strategies: ids });
    const datasets = [
      { name: 'trades', label: 'Binance USD-M BTCUSDT trades (Tardis sample)', files: [bundledData.trades] },
      { name: 'bars5m', label: 'Binance spot BTC/USDT 5m bars', files: [bundledData.bars5m] },
    ];
    const kept: Record<string, { tape: MarketTape; results: Record<string, BacktestResult> }> = {};
    const compare: string[][] = [];
    const gate: string[][] = [];
    for (const ds of datasets) {
      const { tape, warnings } = loadMarketData(ds.files);
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      const results: Record<string, BacktestResult> = {};
      kept[ds.name] = { tape, results };
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
    writeReports(v.reports ?? path.join(packageRoot(), 'reports'), outRoot, kept, ids, now);
    return 0;
  },
};

/**
 * The main job ends with the morning pages: the daily edge validation of its
 * own phase3 backtest on the 5m bars (read back from the folder it just
 * wrote, as a trader's log would be) and the phase checklist judged on the
 * same runs (no second backtest), the maker criteria on the trade tape.
 */
function writeReports(dir: string, outRoot: string, kept: Record<string, { tape: MarketTape; results: Record<string, BacktestResult> }>, ids: string[], now: Date): void {
  const bars = kept.bars5m;
  const meta = { generatedAt: now.toISOString(), version: edgelabVersion() };
  const set = readTradeLogs([path.join(outRoot, 'bars5m-phase3')]);
  const p3 = bars.results.phase3.config;
  const limit = p3.strategies[ids[0]]?.rules.limits?.perDay ?? PLAN_PER_DAY_LIMIT;
  const daily = buildDaily(set, { date: defaultReportDate(set.trades), capital: p3.engine.initialCapital, perDayLimit: limit });
  const d = writeDailyReport(dir, daily, { ...meta, standalone: false });
  const ev = runPhaseEvidence(bars.tape, {
    file: path.basename(bundledData.bars5m),
    strategies: ids,
    runs: bars.results as Record<PhaseStep, BacktestResult>,
    tradeTape: { tape: kept.trades.tape as TradeTape, file: path.basename(bundledData.trades) },
  });
  const phases = judgePhases(ev, now.toISOString().slice(0, 10));
  const ph = writePhasesReport(dir, phases, meta);
  process.stdout.write(`\n== Reports (open offline; index: ${d.index})\n   daily report (${daily.date}, phase3 on the 5m bars): ${d.html}\n   phase checklist (${phases.summary}): ${ph.html}\n`);
}
