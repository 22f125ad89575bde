/**
 * Promotion: calibrated parameters into the live config — gated by
 * out-of-sample evidence, shown as a diff, written atomically under a lock,
 * recorded, reversible. The same functions serve the CLI and notebooks; the
 * clock and the user are injected.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { UserError } from '../util/errors';
import {
  liveConfigFromPreset,
  liveRulesOf,
  parseLiveConfig,
  readLiveConfig,
  serializeLiveConfig,
  sha256Hex,
  validateLiveConfig,
  type LiveConfig,
  type LiveEvidence,
} from '../config/live-config';
import { readArtifact, type LoadedArtifact } from './artifact';
import { readLiveReport, runGate, type GateResult, type GateThresholds } from './gate';
import { diffLiveConfigs, type FieldChange } from './diff';
import { appendLog, listRevisions, readLog, revisionFile, testHoldLock, withLiveLock, writeRevision } from './store';

export interface PromotionLogEntry {
  action: 'init' | 'promote' | 'rollback';
  revision: number;
  previousRevision: number | null;
  time: string;
  user: string;
  /** SHA-256 of the live file as written. */
  sha256: string;
  preset?: string;
  artifacts?: { file: string; sha256: string; strategy: string }[];
  liveReport?: string | null;
  gate?: GateResult;
  forced: boolean;
  reason: string | null;
  diff: FieldChange[];
}

const userName = () => {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
};

/** Create the first live config from a preset. Refuses to overwrite anything. */
export async function initLiveConfig(opts: { preset: string; to: string; now: Date; strategies?: string[]; user?: string }): Promise<PromotionLogEntry> {
  const doc = liveConfigFromPreset(opts.preset, opts.now, opts.strategies);
  return withLiveLock(opts.to, () => {
    if (fs.existsSync(opts.to)) throw new UserError(`${opts.to}: already exists; --init-from creates the first live config only (promote into it, or roll it back)`);
    if (listRevisions(opts.to).length) throw new UserError(`${opts.to}.history: already holds revisions; restore one with --rollback --revision N`);
    const text = serializeLiveConfig(doc);
    writeRevision(opts.to, 1, text);
    const entry: PromotionLogEntry = {
      action: 'init',
      revision: 1,
      previousRevision: null,
      time: opts.now.toISOString(),
      user: opts.user ?? userName(),
      sha256: sha256Hex(text),
      preset: opts.preset,
      forced: false,
      reason: null,
      diff: diffLiveConfigs(null, doc),
    };
    appendLog(opts.to, entry);
    return entry;
  });
}

export interface PromoteOptions {
  /** Calibration artifacts (calibration.json), one per strategy. */
  from: string[];
  /** The live config. */
  to: string;
  now: Date;
  dryRun?: boolean;
  force?: boolean;
  reason?: string;
  /** A daily report JSON (edgelab report daily) for the live-edge check. */
  liveReport?: string;
  thresholds?: Partial<GateThresholds>;
  user?: string;
  /** Called once when another promotion holds the lock and this one starts waiting. */
  onLockWait?: (lockPath: string) => void;
}

export interface PromoteOutcome {
  /** promoted: written; refused: the gate failed and nothing was written; dry-run: nothing written by request. */
  status: 'promoted' | 'refused' | 'dry-run';
  gate: GateResult;
  diff: FieldChange[];
  previousRevision: number;
  /** The revision written (promoted) or that would be written. */
  revision: number;
  forced: boolean;
  candidate: LiveConfig;
}

function evidenceOf(l: LoadedArtifact, now: Date, forced: boolean, reason: string | null): LiveEvidence {
  const a = l.artifact;
  const w = a.walkForward.windows;
  return {
    artifact: l.file,
    sha256: l.sha256,
    promotedAt: now.toISOString(),
    oos: {
      trades: a.outOfSample.trades,
      edgePerTrade: a.outOfSample.edgePerTrade,
      edgePerTradeCI: a.significance.edgePerTradeCI,
      edgePerTradeBps: a.outOfSample.edgePerTradeBps,
      winRate: a.outOfSample.winRate,
      sharpe: a.outOfSample.sharpe,
      from: w.length ? w[0].testWindow.from : (a.data.from ?? ''),
      to: w.length ? w[w.length - 1].testWindow.to : (a.data.to ?? ''),
    },
    dsr: a.significance.dsr,
    pbo: a.significance.pbo,
    data: { file: a.data.file, sha256: a.data.sha256, from: a.data.from, to: a.data.to, rows: a.data.rows },
    source: 'calibration',
    forced,
    reason,
  };
}

/** The live config with each artifact's strategy replaced by what it calibrated (params, the rules and execution it ran under). */
export function applyArtifacts(live: LiveConfig, artifacts: readonly LoadedArtifact[], revision: number, now: Date, forced: boolean, reason: string | null, label: string): LiveConfig {
  const next = JSON.parse(JSON.stringify(live)) as LiveConfig;
  next.revision = revision;
  next.updatedAt = now.toISOString();
  for (const l of artifacts) {
    const a = l.artifact;
    next.strategies[a.strategy] = {
      params: { ...a.fullParams },
      rules: liveRulesOf({ params: a.fullParams, rules: a.settings.rules, confirmation: a.settings.confirmation }),
      execution: { ...a.settings.engine.execution },
      evidence: evidenceOf(l, now, forced, reason),
    };
  }
  return validateLiveConfig(JSON.parse(serializeLiveConfig(next)), label);
}

