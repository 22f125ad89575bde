import * as path from 'node:path';
import type { Command } from './command';
import { numberFlag, parseFlags, required } from './args';
import { UserError } from '../util/errors';
import { checkNumberText } from '../core/param-check';
import { edgelabVersion } from '../util/package-root';
import { writeOutputsAtomic } from '../util/atomic-write';
import { toJsonDocument } from '../util/json';
import { toCsv } from '../util/csv';
import { parseDuration } from './duration';
import { createProgress, perStrategyProgress } from './progress';
import { loadData } from '../data/load';
import type { TradeTape } from '../data/tape';
import { LEDGER_COLUMNS } from '../core/ledger';
import { DEFAULT_DRIFT_BAND, type PortfolioTrade } from '../backtest/portfolio';
import { ALLOCATION_SPEC, PLAN_CAPITAL, runPortfolio, type PortfolioResult } from '../run/portfolio';
import { PLAN_STRATEGY_IDS } from '../strategies/registry';
import { loadMarketData } from '../data/market';
import { fixed, int, money, pct, table } from './format';
import { unitsHelp } from './units-help';


/**
 * Parse `V3=15,V4=15,V6=20` (percentages) into an object. Every malformed
 * item is a UserError naming it; checks against the strategy set are in
 * {@link resolveAllocations}.
 */
export function parseAllocations(spec: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const m = /^([^=\s]+)\s*=\s*(.*)$/.exec(item);
    if (!m) throw new UserError(`--allocations: '${item}' is not ID=PERCENT (e.g. V3=15)`);
    const [, id, val] = m;
    const num = checkNumberText(val.trim().replace(/%$/, ''), ALLOCATION_SPEC, `--allocations ${id}`);
    if (id in out) throw new UserError(`--allocations: ${id} is given twice`);
    out[id] = num;
  }
  if (Object.keys(out).length === 0) throw new UserError('--allocations is empty (expected e.g. V3=15,V4=15,V6=20,V8=30)');
  return out;
}

const USAGE =
  'edgelab portfolio --data <file> [--strategies V1,…,V8] [--allocations V3=15,V4=15,V6=20,V8=30] [--preset phase3] [--config <json>] ' +
  '[--drift-band 0.10] [--rebalance-every 1d] [--capital 80] [--ticks <file>] --out <dir>\n\n' +
  '  --allocations   percentages of the capital. Strategies not listed share what is left equally\n' +
  "                  (the plan's V3=15,V4=15,V6=20,V8=30 leaves 5% each to V1,V2,V5,V7). They are not\n" +
  '                  normalised: a total above 100, or one that leaves nothing or leftover with nowhere\n' +
  '                  to go, is an error. Default: equal weights.\n' +
  '  --drift-band    rebalance when any |weight − target| / target exceeds this (default 0.10)\n' +
  '  --rebalance-every  check interval with its unit: 1d, 12h, 30m (anchored at 00:00 UTC), or never (default 1d)\n' +
  "  --capital       the pool's capital (default the plan's $80); the config's per-strategy initialCapital is not used\n" +
  '  --config        overrides on the preset (rules and parameters); each trade uses its sleeve\'s whole value\n\n' +
  'writes portfolio.json, equity.csv, rebalances.csv and trades.csv into --out, atomically together.';

const csv = toCsv;

const TRADE_COLUMNS: readonly (keyof PortfolioTrade)[] = [...LEDGER_COLUMNS.slice(0, 9), 'notional', ...LEDGER_COLUMNS.slice(9)];

export function equityCsv(res: PortfolioResult): string {
  const e = res.portfolio.equity;
  const ids = res.correlations.ids;
  return csv(
    ['timestamp', 'iso', 'event', 'equity', ...ids],
    e.time.map((t, k) => [t, new Date(t).toISOString(), e.event[k], e.equity[k], ...ids.map((id) => e.sleeves[id][k])]),
  );
}

