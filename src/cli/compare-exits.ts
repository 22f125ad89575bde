import * as path from 'node:path';
import type { Command } from './command';
import { numberFlag, parseFlags, required } from './args';
import { UserError } from '../util/errors';
import { RULE_SPECS } from '../config/run-config';
import { edgelabVersion } from '../util/package-root';
import { loadMarketData } from '../data/market';
import { fixed, int, money, pct, table } from './format';
import {
  DEFAULT_RATIOS,
  DEFAULT_STOP_PCT,
  compareExits,
  writeCompareExitsOutputs,
  type CompareExitsResult,
} from '../research/compare-exits';
import { pairPolicy, ratioPolicy, type ExitPolicy } from '../backtest/exit-simulator';
import { unitsHelp } from './units-help';

/** `--ratios 1:1,3:1,2` (reward:risk; a bare number means n:1) at a fixed stop. */
export function parseRatios(spec: string, stopPct: number, maxHoldMs: number | null = null): ExitPolicy[] {
  if (!(Number.isFinite(stopPct) && stopPct > 0)) throw new UserError(`--stop-pct must be a positive number, got '${stopPct}'`);
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^([0-9]*\.?[0-9]+)(?::([0-9]*\.?[0-9]+))?$/.exec(s);
      if (!m) throw new UserError(`--ratios '${s}': expected reward:risk such as 3:1`);
      const reward = Number(m[1]);
      const risk = m[2] === undefined ? 1 : Number(m[2]);
      if (!(reward > 0 && risk > 0)) throw new UserError(`--ratios '${s}': both sides must be > 0`);
      return ratioPolicy(reward, risk, stopPct, maxHoldMs);
    });
}

/** `--pairs 0.5/1.5,0.3/0.9` (stop%/target%). */
export function parsePairs(spec: string, maxHoldMs: number | null = null): ExitPolicy[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^([0-9]*\.?[0-9]+)\/([0-9]*\.?[0-9]+)$/.exec(s);
      if (!m) throw new UserError(`--pairs '${s}': expected stop/target in percent such as 0.5/1.5`);
      const stop = Number(m[1]);
      const target = Number(m[2]);
      if (!(stop > 0 && target > 0)) throw new UserError(`--pairs '${s}': stop and target must be > 0`);
      return pairPolicy(stop, target, maxHoldMs);
    });
}

/** The default `--ratios` text, from the comparison's defaults. */
const DEFAULT_RATIOS_FLAG = DEFAULT_RATIOS.map(([reward, risk]) => `${reward}:${risk}`).join(',');

const USAGE =
  'edgelab compare-exits --data <file> [--data <file> …] [--strategies V1,V4] [--preset phase2] [--config <json>] ' +
  '[--ratios 1:1,3:1] [--stop-pct 0.5] [--pairs 0.5/1.5,0.3/0.9] [--max-hold-ms <ms>] [--no-signal] ' +
  '[--entries <trade-log.csv>] [--price-tolerance-pct 0.1] --out <dir>';

/** Policies × strategies, net and gross, with the break-even win rates. */
export function formatCompareExits(res: CompareExitsResult): string {
  const rows: string[][] = [];
  for (const p of res.policies) {
    for (const [id, s] of Object.entries(p.strategies)) {
      rows.push([
        p.label,
        id,
        int(s.trades),
        pct(s.winRate),
        s.winRateCI ? `${pct(s.winRateCI[0], 0)}–${pct(s.winRateCI[1], 0)}` : '—',
        fixed(s.riskReward, 2),
        money(s.expectedValue),
        money(s.edgePerTrade),
        money(s.edgePerTradeGross),
        money(s.feesPaid),
        pct(s.breakEvenWinRate),
        pct(s.breakEvenWinRateTheoretical),
        s.edgePerTrade === null ? '—' : s.edgePerTrade > 0 ? 'wins' : 'loses',
      ]);
    }
  }
  const main = table(
    ['exit', 'strategy', 'trades', 'win', 'win 95% CI', 'R:R', 'EV', 'edge/trade', 'edge gross', 'fees', 'BE win', 'BE theory', 'net'],
    rows,
  );
  const ids = Object.keys(res.winRates.byStrategy);
  const wr = table(
    ['win rate net / gross', ...res.policies.map((p) => p.label), 'falls as target widens'],
    ids.map((id) => [
      id,
      ...res.policies.map((p) =>
        p.name in res.winRates.byStrategy[id] ? `${pct(res.winRates.byStrategy[id][p.name])} / ${pct(res.winRates.byStrategyGross[id][p.name])}` : '—',
      ),
      res.winRates.fallsAsTargetWidens[id] === null ? '—' : res.winRates.fallsAsTargetWidens[id] ? 'yes' : 'no',
    ]),
  );
  const pc = res.planClaim;
  const claim =
    pc.policy === null
      ? 'plan claim "27% WR + 3:1 is winning": not checked (no 3:1 policy in --ratios/--pairs)'
      : [
          `plan claim "${pct(pc.claimedWinRate, 0)} WR + 3:1 is winning" (${pc.policy}: stop ${pc.stopPct}%, target ${pc.targetPct}%):`,
          ...Object.entries(pc.strategies).map(([id, c]) => `  ${id}: ${c.holds ? 'HOLDS' : 'does not hold'} — ${c.note}`),
        ].join('\n');
  return `${main}\n\n${wr}\n\n${claim}`;
}

