/**
 * The plan's SUCCESS CRITERIA (Phases 1–6, all 21, in the plan's words) and
 * the FINAL CHECKLIST items that data can verify, each judged pass / fail /
 * not measurable with the measured value, the threshold, why, and the
 * evidence (which run, which file).
 *
 * Judgement reuses what already judges the plan: phase-impact's claims
 * (src/research/phase-impact.ts) for the per-strategy statistics, the
 * backtest audit (src/backtest/audit.ts) for "TP/SL working correctly", the
 * engine's maker entries for Phase 4 and the portfolio runner for Phase 5.
 * Where the plan does not say how a criterion is measured, `definition`
 * says how edgelab measures it, and the page prints it.
 */
import type { BarTape, MarketTape, TradeTape } from '../data/tape';
import { describeTape } from '../data/tape';
import { runBacktest, type BacktestResult } from '../run/run';
import { runPortfolio, type PortfolioResult } from '../run/portfolio';
import { auditBarLedger, auditTickLedger, maxEntriesInWindow } from '../backtest/audit';
import { makeFeeModel } from '../execution/fees';
import { PHASE_STEPS, phaseImpactFromRuns, type Claim, type PhaseImpact, type PhaseStep } from '../research/phase-impact';
import { resolveRunConfig } from '../config/run-config';
import { eligibleOrders, runMakerStudy, scheduleOrders, type MakerStudySummary } from '../research/maker-study';
import { makeFillModel, makeMarketView } from '../execution/maker';
import { NotionalRateFeeModel } from '../execution/fees';
import { int, interval, money, num, pct } from './format';

export type CriterionStatus = 'pass' | 'fail' | 'not measurable';

export interface CriterionRow {
  phase: string;
  /** The plan's words. */
  criterion: string;
  threshold: string;
  measured: string;
  status: CriterionStatus;
  why: string;
  evidence: string;
  /** How edgelab measures it, where the plan does not say. */
  definition?: string;
}

export interface PhasesResult {
  date: string;
  data: { file: string; kind: string; rows: number; from: string | null; to: string | null };
  criteria: CriterionRow[];
  finalChecklist: CriterionRow[];
  counts: { pass: number; fail: number; notMeasurable: number };
  summary: string;
}

/** Everything the judgement reads; built by running (--data) or by reading output folders (--from). */
export interface PhaseEvidence {
  data: PhaseImpact['data'];
  /** One run per preset step on the same data, and where each came from. */
  runs: Record<PhaseStep, BacktestResult>;
  runSource: Record<PhaseStep, string>;
  /** The market tape, when the runs were made here (enables the audit). */
  tape?: MarketTape;
  /** phase3 with the plan's maker entries on a trade tape (Phase 4). */
  maker?: { result: BacktestResult; source: string } | { reason: string };
  /** The maker study (post-only orders every minute on the trade tape): fill rate, maker share, fee rate. */
  makerStudy?: { summary: MakerStudySummary; source: string };
  portfolio?: { result: PortfolioResult; source: string } | { reason: string };
  /** A live or paper log's span (FINAL CHECKLIST "paper traded for 24 hours"). */
  paper?: { spanMs: number; trades: number; source: string };
}

const MIN_TRADES = 30;
const DAY_MS = 86_400_000;

/** Run what the checklist needs on one market file: the four presets, the maker run (trade tape) and the portfolio. */
export function runPhaseEvidence(
  tape: MarketTape,
  opts: { file: string; strategies?: string[]; tradeTape?: { tape: TradeTape; file: string }; runs?: Record<PhaseStep, BacktestResult>; onStep?: (what: string) => void },
): PhaseEvidence {
  const ids = opts.strategies ?? ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8'];
  const runs = opts.runs ?? ({} as Record<PhaseStep, BacktestResult>);
  for (const p of PHASE_STEPS) {
    if (!runs[p]) {
      opts.onStep?.(p);
      runs[p] = runBacktest(tape, { strategies: ids, preset: p });
    }
  }
  const runSource = Object.fromEntries(PHASE_STEPS.map((p) => [p, `preset ${p} on ${opts.file}`])) as Record<PhaseStep, string>;
  const makerTape = tape.kind === 'trades' ? { tape: tape as TradeTape, file: opts.file } : opts.tradeTape;
  let maker: PhaseEvidence['maker'];
  let makerStudy: PhaseEvidence['makerStudy'];
  if (makerTape) {
    opts.onStep?.('maker entries');
    maker = { result: runBacktest(makerTape.tape, { strategies: ids, preset: 'phase3', execution: 'maker' }), source: `preset phase3 with maker entries (post-only 0.02%, 30 s timeout) on ${makerTape.file}` };
    opts.onStep?.('maker study');
    makerStudy = makerStudyOn(makerTape.tape, makerTape.file);
  } else maker = { reason: 'maker fills need a trade tape (a resting limit fills on prints); give --data a trade tape or --book a trade capture' };
  opts.onStep?.('portfolio');
  const portfolio = { result: runPortfolio(tape, { strategies: ids, preset: 'phase3' }), source: `portfolio of ${ids.join(',')} (preset phase3, equal weights, $80, daily checks, 10% drift band) on ${opts.file}` };
  return { data: describeTape(tape), runs, runSource, tape, maker, ...(makerStudy ? { makerStudy } : {}), portfolio };
}

