/**
 * The one parameter check. Every value a user can give — a preset field, a
 * `--config` field, `signals --param`, each value of a `calibrate --param`
 * range, a portfolio allocation, a promoted parameter — goes through
 * `checkValue` against its declared spec, so a value is accepted or refused
 * for the same reason everywhere, and the refusal names the field, the bound
 * and the unit (a UserError: exit code 2, no stack trace).
 *
 * A strategy's `ParamSpec` and the rule/engine specs of src/config/run-config
 * are both `ValueSpec`s.
 */
import { UserError } from '../util/errors';

/** What a value may be. Numbers are the default type. */
export interface ValueSpec {
  type?: 'number' | 'boolean' | 'enum';
  /** Inclusive lower bound. */
  min?: number;
  /** Strict lower bound: the value must be greater (e.g. a stop distance must be > 0). */
  minExclusive?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Strict upper bound. */
  maxExclusive?: number;
  integer?: boolean;
  /** `null` is allowed (and means "off": no stop, no limit, …). */
  nullable?: boolean;
  /** Allowed strings when `type` is `enum`. */
  values?: readonly string[];
  /** The unit the number is in, as the README's units table states it (e.g. `%`, `ms`, `bps`). */
  unit?: string;
  /** What `null` means, for the message (e.g. "no stop"). */
  nullMeans?: string;
}

export type CheckedValue = number | boolean | string | null;

/** Units written right after the number (`0.5%`, `300000 ms`); others go in parentheses after the bound (`1 (fraction)`). */
const SUFFIX_UNITS = new Set(['%', 'ms', 's', 'bps', 'σ']);

/** `0.5%`, `300000 ms`, `1.5 × average`, `1 (fraction)`; unitless numbers bare. */
export function withUnit(x: number, unit: string | undefined): string {
  if (!unit) return String(x);
  if (unit === '%') return `${x}%`;
  if (SUFFIX_UNITS.has(unit) || unit.startsWith('×')) return `${x} ${unit}`;
  return `${x} (${unit})`;
}

function show(v: unknown): string {
  if (typeof v === 'number') return String(v); // NaN and Infinity print as themselves, not as JSON null
  if (v === undefined) return 'nothing';
  return JSON.stringify(v);
}

/** Human text of the allowed range, e.g. `a number > 0 %, or null (no stop)`. */
export function describeSpec(spec: ValueSpec): string {
  const type = spec.type ?? 'number';
  let s: string;
  if (type === 'boolean') s = 'true or false';
  else if (type === 'enum') s = (spec.values ?? []).map((x) => JSON.stringify(x)).join(' or ');
  else {
    // Units that read as a suffix go on every bound (`> 0%`); others once at the end (`≥ 0 and ≤ 1 (fraction)`).
    const suffix = !spec.unit || spec.unit === '%' || SUFFIX_UNITS.has(spec.unit) || spec.unit.startsWith('×');
    const b = (x: number) => (suffix ? withUnit(x, spec.unit) : String(x));
    const parts: string[] = [];
    if (spec.minExclusive !== undefined) parts.push(`> ${b(spec.minExclusive)}`);
    else if (spec.min !== undefined) parts.push(`≥ ${b(spec.min)}`);
    if (spec.maxExclusive !== undefined) parts.push(`< ${b(spec.maxExclusive)}`);
    else if (spec.max !== undefined) parts.push(`≤ ${b(spec.max)}`);
    s = `${spec.integer ? 'an integer' : 'a number'}${parts.length ? ' ' + parts.join(' and ') : ''}`;
    if (spec.unit && (!suffix || !parts.length)) s += ` (${spec.unit})`;
  }
  if (spec.nullable) s += `, or null${spec.nullMeans ? ` (${spec.nullMeans})` : ''}`;
  return s;
}

/**
 * Check one value against its spec; return it, or throw a UserError
 * `<path>: <what is wrong> (<the bound, with its unit>), got <value>`.
 * `owner` names whose declaration the bound is (e.g. `V1`), for messages
 * about values that came from somewhere else (a sweep range).
 */
export function checkValue(value: unknown, spec: ValueSpec, path: string, owner?: string): CheckedValue {
  const type = spec.type ?? 'number';
  const fail = (why: string): never => {
    throw new UserError(`${path}: ${why}, got ${show(value)}`);
  };
  if (value === null) {
    if (spec.nullable) return null;
    fail(`expected ${describeSpec(spec)}; null is not allowed here`);
  }
  if (type === 'boolean') {
    if (typeof value !== 'boolean') fail('expected true or false');
    return value as boolean;
  }
  if (type === 'enum') {
    if (typeof value !== 'string' || !(spec.values ?? []).includes(value)) fail(`expected ${describeSpec(spec)}`);
    return value as string;
  }
  if (typeof value !== 'number') fail(`expected ${describeSpec(spec)}`);
  const x = value as number;
  if (!Number.isFinite(x)) fail(`expected a finite number (${describeSpec(spec)})`);
  const whose = (what: string) => (owner ? ` — ${owner}'s declared ${what}` : '');
  const orNull = spec.nullable ? `, or null for ${spec.nullMeans ?? 'none'}` : '';
  if (spec.minExclusive !== undefined && !(x > spec.minExclusive)) fail(`must be > ${withUnit(spec.minExclusive, spec.unit)}${whose('bound')}${orNull}`);
  if (spec.min !== undefined && x < spec.min) fail(`must be ≥ ${withUnit(spec.min, spec.unit)}${whose('min')}${orNull}`);
  if (spec.max !== undefined && x > spec.max) fail(`must be ≤ ${withUnit(spec.max, spec.unit)}${whose('max')}`);
  if (spec.maxExclusive !== undefined && !(x < spec.maxExclusive)) fail(`must be < ${withUnit(spec.maxExclusive, spec.unit)}${whose('bound')}`);
  if (spec.integer && !Number.isInteger(x)) fail(`must be an integer${spec.unit ? ` (${spec.unit})` : ''}`);
  return x;
}

/** A number typed on the command line (`--flag 3`, `name=3`), then checked. Empty or non-numeric text is refused naming the path. */
export function checkNumberText(text: string, spec: ValueSpec, path: string, owner?: string): number {
  const t = text.trim();
  if (spec.nullable && (t === 'null' || t === 'none')) throw new UserError(`${path}: null is not accepted on the command line; leave the flag out`);
  const x = t === '' ? NaN : Number(t);
  if (t === '' || Number.isNaN(x)) throw new UserError(`${path}: expected ${describeSpec(spec)}, got '${text}'`);
  return checkValue(x, spec, path, owner) as number;
}
