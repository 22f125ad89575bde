/**
 * Units are stated once — in the specs — and README's table is those specs:
 * every numeric key of rules, engine, maker execution, each strategy and each
 * formula, with its unit and bounds. Changing a spec without the README (or
 * the other way round) fails here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unitRows } from '../../src/cli/units-help';
import { RULE_KEYS } from '../../src/config/run-config';
import { listStrategies } from '../../src/strategies/registry';
import { edgelab } from '../helpers/cli';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const block = README.split('<!-- units-table:begin -->\n')[1]?.split('<!-- units-table:end -->')[0] ?? '';
const esc = (s: string) => s.replace(/\|/g, '\\|');

describe('README units table', () => {
  it('is exactly the table of the specs (regenerate: one row per unitRows() entry)', () => {
    const want = [
      '| key | where | unit | allowed | meaning |',
      '|---|---|---|---|---|',
      ...unitRows().map((r) => `| \`${r.key}\` | ${r.scope} | ${esc(r.unit)} | ${esc(r.allowed)} | ${esc(r.doc)} |`),
    ];
    expect(block.trimEnd().split('\n')).toEqual(want);
  });

  it('covers every rule and every parameter of V1–V8, each numeric one with a unit', () => {
    const rows = unitRows();
    for (const k of RULE_KEYS) expect(rows.some((r) => r.key === k && r.scope === 'rules (every strategy)'), k).toBe(true);
    for (const s of listStrategies().filter((x) => /^V[1-8]$/.test(x.id))) {
      for (const [k, spec] of Object.entries(s.params)) {
        const row = rows.find((r) => r.scope === s.id && r.key === k);
        expect(row?.unit, `${s.id}.${k}`).toBe(spec.unit);
        expect(spec.unit.length, `${s.id}.${k}`).toBeGreaterThan(0);
      }
    }
    for (const r of rows) if (r.unit !== 'true/false' && r.unit !== 'one of') expect(r.unit, `${r.scope} ${r.key}`).not.toBe('—');
  });

  it('`edgelab backtest --help` lists the rules and parameters with their units', () => {
    const r = edgelab(['backtest', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stopPct\s+a number > 0% and ≤ 100%, or null \(no stop\)/);
    expect(r.stdout).toMatch(/minHoldMs\s+a number ≥ 0 ms/);
    expect(r.stdout).toMatch(/imbalanceThreshold\s+a number ≥ 0 and ≤ 1 \(fraction\)/);
  });
});