/** The plan's maker order (post-only 0.02% from the price, 30 s, then taker) once a minute, trade-through fills. */
export const MAKER_STUDY_EVERY_MS = 60_000;

function makerStudyOn(tape: TradeTape, file: string): PhaseEvidence['makerStudy'] {
  const market = makeMarketView(tape);
  const params = { offsetPct: 0.02, timeoutMs: 30_000, fallback: 'taker' as const, latencyMs: 0 };
  const { orders } = eligibleOrders(market, scheduleOrders(tape, MAKER_STUDY_EVERY_MS), params.timeoutMs);
  const res = runMakerStudy(market, orders, { params, model: makeFillModel('trade-through'), fees: new NotionalRateFeeModel({ maker: 0.0002, taker: 0.0004 }, 'plan') });
  return { summary: res.summary, source: `maker study on ${file}: the plan's post-only order (0.02% from the last print, 30 s, then taker) every minute, alternating buy/sell, trade-through fills (src/research/maker-study.ts)` };
}

/**
 * The plan's "Diversification benefits visible" (Phase 5), as the checklist judges it: the diversification
 * ratio Σ wᵢ·σᵢ / σ_portfolio of daily returns is above 1 AND the pool's max drawdown is below
 * Σ wᵢ·(max drawdown of strategy i alone with the whole capital). `visible` is null when the ratio is undefined.
 * One rule, read by the checklist and by notebooks/05-portfolio.
 */
export function diversificationBenefit(P: Pick<PortfolioResult, 'diversificationRatio' | 'settings' | 'alone' | 'correlations'> & { portfolio: { maxDrawdown: number } }): {
  ratio: number | null;
  maxDrawdown: number;
  weightedAloneDrawdown: number;
  visible: boolean | null;
} {
  const ids = P.correlations.ids;
  const weightedAloneDrawdown = ids.reduce((s, id) => s + P.settings.targetWeights[id] * P.alone[id].maxDrawdown, 0);
  const ratio = P.diversificationRatio;
  const maxDrawdown = P.portfolio.maxDrawdown;
  return { ratio, maxDrawdown, weightedAloneDrawdown, visible: ratio === null ? null : ratio > 1 && maxDrawdown < weightedAloneDrawdown };
}

const yes = (b: boolean): CriterionStatus => (b ? 'pass' : 'fail');

/** All-strategies criteria from phase-impact claims: pass when every claim is confirmed, fail when any is refuted. */
function fromClaims(claims: Claim[], id: string, strategies?: string[]): { status: CriterionStatus; measured: string; why: string } {
  const cs = claims.filter((c) => c.id === id && (!strategies || strategies.includes(c.strategy)));
  if (!cs.length) return { status: 'not measurable', measured: '—', why: 'no run of these strategies' };
  const refuted = cs.filter((c) => c.verdict === 'refuted');
  const open = cs.filter((c) => c.verdict === 'not measurable');
  const measured = cs.map((c) => `${c.strategy} ${c.observed}`).join('; ');
  if (refuted.length) return { status: 'fail', measured, why: `fails for ${refuted.map((c) => c.strategy).join(', ')}${refuted[0].note ? ` (${refuted[0].note})` : ''}` };
  if (open.length) return { status: 'not measurable', measured, why: `${open.map((c) => `${c.strategy}: ${c.note ?? 'interval straddles the threshold or too few trades'}`).join('; ')}` };
  return { status: 'pass', measured, why: `holds for all ${cs.length}` };
}

function strategyIds(r: BacktestResult): string[] {
  return Object.keys(r.strategies);
}

