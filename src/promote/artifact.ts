/**
 * Reading a calibration artifact (`calibration.json` from `edgelab
 * calibrate`) for promotion. Anything malformed is bad input (UserError,
 * exit 2) naming the file and field: not JSON or truncated, an unknown
 * strategy, a parameter that is not the strategy's or out of its bounds, and
 * fields that contradict each other (trials vs configurations listed, span vs
 * rows, params vs fullParams, the out-of-sample total vs its folds).
 */
import * as fs from 'node:fs';
import { UserError } from '../util/errors';
import type { CalibrationArtifact } from '../research/calibrate';
import { getStrategy } from '../strategies/registry';
import { checkValue } from '../core/param-check';
import { sha256Hex } from '../config/live-config';

export interface LoadedArtifact {
  file: string;
  sha256: string;
  artifact: CalibrationArtifact;
}

const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function field(o: Record<string, unknown>, path: string, label: string): unknown {
  let cur: unknown = o;
  for (const k of path.split('.')) {
    if (!isObj(cur) || !(k in cur)) throw new UserError(`${label}: ${path}: missing`);
    cur = cur[k];
  }
  return cur;
}

function numField(o: Record<string, unknown>, path: string, label: string, opt: { nullable?: boolean; integer?: boolean; min?: number; max?: number } = {}): number | null {
  const v = field(o, path, label);
  if (v === null && opt.nullable) return null;
  if (!isNum(v)) throw new UserError(`${label}: ${path}: expected a number${opt.nullable ? ' or null' : ''}, got ${JSON.stringify(v)}`);
  if (opt.integer && !Number.isInteger(v)) throw new UserError(`${label}: ${path}: expected an integer, got ${v}`);
  if (opt.min !== undefined && v < opt.min) throw new UserError(`${label}: ${path}: must be ≥ ${opt.min}, got ${v}`);
  if (opt.max !== undefined && v > opt.max) throw new UserError(`${label}: ${path}: must be ≤ ${opt.max}, got ${v}`);
  return v;
}

function isoField(o: Record<string, unknown>, path: string, label: string, nullable = false): number | null {
  const v = field(o, path, label);
  if (v === null && nullable) return null;
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) throw new UserError(`${label}: ${path}: expected an ISO 8601 time${nullable ? ' or null' : ''}, got ${JSON.stringify(v)}`);
  return t;
}

/**
 * Check strategy parameter values with the one parameter check
 * (`checkValue` against the strategy's ParamSpec: name, type, bounds, unit),
 * naming `<label>: <fieldPrefix>.<name>`.
 */
export function checkStrategyParams(strategy: string, values: Record<string, unknown>, label: string, fieldPrefix: string): void {
  const s = getStrategy(strategy);
  for (const [k, v] of Object.entries(values)) {
    const spec = s.params[k];
    if (!spec) throw new UserError(`${label}: ${fieldPrefix}.${k}: not a parameter of ${strategy} (parameters: ${Object.keys(s.params).join(', ')})`);
    checkValue(v, spec, `${label}: ${fieldPrefix}.${k}`, strategy);
  }
}

