/**
 * The live config document (`config/live.json`): its types, and the one
 * mapping that makes it a `--config` file. It lives apart from
 * `live-config.ts` (reading, validating, writing) so that `run-config.ts`
 * can accept a live config without a circular import.
 *
 * A live config is complete: every parameter of each strategy and every rule
 * is written out, so resolving it over any preset gives the same settings —
 * what runs live is exactly what `edgelab backtest --config live.json` runs.
 */
import { UserError } from '../util/errors';
import { parseExecutionConfig, type ExecutionConfig } from '../execution/maker-entry';

export const LIVE_CONFIG_VERSION = 1;

/** The rule names of a live strategy block: the same keys a preset's strategy block takes besides parameters. */
export const LIVE_RULE_KEYS = [
  'stopPct',
  'targetPct',
  'signalExit',
  'minHoldMs',
  'maxHoldMs',
  'bracketDuringHold',
  'maxTradesPerMinute',
  'maxTradesPerHour',
  'maxTradesPerDay',
  'minConfirmations',
  'confirmationVolumeRatio',
  'confirmationRegimeProb',
] as const;

export type LiveRuleKey = (typeof LIVE_RULE_KEYS)[number];

export interface LiveRules {
  stopPct: number | null;
  targetPct: number | null;
  signalExit: boolean;
  minHoldMs: number;
  maxHoldMs: number | null;
  bracketDuringHold: 'active' | 'blocked';
  maxTradesPerMinute: number | null;
  maxTradesPerHour: number | null;
  maxTradesPerDay: number | null;
  minConfirmations: number;
  confirmationVolumeRatio: number;
  confirmationRegimeProb: number;
}

/** Why a strategy block holds the values it holds. */
export interface LiveEvidence {
  /** The calibration artifact promoted (path as given), or null when the block came from a preset. */
  artifact: string | null;
  /** SHA-256 of the artifact file's bytes. */
  sha256: string | null;
  promotedAt: string;
  /** Out-of-sample record of the artifact (null for a preset). */
  oos: {
    trades: number;
    edgePerTrade: number | null;
    edgePerTradeCI: [number, number] | null;
    edgePerTradeBps: number | null;
    winRate: number | null;
    sharpe: number | null;
    from: string;
    to: string;
  } | null;
  dsr: number | null;
  pbo: number | null;
  /** The data the calibration ran on. */
  data: { file: string; sha256: string | null; from: string | null; to: string | null; rows: number } | null;
  /** "preset phase3" or "calibration": where the values came from. */
  source: string;
  forced: boolean;
  reason: string | null;
}

export interface LiveStrategy {
  params: Record<string, number>;
  rules: LiveRules;
  execution: ExecutionConfig;
  evidence: LiveEvidence;
}

/** Engine-wide market assumptions (the `engine` block of a preset, written out in full). */
export interface LiveEngine {
  fees: { maker: number; taker: number } | { exchange: string };
  slippageBps: number;
  initialCapital: number;
  sizing: { mode: 'fixed'; notional: number } | { mode: 'fraction'; fraction: number };
  evFloor: number;
  maxGapMs: number | null;
}

export interface LiveConfig {
  edgelabLiveConfig: typeof LIVE_CONFIG_VERSION;
  revision: number;
  updatedAt: string;
  /** The preset the first revision was created from (informational: every value is written out). */
  basePreset: string;
  engine: LiveEngine;
  strategies: Record<string, LiveStrategy>;
}

export const LIVE_TOP_KEYS = ['edgelabLiveConfig', 'revision', 'updatedAt', 'basePreset', 'engine', 'strategies'] as const;
export const LIVE_STRATEGY_KEYS = ['params', 'rules', 'execution', 'evidence'] as const;

/** True when a parsed JSON object is a live config document (rather than a preset-style `--config`). */
export function isLiveConfigDocument(x: unknown): boolean {
  return !!x && typeof x === 'object' && !Array.isArray(x) && 'edgelabLiveConfig' in (x as object);
}

const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

/**
 * A live config as the preset-style object `resolveRunConfig` applies:
 * engine as is, each strategy's params and rules side by side, and the
 * strategies' execution as `engine.execution` (one engine runs them, so the
 * strategies selected in a run must agree on it). Checks the document's
 * shape; values are checked by the caller through the parameter check.
 * `ids` are the strategies of the run (null: all in the document).
 */
