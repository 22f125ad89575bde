import * as path from 'node:path';
import type { Command } from './command';
import { parseFlags, required } from './args';
import { UserError } from '../util/errors';
import { parseDate, parseNow } from './report-args';
import { edgelabVersion, packageRoot } from '../util/package-root';
import { loadMarketData } from '../data/market';
import { loadData } from '../data/load';
import type { TradeTape } from '../data/tape';
import { judgePhases, runPhaseEvidence, type PhasesResult } from '../report/phases';
import { readPhaseEvidence } from '../report/phases-from';
import { writePhasesReport } from '../report/phases-page';

const USAGE_DAILY = 'edgelab report daily --from <path>… [--data <market file>] [--config <json>] [--preset phase3] [--date YYYY-MM-DD] [--now <iso>] [--standalone] --out <dir>';
const USAGE_PHASES = 'edgelab report phases (--from <dir>… | --data <market file> [--book <trade tape or capture>]) [--strategies V1,…] [--now <iso>] --out <dir>';
const USAGE = `${USAGE_DAILY}\n       ${USAGE_PHASES}`;

/** Phases from the bundled or given market data (runs what it needs). */
export function phasesFromData(opts: { data: string[]; book?: string; strategies?: string[]; date: string; quiet?: boolean }): PhasesResult {
  const { tape, warnings } = loadMarketData(opts.data);
  if (!opts.quiet) for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  let tradeTape: { tape: TradeTape; file: string } | undefined;
  if (opts.book) {
    const t = loadData(opts.book).tape;
    if (t.kind !== 'trades') throw new UserError(`--book ${opts.book}: expected a trade tape or a capture with trades, got ${t.kind}`);
    tradeTape = { tape: t as TradeTape, file: path.basename(opts.book) };
  }
  const ev = runPhaseEvidence(tape, { file: opts.data.map((f) => path.basename(f)).join('+'), strategies: opts.strategies, tradeTape, onStep: opts.quiet ? undefined : (s) => process.stderr.write(`report phases: running ${s}…\n`) });
  return judgePhases(ev, opts.date);
}

export const reportCommand: Command = {
  summary: 'HTML reports: `daily` (edge validation of trade logs, with live-vs-backtest reconciliation) and `phases` (the plan’s success criteria).',
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'phases') {
      const v = parseFlags(
        rest,
        { from: { type: 'string', multiple: true }, data: { type: 'string', multiple: true }, book: { type: 'string' }, strategies: { type: 'string' }, date: { type: 'string' }, now: { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean', default: false } },
        USAGE_PHASES,
      );
      const out = required(v, 'out', USAGE_PHASES);
      const now = parseNow(v.now);
      const date = parseDate(v.date) ?? now.toISOString().slice(0, 10);
      const from = v.from ?? [];
      const data = v.data ?? [];
      if (!from.length === !data.length) throw new UserError(`give either --from or --data\nusage: ${USAGE_PHASES}`);
      const strategies = v.strategies?.split(',').map((s) => s.trim()).filter(Boolean);
      const res = from.length ? judgePhases(readPhaseEvidence(from), date) : phasesFromData({ data, book: v.book, strategies, date, quiet: v.quiet });
      const files = writePhasesReport(out, res, { generatedAt: now.toISOString(), version: edgelabVersion() });
      process.stdout.write(`${res.summary}\nphase checklist: ${files.html}\n          json: ${files.json}\n         index: ${files.index}\n`);
      return 0;
    }
    if (sub === 'daily') {
      const { runDaily } = require('./report-daily') as typeof import('./report-daily');
      return runDaily(rest, USAGE_DAILY);
    }
    throw new UserError(`report: expected 'daily' or 'phases'${sub ? `, got '${sub}'` : ''}\nusage: ${USAGE}`);
  },
};

export const DEFAULT_REPORTS_DIR = () => path.join(packageRoot(), 'reports');
