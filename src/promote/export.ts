/**
 * The live config in the bot's own shape, rendered with Handlebars
 * (`src/promote/templates/*.hbs`): a Python module with the plan's names
 * (`V8Configuration.VPIN_THRESHOLD`, `STOP_LOSS_PCT`, `MIN_HOLD_TIMES`, …),
 * each value commented with the revision and its evidence, and a freqtrade
 * strategy parameter file. Values are turned into literals here; templates
 * only loop.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { packageRoot } from '../util/package-root';
import { UserError } from '../util/errors';
import { getStrategy } from '../strategies/registry';
import type { LiveConfig, LiveStrategy } from '../config/live-config';

function template(name: string): Handlebars.TemplateDelegate {
  const file = path.join(packageRoot(), 'src', 'promote', 'templates', `${name}.hbs`);
  return Handlebars.compile(fs.readFileSync(file, 'utf8'), { noEscape: true, strict: true });
}

/** The plan's name of each strategy parameter (ACTION_PLAN.md 1.3 and 3.1); others get their edgelab name in UPPER_SNAKE. */
export const PLAN_PARAM_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  V1: { imbalanceThreshold: 'OFI_THRESHOLD', volumeRatio: 'MIN_VOLUME_RATIO' },
  V3: { vpinEntry: 'VPIN_ENTRY', volumeSurge: 'MIN_VOLUME_SURGE' },
  V4: { zEntry: 'Z_SCORE_ENTRY', zExit: 'Z_SCORE_EXIT' },
  V6: { minRegimeProb: 'MIN_REGIME_PROB' },
  V8: { vpinThreshold: 'VPIN_THRESHOLD', vpinPercentile: 'VPIN_PERCENTILE' },
};

const upperSnake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

/** A JSON value as a Python literal. */
export function pyLiteral(x: unknown): string {
  if (x === null || x === undefined) return 'None';
  if (x === true) return 'True';
  if (x === false) return 'False';
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new Error(`pyLiteral: ${x} has no Python literal here`);
    return String(x);
  }
  if (typeof x === 'string') return JSON.stringify(x);
  throw new Error(`pyLiteral: unsupported ${typeof x}`);
}

/** Short evidence for a value's comment. */
function shortEvidence(s: LiveStrategy): string {
  const e = s.evidence;
  if (!e.artifact) return e.source;
  const bits = [`${path.basename(e.artifact)} sha256:${e.sha256?.slice(0, 12)}`, `OOS ${e.oos?.trades ?? 0} trades`, `DSR ${e.dsr?.toFixed(3) ?? '—'}`, `PBO ${e.pbo?.toFixed(3) ?? '—'}`];
  if (e.forced) bits.push('FORCED past the gate (reason in the class docstring)');
  return bits.join(', ');
}

