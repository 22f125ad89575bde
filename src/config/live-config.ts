/**
 * The live config: read, validate, build, serialise.
 *
 * Every read and every write goes through `validateLiveConfig`, which runs
 * the document through the very check `--config` uses (`resolveRunConfig`:
 * names, types, bounds) and then confirms the document is complete — every
 * parameter and rule written out — so resolving it over any preset gives
 * the same settings. Errors name the field (`live.json: strategies.V4.params.zEntry: …`).
 */
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { UserError } from '../util/errors';
import { getStrategy } from '../strategies/registry';
import { resolveRunConfig, type EngineSettings, type RunConfig, type StrategySettings } from './run-config';
import {
  LIVE_CONFIG_VERSION,
  LIVE_RULE_KEYS,
  liveConfigAsPresetFile,
  type LiveConfig,
  type LiveEngine,
  type LiveEvidence,
  type LiveRules,
  type LiveStrategy,
} from './live-config-format';

export * from './live-config-format';

const ENGINE_KEYS: readonly (keyof LiveEngine)[] = ['fees', 'slippageBps', 'initialCapital', 'sizing', 'evFloor', 'maxGapMs'];

const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const isIso = (x: unknown): x is string => typeof x === 'string' && /^\d{4}-\d\d-\d\dT/.test(x) && Number.isFinite(Date.parse(x));

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The rules block of a live strategy from resolved engine settings. */
export function liveRulesOf(s: StrategySettings): LiveRules {
  const r = s.rules;
  return {
    stopPct: r.stopPct,
    targetPct: r.targetPct,
    signalExit: r.signalExit,
    minHoldMs: r.minHoldMs,
    maxHoldMs: r.maxHoldMs,
    bracketDuringHold: r.bracketDuringHold,
    maxTradesPerMinute: r.limits?.perMinute ?? null,
    maxTradesPerHour: r.limits?.perHour ?? null,
    maxTradesPerDay: r.limits?.perDay ?? null,
    minConfirmations: s.confirmation.minConfirmations,
    confirmationVolumeRatio: s.confirmation.volumeRatioMin,
    confirmationRegimeProb: s.confirmation.regimeMinProb,
  };
}

/** The engine block of a live config from resolved engine settings (execution goes per strategy). */
export function liveEngineOf(e: EngineSettings): LiveEngine {
  return {
    fees: 'exchange' in e.fees ? { exchange: e.fees.exchange } : { maker: e.fees.maker, taker: e.fees.taker },
    slippageBps: e.slippageBps,
    initialCapital: e.initialCapital,
    sizing: e.sizing.mode === 'fixed' ? { mode: 'fixed', notional: e.sizing.notional } : { mode: 'fraction', fraction: e.sizing.fraction },
    evFloor: e.evFloor,
    maxGapMs: e.maxGapMs,
  };
}

function checkEvidence(ev: unknown, where: string): void {
  if (!isObj(ev)) throw new UserError(`${where}: expected an object (artifact, sha256, promotedAt, oos, dsr, pbo, data, source, forced, reason)`);
  if (!isIso(ev.promotedAt)) throw new UserError(`${where}.promotedAt: expected an ISO 8601 time, got ${JSON.stringify(ev.promotedAt)}`);
  if (typeof ev.source !== 'string') throw new UserError(`${where}.source: expected a string`);
  if (typeof ev.forced !== 'boolean') throw new UserError(`${where}.forced: expected true or false`);
  if (ev.reason !== null && typeof ev.reason !== 'string') throw new UserError(`${where}.reason: expected a string or null`);
  if (ev.artifact !== null && typeof ev.artifact !== 'string') throw new UserError(`${where}.artifact: expected a path or null`);
  if (ev.sha256 !== null && !(typeof ev.sha256 === 'string' && /^[0-9a-f]{64}$/.test(ev.sha256))) throw new UserError(`${where}.sha256: expected 64 hex digits or null`);
  for (const k of ['dsr', 'pbo'] as const) {
    const x = ev[k];
    if (x !== null && !(typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1)) throw new UserError(`${where}.${k}: expected a number in [0, 1] or null, got ${JSON.stringify(x)}`);
  }
  if (ev.oos !== null && !isObj(ev.oos)) throw new UserError(`${where}.oos: expected an object or null`);
  if (isObj(ev.oos) && !(Number.isInteger(ev.oos.trades) && (ev.oos.trades as number) >= 0)) throw new UserError(`${where}.oos.trades: expected a non-negative integer`);
}

/**
 * Validate a parsed live config; returns it typed. `label` names the file in
 * errors. Throws UserError naming the field.
 */