export function rebalancesCsv(res: PortfolioResult): string {
  const ids = res.correlations.ids;
  return csv(
    ['timestamp', 'iso', 'trigger', 'strategy', 'drift', 'drifted', 'moved', 'limitedByOpenPositions', 'equity', ...ids.map((id) => `before_${id}`), ...ids.map((id) => `after_${id}`)],
    res.portfolio.rebalances.map((r) => [
      r.time,
      r.iso,
      r.trigger,
      r.strategy,
      r.drift,
      r.drifted.map((d) => `${d.id}:${d.drift.toFixed(6)}`).join(' '),
      r.moved,
      r.limitedByOpenPositions,
      r.equity,
      ...ids.map((id) => r.weightsBefore[id]),
      ...ids.map((id) => r.weightsAfter[id]),
    ]),
  );
}

export function tradesCsv(res: PortfolioResult): string {
  const rows = [...res.portfolio.trades].sort((a, b) => a.entryTime - b.entryTime || a.strategy.localeCompare(b.strategy));
  return csv([...TRADE_COLUMNS], rows.map((r) => TRADE_COLUMNS.map((c) => r[c])));
}

/** The JSON artifact: summary, per-strategy table, correlations, diversification ratio, the rebalance log. */
export function portfolioJson(res: PortfolioResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const p = res.portfolio;
  const ids = res.correlations.ids;
  const corr: number[] = [];
  ids.forEach((_, i) => ids.forEach((__, j) => j > i && res.correlations.matrix[i][j] !== null && corr.push(res.correlations.matrix[i][j]!)));
  return {
    summary: {
      capital: p.capital,
      finalEquity: p.finalEquity,
      totalReturn: p.totalReturn,
      sharpe: p.sharpe,
      sharpeBasis: 'daily, annualised √365 (24/7)',
      days: p.daily.returns.length,
      maxDrawdown: p.maxDrawdown,
      maxDrawdownAbs: p.maxDrawdownAbs,
      trades: p.trades.length,
      rebalances: p.rebalances.length,
      rebalanceChecks: p.checks.length,
      rebalancesLimitedByOpenPositions: p.rebalances.filter((r) => r.limitedByOpenPositions).length,
      diversificationRatio: res.diversificationRatio,
      meanPairwiseCorrelation: corr.length ? corr.reduce((a, b) => a + b, 0) / corr.length : null,
      from: new Date(p.fromMs).toISOString(),
      to: new Date(p.toMs).toISOString(),
    },
    settings: res.settings,
    strategies: ids.map((id) => ({ ...p.sleeves[id], alone: res.alone[id] })),
    correlations: res.correlations,
    diversificationRatio: res.diversificationRatio,
    rebalances: p.rebalances,
    data: res.data,
    config: res.config,
    ...extra,
  };
}

export function formatPortfolio(res: PortfolioResult): string {
  const p = res.portfolio;
  const ids = res.correlations.ids;
  const rows = ids.map((id) => {
    const s = p.sleeves[id];
    const a = res.alone[id];
    return [id, pct(s.targetWeight), pct(s.finalWeight), int(s.trades), money(s.pnl), pct(s.contribution, 2), money(s.transfersIn), money(s.finalValue), pct(a.totalReturn), fixed(a.sharpe, 2), pct(a.maxDrawdown)];
  });
  rows.push(['PORTFOLIO', '100.0%', '100.0%', int(p.trades.length), money(p.finalEquity - p.capital), pct(p.totalReturn, 2), '', money(p.finalEquity), pct(p.totalReturn), fixed(p.sharpe, 2), pct(p.maxDrawdown)]);
  const main = table(['strategy', 'target', 'final w', 'trades', 'P&L', 'contrib', 'transfers', 'final', 'return', 'Sharpe', 'max DD'], rows);
  const corr = table(
    ['corr', ...ids],
    ids.map((id, i) => [id, ...ids.map((_, j) => fixed(res.correlations.matrix[i][j], 2))]),
  );
  const every = res.settings.rebalanceEveryMs;
  const limited = p.rebalances.filter((r) => r.limitedByOpenPositions).length;
  return [
    `portfolio $${res.settings.capital} → ${money(p.finalEquity)} (${pct(p.totalReturn, 2)}); Sharpe ${fixed(p.sharpe, 2)} (daily, √365); max drawdown ${pct(p.maxDrawdown)}; ` +
      `diversification ratio ${fixed(res.diversificationRatio, 2)}`,
    `rebalances: ${p.rebalances.length} of ${p.checks.length} checks (every ${Number.isFinite(every) ? `${every / 3_600_000} h` : 'never'}, drift band ${pct(res.settings.driftBand)})` +
      (limited ? `, ${limited} limited by open positions` : ''),
    '',
    'return / Sharpe / max DD on the right: the strategy alone with the whole capital (PORTFOLIO: the portfolio)',
    main,
    '',
    'correlation of daily sleeve returns',
    corr,
  ].join('\n');
}