function fullEvidence(s: LiveStrategy): string {
  const e = s.evidence;
  if (!e.artifact) return e.source;
  const o = e.oos;
  return oneLine(
    `calibration ${e.artifact} (sha256 ${e.sha256}), promoted ${e.promotedAt}; out-of-sample ${o?.trades ?? 0} trades ${o?.from ?? ''} → ${o?.to ?? ''}, ` +
      `edge/trade ${o?.edgePerTrade ?? '—'} (95% CI ${o?.edgePerTradeCI ? o.edgePerTradeCI.join(' … ') : '—'}), DSR ${e.dsr ?? '—'}, PBO ${e.pbo ?? '—'}` +
      (e.forced ? `; FORCED past the gate: ${e.reason}` : ''),
  ).replace(/"""/g, "'''");
}

export interface PythonField {
  name: string;
  value: unknown;
}

/** The Python names and values of one strategy block (plan units: percent, seconds). */
export function pythonFields(id: string, s: LiveStrategy): PythonField[] {
  const names = PLAN_PARAM_NAMES[id] ?? {};
  const out: PythonField[] = [];
  for (const [k, v] of Object.entries(s.params)) {
    if (id === 'V8' && k === 'vpinPercentile') out.push({ name: 'USE_PERCENTILE_VPIN', value: v > 0 });
    out.push({ name: names[k] ?? upperSnake(k), value: v });
  }
  const r = s.rules;
  const sec = (ms: number | null) => (ms === null ? null : ms / 1000);
  out.push(
    { name: 'STOP_LOSS_PCT', value: r.stopPct },
    { name: 'TAKE_PROFIT_PCT', value: r.targetPct },
    { name: 'SIGNAL_EXIT', value: r.signalExit },
    { name: 'MIN_HOLD', value: sec(r.minHoldMs) },
    { name: 'MAX_HOLD', value: sec(r.maxHoldMs) },
    { name: 'BRACKET_DURING_HOLD', value: r.bracketDuringHold },
    { name: 'MAX_TRADES_PER_MINUTE', value: r.maxTradesPerMinute },
    { name: 'MAX_TRADES_PER_HOUR', value: r.maxTradesPerHour },
    { name: 'MAX_TRADES_PER_DAY', value: r.maxTradesPerDay },
    { name: 'MIN_CONFIRMATIONS', value: r.minConfirmations },
    { name: 'CONFIRMATION_VOLUME_RATIO', value: r.confirmationVolumeRatio },
    { name: 'CONFIRMATION_REGIME_PROB', value: r.confirmationRegimeProb },
  );
  const x = s.execution;
  out.push(
    { name: 'USE_MAKER_ORDERS', value: x.mode === 'maker' },
    { name: 'MAKER_OFFSET_PCT', value: x.mode === 'maker' ? x.offsetPct : null },
    { name: 'MAKER_TIMEOUT', value: x.mode === 'maker' ? x.timeoutMs / 1000 : null },
    { name: 'MAKER_FALLBACK', value: x.mode === 'maker' ? x.fallback : null },
  );
  return out;
}

/** The Python module text for a live config. */
export function renderPython(doc: LiveConfig, meta: { liveFile: string; sha256: string }): string {
  const rev = doc.revision;
  const byType = new Map<string, { id: string; s: number }[]>();
  const strategies = Object.entries(doc.strategies).map(([id, s]) => {
    const strat = getStrategy(id);
    const list = byType.get(strat.type) ?? [];
    list.push({ id, s: s.rules.minHoldMs / 1000 });
    byType.set(strat.type, list);
    const ev = oneLine(shortEvidence(s));
    return {
      id,
      idPy: pyLiteral(id),
      name: oneLine(strat.name),
      className: `${id}Configuration`,
      evidence: fullEvidence(s),
      fields: pythonFields(id, s).map((f) => ({ name: f.name, value: pyLiteral(f.value), comment: `r${rev} · ${ev}` })),
    };
  });
  const minHoldTimes = [...byType.entries()].map(([type, list]) => {
    const same = list.every((x) => x.s === list[0].s);
    // One value per type cannot hold strategies of a type that hold differently: None makes a bot that
    // reads MIN_HOLD_TIMES[type] fail loudly instead of silently using the wrong hold.
    if (!same) {
      return {
        key: pyLiteral(type),
        value: 'None',
        comment: `r${rev} · differs per strategy (${list.map((x) => `${x.id} ${x.s} s`).join(', ')}): use each class's MIN_HOLD`,
      };
    }
    return { key: pyLiteral(type), value: pyLiteral(list[0].s), comment: `r${rev} · ${list.map((x) => x.id).join(', ')}` };
  });
  return template('python')({
    revision: rev,
    updatedAt: doc.updatedAt,
    updatedAtPy: pyLiteral(doc.updatedAt),
    liveFile: meta.liveFile,
    liveSha256: meta.sha256,
    liveSha256Py: pyLiteral(meta.sha256),
    minHoldTimes,
    strategies,
  });
}

/** freqtrade's `export_time` form (`str(datetime)` of an aware UTC datetime). */
function freqtradeTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

/**
 * A freqtrade strategy parameter file (`<Strategy>.json` beside the strategy):
 * `roi` from the target, `stoploss` from the stop (negative fraction), the
 * rest under `buy` with edgelab's names.
 */
export function renderFreqtrade(doc: LiveConfig, opts: { strategy: string; strategyName?: string; now: Date }): string {
  const s = doc.strategies[opts.strategy];
  if (!s) throw new UserError(`--strategy ${opts.strategy}: not in the live config (strategies: ${Object.keys(doc.strategies).join(', ')})`);
  const r = s.rules;
  const buy: Record<string, unknown> = { ...s.params };
  for (const [k, v] of Object.entries(r)) if (k !== 'stopPct' && k !== 'targetPct') buy[k] = v;
  buy.execution = s.execution.mode;
  if (s.execution.mode === 'maker') {
    buy.makerOffsetPct = s.execution.offsetPct;
    buy.makerTimeoutMs = s.execution.timeoutMs;
    buy.makerFallback = s.execution.fallback;
  }
  buy.edgelabRevision = doc.revision;
  if (s.evidence.sha256) buy.edgelabEvidenceSha256 = s.evidence.sha256;
  const text = template('freqtrade')({
    strategyName: JSON.stringify(opts.strategyName ?? opts.strategy),
    // freqtrade: minimal_roi {"0": x} exits at +x from the first minute; no target = no ROI exit.
    roi: JSON.stringify(r.targetPct === null ? {} : { '0': r.targetPct / 100 }),
    // freqtrade: stoploss -1 is "no stop".
    stoploss: JSON.stringify(r.stopPct === null ? -1 : -r.stopPct / 100),
    buy: Object.entries(buy).map(([k, v]) => ({ key: JSON.stringify(k), value: JSON.stringify(v) })),
    exportTime: JSON.stringify(freqtradeTime(opts.now)),
  });
  JSON.parse(text); // the template must yield JSON; a broken one fails here, not in the bot
  return text;
}