/** Judge every criterion and checklist item on the evidence. `date` names the page. */
export function judgePhases(ev: PhaseEvidence, date: string): PhasesResult {
  const { runs } = ev;
  const ids = strategyIds(runs.phase3);
  const impact = phaseImpactFromRuns(runs, ev.data, { strategies: ids, compounding: null });
  const claims = impact.claims;
  const src = ev.runSource;
  const criteria: CriterionRow[] = [];
  const add = (r: CriterionRow) => criteria.push(r);
  const spanDays = ev.data.fromMs !== null && ev.data.toMs !== null ? (ev.data.toMs - ev.data.fromMs) / DAY_MS : 0;

  // ── Phase 1 ──
  {
    // Busiest UTC-independent rolling day of each strategy under phase1, not the average.
    const busiest = ids.map((id) => ({ id, max: maxEntriesInWindow(runs.phase1.strategies[id].ledger.map((r) => r.entryTime), DAY_MS) }));
    const worst = busiest.reduce((a, b) => (b.max > a.max ? b : a), busiest[0]);
    add({
      phase: 'Phase 1',
      criterion: 'Trade frequency < 100/day per strategy',
      threshold: '< 100 entries in any 24 h, every strategy',
      measured: `busiest 24 h: ${worst.id} ${worst.max}; ${busiest.map((b) => `${b.id} ${b.max}`).join(', ')}`,
      status: spanDays < 1 ? 'not measurable' : yes(worst.max < 100),
      why: spanDays < 1 ? 'the data span is shorter than a day' : worst.max < 100 ? 'every strategy stays below 100 entries in every rolling 24 h' : `${busiest.filter((b) => b.max >= 100).map((b) => b.id).join(', ')} reach 100 or more`,
      evidence: src.phase1,
      definition: 'the largest number of entries of one strategy inside any rolling 24-hour window of the phase1 run (stricter than the average per day)',
    });
  }
  {
    const bad: string[] = [];
    let delayed = 0;
    let off = 0;
    for (const id of ids) {
      const r = runs.phase1.strategies[id];
      const rules = runs.phase1.config.strategies[id].rules;
      if (!(rules.minHoldMs > 0)) off++;
      delayed += r.gate.exitsDelayedByMinHold;
      for (const row of r.ledger) if ((row.exitReason === 'signal' || row.exitReason === 'time') && row.exitTime - row.entryTime < rules.minHoldMs) bad.push(`${id} ${row.entryIso}`);
    }
    add({
      phase: 'Phase 1',
      criterion: 'Minimum hold times enforced',
      threshold: 'no signal or time exit before the strategy type’s minimum hold',
      measured: `${int(bad.length)} early exits; ${int(delayed)} exits delayed by the hold; ${ids.length - off}/${ids.length} strategies have a hold`,
      status: off ? 'fail' : yes(bad.length === 0),
      why: off ? `${off} strategies run without a minimum hold` : bad.length ? `early exits: ${bad.slice(0, 5).join(', ')}` : 'every signal/time exit came at or after the hold; protective stops stay active during it (bracketDuringHold = active, the safe default)',
      evidence: `${src.phase1} — ledger exit times vs rules.minHoldMs`,
    });
  }
  {
    const v8 = runs.phase1.strategies.V8;
    add({
      phase: 'Phase 1',
      criterion: 'V8 taking trades',
      threshold: '> 0 trades under phase1 (the plan expects 50–100/day)',
      measured: v8 ? `${int(v8.metrics.trades)} trades (${num(v8.metrics.tradesPerDay, 1)}/day); VPIN gate allowed ${int(v8.signalStats?.gateAllowed)}, blocked ${int(v8.signalStats?.gateBlocked)}` : '—',
      status: v8 ? yes(v8.metrics.trades > 0) : 'not measurable',
      why: !v8 ? 'V8 was not run' : v8.metrics.trades > 0 ? 'V8 trades with the plan’s VPIN fix' : 'V8 made no trade',
      evidence: src.phase1,
    });
  }
  {
    const b = ids.reduce((s, id) => s + runs.before.strategies[id].metrics.feesPaid, 0);
    const p = ids.reduce((s, id) => s + runs.phase1.strategies[id].metrics.feesPaid, 0);
    const red = b > 0 ? 1 - p / b : null;
    add({
      phase: 'Phase 1',
      criterion: 'Fee reduction > 95%',
      threshold: 'fees of all strategies, before → phase1: > 95% lower',
      measured: red === null ? '—' : `${money(b)} → ${money(p)} (${pct(red)} lower)`,
      status: red === null ? 'not measurable' : yes(red > 0.95),
      why: red === null ? 'no fees before' : `${red > 0.95 ? 'holds' : 'fails'} on the total; per strategy: ${fromClaims(claims, 'P1.fees').why}${ev.data.kind === 'bars' ? "; on bars 'before' can enter at most once per bar, so it cannot overtrade as it did on ticks" : ''}`,
      evidence: `${src.before}; ${src.phase1}`,
    });
  }
  // ── Phase 2 ──
  {
    const c = fromClaims(claims, 'P2.riskReward');
    add({ phase: 'Phase 2', criterion: 'All strategies have 3:1 R:R', threshold: 'realised gross R:R ≥ 2.7 for every strategy (≥ 30 trades)', ...c, evidence: src.phase2, definition: 'average winning over average losing trade before fees, phase2 run; fees on both legs lower the net ratio by construction' });
  }
  {
    const problems: string[] = [];
    let checked = 0;
    for (const id of ids) {
      const r = runs.phase2.strategies[id];
      const rules = runs.phase2.config.strategies[id].rules;
      const fees = makeFeeModel(runs.phase2.config.engine.fees);
      checked += r.ledger.length;
      if (ev.tape) {
        const p = ev.tape.kind === 'trades' ? auditTickLedger(ev.tape as TradeTape, r.ledger, rules, fees) : auditBarLedger(ev.tape as BarTape, r.ledger, rules, fees);
        problems.push(...p.map((x) => `${id}: ${x}`));
      } else {
        // Without the tape: the levels and the fills agree with the rules.
        for (const row of r.ledger) {
          const s = row.side === 'long' ? 1 : -1;
          if (rules.stopPct !== null && row.stopPrice !== null && Math.abs(row.stopPrice - row.entryPrice * (1 - (s * rules.stopPct) / 100)) > 1e-9 * row.entryPrice) problems.push(`${id} ${row.entryIso}: stop level`);
          if (rules.targetPct !== null && row.targetPrice !== null && Math.abs(row.targetPrice - row.entryPrice * (1 + (s * rules.targetPct) / 100)) > 1e-9 * row.entryPrice) problems.push(`${id} ${row.entryIso}: target level`);
          if (row.exitReason === 'target' && row.exitPrice !== row.targetPrice) problems.push(`${id} ${row.entryIso}: target fill ≠ target`);
          if (row.exitReason === 'stop' && row.stopPrice !== null && s * (row.exitPrice - row.stopPrice) > 1e-9 * row.entryPrice) problems.push(`${id} ${row.entryIso}: stop filled better than its level`);
        }
      }
    }
    add({
      phase: 'Phase 2',
      criterion: 'TP/SL working correctly',
      threshold: 'no audit finding',
      measured: `${int(checked)} trades audited, ${int(problems.length)} findings`,
      status: checked === 0 ? 'not measurable' : yes(problems.length === 0),
      why: checked === 0 ? 'no trades' : problems.length ? problems.slice(0, 4).join('; ') : ev.tape ? 'each stop and target fired at the first print/bar crossing it, at the level the rules give, and nothing crossed a level before a signal/time/end exit' : 'stop and target levels equal entry × (1 ∓ stop%, 1 ± target%), targets fill at the target, stops never better than the stop',
      evidence: `${src.phase2} — ${ev.tape ? 'src/backtest/audit.ts against the tape' : 'level checks on the ledgers (no tape: --from)'}`,
      definition: 'an independent, literal re-reading of the fill rules over every phase2 trade (the backtest audit)',
    });
  }
  {
    const c = fromClaims(claims, 'P2.evBeforeFees');
    add({ phase: 'Phase 2', criterion: 'Expected value > 0 (before fees)', threshold: 'gross EV per trade > 0, every strategy (≥ 30 trades)', ...c, evidence: src.phase2 });
  }
  // ── Phase 3 ──
  add({ phase: 'Phase 3', criterion: 'Win rate > 30% for all strategies', threshold: '95% interval of the phase3 win rate above 30%, every strategy', ...fromClaims(claims, 'P3.winRate30'), evidence: src.phase3 });
  add({ phase: 'Phase 3', criterion: 'V3/V4/V6 win rate > 35%', threshold: '95% interval above 35% for V3, V4, V6', ...fromClaims(claims, 'P3.winRate35'), evidence: src.phase3 });
  add({
    phase: 'Phase 3',
    criterion: 'False signals reduced by 50%+',
    threshold: '≥ 50% fewer losing trades, phase2 → phase3, every strategy',
    ...fromClaims(claims, 'P3.falseSignals'),
    evidence: `${src.phase2}; ${src.phase3}`,
    definition: 'a false signal is an entry whose trade lost after fees; the count of losing trades in the phase3 run (confirmation filters on) against phase2 (same exits, no filters)',
  });
  // ── Phase 4 ──
  if (ev.maker && 'result' in ev.maker) {
    const m = ev.maker.result;
    let makerLegs = 0;
    let legs = 0;
    let fees = 0;
    let notional = 0;
    let orders = 0;
    let makerEntries = 0;
    for (const id of strategyIds(m)) {
      const f = m.strategies[id].entryFills;
      if (f) {
        orders += f.maker + f.taker + f.unfilled;
        makerEntries += f.maker;
      }
      for (const r of m.strategies[id].ledger) {
        legs += 2;
        makerLegs += (r.entryLiquidity === 'maker' ? 1 : 0) + (r.exitLiquidity === 'maker' ? 1 : 0);
        fees += r.entryFee + r.exitFee;
        notional += r.entryPrice * r.qty + r.exitPrice * r.qty;
      }
    }
    const st = ev.makerStudy?.summary;
    const V: Record<string, CriterionStatus> = { holds: 'pass', fails: 'fail', 'not measurable': 'not measurable' };
    if (st) {
      const c = st.planClaims;
      add({
        phase: 'Phase 4',
        criterion: '80%+ orders filled as maker',
        threshold: '95% interval of the maker share of filled orders ≥ 80% (≥ 30 fills)',
        measured: `${pct(c.makerShare.measured)} maker (95% ${interval(c.makerShare.ci, (x) => pct(x))}) of ${int(st.makerFills + st.takerFallbacks)} fills from ${int(st.orders)} orders; in the phase3 maker run ${legs ? pct(makerLegs / legs) : '—'} of ${int(legs)} fills`,
        status: V[c.makerShare.verdict],
        why: c.makerShare.verdict === 'holds' ? 'most post-only orders fill before the timeout' : c.makerShare.verdict === 'fails' ? 'the taker fallback fills too many orders: the interval lies below 80%' : 'too few fills or the interval straddles 80%',
        evidence: ev.makerStudy!.source,
        definition: 'maker fills ÷ all fills of the plan’s post-only order placed once a minute on the trade tape (a strategy’s own entries are too few on the bundled 2-hour tape)',
      });
      add({
        phase: 'Phase 4',
        criterion: 'Fees reduced to 0.02% average',
        threshold: 'effective fee rate ≤ 0.02% of notional',
        measured: `${pct(c.feeRate.measured, 4)} per fill (maker study); ${notional ? pct(fees / notional, 4) : '—'} per fill in the phase3 maker run`,
        status: V[c.feeRate.verdict],
        why: c.feeRate.note,
        evidence: ev.makerStudy!.source,
      });
    } else {
      add({
        phase: 'Phase 4',
        criterion: '80%+ orders filled as maker',
        threshold: '≥ 80% of fills (entry and exit legs) at maker',
        measured: legs ? `${pct(makerLegs / legs)} of ${int(legs)} fills; entries: ${int(makerEntries)} maker of ${int(orders)} orders posted` : 'no fills',
        status: legs < 2 * MIN_TRADES ? 'not measurable' : yes(makerLegs / legs >= 0.8),
        why: legs < 2 * MIN_TRADES ? `only ${legs / 2} trades on this tape (need ≥ ${MIN_TRADES})` : 'stops and fallback entries are taker fills; targets and filled post-only entries are maker',
        evidence: ev.maker.source,
        definition: 'share of all fills of the phase3 run with the plan’s post-only entries that were maker fills (trade-through fill model)',
      });
      add({
        phase: 'Phase 4',
        criterion: 'Fees reduced to 0.02% average',
        threshold: 'fees ÷ traded notional ≤ 0.02% per fill',
        measured: notional ? `${pct(fees / notional, 4)} per fill` : '—',
        status: legs < 2 * MIN_TRADES ? 'not measurable' : yes(fees / notional <= 0.0002 + 1e-12),
        why: legs < 2 * MIN_TRADES ? `only ${legs / 2} trades on this tape (need ≥ ${MIN_TRADES})` : 'average fee rate over both legs of every trade',
        evidence: ev.maker.source,
      });
    }
    const edges = strategyIds(m).map((id) => ({ id, e: m.strategies[id].metrics.edgePerTrade, ci: m.strategies[id].metrics.edgePerTradeCI, n: m.strategies[id].metrics.trades }));
    const judged = edges.filter((x) => x.n >= MIN_TRADES && x.ci);
    add({
      phase: 'Phase 4',
      criterion: 'Net edge positive after fees',
      threshold: '95% interval of net edge/trade above 0, with maker entries',
      measured: edges.map((x) => `${x.id} ${money(x.e)} (${x.n} trades)`).join('; '),
      status: !judged.length ? 'not measurable' : judged.some((x) => x.ci![1] < 0) ? 'fail' : judged.length === edges.length && judged.every((x) => x.ci![0] > 0) ? 'pass' : 'not measurable',
      why: !judged.length ? `no strategy has ${MIN_TRADES} trades on this tape` : judged.filter((x) => x.ci![1] < 0).map((x) => `${x.id} interval below 0`).join(', ') || 'intervals straddle 0 or too few trades',
      evidence: ev.maker.source,
    });
  } else {
    const why = ev.maker && 'reason' in ev.maker ? ev.maker.reason : 'no maker run';
    for (const [criterion, threshold] of [
      ['80%+ orders filled as maker', '≥ 80% of fills at maker'],
      ['Fees reduced to 0.02% average', 'fees ÷ traded notional ≤ 0.02%'],
      ['Net edge positive after fees', '95% interval of net edge/trade above 0, with maker entries'],
    ]) add({ phase: 'Phase 4', criterion, threshold, measured: '—', status: 'not measurable', why, evidence: '—' });
  }
  // ── Phase 5 ──
  if (ev.portfolio && 'result' in ev.portfolio) {
    const P = ev.portfolio.result;
    const p = P.portfolio;
    const pids = P.correlations.ids;
    const idle = pids.filter((id) => p.sleeves[id].trades === 0);
    add({ phase: 'Phase 5', criterion: 'Portfolio running all strategies', threshold: 'every strategy has a sleeve that trades', measured: `${pids.length - idle.length}/${pids.length} sleeves traded (${int(p.trades.length)} trades)`, status: yes(idle.length === 0 && pids.length >= 8), why: idle.length ? `no trades: ${idle.join(', ')}` : pids.length < 8 ? `only ${pids.length} strategies in the portfolio` : 'all eight strategies trade inside one pool', evidence: ev.portfolio.source });
    const band = P.settings.driftBand;
    const after = p.rebalances.map((r) => Math.max(...pids.map((id) => Math.abs(r.weightsAfter[id] - P.settings.targetWeights[id]) / P.settings.targetWeights[id])));
    const limited = p.rebalances.filter((r) => r.limitedByOpenPositions).length;
    const sumW = pids.reduce((s, id) => s + P.settings.targetWeights[id], 0);
    const worstAfter = after.length ? Math.max(...after.filter((_, k) => !p.rebalances[k].limitedByOpenPositions), 0) : 0;
    add({
      phase: 'Phase 5',
      criterion: 'Capital allocated properly',
      threshold: 'target weights sum to 100%; after each rebalance every sleeve is back on its target (open positions permitting)',
      measured: `weights sum ${pct(sumW)}; ${int(p.rebalances.length)} rebalances, largest drift left after one ${pct(worstAfter, 3)}; ${limited} limited by open positions`,
      status: p.rebalances.length === 0 ? 'not measurable' : yes(Math.abs(sumW - 1) < 1e-9 && worstAfter < 1e-6),
      why: p.rebalances.length === 0 ? 'no rebalance happened, so the allocation rule was never exercised' : 'the pool’s transfers put each sleeve back on its target weight',
      evidence: ev.portfolio.source,
      definition: 'the sleeves’ target weights sum to 1 and every rebalance not held back by open positions leaves each sleeve within 1e-6 (relative) of its target',
    });
    const days = Math.floor((p.toMs - p.fromMs) / DAY_MS);
    const missed = p.checks.filter((c) => Number.isFinite(c.maxDrift) && c.maxDrift > band && !c.rebalanced).length;
    add({
      phase: 'Phase 5',
      criterion: 'Daily rebalancing working',
      threshold: 'one check per UTC day; every check beyond the drift band rebalances',
      measured: `${int(p.checks.length)} checks over ${int(days)} days; ${int(p.rebalances.length)} rebalances; ${missed} drifted checks without one`,
      status: days < 1 ? 'not measurable' : yes(p.checks.length >= days && missed === 0),
      why: days < 1 ? 'the data span is shorter than a day' : missed ? `${missed} checks found drift beyond ${pct(band, 0)} and did not rebalance` : `checked every day; rebalanced whenever a sleeve drifted more than ${pct(band, 0)}`,
      evidence: ev.portfolio.source,
    });
    const { ratio: dr, weightedAloneDrawdown: wDd, visible } = diversificationBenefit(P);
    add({
      phase: 'Phase 5',
      criterion: 'Diversification benefits visible',
      threshold: 'diversification ratio > 1 and portfolio max drawdown below the weighted drawdowns of the strategies alone',
      measured: `diversification ratio ${num(dr, 2)}; max drawdown ${pct(p.maxDrawdown)} vs weighted alone ${pct(wDd)}`,
      status: visible === null ? 'not measurable' : yes(visible),
      why: visible === null ? 'daily returns too short for a volatility' : visible ? 'the pool is less volatile and draws down less than its parts' : 'the pool does not reduce risk against its parts on both measures',
      evidence: ev.portfolio.source,
      definition: 'Σ wᵢ·σᵢ / σ_portfolio of daily returns (> 1 means the sleeves offset each other) and the portfolio max drawdown against Σ wᵢ·(max drawdown of strategy i alone with the whole capital)',
    });
  } else {
    const why = ev.portfolio && 'reason' in ev.portfolio ? ev.portfolio.reason : 'no portfolio run';
    for (const criterion of ['Portfolio running all strategies', 'Capital allocated properly', 'Daily rebalancing working', 'Diversification benefits visible']) add({ phase: 'Phase 5', criterion, threshold: '—', measured: '—', status: 'not measurable', why, evidence: '—' });
  }
  // ── Phase 6 ──
  {
    const p3 = runs.phase3;
    const rows = ids.map((id) => ({ id, m: p3.strategies[id].metrics }));
    const judged = rows.filter((r) => r.m.trades >= MIN_TRADES && r.m.edgePerTradeCI);
    const pos = judged.filter((r) => r.m.edgePerTradeCI![0] > 0);
    const neg = judged.filter((r) => r.m.edgePerTradeCI![1] < 0);
    add({
      phase: 'Phase 6',
      criterion: 'Daily validation confirms positive edge',
      threshold: 'every strategy: edge/trade > 0 with its 95% interval above 0 (the plan’s validate_edge, with the interval)',
      measured: `${pos.length} significant positive, ${neg.length} significant negative, ${rows.length - pos.length - neg.length} inconclusive of ${rows.length}`,
      status: !judged.length ? 'not measurable' : pos.length === rows.length ? 'pass' : neg.length || judged.length === rows.length ? 'fail' : 'not measurable',
      why: neg.length ? `negative edge: ${neg.map((r) => `${r.id} ${money(r.m.edgePerTrade)}`).join(', ')}` : pos.length === rows.length ? 'all significant' : 'some intervals include 0',
      evidence: src.phase3,
      definition: 'the daily report’s validation over all trades of the phase3 run: mean net P&L per trade and its 95% interval',
    });
  }
  {
    const p3 = runs.phase3;
    const end = ev.data.toMs ?? 0;
    const week = ids.map((id) => ({ id, pnl: p3.strategies[id].ledger.filter((r) => r.exitTime > end - 7 * DAY_MS).reduce((s, r) => s + r.netPnl, 0), n: p3.strategies[id].ledger.filter((r) => r.exitTime > end - 7 * DAY_MS).length }));
    const losers = week.filter((w) => w.pnl <= 0);
    add({
      phase: 'Phase 6',
      criterion: 'All strategies profitable over 1 week',
      threshold: 'net P&L > 0 over the last 7 days, every strategy',
      measured: week.map((w) => `${w.id} ${money(w.pnl)} (${w.n})`).join('; '),
      status: spanDays < 7 ? 'not measurable' : yes(losers.length === 0),
      why: spanDays < 7 ? 'the data span is shorter than a week' : losers.length ? `not profitable: ${losers.map((w) => w.id).join(', ')}` : 'every strategy made money in the last week',
      evidence: src.phase3,
      definition: 'the last 7 days of the data (exits in (end − 7 d, end])',
    });
  }
  if (ev.portfolio && 'result' in ev.portfolio) {
    const p = ev.portfolio.result.portfolio;
    const months = (p.toMs - p.fromMs) / (30.4375 * DAY_MS);
    const monthly = p.finalEquity > 0 && months > 0 ? Math.pow(p.finalEquity / p.capital, 1 / months) - 1 : null;
    add({
      phase: 'Phase 6',
      criterion: 'Monthly return > 20%',
      threshold: 'compounded monthly return of the portfolio > 20%',
      measured: monthly === null ? `equity ${money(p.finalEquity)} of ${money(p.capital)}` : `${pct(monthly)} per month (${money(p.capital)} → ${money(p.finalEquity)} over ${num(months, 1)} months)`,
      status: months < 1 ? 'not measurable' : monthly === null ? 'fail' : yes(monthly > 0.2),
      why: months < 1 ? 'the data span is shorter than a month' : 'point estimate over the whole span',
      evidence: ev.portfolio.source,
      definition: 'the Phase 5 portfolio of all strategies (phase3 rules): (final / initial)^(1/months) − 1, months of 30.44 days',
    });
    add({
      phase: 'Phase 6',
      criterion: 'Sharpe ratio > 1.0',
      threshold: 'annualised Sharpe of the portfolio’s daily returns > 1',
      measured: `${num(p.sharpe, 2)} (${int(p.daily.returns.length)} days)`,
      status: p.sharpe === null || p.daily.returns.length < 30 ? 'not measurable' : yes(p.sharpe > 1),
      why: p.sharpe === null || p.daily.returns.length < 30 ? 'fewer than 30 daily returns' : 'daily returns, √365 annualisation (crypto trades every day)',
      evidence: ev.portfolio.source,
    });
  } else {
    for (const criterion of ['Monthly return > 20%', 'Sharpe ratio > 1.0']) add({ phase: 'Phase 6', criterion, threshold: '—', measured: '—', status: 'not measurable', why: 'no portfolio run', evidence: '—' });
  }

  const finalChecklist = checklist(ev, criteria, ids);
  const all = [...criteria];
  const counts = { pass: all.filter((c) => c.status === 'pass').length, fail: all.filter((c) => c.status === 'fail').length, notMeasurable: all.filter((c) => c.status === 'not measurable').length };
  return {
    date,
    data: { file: ev.data.file ?? '', kind: ev.data.kind, rows: ev.data.rows, from: ev.data.from, to: ev.data.to },
    criteria,
    finalChecklist,
    counts,
    summary: `success criteria: ${counts.pass} pass, ${counts.fail} fail, ${counts.notMeasurable} not measurable`,
  };
}

