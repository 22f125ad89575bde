/**
 * The daily report: the plan's validate_edge per strategy over the day, 7 d,
 * 30 d and everything (src/analytics/edge-validation.ts — the numbers), the
 * charts, and (with market data) the live-vs-backtest reconciliation. This
 * file turns those into the JSON contract and a view model of strings.
 */
import type { TradeLogSet, TradeLogTrade } from '../data/readers/trade-log/types';
import { EDGE_WINDOWS, validateEdge, type StrategyValidation, type WindowMetrics } from '../analytics/edge-validation';
import { bps, int, interval, money, num, pct, stableJson, utc } from './format';
import { chartView, plotlyTag, renderTemplate, writeReport, type ChartView } from './render';
import {
  dailyBuckets,
  dailyPnlFigure,
  equityFigure,
  equityFromTrades,
  rHistogramFigure,
  rMultiples,
  rollingWinRate,
  rollingWinRateFigure,
  tradesPerDayFigure,
  underwaterFigure,
} from './charts';
import type { ReconcileResult, StrategyReconciliation } from './reconciliation';

export interface DailyOptions {
  date: string;
  capital: number;
  /** Per-strategy daily trade limit the page compares against (the plan's 50/day). */
  perDayLimit: number | null;
  reconciliation?: ReconcileResult;
  /** What the reconciliation replayed against, for the page. */
  marketData?: string;
  /** Why there is no reconciliation (no --data, data not covering the log…). */
  reconciliationNote?: string;
}

export interface DailyReport {
  date: string;
  set: TradeLogSet;
  validation: Record<string, StrategyValidation>;
  opts: DailyOptions;
}

/** Plan's frequency limit (ACTION_PLAN 1.1: MAX_TRADES_PER_DAY = 50). */
export const PLAN_PER_DAY_LIMIT = 50;
/** Rolling win-rate window in trades. */
export const ROLLING_WINDOW = 50;
/** Shortest rolling window drawn: below 10 trades a rolling rate is noise. */
export const MIN_ROLLING = 10;

export function buildDaily(set: TradeLogSet, opts: DailyOptions): DailyReport {
  const validation = validateEdge(set.trades, { date: opts.date, capital: opts.capital, ...(opts.perDayLimit !== null ? { limits: { perDay: opts.perDayLimit } } : {}) });
  return { date: opts.date, set, validation, opts };
}

const WINDOW_FIELDS = ['trades', 'winRate', 'winRateCi', 'avgWin', 'avgLoss', 'riskReward', 'totalPnl', 'edgePerTrade', 'edgeCi', 'expectedValue', 'feesPaid', 'tradesPerDay', 'sharpe', 'psr', 'maxDrawdown', 'maxDrawdownPct'] as const;

function reconciliationSummary(r: StrategyReconciliation) {
  return {
    trades: r.trades,
    matched: r.matched,
    notCovered: r.notCovered,
    entrySlippageBpsMean: r.entrySlippageBpsMean,
    exitSlippageBpsMean: r.exitSlippageBpsMean,
    exitReasonAgreement: r.exitReasonAgreement,
    exitReasonsCompared: r.exitReasonsCompared,
    exitedDifferently: r.exitedDifferently,
    feeDriftTotal: r.feeDriftTotal,
    feeDriftPerTrade: r.feeDriftPerTrade,
    liveEdgePerTrade: r.liveEdgePerTrade,
    replayEdgePerTrade: r.replayEdgePerTrade,
    differenceCi: r.differenceCi,
    notes: r.notes,
    perTrade: r.perTrade,
  };
}

export function summaryLine(rep: DailyReport): string {
  const ids = Object.keys(rep.validation);
  const sig = ids.filter((id) => rep.validation[id].significant).length;
  const total = ids.reduce((s, id) => s + rep.validation[id].windows.all.trades, 0);
  return `${ids.length} ${ids.length === 1 ? 'strategy' : 'strategies'}, ${int(total)} trades; ${sig} with a significant positive edge`;
}

