import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBars } from '../../src/data/load';
import { bundledData } from '../../src/data/bundled';
import { judgeAtLeast, MIN_TRADES_FOR_VERDICT, phaseImpact } from '../../src/research/phase-impact';
import { edgelab } from '../helpers/cli';

describe('verdict rule', () => {
  it('confirms only when the whole interval clears the claim, refutes only when it misses entirely', () => {
    const n = MIN_TRADES_FOR_VERDICT;
    expect(judgeAtLeast(0.4, [0.36, 0.44], 0.35, n)).toBe('confirmed');
    expect(judgeAtLeast(0.3, [0.26, 0.34], 0.35, n)).toBe('refuted');
    expect(judgeAtLeast(0.36, [0.31, 0.41], 0.35, n)).toBe('not measurable');
    expect(judgeAtLeast(0.9, [0.8, 1], 0.35, n - 1)).toBe('not measurable'); // too few trades
  });
});

describe('phase impact on 8 months of real 5m bars', () => {
  const bars = loadBars(bundledData.bars5m).tape;
  const res = phaseImpact(bars, { strategies: ['V1', 'V4'], compounding: { months: 12, paths: 2000 } });

  it('runs the four steps cumulatively and judges every claim', () => {
    expect(res.steps.map((s) => s.preset)).toEqual(['before', 'phase1', 'phase2', 'phase3']);
    for (const s of res.steps) for (const id of ['V1', 'V4']) expect(s.strategies[id].trades).toBeGreaterThan(0);
    for (const c of res.claims) expect(['confirmed', 'refuted', 'not measurable']).toContain(c.verdict);
    expect(new Set(res.claims.map((c) => c.id))).toEqual(
      new Set(['P1.tradeCount', 'P1.edgePerTrade', 'P1.frequency', 'P1.fees', 'P2.winning', 'P2.evBeforeFees', 'P2.riskReward', 'P3.winRate', 'P3.winRate30', 'P3.winRate35', 'P3.falseSignals', 'P1-3.edge', 'P1-3.monthly', 'P6.sharpe']),
    );
  });

  it("shows where the plan is wrong: 3:1 exits do not make V1 win after fees on this data", () => {
    const c = res.claims.find((x) => x.id === 'P2.winning' && x.strategy === 'V1')!;
    const p2 = res.steps[2].strategies.V1;
    expect(p2.edgePerTradeCI![1]).toBeLessThan(0); // the whole interval is a loss …
    expect(c.verdict).toBe('refuted'); // … so the claim is refuted, not merely unproven
  });

  it('the compounding check resamples the final step and reports the $300k odds', () => {
    const v4 = res.compounding.V4 as { pReachTargetByEnd: number; pRuinByEnd: number; byMonth: unknown[] };
    expect(v4.byMonth).toHaveLength(12);
    expect(v4.pReachTargetByEnd).toBeGreaterThanOrEqual(0);
    expect(v4.pReachTargetByEnd).toBeLessThanOrEqual(1);
  });
});

describe('edgelab phase-impact (CLI)', () => {
  it('writes phase-impact.json with steps and claims', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-pi-'));
    const r = edgelab(['phase-impact', '--data', bundledData.trades, '--strategies', 'V1,V4', '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    const j = JSON.parse(fs.readFileSync(path.join(out, 'phase-impact.json'), 'utf8'));
    expect(j.steps).toHaveLength(4);
    expect(j.claims.length).toBeGreaterThan(10);
    // a 2-hour tape cannot judge a per-day frequency claim
    expect(j.claims.find((c: { id: string }) => c.id === 'P1.frequency').verdict).toBe('not measurable');
    fs.rmSync(out, { recursive: true, force: true });
  });
});
