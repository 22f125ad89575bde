/**
 * `edgelab validate --from <path>…` — the terminal twin of the plan's
 * validate_edge.py ("run this every day"): per strategy, the plan's figures
 * with their 95% intervals, the plan's status and the interval-based verdict.
 * Exit code 0 when at least one strategy has a significant positive edge, 1
 * when none has, 2 on bad input — so a cron job can alert.
 */
import type { Command } from './command';
import { numberFlag, parseFlags } from './args';
import { UserError } from '../util/errors';
import { readTradeLogs, type TradeLogSet } from '../data/readers/trade-log';
import { defaultReportDate, validateEdge, type StrategyValidation, type WindowMetrics } from '../analytics/edge-validation';
import { defaultEngine, ENGINE_SPECS, RULE_SPECS } from '../config/run-config';
import { fixed, int, money, pct, table } from './format';
import { toJsonDocument } from '../util/json';

const USAGE =
  'edgelab validate --from <trade log | output folder> [--from …] [--date YYYY-MM-DD] [--capital <quote>] [--limit-per-day <n>] [--json]';

const HELP = [
  '',
  '  --from           a trade log, detected from its content: the live bot\'s CSV or JSON Lines log, a freqtrade',
  '                   backtest export (.json or .zip) or tradesv3.sqlite (read from an in-memory copy), an edgelab',
  '                   output folder (backtest, portfolio, calibrate), or a folder of log files; repeatable',
  '  --date           the report day (UTC) for the day / 7d / 30d windows; default the day of the last exit',
  '  --capital        quote capital per strategy for drawdown % (default the presets\' $10)',
  '  --limit-per-day  count the days a strategy traded more often than this',
  '  --json           print every figure as JSON instead of the tables',
  '',
  'exit code: 0 when at least one strategy has a significant positive edge (its 95% interval of net',
  'edge per trade is above zero), 1 when none has, 2 on bad input (the message names file and line).',
  'Trade-log formats: README "Trade logs".',
].join('\n');

function ci(x: [number, number] | null, f: (v: number) => string): string {
  return x ? `${f(x[0])}…${f(x[1])}` : '—';
}

function drawdown(w: WindowMetrics): string {
  if (w.trades === 0) return '—';
  return `${money(w.maxDrawdown)} (${w.ruined ? 'ruined' : `${w.maxDrawdownPct.toFixed(1)}%`})`;
}

/** The validation table of the `all` window, one row per strategy. */
export function formatValidationTable(v: Record<string, StrategyValidation>): string {
  const rows = Object.values(v).map((s) => {
    const w = s.windows.all;
    return [
      s.strategy,
      int(w.trades),
      pct(w.winRate),
      ci(w.winRateCi, (x) => pct(x, 0)),
      w.riskReward === null ? '—' : `${w.riskReward.toFixed(2)}:1`,
      money(w.edgePerTrade),
      ci(w.edgeCi, money),
      money(w.expectedValue),
      money(w.feesPaid),
      money(w.totalPnl),
      drawdown(w),
      fixed(w.psr, 2),
      w.statusReason,
      s.verdict,
      s.tradesNeededForSignificance === null ? '—' : int(s.tradesNeededForSignificance),
    ];
  });
  return table(
    ['strategy', 'trades', 'win', 'win 95% CI', 'R:R', 'edge/trade', 'edge 95% CI', 'EV', 'fees', 'net P&L', 'max DD', 'PSR', 'status (plan)', 'verdict', 'more trades needed'],
    rows,
    1,
  );
}

/** day / 7d / 30d at a glance: trades, edge per trade with its interval, the plan's status. */
export function formatRecentTable(v: Record<string, StrategyValidation>): string {
  const cell = (w: WindowMetrics) => (w.trades === 0 ? ['0', '—', '—'] : [int(w.trades), money(w.edgePerTrade), ci(w.edgeCi, money)]);
  const rows = Object.values(v).map((s) => [s.strategy, ...cell(s.windows.day), ...cell(s.windows['7d']), ...cell(s.windows['30d'])]);
  return table(['strategy', 'day', 'edge', '95% CI', '7d', 'edge', '95% CI', '30d', 'edge', '95% CI'], rows, 1);
}

