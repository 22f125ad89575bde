import * as path from 'node:path';
import type { Command } from './command';
import { numberFlag, parseFlags, required } from './args';
import { UserError } from '../util/errors';
import { DURATION_EXAMPLES, parseDuration, parseDurationList } from './duration';
import { checkValue } from '../core/param-check';
import { MAKER_EXECUTION_SPECS } from '../execution/maker-entry';
import { edgelabVersion } from '../util/package-root';
import { loadMarket } from '../data/market';
import { describeTape } from '../data/tape';
import { NotionalRateFeeModel, PLAN_FEES } from '../execution/fees';
import { makeFillModel, makeMarketView, type FillModelName, type MakerFallback, type MakerParams } from '../execution/maker';
import type { QueueModelName } from '../execution/queue';
import {
  DEFAULT_SWEEP_OFFSETS_PCT,
  DEFAULT_SWEEP_TIMEOUTS_MS,
  runMakerStudy,
  scheduleOrders,
  strategyOrders,
  sweepMakerStudy,
  writeMakerSimOutputs,
  type MakerStudySummary,
  type OrderRequest,
  type SweepResult,
} from '../research/maker-study';
import { fixed, int, pct, table } from './format';
import { unitsHelp } from './units-help';

const USAGE =
  'edgelab maker-sim --data <trades | capture.gz> [--data <next capture.gz>] [--book <capture.gz> …] ' +
  '[--strategies V1,V4 [--preset phase2] [--config <json>] | --schedule 60s] --offset-pct 0.02 --timeout 30s ' +
  '--fill-model trade-through|touch|queue [--queue risk-averse|prob] [--queue-power 2] [--fallback taker|cancel] ' +
  '[--latency-ms 0] [--tick-size <x>] [--notional 100] [--maker-fee-pct 0.02] [--taker-fee-pct 0.04] ' +
  '[--sweep [--sweep-offsets 0,0.01,0.02,0.03,0.04,0.05] [--sweep-timeouts 5s,10s,30s,60s]] --out <dir>\n\n' +
  `  durations (--schedule, --timeout, --sweep-timeouts) need a unit: ${DURATION_EXAMPLES}`;

function numberList(s: string, flag: string): number[] {
  const xs = s.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x))) throw new UserError(`--${flag} must be a comma-separated list of numbers (got '${s}')`);
  return xs;
}

function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], flag: string, fallback: T): T {
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new UserError(`--${flag} must be one of ${allowed.join(', ')} (got '${v}')`);
  return v as T;
}

const bps = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(2));
const secs = (ms: number | null | undefined) => (ms === null || ms === undefined || !Number.isFinite(ms) ? '—' : `${(ms / 1000).toFixed(1)}s`);

/** The study's headline block. */
export function formatMakerSummary(s: MakerStudySummary): string {
  const marks = Object.keys(s.markoutBps)
    .map((k) => `${k} ${bps(s.markoutBps[k])}`)
    .join(', ');
  const b = s.allInCostBreakdownBps;
  const pc = s.planClaims;
  return [
    `orders ${int(s.orders)}: ${int(s.makerFills)} maker, ${int(s.takerFallbacks)} taker fallback, ${int(s.cancelled)} cancelled, ${int(s.rejected)} rejected (post-only)`,
    `fill rate ${pct(s.fillRate)}${s.fillRateCI ? ` (95% CI ${pct(s.fillRateCI[0], 0)}–${pct(s.fillRateCI[1], 0)})` : ''}; maker share of fills ${pct(s.makerShare)}`,
    `effective fee ${pct(s.effectiveFeeRate, 4)} of filled notional (maker ${pct(s.fees.maker, 3)}, taker ${pct(s.fees.taker, 3)})`,
    `time to maker fill: median ${secs(s.medianTimeToFillMs)}, p90 ${secs(s.p90TimeToFillMs)}`,
    `markout after maker fills, bps (+ = in your favour): ${marks}`,
    `all-in cost vs always taking: ${bps(s.allInCostVsTaker)} bps/order` +
      (s.allInCostCI ? ` (95% CI ${bps(s.allInCostCI[0])}…${bps(s.allInCostCI[1])})` : '') +
      (b ? ` = fee ${bps(b.feeBps)} + maker price ${bps(b.makerPriceBps)} + fallback slippage ${bps(b.fallbackPriceBps)} + missed ${bps(b.missedBps)}` : '') +
      ' (negative = cheaper than taking)',
    `plan claims: maker share ≥ ${pct(pc.makerShare.claimed, 0)} → ${pc.makerShare.verdict}; average fee ${pct(pc.feeRate.claimed, 3)} → ${pc.feeRate.verdict}`,
  ].join('\n');
}

