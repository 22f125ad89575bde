import * as path from 'node:path';
import type { Command } from './command';
import { numberFlag, parseFlags, required } from './args';
import { UserError } from '../util/errors';
import { edgelabVersion } from '../util/package-root';
import { loadData } from '../data/load';
import { loadMarketData } from '../data/market';
import type { TradeTape } from '../data/tape';
import { runBacktest, type BacktestResult } from '../run/run';
import { writeBacktestOutputs } from '../run/output';
import { loadStrategyModule } from '../strategies/plugins';
import { fixed, int, money, pct, table } from './format';
import { createProgress, perStrategyProgress } from './progress';
import { unitsHelp } from './units-help';

const USAGE =
  'edgelab backtest --data <file> [--data <file> …] --strategies V1,…,V8 --preset before|phase1|phase2|phase3 [--config <json>] [--module <your-strategy.js>] [--execution taker|maker] [--ticks <file>] --out <dir>';

/** A readable per-strategy table of the headline metrics. */
export function formatResultTable(result: BacktestResult, label = ''): string {
  const rows = Object.values(result.strategies).map((r) => {
    const m = r.metrics;
    const b = r.gate.blocked;
    return [
      `${label}${r.id}`,
      int(m.trades),
      fixed(m.tradesPerDay, 1),
      pct(m.winRate),
      m.winRateCI ? `${pct(m.winRateCI[0], 0)}–${pct(m.winRateCI[1], 0)}` : '—',
      fixed(m.riskReward, 2),
      money(m.edgePerTrade),
      m.edgePerTradeCI ? `${money(m.edgePerTradeCI[0])}…${money(m.edgePerTradeCI[1])}` : '—',
      money(m.expectedValue),
      money(m.feesPaid),
      money(m.totalPnl),
      pct(m.maxDrawdown),
      int(b.minute + b.hour + b.day),
      int(r.gate.exitsDelayedByMinHold),
      // The plan's rule alone passes a single lucky trade; say when the CI still includes zero.
      r.edge.ok ? (m.edgePerTradeCI && m.edgePerTradeCI[0] > 0 ? 'EDGE' : 'edge? CI∋0') : 'no edge',
    ];
  });
  return table(
    ['strategy', 'trades', '/day', 'win', 'win 95% CI', 'R:R', 'edge/trade', 'edge 95% CI', 'EV', 'fees', 'net P&L', 'max DD', 'blocked', 'hold-delayed', 'verdict'],
    rows,
  );
}

export const backtestCommand: Command = {
  help: () => unitsHelp(),
  summary: 'Run strategies over a trade tape or OHLCV bars under a preset; write trades.csv, trades.jsonl and summary.json.',
  usage: USAGE,
  async run(argv) {
    const v = parseFlags(
      argv,
      {
        data: { type: 'string', multiple: true },
        strategies: { type: 'string', default: 'V1,V4' },
        preset: { type: 'string', default: 'phase2' },
        config: { type: 'string' },
        ticks: { type: 'string' },
        out: { type: 'string' },
        'max-gap-ms': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        module: { type: 'string', multiple: true },
        execution: { type: 'string' },
      },
      USAGE,
    );
    if (v.execution !== undefined && v.execution !== 'taker' && v.execution !== 'maker') {
      throw new UserError(`--execution must be taker or maker, got '${v.execution}'`);
    }
    for (const m of v.module ?? []) loadStrategyModule(m);
    const files = v.data ?? [];
    if (files.length === 0) throw new UserError(`missing --data\nusage: ${USAGE}`);
    const out = required(v, 'out', USAGE);
    const ids = v.strategies!.split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) throw new UserError('--strategies is empty');
    const maxGap = v['max-gap-ms'] === undefined ? null : numberFlag(v, 'max-gap-ms', 0, { minExclusive: 0, unit: 'ms' });

    const { tape, warnings } = loadMarketData(files, maxGap);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    let ticks: TradeTape | undefined;
    if (v.ticks) {
      const t = loadData(v.ticks).tape;
      if (t.kind !== 'trades') throw new UserError(`--ticks ${v.ticks}: expected a trade tape, got ${t.kind}`);
      ticks = t;
    }
    const big = tape.length >= 1_000_000;
    const progress = big ? createProgress({ quiet: v.quiet, unit: 'rows' }) : null;
    let result: ReturnType<typeof runBacktest>;
    try {
      result = runBacktest(tape, {
        strategies: ids,
        preset: v.preset!,
        config: v.config,
        execution: v.execution as 'taker' | 'maker' | undefined,
        ticks,
        onProgress: progress ? perStrategyProgress(progress, 'backtest') : undefined,
      });
    } finally {
      progress?.stop();
    }
    const written = writeBacktestOutputs(out, result, {
      warnings,
      edgelabVersion: edgelabVersion(),
      createdAt: new Date().toISOString(),
    });
    if (!v.quiet) {
      const d = result.data;
      process.stdout.write(
        `${d.kind} ${path.basename(d.file)}: ${int(d.rows)} rows, ${d.from} → ${d.to}; preset ${result.config.preset}\n\n` +
          formatResultTable(result) +
          `\n\nwrote ${written.map((f) => path.join(out, f)).join(', ')}\n`,
      );
    }
    return 0;
  },
};