export function liveConfigAsPresetFile(doc: unknown, ids: readonly string[] | null, label: string): {
  name: string;
  engine: Record<string, unknown>;
  strategies: Record<string, Record<string, unknown>>;
} {
  if (!isObj(doc)) throw new UserError(`${label}: expected a JSON object`);
  if (doc.edgelabLiveConfig !== LIVE_CONFIG_VERSION) {
    throw new UserError(`${label}: edgelabLiveConfig: expected ${LIVE_CONFIG_VERSION}, got ${JSON.stringify(doc.edgelabLiveConfig)}`);
  }
  for (const k of Object.keys(doc)) {
    if (!(LIVE_TOP_KEYS as readonly string[]).includes(k)) throw new UserError(`${label}: ${k}: unknown top-level field (expected ${LIVE_TOP_KEYS.join(', ')})`);
  }
  if (!isObj(doc.engine)) throw new UserError(`${label}: engine: expected an object (fees, slippageBps, initialCapital, sizing, evFloor, maxGapMs)`);
  if ('execution' in doc.engine) throw new UserError(`${label}: engine.execution: a live config sets execution per strategy (strategies.<id>.execution)`);
  if (!isObj(doc.strategies) || !Object.keys(doc.strategies).length) throw new UserError(`${label}: strategies: expected an object with at least one strategy`);
  const strategies: Record<string, Record<string, unknown>> = {};
  let execution: { id: string; value: ExecutionConfig } | null = null;
  for (const [id, block] of Object.entries(doc.strategies)) {
    const where = `${label}: strategies.${id}`;
    if (!isObj(block)) throw new UserError(`${where}: expected an object with params, rules, execution, evidence`);
    for (const k of Object.keys(block)) {
      if (!(LIVE_STRATEGY_KEYS as readonly string[]).includes(k)) throw new UserError(`${where}.${k}: unknown field (expected ${LIVE_STRATEGY_KEYS.join(', ')})`);
    }
    for (const k of LIVE_STRATEGY_KEYS) if (!(k in block)) throw new UserError(`${where}.${k}: missing`);
    if (!isObj(block.params)) throw new UserError(`${where}.params: expected an object of parameter values`);
    if (!isObj(block.rules)) throw new UserError(`${where}.rules: expected an object of rules (${LIVE_RULE_KEYS.join(', ')})`);
    for (const k of Object.keys(block.rules)) {
      if (!(LIVE_RULE_KEYS as readonly string[]).includes(k)) throw new UserError(`${where}.rules.${k}: not a rule (rules: ${LIVE_RULE_KEYS.join(', ')})`);
    }
    for (const k of LIVE_RULE_KEYS) if (!(k in block.rules)) throw new UserError(`${where}.rules.${k}: missing (a live config writes every rule out)`);
    for (const k of Object.keys(block.params)) {
      if ((LIVE_RULE_KEYS as readonly string[]).includes(k)) throw new UserError(`${where}.params.${k}: is a rule, not a parameter (move it to rules)`);
    }
    const exec = parseExecutionConfig(block.execution, `${where}.execution`);
    if (ids === null || ids.includes(id)) {
      if (execution && JSON.stringify(execution.value) !== JSON.stringify(exec)) {
        throw new UserError(
          `${where}.execution: ${JSON.stringify(exec)} differs from strategies.${execution.id}.execution ${JSON.stringify(execution.value)}; one engine run has one execution model — run them separately`,
        );
      }
      execution ??= { id, value: exec };
    }
    strategies[id] = { ...block.params, ...block.rules };
  }
  return {
    name: `live r${String(doc.revision)}`,
    engine: { ...doc.engine, ...(execution ? { execution: execution.value } : {}) },
    strategies,
  };
}

/**
 * Rewrites a field path of the flattened form (`strategies.V4.zEntry`) into
 * the live document's own (`strategies.V4.params.zEntry` /
 * `strategies.V4.rules.stopPct`), so errors name the field the user sees.
 */
export function liveFieldPath(message: string, doc: unknown): string {
  if (!isObj(doc) || !isObj(doc.strategies)) return message;
  return message.replace(/strategies\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)/g, (m, id: string, key: string) => {
    if (key === 'params' || key === 'rules' || key === 'execution' || key === 'evidence') return m;
    const block = (doc.strategies as Record<string, unknown>)[id];
    if (!isObj(block)) return m;
    if ((LIVE_RULE_KEYS as readonly string[]).includes(key)) return `strategies.${id}.rules.${key}`;
    if (isObj(block.params) && key in block.params) return `strategies.${id}.params.${key}`;
    return m;
  });
}