/** The JSON contract of issue 9 (the contract's fields first; the rest adds detail, never renames). */
export function dailyJson(rep: DailyReport, meta: { generatedAt: string; version: string }): string {
  const strategies: Record<string, unknown> = {};
  for (const [id, v] of Object.entries(rep.validation)) {
    const windows: Record<string, unknown> = {};
    for (const w of EDGE_WINDOWS) {
      const m = v.windows[w];
      const contract = Object.fromEntries(WINDOW_FIELDS.map((k) => [k, m[k]]));
      windows[w] = { ...contract, ...m };
    }
    const rec = rep.opts.reconciliation?.[id];
    strategies[id] = {
      windows,
      verdict: v.verdict,
      tradesNeededForSignificance: v.tradesNeededForSignificance,
      significant: v.significant,
      symbols: v.symbols,
      ...(v.perSymbol ? { perSymbol: v.perSymbol } : {}),
      ...(rec ? ('skipped' in rec ? { reconciliationSkipped: rec.skipped } : { reconciliation: reconciliationSummary(rec) }) : {}),
    };
  }
  return stableJson({
    date: rep.date,
    generatedAt: meta.generatedAt,
    edgelabVersion: meta.version,
    summary: summaryLine(rep),
    sources: rep.set.sources.map((s) => ({ file: s.file, format: s.format, trades: s.trades, open: s.open, sha256: s.sha256 })),
    settings: { capital: rep.opts.capital, perDayLimit: rep.opts.perDayLimit, marketData: rep.opts.marketData ?? null },
    strategies,
    open: rep.set.open,
    mismatches: rep.set.mismatches,
    warnings: rep.set.warnings,
  });
}

const cell = (text: string, cls = 'num') => ({ text, cls });

function windowTable(v: StrategyValidation, perDayLimit: number | null) {
  const W = EDGE_WINDOWS.map((w) => v.windows[w]);
  const row = (label: string, f: (m: WindowMetrics) => string) => ({ cls: '', cells: [cell(label, ''), ...W.map((m) => cell(f(m)))] });
  return {
    id: `windows-${v.strategy}`,
    caption: 'Intervals are 95%: Wilson for the win rate, Student-t for edge per trade. Fees are in every P&L figure.',
    columns: [{ label: '' }, ...EDGE_WINDOWS.map((w) => ({ label: w === 'day' ? 'day' : w, num: true }))],
    rows: [
      row('trades', (m) => int(m.trades)),
      row('win rate', (m) => pct(m.winRate)),
      row('  95% interval', (m) => interval(m.winRateCi, (x) => pct(x))),
      row('avg win', (m) => money(m.avgWin)),
      row('avg loss', (m) => money(m.avgLoss)),
      row('R:R', (m) => (m.riskReward === null ? '—' : `${num(m.riskReward, 2)}:1`)),
      row('total net P&L', (m) => money(m.totalPnl)),
      row('edge / trade', (m) => money(m.edgePerTrade)),
      row('  95% interval', (m) => interval(m.edgeCi, (x) => money(x))),
      row('expected value', (m) => money(m.expectedValue)),
      row('fees paid', (m) => money(m.feesPaid)),
      row(`trades / day${perDayLimit !== null ? ` (limit ${perDayLimit})` : ''}`, (m) => num(m.tradesPerDay, 1)),
      row('busiest day', (m) => int(m.busiestDayTrades)),
      row('days over the limit', (m) => (m.daysOverLimit === null ? '—' : int(m.daysOverLimit))),
      row('Sharpe (annualised)', (m) => (m.sharpe === null ? '—' : `${num(m.sharpe, 2)} ${m.sharpeBasis}`)),
      row('PSR (P[SR > 0])', (m) => pct(m.psr)),
      row('max drawdown', (m) => money(m.maxDrawdown)),
      row('max drawdown % of peak', (m) => `${num(m.maxDrawdownPct, 1)}%${m.ruined ? ' (ruined)' : ''}`),
      row('exits delayed by min hold', (m) => (m.exitsDelayedByMinHold === null ? 'not in log' : int(m.exitsDelayedByMinHold))),
      row('plan status', (m) => m.status),
    ],
  };
}

function verdictClass(v: StrategyValidation): string {
  if (v.significant) return 'good';
  if (v.verdict === 'negative edge') return 'bad';
  return 'open';
}