export const compareExitsCommand: Command = {
  help: () => unitsHelp(),
  summary: 'Same entries, different exits (1:1, 3:1, signal, …), before and after fees; checks the plan\'s "27% WR + 3:1 is winning".',
  usage: USAGE,
  async run(argv) {
    const v = parseFlags(
      argv,
      {
        data: { type: 'string', multiple: true },
        strategies: { type: 'string' },
        preset: { type: 'string', default: 'phase2' },
        config: { type: 'string' },
        ratios: { type: 'string' },
        pairs: { type: 'string' },
        'stop-pct': { type: 'string' },
        'max-hold-ms': { type: 'string' },
        'no-signal': { type: 'boolean', default: false },
        entries: { type: 'string' },
        'price-tolerance-pct': { type: 'string' },
        out: { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
      USAGE,
    );
    const files = v.data ?? [];
    if (files.length === 0) throw new UserError(`missing --data\nusage: ${USAGE}`);
    const out = required(v, 'out', USAGE);
    const ids = (v.strategies ?? (v.entries ? '' : 'V1,V4'))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (ids.length === 0 && !v.entries) throw new UserError('--strategies is empty (give strategy ids and/or --entries <trade-log.csv>)');
    const stopPct = numberFlag(v, 'stop-pct', DEFAULT_STOP_PCT, { ...RULE_SPECS.stopPct, nullable: false });
    const maxHold = v['max-hold-ms'] === undefined ? null : numberFlag(v, 'max-hold-ms', 0, { ...RULE_SPECS.maxHoldMs, nullable: false });
    const tol = numberFlag(v, 'price-tolerance-pct', 0.1, { min: 0, unit: '%' });
    const policies: ExitPolicy[] = [];
    if (v.ratios !== undefined || v.pairs === undefined) policies.push(...parseRatios(v.ratios ?? DEFAULT_RATIOS_FLAG, stopPct, maxHold));
    if (v.pairs !== undefined) policies.push(...parsePairs(v.pairs, maxHold));
    if (policies.length === 0) throw new UserError('--ratios/--pairs give no exit policy');

    const { tape, warnings } = loadMarketData(files);
    const res = compareExits(tape, {
      strategies: ids,
      preset: v.preset!,
      config: v.config,
      entriesLog: v.entries,
      policies,
      stopPct,
      includeSignal: !v['no-signal'],
      maxHoldMs: maxHold,
      priceTolerancePct: tol,
    });
    const allWarnings = [...warnings, ...res.warnings];
    for (const w of allWarnings) process.stderr.write(`warning: ${w}\n`);
    const written = writeCompareExitsOutputs(out, res, {
      dataWarnings: warnings,
      edgelabVersion: edgelabVersion(),
      createdAt: new Date().toISOString(),
    });
    if (!v.quiet) {
      const d = res.data;
      const e = res.entries;
      process.stdout.write(
        `${d.kind} ${path.basename(d.file)}: ${int(d.rows)} rows, ${d.from} → ${d.to}; ` +
          `${int(e.count)} entries (${Object.entries(e.perStrategy).map(([k, n]) => `${k} ${n}`).join(', ')}) from ${e.source}` +
          `${e.source === 'log' ? '' : ` under preset ${e.preset}`}; each exit simulated independently; fees maker ${pct(res.settings.fees.maker, 3)} / taker ${pct(res.settings.fees.taker, 3)}, notional ${money(res.settings.notional)}\n\n` +
          formatCompareExits(res) +
          `\n\nwrote ${written.map((f) => path.join(out, f)).join(', ')}\n`,
      );
    }
    return 0;
  },
};