function checklist(ev: PhaseEvidence, criteria: CriterionRow[], ids: string[]): CriterionRow[] {
  const { runs } = ev;
  const out: CriterionRow[] = [];
  const by = (c: string) => criteria.find((x) => x.criterion === c)!;
  const add = (r: Omit<CriterionRow, 'phase'>) => out.push({ phase: 'Final checklist', ...r });
  {
    const over: string[] = [];
    for (const id of ids) {
      const l = runs.phase1.config.strategies[id].rules.limits;
      if (!l) {
        over.push(`${id}: no limits`);
        continue;
      }
      const times = runs.phase1.strategies[id].ledger.map((r) => r.entryTime);
      for (const [cap, w, name] of [[l.perMinute, 60_000, 'minute'], [l.perHour, 3_600_000, 'hour'], [l.perDay, DAY_MS, 'day']] as const) {
        if (cap !== null && maxEntriesInWindow(times, w) > cap) over.push(`${id} per ${name}`);
      }
    }
    const blocked = ids.reduce((s, id) => s + runs.phase1.strategies[id].gate.blocked.minute + runs.phase1.strategies[id].gate.blocked.hour + runs.phase1.strategies[id].gate.blocked.day, 0);
    add({ criterion: 'Frequency limits implemented and tested', threshold: 'no rolling minute/hour/day window above its limit', measured: `${over.length} windows over a limit; ${int(blocked)} entries refused by the limits`, status: yes(over.length === 0), why: over.length ? over.join(', ') : 'every strategy has limits and no window exceeds them', evidence: ev.runSource.phase1 });
  }
  {
    const c = by('Minimum hold times enforced');
    add({ criterion: 'Minimum hold times enforced', threshold: c.threshold, measured: c.measured, status: c.status, why: c.why, evidence: c.evidence });
  }
  {
    const tp = by('TP/SL working correctly');
    const ratios = ids.map((id) => {
      const r = runs.phase2.config.strategies[id].rules;
      return r.stopPct && r.targetPct ? r.targetPct / r.stopPct : null;
    });
    const ok = ratios.every((x) => x !== null && Math.abs(x - 3) < 1e-9);
    add({ criterion: '3:1 R:R exits working', threshold: 'every phase2 bracket is target = 3 × stop, and the audit is clean', measured: `brackets ${ratios.map((x, k) => `${ids[k]} ${num(x, 2)}:1`).join(', ')}; ${tp.measured}`, status: ok && tp.status === 'pass' ? 'pass' : tp.status === 'not measurable' ? 'not measurable' : 'fail', why: ok ? tp.why : 'some bracket is not 3:1', evidence: ev.runSource.phase2 });
  }
  {
    const raised: string[] = [];
    const same: string[] = [];
    for (const id of ['V1', 'V2', 'V3', 'V4', 'V6'].filter((x) => ids.includes(x))) {
      const a = runs.phase2.config.strategies[id].params;
      const b = runs.phase3.config.strategies[id].params;
      const changed = Object.keys(b).filter((k) => b[k] !== a[k]);
      (changed.length ? raised : same).push(changed.length ? `${id} ${changed.map((k) => `${k} ${a[k]}→${b[k]}`).join(', ')}` : id);
    }
    add({ criterion: 'Signal thresholds increased', threshold: 'phase3 sets the plan’s stricter thresholds (3.1) for V1, V2, V3, V4, V6 (for V3 stricter is a lower VPIN entry)', measured: raised.join('; ') || '—', status: yes(same.length === 0 && raised.length > 0), why: same.length ? `unchanged: ${same.join(', ')}` : 'the phase3 preset sets every threshold the plan names to its stricter value', evidence: 'resolved configuration of presets phase2 and phase3' });
  }
  {
    const v8 = runs.phase1.strategies.V8;
    const allowed = v8?.signalStats?.gateAllowed ?? 0;
    add({ criterion: 'V8 VPIN calibrated for crypto', threshold: 'the VPIN gate lets decisions through (plan 1.3)', measured: v8 ? `gate allowed ${int(allowed)}, blocked ${int(v8.signalStats?.gateBlocked)}; ${int(v8.metrics.trades)} trades` : '—', status: v8 ? yes(allowed > 0 && v8.metrics.trades > 0) : 'not measurable', why: v8 ? (allowed > 0 ? 'V8 trades with the phase1 VPIN setting' : 'the gate blocks every decision') : 'V8 not run', evidence: ev.runSource.phase1 });
  }
  {
    const m = ev.maker && 'result' in ev.maker ? ev.maker : null;
    const fills = m ? Object.values(m.result.strategies).reduce((s, r) => s + (r.entryFills?.maker ?? 0), 0) : 0;
    add({ criterion: 'Maker orders implemented', threshold: 'post-only entries fill as maker on real prints', measured: m ? `${int(fills)} maker entry fills` : '—', status: m ? yes(fills > 0) : 'not measurable', why: m ? (fills > 0 ? 'the engine posts, fills (trade-through) and falls back to taker' : 'no maker fill') : (ev.maker as { reason: string } | undefined)?.reason ?? 'no maker run', evidence: m?.source ?? '—' });
  }
  add({ criterion: 'Performance tracking in place', threshold: '—', measured: '—', status: 'not measurable', why: 'not a question data can answer: `edgelab report daily` is the tracker (this folder’s daily pages)', evidence: '—' });
  add({ criterion: 'Daily validation script ready', threshold: '—', measured: '—', status: 'not measurable', why: 'not a question data can answer: `edgelab validate --from <log>` is the script (exit 0/1/2 for cron)', evidence: '—' });
  {
    const n = ids.reduce((s, id) => s + runs.phase3.strategies[id].metrics.trades, 0);
    add({ criterion: 'Backtested on historical data', threshold: 'all strategies, every preset, on real history', measured: `${ev.data.kind} ${int(ev.data.rows)} rows, ${ev.data.from} → ${ev.data.to}; ${int(n)} phase3 trades`, status: yes(ev.data.rows > 0), why: 'the four presets ran on the data named in the evidence', evidence: Object.values(ev.runSource).join('; ') });
  }
  add(
    ev.paper
      ? { criterion: 'Paper traded for 24 hours minimum', threshold: 'a live/paper log spanning ≥ 24 h', measured: `${(ev.paper.spanMs / 3_600_000).toFixed(1)} h, ${int(ev.paper.trades)} trades`, status: yes(ev.paper.spanMs >= DAY_MS), why: 'span from the first entry to the last exit of the log', evidence: ev.paper.source }
      : { criterion: 'Paper traded for 24 hours minimum', threshold: 'a live/paper log spanning ≥ 24 h', measured: '—', status: 'not measurable', why: 'no paper or live trade log among the inputs (give one with --from)', evidence: '—' },
  );
  return out;
}

/** A config-only helper for tests: the phase rules of one strategy. */
export function phaseRules(preset: string, id: string) {
  return resolveRunConfig({ preset, strategies: [id] }).strategies[id].rules;
}