function verdictText(v: StrategyValidation): string {
  const a = v.windows.all;
  const need = v.tradesNeededForSignificance;
  const more = v.significant ? '' : need === null ? ' At the current mean no number of further trades makes the interval exclude zero.' : ` About ${int(need)} more trades at the current mean and spread would make the 95% interval exclude zero.`;
  return `${v.strategy}: ${v.verdict} — edge ${money(a.edgePerTrade)} per trade, 95% interval ${interval(a.edgeCi, (x) => money(x))}, over ${int(a.trades)} trades.${more}`;
}

function reconciliationView(r: StrategyReconciliation) {
  const diff = r.liveEdgePerTrade !== null && r.replayEdgePerTrade !== null ? r.liveEdgePerTrade - r.replayEdgePerTrade : null;
  const summary = {
    id: `reconciliation-${r.strategy}`,
    caption: 'Slippage in bps, positive = worse for the trader. Replay = the engine’s own fills and exits from each live entry, scaled to the live quantity.',
    columns: [{ label: 'measure' }, { label: 'value', num: true }],
    rows: [
      ['live trades', int(r.trades)],
      ['replayed', `${int(r.matched)}${r.notCovered ? ` (${int(r.notCovered)} outside the data)` : ''}`],
      ['entry slippage, mean', bps(r.entrySlippageBpsMean)],
      ['exit slippage, mean', bps(r.exitSlippageBpsMean)],
      ['exit reason agreement', r.exitReasonAgreement === null ? 'log has no exit reasons' : `${pct(r.exitReasonAgreement)} of ${int(r.exitReasonsCompared)}`],
      ['exited differently by the replay', int(r.exitedDifferently)],
      ['fee drift (live − replay), total', money(r.feeDriftTotal)],
      ['fee drift per trade', money(r.feeDriftPerTrade)],
      ['live edge / trade', money(r.liveEdgePerTrade)],
      ['replayed edge / trade', money(r.replayEdgePerTrade)],
      ['live − replayed', money(diff)],
      ['  95% paired bootstrap interval', interval(r.differenceCi, (x) => money(x))],
    ].map(([a, b]) => ({ cls: '', cells: [cell(a, ''), cell(b)] })),
  };
  const differing = r.perTrade.filter((p) => !p.sameExit).slice(0, 25);
  const trades = {
    id: `reconciliation-trades-${r.strategy}`,
    caption: differing.length ? `Trades the replay exited differently (first ${differing.length} of ${r.exitedDifferently})` : 'The replay exited every trade as the live bot did.',
    columns: [{ label: 'source' }, { label: 'side' }, { label: 'entry' }, { label: 'entry slip.', num: true }, { label: 'live exit' }, { label: 'replay exit' }, { label: 'exit slip.', num: true }, { label: 'live net', num: true }, { label: 'replay net', num: true }],
    rows: differing.map((p) => ({
      cls: '',
      cells: [cell(`${p.file}:${p.line}`, ''), cell(p.side, ''), cell(utc(p.entryTime), ''), cell(bps(p.entrySlippageBps)), cell(`${utc(p.liveExitTime)} ${p.liveExitReason ?? '?'}`, ''), cell(`${utc(p.replayExitTime)} ${p.replayExitReason}`, ''), cell(bps(p.exitSlippageBps)), cell(money(p.liveNetPnl)), cell(money(p.replayNetPnl))],
    })),
  };
  return { summary, trades, hasDiffering: differing.length > 0, notes: r.notes };
}