/** Validate a parsed artifact; `label` names the file. */
export function validateArtifact(doc: unknown, label: string): CalibrationArtifact {
  if (!isObj(doc)) throw new UserError(`${label}: expected a JSON object (a calibration.json from edgelab calibrate)`);
  if (doc.kind !== 'edgelab.calibration') throw new UserError(`${label}: kind: expected "edgelab.calibration", got ${JSON.stringify(doc.kind)}`);
  const strategy = field(doc, 'strategy', label);
  if (typeof strategy !== 'string') throw new UserError(`${label}: strategy: expected a strategy id`);
  try {
    getStrategy(strategy);
  } catch (e) {
    throw new UserError(`${label}: strategy: ${(e as Error).message}`);
  }
  const params = field(doc, 'params', label);
  const fullParams = field(doc, 'fullParams', label);
  if (!isObj(params)) throw new UserError(`${label}: params: expected an object`);
  if (!isObj(fullParams)) throw new UserError(`${label}: fullParams: expected an object`);
  if (!Object.keys(params).length) {
    throw new UserError(`${label}: params: empty — the calibration chose no configuration (${JSON.stringify((doc.significance as Record<string, unknown> | undefined)?.reasons ?? [])}); nothing to promote`);
  }
  checkStrategyParams(strategy, params, label, 'params');
  checkStrategyParams(strategy, fullParams, label, 'fullParams');
  for (const k of Object.keys(getStrategy(strategy).params)) {
    if (!(k in fullParams)) throw new UserError(`${label}: fullParams.${k}: missing (fullParams lists every parameter of ${strategy})`);
  }
  for (const [k, v] of Object.entries(params)) {
    if (fullParams[k] !== v) throw new UserError(`${label}: params.${k}: ${v} contradicts fullParams.${k} = ${JSON.stringify(fullParams[k])}`);
  }
  const swept = field(doc, 'swept', label);
  if (!Array.isArray(swept)) throw new UserError(`${label}: swept: expected a list`);
  for (const [k, v] of Object.entries(params)) {
    const p = swept.find((x) => isObj(x) && x.name === k) as { values?: unknown } | undefined;
    if (!p) throw new UserError(`${label}: params.${k}: not among the swept parameters (${swept.map((x) => (isObj(x) ? x.name : '?')).join(', ')})`);
    if (Array.isArray(p.values) && !p.values.includes(v)) throw new UserError(`${label}: params.${k}: ${v} is not one of the swept values ${JSON.stringify(p.values)}`);
  }

  // Trials vs configurations listed.
  const trials = numField(doc, 'trials', label, { integer: true, min: 1 })!;
  const configurations = field(doc, 'configurations', label);
  if (!Array.isArray(configurations)) throw new UserError(`${label}: configurations: expected a list`);
  if (configurations.length !== trials) throw new UserError(`${label}: trials: ${trials} contradicts configurations, which lists ${configurations.length}`);
  const grid = swept.reduce((n: number, p) => n * (isObj(p) && Array.isArray(p.values) ? p.values.length : 1), 1);
  if (trials > grid) throw new UserError(`${label}: trials: ${trials} is more than the ${grid} configurations the swept values allow`);

  // Data: span vs rows.
  const rows = numField(doc, 'data.rows', label, { integer: true, min: 0 })!;
  const from = isoField(doc, 'data.from', label, true);
  const to = isoField(doc, 'data.to', label, true);
  if ((from === null) !== (to === null)) throw new UserError(`${label}: data.from/data.to: one is null and the other is not`);
  if (rows > 0 && from === null) throw new UserError(`${label}: data.rows: ${rows} rows contradict an empty span (data.from is null)`);
  if (rows === 0 && from !== null) throw new UserError(`${label}: data.rows: 0 rows contradict a span ${String(doc.data && (doc.data as Record<string, unknown>).from)} → ${String((doc.data as Record<string, unknown>).to)}`);
  if (from !== null && to !== null && to < from) throw new UserError(`${label}: data.to: ends before data.from`);
  const kind = field(doc, 'data.kind', label);
  if (kind === 'bars' && from !== null && to !== null) {
    const tf = numField(doc, 'data.timeframeMs', label, { min: 1 })!;
    const fits = Math.round((to - from) / tf);
    if (rows > fits) throw new UserError(`${label}: data.rows: ${rows} bars of ${tf / 60_000} min cannot fit in the span ${new Date(from).toISOString()} → ${new Date(to).toISOString()} (at most ${fits})`);
  }
  const sha = field(doc, 'data.sha256', label);
  if (sha !== null && !(typeof sha === 'string' && /^[0-9a-f]{64}$/.test(sha))) throw new UserError(`${label}: data.sha256: expected 64 hex digits or null`);
  if (typeof field(doc, 'data.file', label) !== 'string') throw new UserError(`${label}: data.file: expected a path`);

  // Out-of-sample record and significance.
  const oosTrades = numField(doc, 'outOfSample.trades', label, { integer: true, min: 0 })!;
  numField(doc, 'outOfSample.edgePerTrade', label, { nullable: true });
  const windows = field(doc, 'walkForward.windows', label);
  if (!Array.isArray(windows)) throw new UserError(`${label}: walkForward.windows: expected a list`);
  const foldTrades = windows.reduce((n: number, w) => n + (isObj(w) && isObj(w.testMetrics) && isNum(w.testMetrics.trades) ? w.testMetrics.trades : 0), 0);
  if (foldTrades !== oosTrades) throw new UserError(`${label}: outOfSample.trades: ${oosTrades} contradicts the walk-forward test windows, which hold ${foldTrades}`);
  const folds = numField(doc, 'walkForward.folds', label, { integer: true, min: 1 })!;
  if (windows.length !== folds) throw new UserError(`${label}: walkForward.folds: ${folds} contradicts walkForward.windows, which lists ${windows.length}`);
  numField(doc, 'significance.dsr', label, { nullable: true, min: 0, max: 1 });
  numField(doc, 'significance.pbo', label, { nullable: true, min: 0, max: 1 });
  const ci = field(doc, 'significance.edgePerTradeCI', label);
  if (ci !== null && !(Array.isArray(ci) && ci.length === 2 && isNum(ci[0]) && isNum(ci[1]) && ci[0] <= ci[1])) {
    throw new UserError(`${label}: significance.edgePerTradeCI: expected [low, high] with low ≤ high, or null`);
  }
  const settings = field(doc, 'settings', label);
  if (!isObj(settings) || !isObj(settings.engine) || !isObj(settings.rules) || !isObj(settings.confirmation)) {
    throw new UserError(`${label}: settings: expected { engine, rules, confirmation } (an artifact from an older edgelab: run edgelab calibrate again)`);
  }
  isoField(doc, 'createdAt', label);
  return doc as unknown as CalibrationArtifact;
}

/** Read and validate an artifact file. */
export function readArtifact(file: string): LoadedArtifact {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (truncated?): ${(e as Error).message}`);
  }
  return { file, sha256: sha256Hex(bytes), artifact: validateArtifact(doc, file) };
}
