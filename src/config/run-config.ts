/**
 * Run configuration: a preset (JSON in src/config/presets, every field
 * with the plan passage it comes from; strategy blocks hold only what differs
 * from the preset's `defaults`) plus optional user overrides
 * (`--config <json>`), resolved into typed engine settings. Every problem is
 * a UserError naming the field path (precedence: see `resolveRunConfig`).
 */
import * as fs from 'node:fs';
import { UserError } from '../util/errors';
import { checkValue, type ValueSpec } from '../core/param-check';
import type { Sizing, TradeRules } from '../core/rules';
import type { FeeConfig } from '../execution/fees';
import { PLAN_MIN_HOLD_MS } from '../risk/min-hold';
import { getStrategy } from '../strategies/registry';
import { defaultParams } from '../strategies/strategy';
import before from './presets/before.json';
import phase1 from './presets/phase1.json';
import phase2 from './presets/phase2.json';
import phase3 from './presets/phase3.json';
import type { ConfirmationSettings } from '../risk/confirmation-gate';
import { parseExecutionConfig, type ExecutionConfig } from '../execution/maker-entry';
import { isLiveConfigDocument, liveConfigAsPresetFile, liveFieldPath } from './live-config-format';

export const PRESETS: Record<string, PresetFile> = {
  before: before as PresetFile,
  phase1: phase1 as PresetFile,
  phase2: phase2 as PresetFile,
  phase3: phase3 as PresetFile,
};

type Sourced<T> = { value: T; source?: string };
type Field<T> = T | Sourced<T>;

export interface PresetFile {
  name: string;
  description?: string;
  source?: string;
  engine?: Record<string, Field<unknown>>;
  /** Rules applied to every strategy (including user strategies) before its own block. Keys starting with `_` are comments. */
  defaults?: Record<string, Field<unknown>>;
  strategies?: Record<string, Record<string, Field<unknown>>>;
}

export interface EngineSettings {
  fees: FeeConfig;
  slippageBps: number;
  initialCapital: number;
  sizing: Sizing;
  evFloor: number;
  /** Gaps in data longer than this are warned about (ms). */
  maxGapMs: number | null;
  /** How entries fill: taker at the next print (default) or the plan's post-only maker order. */
  execution: ExecutionConfig;
}

export interface StrategySettings {
  params: Record<string, number>;
  rules: TradeRules;
  /** The plan 3.2 confirmation gate (minConfirmations 0 = off). */
  confirmation: ConfirmationSettings;
}

export interface RunConfig {
  preset: string;
  engine: EngineSettings;
  strategies: Record<string, StrategySettings>;
}

/**
 * The rules every strategy accepts besides its own parameters, with their
 * bounds and units. Every value is checked by `checkValue`
 * (src/core/param-check.ts), the same check strategy parameters get.
 */
export const RULE_SPECS = {
  stopPct: { minExclusive: 0, max: 100, nullable: true, unit: '%', nullMeans: 'no stop', doc: 'Stop distance from the entry price, in percent (0.5 = 0.5%).' },
  targetPct: { minExclusive: 0, nullable: true, unit: '%', nullMeans: 'no target', doc: 'Target distance from the entry price, in percent (1.5 = 1.5%).' },
  signalExit: { type: 'boolean', doc: "Close on the strategy's exit signal (the plan's 'before' behaviour)." },
  maxHoldMs: { minExclusive: 0, nullable: true, unit: 'ms', nullMeans: 'no time exit', doc: 'Close at the first print at or after entry + this.' },
  minHoldMs: { min: 0, unit: 'ms', doc: 'Signal and time exits wait until entry + this (plan 1.2).' },
  bracketDuringHold: { type: 'enum', values: ['active', 'blocked'], doc: 'Whether stop and target may fire during the minimum hold.' },
  maxTradesPerMinute: { min: 1, integer: true, nullable: true, unit: 'entries', nullMeans: 'no limit', doc: 'Entries allowed in any rolling minute (plan 1.1).' },
  maxTradesPerHour: { min: 1, integer: true, nullable: true, unit: 'entries', nullMeans: 'no limit', doc: 'Entries allowed in any rolling hour (plan 1.1).' },
  maxTradesPerDay: { min: 1, integer: true, nullable: true, unit: 'entries', nullMeans: 'no limit', doc: 'Entries allowed in any rolling day (plan 1.1).' },
  minConfirmations: { min: 0, max: 4, integer: true, unit: 'confirmations', doc: 'Of volume, trend, regime, volatility, how many must agree (plan 3.2); 0 = off.' },
  confirmationVolumeRatio: { min: 0, unit: '× average', doc: 'Volume confirmation: volume ≥ this × its trailing average.' },
  confirmationRegimeProb: { min: 0, max: 1, unit: 'probability', doc: 'Regime confirmation: filtered probability of the agreeing regime ≥ this.' },
} as const satisfies Record<string, ValueSpec & { doc: string }>;