/**
 * Gate, diff and (unless refused or dry-run) write one promotion. Bad input
 * throws UserError before anything is written; a refusal returns
 * `status: 'refused'` with the live file untouched.
 */
export async function promote(opts: PromoteOptions): Promise<PromoteOutcome> {
  if (opts.force && !opts.reason?.trim()) throw new UserError('--force needs --reason "<why>" (the reason is recorded with the promotion)');
  if (!opts.from.length) throw new UserError('give at least one --from <calibration.json>');
  const artifacts = opts.from.map(readArtifact);
  const seen = new Map<string, string>();
  for (const l of artifacts) {
    const prev = seen.get(l.artifact.strategy);
    if (prev) throw new UserError(`${l.file}: strategy: ${l.artifact.strategy} is also calibrated by ${prev}; promote one artifact per strategy`);
    seen.set(l.artifact.strategy, l.file);
  }
  const liveReport = opts.liveReport ? readLiveReport(opts.liveReport) : null;
  const run = async (): Promise<PromoteOutcome> => {
    const live = readLiveConfig(opts.to).config;
    // The log is the authority: a revision file without a log entry is an orphan of a crash, and is overwritten.
    const revision = Math.max(live.revision, ...loggedRevisions(opts.to)) + 1;
    const gate = runGate(artifacts, { now: opts.now, thresholds: opts.thresholds, liveReport, liveEngine: live.engine });
    const forced = !!opts.force && !gate.passed;
    const reason = opts.reason?.trim() || null;
    const candidate = applyArtifacts(live, artifacts, revision, opts.now, forced, reason, `${opts.to} (revision ${revision})`);
    const diff = diffLiveConfigs(live, candidate);
    const outcome = { gate, diff, previousRevision: live.revision, revision, forced, candidate };
    if (!gate.passed && !opts.force) return { ...outcome, status: 'refused' };
    if (opts.dryRun) return { ...outcome, status: 'dry-run' };
    await testHoldLock();
    const text = serializeLiveConfig(candidate);
    writeRevision(opts.to, revision, text);
    const entry: PromotionLogEntry = {
      action: 'promote',
      revision,
      previousRevision: live.revision,
      time: opts.now.toISOString(),
      user: opts.user ?? userName(),
      sha256: sha256Hex(text),
      artifacts: artifacts.map((l) => ({ file: l.file, sha256: l.sha256, strategy: l.artifact.strategy })),
      liveReport: opts.liveReport ?? null,
      gate,
      forced,
      reason,
      diff,
    };
    appendLog(opts.to, entry);
    return { ...outcome, status: 'promoted' };
  };
  return opts.dryRun ? run() : withLiveLock(opts.to, run, opts.onLockWait);
}

/**
 * Restore revision `revision` (default: the highest kept revision below the
 * live one) byte for byte, and log it.
 */
export async function rollback(opts: { to: string; now: Date; revision?: number; reason?: string; user?: string; onLockWait?: (lockPath: string) => void }): Promise<PromotionLogEntry> {
  return withLiveLock(opts.to, () => {
    const live = readLiveConfig(opts.to);
    const logged = new Set(loggedRevisions(opts.to));
    const kept = listRevisions(opts.to).filter((r) => logged.has(r));
    const target = opts.revision ?? [...kept].reverse().find((n) => n < live.config.revision);
    if (target === undefined) throw new UserError(`${opts.to}: no revision below the live one (${live.config.revision}) in ${opts.to}.history; name one with --revision N (kept: ${kept.join(', ') || 'none'})`);
    if (!kept.includes(target)) throw new UserError(`--revision ${target}: not in ${opts.to}.history (kept: ${kept.join(', ') || 'none'})`);
    const file = revisionFile(opts.to, target);
    const text = fs.readFileSync(file, 'utf8');
    const restored = parseLiveConfig(text, file);
    writeRevision(opts.to, target, text);
    const entry: PromotionLogEntry = {
      action: 'rollback',
      revision: target,
      previousRevision: live.config.revision,
      time: opts.now.toISOString(),
      user: opts.user ?? userName(),
      sha256: sha256Hex(text),
      forced: false,
      reason: opts.reason ?? null,
      diff: diffLiveConfigs(live.config, restored),
    };
    appendLog(opts.to, entry);
    return entry;
  }, opts.onLockWait);
}

/** Revisions the log says were written (a crash can leave a history file the log never confirmed). */
function loggedRevisions(live: string): number[] {
  return readLog<PromotionLogEntry>(live).map((e) => e.revision);
}

/** The promotion log of a live config, oldest first. */
export function promotionHistory(live: string): PromotionLogEntry[] {
  return readLog<PromotionLogEntry>(live);
}
