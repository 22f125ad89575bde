/**
 * Old → new per field of a live config, each change with the evidence behind
 * it (the strategy's new evidence block). Revision and time stamps are not
 * fields a trader tunes and are left out; evidence is shown, not diffed.
 */
import type { LiveConfig, LiveEvidence } from '../config/live-config';

export interface FieldChange {
  /** JSON path in the live config, e.g. `strategies.V4.params.zEntry`. */
  path: string;
  strategy: string | null;
  /** undefined: the field did not exist (a strategy new to the live config). */
  old: unknown;
  new: unknown;
  /** One line: where the new value comes from and how good the proof is. */
  evidence: string | null;
}

function leaves(x: unknown, prefix: string, out: Map<string, unknown>): void {
  if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
    for (const [k, v] of Object.entries(x)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, x);
}

const num = (x: number | null | undefined, d: number) =>
  x === null || x === undefined ? '—' : x !== 0 && Math.abs(x) < 10 ** -d ? x.toExponential(1) : x.toFixed(d);

/** One line of evidence for a strategy block. */
export function evidenceLine(e: LiveEvidence): string {
  if (!e.artifact) return e.source;
  const o = e.oos;
  const parts = [
    `${e.artifact} (sha256 ${e.sha256?.slice(0, 12)}…)`,
    o ? `OOS ${o.trades} trades ${o.from.slice(0, 10)} → ${o.to.slice(0, 10)}, edge/trade ${num(o.edgePerTrade, 6)} CI [${o.edgePerTradeCI ? o.edgePerTradeCI.map((x) => x.toFixed(6)).join(', ') : '—'}]` : 'no OOS record',
    `DSR ${num(e.dsr, 3)}`,
    `PBO ${num(e.pbo, 3)}`,
  ];
  if (e.forced) parts.push(`FORCED past the gate: "${e.reason}"`);
  return parts.join('; ');
}

/** Field-by-field changes from `before` (null: nothing yet) to `after`. */
export function diffLiveConfigs(before: LiveConfig | null, after: LiveConfig): FieldChange[] {
  const strip = (d: LiveConfig | null) => {
    if (!d) return {};
    const s: Record<string, unknown> = {};
    for (const [id, b] of Object.entries(d.strategies)) s[id] = { params: b.params, rules: b.rules, execution: b.execution };
    return { engine: d.engine, strategies: s };
  };
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  leaves(strip(before), '', a);
  leaves(strip(after), '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  const out: FieldChange[] = [];
  for (const p of paths) {
    const o = a.get(p);
    const n = b.get(p);
    if (JSON.stringify(o) === JSON.stringify(n)) continue;
    const m = /^strategies\.([^.]+)\./.exec(p);
    const id = m ? m[1] : null;
    const ev = id ? (after.strategies[id]?.evidence ?? null) : null;
    out.push({ path: p, strategy: id, old: o, new: n, evidence: ev ? evidenceLine(ev) : null });
  }
  return out;
}

const show = (x: unknown) => (x === undefined ? '(absent)' : JSON.stringify(x));

/** The diff as text: one line per field, the evidence once per strategy. */
export function formatDiff(changes: readonly FieldChange[]): string {
  if (!changes.length) return '  (no field changes)';
  const lines: string[] = [];
  let lastEvidence: string | null = null;
  for (const c of changes) {
    if (c.evidence && c.evidence !== lastEvidence) {
      lines.push(`  ${c.strategy}: evidence ${c.evidence}`);
      lastEvidence = c.evidence;
    }
    lines.push(`    ${c.path}: ${show(c.old)} → ${show(c.new)}`);
  }
  return lines.join('\n');
}