/** Offset × timeout table of the sweep, with the cheapest cell. */
export function formatSweep(sw: SweepResult): string {
  const keys = sw.rows.length ? Object.keys(sw.rows[0].markoutBps) : [];
  const rows = sw.rows.map((r) => [
    `${fixed(r.offsetPct, 3)}%`,
    secs(r.timeoutMs),
    pct(r.fillRate),
    pct(r.makerShare),
    pct(r.effectiveFeeRate, 4),
    secs(r.medianTimeToFillMs),
    ...keys.map((k) => bps(r.markoutBps[k])),
    bps(r.allInCostVsTaker),
    r.allInCostCI ? `${bps(r.allInCostCI[0])}…${bps(r.allInCostCI[1])}` : '—',
    r === sw.best ? '◀ lowest' : '',
  ]);
  const t = table(
    ['offset', 'timeout', 'fill rate', 'maker share', 'eff. fee', 'median fill', ...keys.map((k) => `markout ${k}`), 'all-in bps', '95% CI', ''],
    rows,
  );
  const best = sw.best
    ? `lowest all-in cost (${sw.model}, fallback ${sw.fallback}): offset ${sw.best.offsetPct}%, timeout ${secs(sw.best.timeoutMs)} → ${bps(sw.best.allInCostVsTaker)} bps/order vs always taking, fill rate ${pct(sw.best.fillRate)}` +
      (sw.bestVsTaker === 'no difference'
        ? ' — its 95% CI includes 0: not distinguishable from always taking'
        : ` — ${sw.bestVsTaker} than always taking at 95% (CIs assume independent orders; overlapping order lives make them optimistic)`)
    : 'no sweep cell had orders';
  return `${t}\n${best}`;
}