function charts(rep: DailyReport): ChartView[] {
  const byStrategy: Record<string, TradeLogTrade[]> = {};
  for (const t of rep.set.trades) (byStrategy[t.strategy] ??= []).push(t);
  const ids = Object.keys(rep.validation);
  if (!rep.set.trades.length) return [];
  const start = Math.min(...rep.set.trades.map((t) => t.entryTime));
  const series = ids.map((id) => equityFromTrades(id, byStrategy[id] ?? [], rep.opts.capital, start));
  if (ids.length > 1) series.push(equityFromTrades('all strategies', rep.set.trades, rep.opts.capital * ids.length, start));
  const buckets = dailyBuckets(Object.fromEntries(ids.map((id) => [id, byStrategy[id] ?? []])));
  const rs = Object.fromEntries(ids.map((id) => [id, rMultiples((byStrategy[id] ?? []).map((t) => t.netPnl))]));
  // One window for every line: 50 trades, or fewer when the strategies are shorter (never below 10).
  const counts = ids.map((id) => (byStrategy[id] ?? []).length);
  const eligible = counts.filter((n) => n >= MIN_ROLLING);
  const win = eligible.length ? Math.min(ROLLING_WINDOW, ...eligible) : MIN_ROLLING;
  const rollIds = ids.filter((_, k) => counts[k] >= win);
  const left = ids.filter((_, k) => counts[k] < win);
  const rolling = Object.fromEntries(rollIds.map((id) => [id, rollingWinRate(byStrategy[id], win)]));
  const all = ids.length > 1 ? series.pop()! : null;
  const views = [
    chartView('chart-equity', equityFigure(series, 'Equity per strategy (realised, by exit)'), `Each strategy starts at ${money(rep.opts.capital)}. Lines are thinned for drawing above 1,500 points; every statistic uses every trade.`),
    chartView('chart-underwater', underwaterFigure(series, 'Underwater per strategy'), 'Quote currency below the running peak of each equity line.'),
  ];
  if (all) {
    views.push(
      chartView('chart-equity-all', equityFigure([all], 'Equity, all strategies together'), `The strategies pooled: ${ids.length} × ${money(rep.opts.capital)}.`),
      chartView('chart-underwater-all', underwaterFigure([all], 'Underwater, all strategies together')),
    );
  }
  views.push(
    chartView('chart-daily-pnl', dailyPnlFigure(buckets)),
    chartView('chart-trades-per-day', tradesPerDayFigure(buckets, rep.opts.perDayLimit)),
    chartView('chart-r-multiples', rHistogramFigure(rs), 'A trade log carries no initial stop, so 1 R is the strategy’s average losing trade (−1 R = an average loss).'),
    chartView(
      'chart-rolling-win-rate',
      rollingWinRateFigure(rolling, win, null),
      `Win rate over the last ${win} trades; the shaded band is its 95% Wilson interval.${left.length ? ` Not drawn (fewer than ${win} trades): ${left.join(', ')}.` : ''}`,
    ),
  );
  return views;
}

