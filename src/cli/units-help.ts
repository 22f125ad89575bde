/**
 * The units of every numeric key, from the specs themselves (rules, engine,
 * maker execution, each strategy's ParamSpec): printed by `--help` of the
 * commands that take `--config` or `--param`, and the source of README's
 * units table (test/config/units-table.test.ts keeps the two equal).
 */
import { describeSpec, type ValueSpec } from '../core/param-check';
import { ENGINE_SPECS, RULE_SPECS } from '../config/run-config';
import { MAKER_EXECUTION_SPECS } from '../execution/maker-entry';
import { listStrategies } from '../strategies/registry';
import { SIGNALS } from '../signals/registry';

export interface UnitRow {
  key: string;
  /** Where the key goes: `rules (every strategy)`, `engine`, `V1`, `signals --signal vpin`, … */
  scope: string;
  unit: string;
  allowed: string;
  doc: string;
}

const unitOf = (s: ValueSpec) => (s.type === 'boolean' ? 'true/false' : s.type === 'enum' ? 'one of' : (s.unit ?? '—'));

/** One row per numeric (and boolean/enum rule) key, in a stable order. */
export function unitRows(): UnitRow[] {
  const rows: UnitRow[] = [];
  const add = (scope: string, specs: Record<string, ValueSpec & { doc: string }>) => {
    for (const [key, s] of Object.entries(specs)) rows.push({ key, scope, unit: unitOf(s), allowed: describeSpec(s), doc: s.doc });
  };
  add('rules (every strategy)', RULE_SPECS);
  add('engine', ENGINE_SPECS);
  add('engine.execution (maker)', MAKER_EXECUTION_SPECS);
  for (const st of listStrategies()) add(st.id, st.params as Record<string, ValueSpec & { doc: string }>);
  for (const [name, sig] of Object.entries(SIGNALS)) add(`signals --signal ${name}`, sig.params as Record<string, ValueSpec & { doc: string }>);
  return rows;
}

/** The `--help` block: rules, then the given strategies' parameters, each with its unit and bounds. */
export function unitsHelp(scopes?: (scope: string) => boolean): string {
  const rows = unitRows().filter((r) => (scopes ? scopes(r.scope) : !r.scope.startsWith('signals')));
  const w = Math.max(...rows.map((r) => r.key.length));
  const out: string[] = [];
  let scope = '';
  for (const r of rows) {
    if (r.scope !== scope) out.push(`\n  ${(scope = r.scope)}:`);
    out.push(`    ${r.key.padEnd(w)}  ${r.allowed}`);
  }
  return `config keys and parameters (unit and bounds; percent keys are percent: 0.5 = 0.5%):${out.join('\n')}`;
}