export type RuleKey = keyof typeof RULE_SPECS;
/** Keys every strategy accepts besides its own parameters. */
export const RULE_KEYS = Object.keys(RULE_SPECS) as RuleKey[];

/** Engine fields and the fields inside `fees` and `sizing`, with bounds and units. */
export const ENGINE_SPECS = {
  'fees.maker': { min: -0.01, max: 0.1, unit: 'fraction of notional', doc: 'Maker fee rate (0.0002 = 0.02%); negative = rebate.' },
  'fees.taker': { min: 0, max: 0.1, unit: 'fraction of notional', doc: 'Taker fee rate (0.0004 = 0.04%).' },
  slippageBps: { min: 0, max: 1000, unit: 'bps', doc: 'Taker fills move this far against you.' },
  initialCapital: { minExclusive: 0, unit: 'quote currency', doc: "Each strategy's starting capital." },
  'sizing.notional': { minExclusive: 0, unit: 'quote currency', doc: 'Fixed sizing: notional per trade.' },
  'sizing.fraction': { minExclusive: 0, max: 10, unit: '× capital', doc: "Fraction sizing: notional = this × the strategy's capital (10 = 10× leverage at most)." },
  evFloor: { unit: 'quote currency per trade', doc: "Plan 6.1's validate_positive_edge floor on expected value after fees." },
  maxGapMs: { minExclusive: 0, nullable: true, unit: 'ms', nullMeans: 'no warning', doc: 'Warn about gaps in the data longer than this.' },
} as const satisfies Record<string, ValueSpec & { doc: string }>;

const ENGINE_KEYS = ['fees', 'slippageBps', 'initialCapital', 'sizing', 'evFloor', 'maxGapMs', 'execution'] as const;

function unwrap(v: unknown): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'value' in (v as object) ? (v as Sourced<unknown>).value : v;
}

const num = (v: unknown, spec: ValueSpec, path: string) => checkValue(v, spec, path) as number;
const numOrNull = (v: unknown, spec: ValueSpec, path: string) => checkValue(v, spec, path) as number | null;

function parseFees(v: unknown, path: string): FeeConfig {
  if (v && typeof v === 'object' && 'exchange' in v) {
    const ex = (v as { exchange: unknown }).exchange;
    if (typeof ex !== 'string') throw new UserError(`${path}.exchange: expected a ccxt exchange id string`);
    return { exchange: ex };
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'maker' && k !== 'taker') throw new UserError(`${path}.${k}: unknown field (expected maker, taker or exchange)`);
    return { maker: num(o.maker, ENGINE_SPECS['fees.maker'], `${path}.maker`), taker: num(o.taker, ENGINE_SPECS['fees.taker'], `${path}.taker`) };
  }
  throw new UserError(`${path}: expected { "maker": <rate>, "taker": <rate> } (fractions of notional) or { "exchange": "<ccxt id>" }`);
}

function parseSizing(v: unknown, path: string): Sizing {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UserError(`${path}: expected { "mode": "fixed", "notional": <quote> } or { "mode": "fraction", "fraction": <× capital> }`);
  const o = v as Record<string, unknown>;
  const known = o.mode === 'fixed' ? 'notional' : 'fraction';
  for (const k of Object.keys(o)) if (k !== 'mode' && k !== known) throw new UserError(`${path}.${k}: unknown field for mode ${JSON.stringify(o.mode)} (expected mode, ${known})`);
  if (o.mode === 'fixed') return { mode: 'fixed', notional: num(o.notional, ENGINE_SPECS['sizing.notional'], `${path}.notional`) };
  if (o.mode === 'fraction') return { mode: 'fraction', fraction: num(o.fraction, ENGINE_SPECS['sizing.fraction'], `${path}.fraction`) };
  throw new UserError(`${path}.mode: expected "fixed" or "fraction", got ${JSON.stringify(o.mode)}`);
}