export const portfolioCommand: Command = {
  help: () => unitsHelp(),
  summary: "Run strategies as one portfolio (the plan's Phase 5): sleeves with target allocations, drift-band rebalancing, diversification statistics.",
  usage: USAGE,
  async run(argv) {
    const v = parseFlags(
      argv,
      {
        data: { type: 'string', multiple: true },
        strategies: { type: 'string' },
        allocations: { type: 'string' },
        preset: { type: 'string', default: 'phase3' },
        config: { type: 'string' },
        'drift-band': { type: 'string' },
        'rebalance-every': { type: 'string' },
        capital: { type: 'string' },
        ticks: { type: 'string' },
        out: { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
      USAGE,
    );
    const files = v.data ?? [];
    if (files.length === 0) throw new UserError(`missing --data\nusage: ${USAGE}`);
    const out = required(v, 'out', USAGE);
    const ids = (v.strategies ?? PLAN_STRATEGY_IDS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) throw new UserError('--strategies is empty');
    const allocations = v.allocations === undefined ? undefined : parseAllocations(v.allocations);
    const driftBand = numberFlag(v, 'drift-band', DEFAULT_DRIFT_BAND, { min: 0, unit: '× target weight' });
    const capital = numberFlag(v, 'capital', PLAN_CAPITAL, { minExclusive: 0, unit: 'quote currency' });
    const every = v['rebalance-every'] === undefined ? undefined : parseDuration(v['rebalance-every'], '--rebalance-every', { allowNever: true });

    const { tape, warnings } = loadMarketData(files);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    let ticks: TradeTape | undefined;
    if (v.ticks) {
      const t = loadData(v.ticks).tape;
      if (t.kind !== 'trades') throw new UserError(`--ticks ${v.ticks}: expected a trade tape, got ${t.kind}`);
      ticks = t;
    }
    // Same threshold as `backtest`: below a million rows a run takes seconds and a bar is noise.
    const progress = tape.length >= 1_000_000 ? createProgress({ quiet: v.quiet, unit: 'rows' }) : null;
    let res: PortfolioResult;
    try {
      res = runPortfolio(tape, {
        strategies: ids,
        allocations,
        preset: v.preset,
        config: v.config,
        capital,
        driftBand,
        rebalanceEveryMs: every,
        ticks,
        onProgress: progress ? perStrategyProgress(progress, 'portfolio') : undefined,
      });
    } finally {
      progress?.stop();
    }
    const json = portfolioJson(res, { warnings, edgelabVersion: edgelabVersion(), createdAt: new Date().toISOString() });
    const files_ = {
      'portfolio.json': toJsonDocument(json),
      'equity.csv': equityCsv(res),
      'rebalances.csv': rebalancesCsv(res),
      'trades.csv': tradesCsv(res),
    };
    writeOutputsAtomic(out, files_);
    if (!v.quiet) {
      const d = res.data;
      process.stdout.write(
        `${d.kind} ${path.basename(d.file)}: ${int(d.rows)} rows, ${d.from} → ${d.to}; preset ${res.config.preset}\n\n` +
          formatPortfolio(res) +
          `\n\nwrote ${Object.keys(files_).map((f) => path.join(out, f)).join(', ')}\n`,
      );
    }
    return 0;
  },
};