export function validateLiveConfig(doc: unknown, label: string): LiveConfig {
  if (!isObj(doc)) throw new UserError(`${label}: expected a JSON object`);
  if (!('edgelabLiveConfig' in doc)) throw new UserError(`${label}: edgelabLiveConfig: missing (not a live config; create one with edgelab promote --init-from <preset> --to ${label})`);
  // Shape, engine and strategy blocks: the --config path (also checks the version and unknown fields;
  // execution models are compared only among the strategies of one run).
  liveConfigAsPresetFile(doc, [], label);
  if (!(Number.isInteger(doc.revision) && (doc.revision as number) >= 1)) throw new UserError(`${label}: revision: expected an integer ≥ 1, got ${JSON.stringify(doc.revision)}`);
  if (!isIso(doc.updatedAt)) throw new UserError(`${label}: updatedAt: expected an ISO 8601 time, got ${JSON.stringify(doc.updatedAt)}`);
  if (typeof doc.basePreset !== 'string') throw new UserError(`${label}: basePreset: expected a preset name`);
  const engine = doc.engine as Record<string, unknown>;
  for (const k of ENGINE_KEYS) if (!(k in engine)) throw new UserError(`${label}: engine.${k}: missing (a live config writes every engine setting out)`);
  const strategies = doc.strategies as Record<string, Record<string, unknown>>;
  const ids = Object.keys(strategies);
  for (const id of ids) {
    try {
      getStrategy(id);
    } catch (e) {
      throw new UserError(`${label}: strategies.${id}: ${(e as Error).message}`);
    }
    const params = strategies[id].params as Record<string, unknown>;
    for (const k of Object.keys(getStrategy(id).params)) {
      if (!(k in params)) throw new UserError(`${label}: strategies.${id}.params.${k}: missing (a live config writes every parameter out)`);
    }
    checkEvidence(strategies[id].evidence, `${label}: strategies.${id}.evidence`);
  }
  // Names, types and bounds: exactly the check --config runs. Strategies with
  // different execution models are resolved one at a time (one engine, one model).
  for (const id of ids) {
    let cfg: RunConfig;
    try {
      cfg = resolveRunConfig({ preset: 'before', strategies: [id], overrides: doc as never });
    } catch (e) {
      if (e instanceof UserError) throw new UserError(e.message.replace(/^config: /, `${label}: `));
      throw e;
    }
    // Complete means resolving gives back the document's own values, whatever the preset.
    const block = strategies[id];
    const back = { params: cfg.strategies[id].params, rules: liveRulesOf(cfg.strategies[id]) };
    for (const [k, v] of Object.entries(back.params)) {
      if ((block.params as Record<string, unknown>)[k] !== v) throw new UserError(`${label}: strategies.${id}.params.${k}: resolves to ${v}, not ${JSON.stringify((block.params as Record<string, unknown>)[k])}`);
    }
    for (const k of LIVE_RULE_KEYS) {
      if ((block.rules as Record<string, unknown>)[k] !== back.rules[k]) {
        throw new UserError(`${label}: strategies.${id}.rules.${k}: resolves to ${JSON.stringify(back.rules[k])}, not ${JSON.stringify((block.rules as Record<string, unknown>)[k])}`);
      }
    }
  }
  return doc as unknown as LiveConfig;
}

/** The bytes a live config is stored as (stable key order, 2-space JSON, final newline). */
export function serializeLiveConfig(doc: LiveConfig): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

/** Parse and validate live-config text; `label` names the file in errors. */
export function parseLiveConfig(text: string, label: string): LiveConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${label}: not valid JSON (truncated or not a live config?): ${(e as Error).message}`);
  }
  return validateLiveConfig(doc, label);
}

export interface LoadedLiveConfig {
  config: LiveConfig;
  /** The file's exact bytes (history keeps these; rollback restores them). */
  text: string;
  sha256: string;
}

/** Read and validate a live config file. */
export function readLiveConfig(file: string): LoadedLiveConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: no live config here (create one with edgelab promote --init-from <preset> --to ${file})`);
    throw new UserError(`cannot read ${file}: ${code ?? (e as Error).message}`);
  }
  return { config: parseLiveConfig(text, file), text, sha256: sha256Hex(text) };
}

/** One strategy's live block from resolved settings. */
export function liveStrategyOf(settings: StrategySettings, engine: EngineSettings, evidence: LiveEvidence): LiveStrategy {
  return {
    params: { ...settings.params },
    rules: liveRulesOf(settings),
    execution: { ...engine.execution },
    evidence,
  };
}

/**
 * The first revision of a live config: a preset resolved for the given
 * strategies (default: all eight), every value written out. The evidence of
 * each block says it came from the preset and carries no out-of-sample proof.
 */
export function liveConfigFromPreset(preset: string, now: Date, strategies?: readonly string[]): LiveConfig {
  const ids = strategies?.length ? [...strategies] : ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8'];
  const cfg = resolveRunConfig({ preset, strategies: ids });
  const at = now.toISOString();
  const doc: LiveConfig = {
    edgelabLiveConfig: LIVE_CONFIG_VERSION,
    revision: 1,
    updatedAt: at,
    basePreset: preset,
    engine: liveEngineOf(cfg.engine),
    strategies: {},
  };
  for (const id of ids) {
    doc.strategies[id] = liveStrategyOf(cfg.strategies[id], cfg.engine, {
      artifact: null,
      sha256: null,
      promotedAt: at,
      oos: null,
      dsr: null,
      pbo: null,
      data: null,
      source: `preset ${preset} (no out-of-sample evidence)`,
      forced: false,
      reason: null,
    });
  }
  return validateLiveConfig(JSON.parse(serializeLiveConfig(doc)), `live config from preset ${preset}`);
}
