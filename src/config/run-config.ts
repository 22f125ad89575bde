/**
 * Run configuration: a preset (JSON in src/strategies/presets, every field
 * with the plan passage it comes from) plus optional user overrides
 * (`--config <json>`), resolved into typed engine settings. Every problem is
 * a UserError naming the field path.
 */
import * as fs from 'node:fs';
import { UserError } from '../util/errors';
import type { Sizing, TradeRules } from '../backtest/engine';
import type { FeeConfig } from '../execution/fees';
import { PLAN_MIN_HOLD_MS } from '../risk/min-hold';
import { getStrategy } from '../strategies/registry';
import { defaultParams } from '../strategies/strategy';
import before from '../strategies/presets/before.json';
import phase1 from '../strategies/presets/phase1.json';
import phase2 from '../strategies/presets/phase2.json';
import phase3 from '../strategies/presets/phase3.json';
import type { ConfirmationSettings } from '../risk/confirmation-gate';
import { parseExecutionConfig, type ExecutionConfig } from '../execution/maker-entry';

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

/** Keys every strategy accepts besides its own parameters. */
export const RULE_KEYS = [
  'stopPct',
  'targetPct',
  'signalExit',
  'maxHoldMs',
  'minHoldMs',
  'bracketDuringHold',
  'maxTradesPerMinute',
  'maxTradesPerHour',
  'maxTradesPerDay',
  'minConfirmations',
  'confirmationVolumeRatio',
  'confirmationRegimeProb',
] as const;

const ENGINE_KEYS = ['fees', 'slippageBps', 'initialCapital', 'sizing', 'evFloor', 'maxGapMs', 'execution'] as const;

function unwrap(v: unknown): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'value' in (v as object) ? (v as Sourced<unknown>).value : v;
}

function num(v: unknown, path: string, opt: { nullable?: boolean; min?: number; integer?: boolean } = {}): number | null {
  if (v === null && opt.nullable) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(`${path}: expected a number${opt.nullable ? ' or null' : ''}, got ${JSON.stringify(v)}`);
  if (opt.min !== undefined && v < opt.min) throw new UserError(`${path}: must be ≥ ${opt.min}, got ${v}`);
  if (opt.integer && !Number.isInteger(v)) throw new UserError(`${path}: must be an integer, got ${v}`);
  return v;
}

function parseFees(v: unknown, path: string): FeeConfig {
  if (v && typeof v === 'object' && 'exchange' in v) {
    const ex = (v as { exchange: unknown }).exchange;
    if (typeof ex !== 'string') throw new UserError(`${path}.exchange: expected a ccxt exchange id string`);
    return { exchange: ex };
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'maker' && k !== 'taker') throw new UserError(`${path}.${k}: unknown field (expected maker, taker or exchange)`);
    return { maker: num(o.maker, `${path}.maker`)!, taker: num(o.taker, `${path}.taker`)! };
  }
  throw new UserError(`${path}: expected { "maker": <rate>, "taker": <rate> } or { "exchange": "<ccxt id>" }`);
}

function parseSizing(v: unknown, path: string): Sizing {
  const o = (v ?? {}) as Record<string, unknown>;
  if (o.mode === 'fixed') return { mode: 'fixed', notional: num(o.notional, `${path}.notional`, { min: 0 })! };
  if (o.mode === 'fraction') {
    const f = num(o.fraction, `${path}.fraction`, { min: 0 })!;
    if (f > 10) throw new UserError(`${path}.fraction: ${f} is more than 10× leverage`);
    return { mode: 'fraction', fraction: f };
  }
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
  if (!src) return;
  if (typeof src !== 'object') throw new UserError(`${where}: expected an object`);
  for (const [k, raw] of Object.entries(src)) {
    const v = unwrap(raw);
    const path = `${where}.${k}`;
    switch (k as (typeof ENGINE_KEYS)[number]) {
      case 'fees':
        e.fees = parseFees(v, path);
        break;
      case 'slippageBps':
        e.slippageBps = num(v, path, { min: 0 })!;
        break;
      case 'initialCapital':
        e.initialCapital = num(v, path, { min: 0 })!;
        break;
      case 'sizing':
        e.sizing = parseSizing(v, path);
        break;
      case 'evFloor':
        e.evFloor = num(v, path)!;
        break;
      case 'maxGapMs':
        e.maxGapMs = num(v, path, { nullable: true, min: 0 });
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
  if (!src || typeof src !== 'object') throw new UserError(`${where}: expected an object of parameters`);
  for (const [k, raw] of Object.entries(src)) {
    const v = unwrap(raw);
    const path = `${where}.${k}`;
    const spec = strat.params[k];
    if (spec) {
      const x = num(v, path, { min: spec.min, integer: spec.integer })!;
      if (spec.max !== undefined && x > spec.max) throw new UserError(`${path}: must be ≤ ${spec.max}, got ${x}`);
      st.params[k] = x;
      continue;
    }
    const r = st.rules;
    const limits = () => (r.limits ??= { perMinute: null, perHour: null, perDay: null });
    switch (k as (typeof RULE_KEYS)[number]) {
      case 'stopPct':
        r.stopPct = num(v, path, { nullable: true, min: 0 });
        break;
      case 'targetPct':
        r.targetPct = num(v, path, { nullable: true, min: 0 });
        break;
      case 'maxHoldMs':
        r.maxHoldMs = num(v, path, { nullable: true, min: 0 });
        break;
      case 'minHoldMs':
        r.minHoldMs = num(v, path, { min: 0 })!;
        break;
      case 'signalExit':
        if (typeof v !== 'boolean') throw new UserError(`${path}: expected true or false`);
        r.signalExit = v;
        break;
      case 'bracketDuringHold':
        if (v !== 'active' && v !== 'blocked') throw new UserError(`${path}: expected "active" or "blocked", got ${JSON.stringify(v)}`);
        r.bracketDuringHold = v;
        break;
      case 'maxTradesPerMinute':
        limits().perMinute = num(v, path, { nullable: true, min: 0, integer: true });
        break;
      case 'maxTradesPerHour':
        limits().perHour = num(v, path, { nullable: true, min: 0, integer: true });
        break;
      case 'maxTradesPerDay':
        limits().perDay = num(v, path, { nullable: true, min: 0, integer: true });
        break;
      case 'minConfirmations': {
        const c = num(v, path, { min: 0, integer: true })!;
        if (c > 4) throw new UserError(`${path}: there are only 4 confirmations (volume, trend, regime, volatility), got ${c}`);
        st.confirmation.minConfirmations = c;
        break;
      }
      case 'confirmationVolumeRatio':
        st.confirmation.volumeRatioMin = num(v, path, { min: 0 })!;
        break;
      case 'confirmationRegimeProb':
        st.confirmation.regimeMinProb = num(v, path, { min: 0 })!;
        break;
      default:
        throw new UserError(
          `${path}: unknown parameter for ${id} (parameters: ${Object.keys(strat.params).join(', ')}; rules: ${RULE_KEYS.join(', ')})`,
        );
    }
  }
  const l = st.rules.limits;
  if (l && l.perMinute === null && l.perHour === null && l.perDay === null) st.rules.limits = null;
}

function applyFile(cfg: RunConfig, file: PresetFile, label: string, ids: string[]): void {
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
    if (!ids.includes(id)) continue;
    applyStrategy(cfg.strategies[id], id, block as Record<string, unknown>, `${label}: strategies.${id}`);
  }
}

/**
 * Resolve a preset (by name) and optional overrides for the given strategy
 * ids. Overrides may be a parsed object or a path to a JSON file.
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
