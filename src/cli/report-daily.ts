import * as path from 'node:path';
import { parseFlags, required } from './args';
import { parseDate, parseNow } from './report-args';
import { loadMarketData } from '../data/market';
import { readTradeLogs } from '../data/readers/trade-log';
import { defaultReportDate } from '../analytics/edge-validation';
import { describeTape } from '../data/tape';
import { resolveRunConfig } from '../config/run-config';
import { getStrategy } from '../strategies/registry';
import { edgelabVersion } from '../util/package-root';
import { buildDaily, writeDailyReport, PLAN_PER_DAY_LIMIT, type DailyOptions } from '../report/daily';
import { reconcile } from '../report/reconciliation';
import { utc } from '../report/format';
import { UserError } from '../util/errors';

function known(id: string): boolean {
  try {
    getStrategy(id);
    return true;
  } catch {
    return false;
  }
}

export async function runDaily(argv: string[], usage: string): Promise<number> {
  const v = parseFlags(
    argv,
    { from: { type: 'string', multiple: true }, data: { type: 'string', multiple: true }, config: { type: 'string' }, preset: { type: 'string', default: 'phase3' }, date: { type: 'string' }, now: { type: 'string' }, standalone: { type: 'boolean', default: false }, out: { type: 'string' }, quiet: { type: 'boolean', default: false } },
    usage,
  );
  const out = required(v, 'out', usage);
  const from = v.from ?? [];
  if (!from.length) throw new UserError(`missing --from (a trade log, a freqtrade export or an edgelab output folder)\nusage: ${usage}`);
  const now = parseNow(v.now);
  const set = readTradeLogs(from);
  const date = parseDate(v.date) ?? defaultReportDate(set.trades);
  const ids = [...new Set(set.trades.map((t) => t.strategy))].filter(known);
  // Capital and limits from the strategies' configuration when edgelab knows them.
  // Resolved even when no strategy is known, so a bad --preset or --config is refused, not ignored.
  const resolved = resolveRunConfig({ preset: v.preset!, strategies: ids, overrides: v.config });
  const cfg = ids.length ? resolved : null;
  const capital = cfg?.engine.initialCapital ?? 10;
  const perDay = cfg ? [...new Set(ids.map((id) => cfg.strategies[id].rules.limits?.perDay ?? null))] : [];
  const opts: DailyOptions = { date, capital, perDayLimit: perDay.length === 1 && perDay[0] !== null ? perDay[0] : PLAN_PER_DAY_LIMIT };
  if (v.data?.length) {
    const { tape } = loadMarketData(v.data);
    const d = describeTape(tape);
    const first = Math.min(...set.trades.map((t) => t.entryTime));
    const last = Math.max(...set.trades.map((t) => t.exitTime));
    opts.marketData = `${v.data.map((f) => path.basename(f)).join(' + ')} (${d.kind}, ${d.from} → ${d.to})`;
    if (d.fromMs === null || d.toMs === null || last < d.fromMs || first > d.toMs) {
      opts.reconciliationNote = `The market data ${opts.marketData} does not cover the log (${utc(first)} → ${utc(last)}): no reconciliation.`;
    } else opts.reconciliation = reconcile(tape, set.trades, { preset: v.preset, config: v.config });
  }
  const rep = buildDaily(set, opts);
  const files = writeDailyReport(out, rep, { generatedAt: now.toISOString(), version: edgelabVersion(), standalone: !!v.standalone });
  if (!v.quiet) {
    for (const w of set.warnings) process.stderr.write(`warning: ${w}\n`);
  }
  process.stdout.write(`daily report: ${files.html}\n        json: ${files.json}\n       index: ${files.index}\n`);
  return 0;
}