export const makerSimCommand: Command = {
  help: () => unitsHelp(),
  summary: 'Simulate the plan\'s maker entries (post-only limit, timeout, taker fallback) on real prints and the L2 book: fill rate, maker share, fees, markouts, all-in cost vs taking.',
  usage: USAGE,
  async run(argv) {
    const v = parseFlags(
      argv,
      {
        data: { type: 'string', multiple: true },
        book: { type: 'string', multiple: true },
        strategies: { type: 'string' },
        preset: { type: 'string', default: 'phase2' },
        config: { type: 'string' },
        schedule: { type: 'string' },
        'offset-pct': { type: 'string' },
        timeout: { type: 'string' },
        'fill-model': { type: 'string' },
        queue: { type: 'string' },
        'queue-power': { type: 'string' },
        fallback: { type: 'string' },
        'latency-ms': { type: 'string' },
        'tick-size': { type: 'string' },
        notional: { type: 'string' },
        'maker-fee-pct': { type: 'string' },
        'taker-fee-pct': { type: 'string' },
        sweep: { type: 'boolean', default: false },
        'sweep-offsets': { type: 'string' },
        'sweep-timeouts': { type: 'string' },
        out: { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
      USAGE,
    );
    const dataFiles = v.data ?? [];
    if (dataFiles.length === 0) throw new UserError(`missing --data\nusage: ${USAGE}`);
    const out = required(v, 'out', USAGE);
    if (v.strategies !== undefined && v.schedule !== undefined) throw new UserError('give --strategies or --schedule, not both');
    const fillModel = oneOf<FillModelName>(v['fill-model'], ['trade-through', 'touch', 'queue'], 'fill-model', 'trade-through');
    const queue = oneOf<QueueModelName>(v.queue, ['risk-averse', 'prob'], 'queue', 'risk-averse');
    if (v.queue !== undefined && fillModel !== 'queue') throw new UserError('--queue applies to --fill-model queue only');
    const power = numberFlag(v, 'queue-power', 2, { minExclusive: 0 });
    const fallback = oneOf<MakerFallback>(v.fallback, ['taker', 'cancel'], 'fallback', 'taker');
    const offsetPct = numberFlag(v, 'offset-pct', 0.02, MAKER_EXECUTION_SPECS.offsetPct);
    const timeoutMs = parseDuration(v.timeout ?? '30s', '--timeout', { allowZero: true });
    const latencyMs = numberFlag(v, 'latency-ms', 0, { min: 0, unit: 'ms' });
    const tickSize = v['tick-size'] === undefined ? undefined : numberFlag(v, 'tick-size', 0, { minExclusive: 0, unit: 'quote currency' });
    const notional = numberFlag(v, 'notional', 100, { minExclusive: 0, unit: 'quote currency' });
    // Percent here (0.02 = 0.02%), as the plan writes fees; the engine's fee config holds fractions.
    const makerFee = numberFlag(v, 'maker-fee-pct', PLAN_FEES.maker * 100, { min: -1, max: 10, unit: '%' }) / 100;
    const takerFee = numberFlag(v, 'taker-fee-pct', PLAN_FEES.taker * 100, { min: 0, max: 10, unit: '%' }) / 100;
    const fees = new NotionalRateFeeModel({ maker: makerFee, taker: takerFee }, v['maker-fee-pct'] || v['taker-fee-pct'] ? 'fixed' : 'plan');
    const sweepOffsets =
      v['sweep-offsets'] !== undefined
        ? numberList(v['sweep-offsets'], 'sweep-offsets').map((x) => checkValue(x, MAKER_EXECUTION_SPECS.offsetPct, `--sweep-offsets ${x}`) as number)
        : DEFAULT_SWEEP_OFFSETS_PCT;
    const sweepTimeouts =
      v['sweep-timeouts'] !== undefined ? parseDurationList(v['sweep-timeouts'], '--sweep-timeouts', { allowZero: true }) : DEFAULT_SWEEP_TIMEOUTS_MS;

    const mk = loadMarket(dataFiles, v.book ?? []);
    for (const w of mk.warnings) process.stderr.write(`warning: ${w}\n`);
    const model = makeFillModel({ model: fillModel, queue, power });
    if (model.needsBook && !mk.depth) {
      throw new UserError('--fill-model queue needs the L2 book: give a Binance capture with a depth snapshot as --data, or as --book');
    }
    let market;
    try {
      market = makeMarketView(mk.trades, { quotes: mk.quotes, depth: mk.depth, tickSize });
    } catch (e) {
      if (model.needsBook) throw new UserError((e as Error).message);
      process.stderr.write(`warning: the L2 book could not be rebuilt (${(e as Error).message}); continuing without it\n`);
      market = makeMarketView(mk.trades, { quotes: mk.quotes, tickSize });
    }
    if (market.book && market.book.stats.gaps > 0) {
      process.stderr.write(`warning: the depth stream has ${market.book.stats.gaps} sequence break(s); queue positions after them are approximate\n`);
    }

    let orders: OrderRequest[];
    let ordersSource: Record<string, unknown>;
    if (v.strategies !== undefined) {
      const ids = v.strategies.split(',').map((s) => s.trim()).filter(Boolean);
      if (ids.length === 0) throw new UserError('--strategies is empty');
      const so = strategyOrders(mk.trades, ids, { preset: v.preset, config: v.config });
      orders = so.orders;
      ordersSource = { kind: 'strategies', strategies: ids, preset: v.preset, perStrategy: so.perStrategy };
    } else {
      const everyMs = parseDuration(v.schedule ?? '60s', '--schedule');
      orders = scheduleOrders(mk.trades, everyMs, { startMs: market.book?.readyTime });
      ordersSource = { kind: 'schedule', everyMs, sides: 'alternating buy, sell, … (first buy)' };
    }

    const params: MakerParams = { offsetPct, timeoutMs, fallback, latencyMs };
    const horizonMs = v.sweep ? Math.max(params.timeoutMs, ...sweepTimeouts) : params.timeoutMs;
    const res = runMakerStudy(market, orders, { params, model, fees, notional, horizonMs });
    const sweep = v.sweep
      ? sweepMakerStudy(market, orders, { model, fees, notional, fallback, latencyMs, offsetsPct: sweepOffsets, timeoutsMs: sweepTimeouts })
      : null;

    const data = describeTape(mk.trades);
    const extra = {
      data,
      quotes: market.quoteSource,
      book: market.book ? { readyTime: market.book.readyTime, endTime: market.book.endTime, tick: market.book.tick, ...market.book.stats } : null,
      tick: market.tick,
      ordersSource: { ...ordersSource, requested: orders.length },
      dataWarnings: mk.warnings,
      edgelabVersion: edgelabVersion(),
      createdAt: new Date().toISOString(),
    };
    const written = writeMakerSimOutputs(out, res, sweep, extra);
    if (!v.quiet) {
      const ex = res.excluded;
      process.stdout.write(
        `${path.basename(data.file)}: ${int(data.rows)} prints, ${data.from} → ${data.to}; quotes: ${market.quoteSource}; ` +
          `book: ${market.book ? `${int(market.book.stats.applied)} diffs, ${market.book.stats.gaps} gaps, tick ${market.tick}` : 'none'}\n` +
          `${model.label}: ${model.assumption}\n` +
          `offset ${offsetPct}% from the ${market.quoteSource === 'none' ? 'last print' : 'mid'}, timeout ${timeoutMs / 1000}s, fallback ${fallback}, latency ${latencyMs}ms; ` +
          `${int(orders.length)} orders requested (${String(ordersSource.kind)}), ${int(ex.censored)} too close to the end, ${int(ex.beforeBook + ex.afterBook)} outside the book\n\n` +
          formatMakerSummary(res.summary) +
          (sweep ? `\n\nsweep (${sweep.model}, same ${int(sweep.rows[0]?.orders ?? 0)} orders in every cell):\n${formatSweep(sweep)}` : '') +
          `\n\nwrote ${written.map((f) => path.join(out, f)).join(', ')}\n`,
      );
    }
    return 0;
  },
};