/** Default engine settings (the plan's fees, $10 capital, a fixed $10 notional per trade). */
export function defaultEngine(): EngineSettings {
  return {
    fees: { maker: 0.0002, taker: 0.0004 },
    slippageBps: 0,
    initialCapital: 10,
    sizing: { mode: 'fixed', notional: 10 },
    evFloor: 0.0005,
    maxGapMs: null,
    execution: { mode: 'taker' },
  };
}

function applyEngine(e: EngineSettings, src: Record<string, unknown> | undefined, where: string): void {
  if (src === undefined) return;
  if (!src || typeof src !== 'object' || Array.isArray(src)) throw new UserError(`${where}: expected an object`);
  for (const [k, raw] of Object.entries(src)) {
    const v = unwrap(raw);
    const path = `${where}.${k}`;
    const key = k as (typeof ENGINE_KEYS)[number];
    switch (key) {
      case 'fees':
        e.fees = parseFees(v, path);
        break;
      case 'slippageBps':
      case 'initialCapital':
      case 'evFloor':
        e[key] = num(v, ENGINE_SPECS[key], path);
        break;
      case 'sizing':
        e.sizing = parseSizing(v, path);
        break;
      case 'maxGapMs':
        e.maxGapMs = numOrNull(v, ENGINE_SPECS.maxGapMs, path);
        break;
      case 'execution':
        e.execution = parseExecutionConfig(v, path);
        break;
      default:
        throw new UserError(`${path}: unknown engine field (known: ${ENGINE_KEYS.join(', ')})`);
    }
  }
}

function defaultStrategySettings(id: string): StrategySettings {
  const s = getStrategy(id);
  return {
    params: defaultParams(s),
    rules: {
      stopPct: null,
      targetPct: null,
      signalExit: true,
      maxHoldMs: null,
      minHoldMs: PLAN_MIN_HOLD_MS[s.type],
      bracketDuringHold: 'active',
      limits: null,
    },
    confirmation: { minConfirmations: 0, volumeRatioMin: 1.5, regimeMinProb: 0.6 },
  };
}

function applyStrategy(st: StrategySettings, id: string, src: Record<string, unknown>, where: string): void {
  const strat = getStrategy(id);
  if (!src || typeof src !== 'object' || Array.isArray(src)) throw new UserError(`${where}: expected an object of parameters`);
  for (const [k, raw] of Object.entries(src)) {
    const v = unwrap(raw);
    const path = `${where}.${k}`;
    const spec = strat.params[k];
    if (spec) {
      st.params[k] = num(v, spec, path);
      continue;
    }
    if (!(k in RULE_SPECS)) {
      throw new UserError(`${path}: unknown parameter for ${id} (parameters: ${Object.keys(strat.params).join(', ')}; rules: ${RULE_KEYS.join(', ')})`);
    }
    const key = k as RuleKey;
    const x = checkValue(v, RULE_SPECS[key], path);
    const r = st.rules;
    const limits = () => (r.limits ??= { perMinute: null, perHour: null, perDay: null });
    switch (key) {
      case 'stopPct':
      case 'targetPct':
      case 'maxHoldMs':
        r[key] = x as number | null;
        break;
      case 'minHoldMs':
        r.minHoldMs = x as number;
        break;
      case 'signalExit':
        r.signalExit = x as boolean;
        break;
      case 'bracketDuringHold':
        r.bracketDuringHold = x as TradeRules['bracketDuringHold'];
        break;
      case 'maxTradesPerMinute':
        limits().perMinute = x as number | null;
        break;
      case 'maxTradesPerHour':
        limits().perHour = x as number | null;
        break;
      case 'maxTradesPerDay':
        limits().perDay = x as number | null;
        break;
      case 'minConfirmations':
        st.confirmation.minConfirmations = x as number;
        break;
      case 'confirmationVolumeRatio':
        st.confirmation.volumeRatioMin = x as number;
        break;
      case 'confirmationRegimeProb':
        st.confirmation.regimeMinProb = x as number;
        break;
    }
  }
  const l = st.rules.limits;
  if (l && l.perMinute === null && l.perHour === null && l.perDay === null) st.rules.limits = null;
}

/**
 * The spec a swept or promoted value of `key` is checked against: the
 * strategy's own parameter, else a rule. Null when `key` is neither.
 */
export function specFor(strategyId: string, key: string): ValueSpec | null {
  const p = getStrategy(strategyId).params[key];
  if (p) return p;
  return (RULE_SPECS as Record<string, ValueSpec>)[key] ?? null;
}

