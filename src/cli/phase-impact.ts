import * as path from 'node:path';
import type { Command } from './command';
import { numberFlag, parseFlags, required } from './args';
import { UserError } from '../util/errors';
import { phaseImpact, PHASE_STEPS } from '../research/phase-impact';
import { writeOutputsAtomic } from '../util/atomic-write';
import { toJsonDocument } from '../util/json';
import { edgelabVersion } from '../util/package-root';
import { loadMarketData } from '../data/market';
import { fixed, int, money, pct, table } from './format';
import { createProgress } from './progress';

const USAGE = 'edgelab phase-impact --data <file> [--strategies V1,…,V8] [--months 36] --out <dir>';

export const phaseImpactCommand: Command = {
  summary: "Run before → phase1 → phase2 → phase3 on the same data and judge each of the plan's expected-impact claims.",
  usage: USAGE,
  async run(argv) {
    const v = parseFlags(
      argv,
      { data: { type: 'string', multiple: true }, strategies: { type: 'string', default: 'V1,V2,V3,V4,V5,V6,V7,V8' }, months: { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean', default: false } },
      USAGE,
    );
    const files = v.data ?? [];
    if (!files.length) throw new UserError(`missing --data\nusage: ${USAGE}`);
    const out = required(v, 'out', USAGE);
    const ids = v.strategies!.split(',').map((s) => s.trim()).filter(Boolean);
    const months = numberFlag(v, 'months', 36, { min: 1, integer: true, unit: 'months' });
    const { tape, warnings } = loadMarketData(files);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    const progress = createProgress({ quiet: v.quiet, unit: 'presets' });
    progress.start(PHASE_STEPS.length, 'phase-impact');
    let res: ReturnType<typeof phaseImpact>;
    try {
      res = phaseImpact(tape, {
        strategies: ids,
        compounding: { months },
        onStep: (p) => progress.update(PHASE_STEPS.indexOf(p), `running ${p}`),
      });
      progress.update(PHASE_STEPS.length);
    } finally {
      progress.stop();
    }
    writeOutputsAtomic(out, {
      'phase-impact.json': toJsonDocument({ ...res, edgelabVersion: edgelabVersion(), createdAt: new Date().toISOString() }),
    });
    if (!v.quiet) {
      const rows: string[][] = [];
      for (const id of ids) {
        for (const p of PHASE_STEPS) {
          const s = res.steps.find((x) => x.preset === p)!.strategies[id];
          rows.push([`${id} ${p}`, int(s.trades), fixed(s.tradesPerDay, 1), money(s.feesPaid), pct(s.winRate), fixed(s.riskReward, 2), money(s.edgePerTrade), money(s.expectedValue)]);
        }
      }
      const verdictRows = res.claims.map((c) => [c.verdict.toUpperCase(), c.strategy, c.quote, c.observed]);
      const count = (k: string) => res.claims.filter((c) => c.verdict === k).length;
      process.stdout.write(
        `${res.data.kind} ${path.basename(res.data.file)}: ${int(res.data.rows)} rows, ${res.data.from} → ${res.data.to}\n\n` +
          table(['strategy step', 'trades', '/day', 'fees', 'win', 'R:R', 'edge/trade', 'EV'], rows) +
          '\n\n' +
          table(['verdict', 'strategy', "the plan's claim", 'observed'], verdictRows, 4) +
          `\n\nclaims: ${count('confirmed')} confirmed, ${count('refuted')} refuted, ${count('not measurable')} not measurable\n` +
          `wrote ${path.join(out, 'phase-impact.json')}\n`,
      );
    }
    return 0;
  },
};