/** Per-symbol rows (all trades) for the strategies that traded more than one symbol; '' when none did. */
export function formatPerSymbolTable(v: Record<string, StrategyValidation>): string {
  const rows: string[][] = [];
  for (const s of Object.values(v)) {
    for (const [sym, w] of Object.entries(s.perSymbol ?? {})) {
      rows.push([s.strategy, sym, int(w.trades), pct(w.winRate), money(w.edgePerTrade), ci(w.edgeCi, money), money(w.feesPaid), money(w.totalPnl)]);
    }
  }
  return rows.length ? table(['strategy', 'symbol', 'trades', 'win', 'edge/trade', 'edge 95% CI', 'fees', 'net P&L'], rows, 2) : '';
}

function formatSources(set: TradeLogSet): string {
  return table(
    ['source', 'format', 'trades', 'open', 'sha256'],
    set.sources.map((s) => [s.file, s.format, int(s.trades), int(s.open), s.sha256.slice(0, 16) + '…']),
    2,
  );
}

export const validateCommand: Command = {
  summary: "Validate each strategy's edge from trade logs (live bot CSV/JSONL, freqtrade, edgelab outputs); exit 0 if one has a significant positive edge, 1 if none.",
  usage: USAGE + '\n' + HELP,
  async run(argv) {
    const v = parseFlags(
      argv,
      {
        from: { type: 'string', multiple: true },
        date: { type: 'string' },
        capital: { type: 'string' },
        'limit-per-day': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      USAGE,
    );
    const paths = v.from ?? [];
    if (!paths.length) throw new UserError(`missing --from\nusage: ${USAGE}`);
    const capital = numberFlag(v, 'capital', defaultEngine().initialCapital, ENGINE_SPECS.initialCapital);
    const perDay = v['limit-per-day'] === undefined ? undefined : numberFlag(v, 'limit-per-day', 0, { ...RULE_SPECS.maxTradesPerDay, nullable: false });

    const set = readTradeLogs(paths);
    const date = v.date ?? (set.trades.length ? defaultReportDate(set.trades) : null);
    if (date === null) throw new UserError(`${paths.join(', ')}: no closed trades to validate (${set.open.length} open)`);
    const result = validateEdge(set.trades, { date, capital, limits: perDay === undefined ? undefined : { perDay } });
    const significant = Object.values(result).filter((s) => s.significant).map((s) => s.strategy);

    if (v.json) {
      const json = { date, capital, sources: set.sources, open: set.open, mismatches: set.mismatches, warnings: set.warnings, strategies: result };
      process.stdout.write(toJsonDocument(json));
      return significant.length ? 0 : 1;
    }
    const out: string[] = [];
    out.push('='.repeat(60), `DAILY EDGE VALIDATION — ${date} (UTC)`, '='.repeat(60), '');
    out.push(formatSources(set), '');
    for (const w of set.warnings) out.push(`warning: ${w}`);
    if (set.warnings.length) out.push('');
    out.push(`all trades (net of fees; capital ${money(capital)} per strategy for drawdown):`, formatValidationTable(result), '');
    out.push(`${date}, the 7 and 30 days ending with it:`, formatRecentTable(result), '');
    const bySymbol = formatPerSymbolTable(result);
    if (bySymbol) out.push('per symbol (all trades):', bySymbol, '');
    if (set.open.length) {
      out.push(`${set.open.length} open trade(s), not counted: ${set.open.map((o) => `${o.strategy} ${o.side} ${o.symbol ?? ''} @ ${o.entryPrice} since ${new Date(o.entryTime).toISOString()}`).join('; ')}`);
    }
    if (set.mismatches.length) {
      out.push(`${set.mismatches.length} P&L mismatch(es) between the recomputed and the log's own figure:`);
      for (const m of set.mismatches.slice(0, 10)) {
        out.push(`  ${m.file}:${m.line} ${m.strategy}: recomputed ${money(m.recomputed)} vs reported ${money(m.reported)} (${m.basis}; Δ ${m.difference.toExponential(3)})`);
      }
      if (set.mismatches.length > 10) out.push(`  … and ${set.mismatches.length - 10} more (--json lists them all)`);
    }
    out.push(
      significant.length
        ? `✓ significant positive edge: ${significant.join(', ')} (exit 0)`
        : `✗ no strategy has a significant positive edge (exit 1)`,
    );
    process.stdout.write(out.join('\n') + '\n');
    return significant.length ? 0 : 1;
  },
};