export function renderDailyHtml(rep: DailyReport, meta: { generatedAt: string; version: string; standalone: boolean }): string {
  const ids = Object.keys(rep.validation);
  const strategies = ids.map((id) => {
    const v = rep.validation[id];
    const rec = rep.opts.reconciliation?.[id];
    return {
      id,
      verdictClass: verdictClass(v),
      verdictText: verdictText(v),
      table: windowTable(v, rep.opts.perDayLimit),
      symbols: v.perSymbol ? `per symbol (all trades): ${Object.entries(v.perSymbol).map(([s, m]) => `${s} ${int(m.trades)} trades, edge ${money(m.edgePerTrade)} ${interval(m.edgeCi, (x) => money(x))}`).join('; ')}` : '',
      reconciliation: rec && !('skipped' in rec) ? reconciliationView(rec) : null,
      reconciliationSkipped: rec && 'skipped' in rec ? rec.skipped : '',
    };
  });
  const sources = {
    id: 'sources',
    caption: '',
    columns: [{ label: 'file' }, { label: 'format' }, { label: 'closed trades', num: true }, { label: 'open', num: true }, { label: 'SHA-256' }],
    rows: rep.set.sources.map((s) => ({ cls: '', cells: [cell(s.file, ''), cell(s.format, ''), cell(int(s.trades)), cell(int(s.open)), cell(s.sha256, 'note')] })),
  };
  const open = {
    id: 'open-trades',
    caption: 'Open positions are listed, never counted as trades.',
    columns: [{ label: 'strategy' }, { label: 'symbol' }, { label: 'side' }, { label: 'entry' }, { label: 'price', num: true }, { label: 'qty', num: true }, { label: 'source' }],
    rows: rep.set.open.map((t) => ({ cls: '', cells: [cell(t.strategy, ''), cell(t.symbol ?? '—', ''), cell(t.side, ''), cell(utc(t.entryTime), ''), cell(num(t.entryPrice, 2)), cell(num(t.qty, 6)), cell(`${t.source.file}:${t.source.line}`, '')] })),
  };
  const mismatches = {
    id: 'mismatches',
    caption: 'Trades whose recomputed P&L differs from what the log reports.',
    columns: [{ label: 'source' }, { label: 'strategy' }, { label: 'recomputed', num: true }, { label: 'reported', num: true }, { label: 'difference', num: true }],
    rows: rep.set.mismatches.map((m) => ({ cls: '', cells: [cell(`${m.file}:${m.line}`, ''), cell(m.strategy, ''), cell(money(m.recomputed)), cell(money(m.reported)), cell(money(m.difference))] })),
  };
  const verdicts = {
    id: 'verdicts',
    caption: '',
    columns: [{ label: 'strategy' }, { label: 'trades', num: true }, { label: 'win rate', num: true }, { label: 'edge / trade', num: true }, { label: '95% interval', num: true }, { label: 'verdict' }, { label: 'more trades for significance', num: true }],
    rows: ids.map((id) => {
      const v = rep.validation[id];
      const a = v.windows.all;
      return { cls: '', cells: [cell(id, ''), cell(int(a.trades)), cell(pct(a.winRate)), cell(money(a.edgePerTrade)), cell(interval(a.edgeCi, (x) => money(x))), cell(v.verdict, verdictClass(v) === 'good' ? 'pass' : verdictClass(v) === 'bad' ? 'fail' : 'na'), cell(v.significant ? '0' : v.tradesNeededForSignificance === null ? 'never at this mean' : int(v.tradesNeededForSignificance))] };
    }),
  };
  const recs = rep.opts.reconciliation ?? {};
  const reconciliationTable = {
    id: 'reconciliation',
    caption: 'Each live entry replayed through the engine’s own fill and exit rules with the strategy’s configuration. Slippage in bps, positive = worse for the trader; the interval is a paired bootstrap over trades.',
    columns: [{ label: 'strategy' }, { label: 'replayed', num: true }, { label: 'entry slip.', num: true }, { label: 'exit slip.', num: true }, { label: 'exit reasons agree', num: true }, { label: 'exited differently', num: true }, { label: 'fee drift / trade', num: true }, { label: 'live edge', num: true }, { label: 'replay edge', num: true }, { label: 'live − replay, 95%', num: true }],
    rows: Object.values(recs).map((r) =>
      'skipped' in r
        ? { cls: '', cells: [cell(r.strategy, ''), cell('skipped: ' + r.skipped, 'note'), ...Array.from({ length: 8 }, () => cell('—'))] }
        : {
            cls: '',
            cells: [
              cell(r.strategy, ''),
              cell(`${int(r.matched)} of ${int(r.trades)}`),
              cell(bps(r.entrySlippageBpsMean)),
              cell(bps(r.exitSlippageBpsMean)),
              cell(pct(r.exitReasonAgreement)),
              cell(int(r.exitedDifferently)),
              cell(money(r.feeDriftPerTrade)),
              cell(money(r.liveEdgePerTrade)),
              cell(money(r.replayEdgePerTrade)),
              cell(interval(r.differenceCi, (x) => money(x))),
            ],
          },
    ),
  };
  return renderTemplate('daily', {
    reconciliationTable,
    date: rep.date,
    generatedAt: meta.generatedAt,
    version: meta.version,
    summary: summaryLine(rep),
    settings: `capital ${money(rep.opts.capital)} per strategy; daily limit ${rep.opts.perDayLimit ?? 'none'} trades per strategy; windows end ${rep.date} 24:00 UTC`,
    verdicts,
    sources,
    hasOpen: rep.set.open.length > 0,
    open,
    hasMismatches: rep.set.mismatches.length > 0,
    mismatches,
    warnings: rep.set.warnings,
    hasReconciliation: !!rep.opts.reconciliation,
    reconciliationIntro: rep.opts.reconciliation ? `Replayed against ${rep.opts.marketData ?? 'the market data'} with each strategy’s configured rules.` : (rep.opts.reconciliationNote ?? 'No market data given (--data): no reconciliation.'),
    strategies,
    charts: charts(rep),
    ...plotlyTag(meta.standalone),
  });
}

export function writeDailyReport(dir: string, rep: DailyReport, meta: { generatedAt: string; version: string; standalone: boolean }) {
  const html = renderDailyHtml(rep, meta);
  const json = dailyJson(rep, meta);
  return writeReport(dir, { html, json, base: `daily-${rep.date}`, kind: 'daily', date: rep.date, summary: summaryLine(rep), generatedAt: meta.generatedAt, standalone: meta.standalone });
}