function applyFile(cfg: RunConfig, file: PresetFile, label: string, ids: string[]): void {
  // A live config (config/live.json) is a valid --config: same checks, errors naming its own fields.
  if (isLiveConfigDocument(file)) {
    const flat = liveConfigAsPresetFile(file, ids, label);
    try {
      applyFile(cfg, flat, label, ids);
    } catch (e) {
      if (e instanceof UserError) throw new UserError(liveFieldPath(e.message, file));
      throw e;
    }
    return;
  }
  if (!file || typeof file !== 'object' || Array.isArray(file)) throw new UserError(`${label}: expected a JSON object`);
  for (const k of Object.keys(file)) {
    if (!['name', 'description', 'source', 'engine', 'defaults', 'strategies', '$schema'].includes(k)) {
      throw new UserError(`${label}: ${k}: unknown top-level field (expected engine, defaults, strategies)`);
    }
  }
  applyEngine(cfg.engine, file.engine as Record<string, unknown> | undefined, `${label}: engine`);
  if (file.defaults !== undefined) {
    if (!file.defaults || typeof file.defaults !== 'object') throw new UserError(`${label}: defaults: expected an object of rules`);
    const rules = Object.fromEntries(Object.entries(file.defaults).filter(([k]) => !k.startsWith('_')));
    for (const k of Object.keys(rules)) {
      if (!(RULE_KEYS as readonly string[]).includes(k)) throw new UserError(`${label}: defaults.${k}: not a rule every strategy has (rules: ${RULE_KEYS.join(', ')})`);
    }
    for (const id of ids) applyStrategy(cfg.strategies[id], id, rules, `${label}: defaults`);
  }
  for (const [id, block] of Object.entries(file.strategies ?? {})) {
    try {
      getStrategy(id);
    } catch (e) {
      throw new UserError(`${label}: strategies.${id}: ${(e as Error).message}`);
    }
    // A block for a strategy this run does not include is still checked (on a scratch copy), so a
    // bad value is refused the same whichever strategies a command runs.
    const target = ids.includes(id) ? cfg.strategies[id] : defaultStrategySettings(id);
    applyStrategy(target, id, block as Record<string, unknown>, `${label}: strategies.${id}`);
  }
}

/**
 * Resolve a preset (by name) and optional overrides for the given strategy
 * ids. Overrides may be a parsed object or a path to a JSON file.
 *
 * Precedence, lowest first — each step overrides the ones before it, key by key:
 *  0. built-in: each parameter's `ParamSpec.default`, the plan's minimum hold
 *     for the strategy's type (`PLAN_MIN_HOLD_MS`), no bracket, no limits;
 *  1. the preset's `defaults` (rules for every strategy, user strategies too);
 *  2. the preset's block for the strategy (`strategies.V1`);
 *  3. the `--config` file's `defaults`;
 *  4. the `--config` file's block for the strategy.
 * `engine` fields: built-in, then the preset's, then the `--config` file's.
 * Every value on the way is checked by `checkValue` against its spec
 * (`ParamSpec`, `RULE_SPECS`, `ENGINE_SPECS`); the first bad one is a
 * UserError naming the file, the field path, the bound and the unit.
 */
export function resolveRunConfig(opts: { preset: string; strategies: string[]; overrides?: PresetFile | string }): RunConfig {
  const preset = PRESETS[opts.preset];
  if (!preset) throw new UserError(`unknown preset '${opts.preset}' (known: ${Object.keys(PRESETS).join(', ')})`);
  const cfg: RunConfig = { preset: opts.preset, engine: defaultEngine(), strategies: {} };
  for (const id of opts.strategies) cfg.strategies[id] = defaultStrategySettings(id);
  applyFile(cfg, preset, `preset ${opts.preset}`, opts.strategies);
  if (opts.overrides !== undefined) {
    let file: PresetFile;
    let label = 'config';
    if (typeof opts.overrides === 'string') {
      label = opts.overrides;
      let text: string;
      try {
        text = fs.readFileSync(opts.overrides, 'utf8');
      } catch (e) {
        throw new UserError(`cannot read config ${opts.overrides}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      try {
        file = JSON.parse(text) as PresetFile;
      } catch (e) {
        throw new UserError(`${opts.overrides}: not valid JSON: ${(e as Error).message}`);
      }
    } else file = opts.overrides;
    applyFile(cfg, file, label, opts.strategies);
  }
  return cfg;
}
