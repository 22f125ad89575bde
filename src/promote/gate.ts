/**
 * The promotion gate: out-of-sample evidence a calibration must carry before
 * its parameters reach the live config. Defaults are strict; every threshold
 * is configurable and recorded with the promotion. A check reports its value
 * and threshold whether it passes or not, so a refusal explains itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { filesSha256, tapeSourceFiles } from '../util/hash';
import { normalCdf } from '../analytics/stats';
import type { LiveEngine } from '../config/live-config';
import type { LoadedArtifact } from './artifact';

export interface GateThresholds {
  /** Out-of-sample trades at least this many. */
  minOosTrades: number;
  /** The low end of the out-of-sample edge-per-trade 95% interval must be above this (quote currency). */
  minEdgeCiLow: number;
  minDsr: number;
  maxPbo: number;
  /** The artifact's data must end no more than this many days before now. */
  maxDataAgeDays: number;
  /** With a live report: refuse when live edge is below the out-of-sample estimate at this one-sided significance level. */
  liveAlpha: number;
}

export const DEFAULT_GATE: Readonly<GateThresholds> = Object.freeze({
  minOosTrades: 30,
  minEdgeCiLow: 0,
  minDsr: 0.95,
  maxPbo: 0.5,
  maxDataAgeDays: 30,
  liveAlpha: 0.05,
});

export type CheckStatus = 'pass' | 'fail' | 'skipped';

export interface GateCheck {
  id: 'oosTrades' | 'oosEdgeCi' | 'dsr' | 'pbo' | 'dataAge' | 'dataHash' | 'marketModel' | 'liveEdge';
  strategy: string;
  artifact: string;
  status: CheckStatus;
  /** What was measured, in words with the number. */
  value: string;
  threshold: string;
  detail?: string;
}

export interface GateResult {
  passed: boolean;
  thresholds: GateThresholds;
  checks: GateCheck[];
}

/** The part of a daily report (issue 9's `daily-<date>.json`) the live-edge check reads. */
export interface DailyReportLike {
  date?: string;
  strategies: Record<string, { windows: Record<string, { trades: number; edgePerTrade: number | null; edgeCi: [number, number] | null } | undefined> }>;
}

/** Read a daily report JSON; bad input names the file and field. */
export function readLiveReport(file: string): DailyReportLike {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code ? `cannot read ${file}: ${code}` : `${file}: not valid JSON (truncated?): ${(e as Error).message}`);
  }
  const o = doc as Record<string, unknown>;
  if (!o || typeof o !== 'object' || !o.strategies || typeof o.strategies !== 'object') throw new UserError(`${file}: strategies: missing (expected the daily report JSON of edgelab report daily)`);
  for (const [id, s] of Object.entries(o.strategies as Record<string, unknown>)) {
    const w = (s as { windows?: unknown })?.windows;
    if (!w || typeof w !== 'object') throw new UserError(`${file}: strategies.${id}.windows: missing`);
    const all = (w as Record<string, unknown>).all as Record<string, unknown> | undefined;
    if (all === undefined) continue;
    if (!Number.isInteger(all.trades)) throw new UserError(`${file}: strategies.${id}.windows.all.trades: expected an integer`);
    if (all.edgePerTrade !== null && typeof all.edgePerTrade !== 'number') throw new UserError(`${file}: strategies.${id}.windows.all.edgePerTrade: expected a number or null`);
    const ci = all.edgeCi;
    if (ci !== null && ci !== undefined && !(Array.isArray(ci) && ci.length === 2 && ci.every((x) => typeof x === 'number'))) {
      throw new UserError(`${file}: strategies.${id}.windows.all.edgeCi: expected [low, high] or null`);
    }
  }
  return doc as DailyReportLike;
}

const f = (x: number | null | undefined, d = 4) =>
  x === null || x === undefined || !Number.isFinite(x) ? 'undefined' : x !== 0 && Math.abs(x) < 10 ** -d ? x.toExponential(1) : x.toFixed(d);
const DAY = 86_400_000;
/** Standard error from a symmetric-normal 95% interval. */
const seOf = (ci: [number, number]) => (ci[1] - ci[0]) / (2 * 1.959963984540054);

/** Where the artifact's data file is, if present: as written, else beside the artifact. */
function locateData(files: string[], artifactFile: string): string[] | null {
  const tryDirs = [process.cwd(), path.dirname(path.resolve(artifactFile))];
  for (const dir of tryDirs) {
    const paths = files.map((p) => path.resolve(dir, p));
    if (paths.every((p) => fs.existsSync(p))) return paths;
  }
  return null;
}

function sameFees(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Run every check on every artifact. `now` is injected; `liveEngine` is the
 * live config's engine (the artifact's evidence holds under its own fees and
 * slippage only).
 */
export function runGate(
  artifacts: readonly LoadedArtifact[],
  opts: { now: Date; thresholds?: Partial<GateThresholds>; liveReport?: DailyReportLike | null; liveEngine: LiveEngine },
): GateResult {
  const t: GateThresholds = { ...DEFAULT_GATE, ...(opts.thresholds ?? {}) };
  const checks: GateCheck[] = [];
  for (const { file, artifact: a } of artifacts) {
    const base = { strategy: a.strategy, artifact: file };
    const add = (c: Omit<GateCheck, 'strategy' | 'artifact'>) => checks.push({ ...base, ...c });
    const oos = a.outOfSample;
    add({ id: 'oosTrades', status: oos.trades >= t.minOosTrades ? 'pass' : 'fail', value: `${oos.trades} out-of-sample trades`, threshold: `≥ ${t.minOosTrades}` });
    const ci = a.significance.edgePerTradeCI;
    add({
      id: 'oosEdgeCi',
      status: ci && ci[0] > t.minEdgeCiLow ? 'pass' : 'fail',
      value: ci ? `edge/trade ${f(oos.edgePerTrade, 6)}, 95% CI [${f(ci[0], 6)}, ${f(ci[1], 6)}]` : 'no interval (fewer than 2 out-of-sample trades)',
      threshold: `CI low > ${t.minEdgeCiLow}`,
    });
    const dsr = a.significance.dsr;
    add({ id: 'dsr', status: dsr !== null && dsr >= t.minDsr ? 'pass' : 'fail', value: `DSR ${f(dsr, 3)} (${a.trials} trials)`, threshold: `≥ ${t.minDsr}` });
    const pbo = a.significance.pbo;
    add({ id: 'pbo', status: pbo !== null && pbo <= t.maxPbo ? 'pass' : 'fail', value: `PBO ${f(pbo, 3)}`, threshold: `≤ ${t.maxPbo}` });
    const to = a.data.to === null ? NaN : Date.parse(a.data.to);
    const ageDays = (opts.now.getTime() - to) / DAY;
    add({
      id: 'dataAge',
      status: Number.isFinite(ageDays) && ageDays <= t.maxDataAgeDays ? 'pass' : 'fail',
      value: Number.isFinite(ageDays) ? `data ends ${a.data.to}, ${ageDays.toFixed(1)} days before ${opts.now.toISOString()}` : 'data has no end',
      threshold: `≤ ${t.maxDataAgeDays} days`,
    });
    const located = locateData(tapeSourceFiles(a.data.file), file);
    if (!located) add({ id: 'dataHash', status: 'skipped', value: `${a.data.file} not present`, threshold: 'content hash matches when present' });
    else {
      const h = filesSha256(located);
      add({
        id: 'dataHash',
        status: a.data.sha256 !== null && h === a.data.sha256 ? 'pass' : 'fail',
        value: `${located.join(' + ')} sha256 ${h?.slice(0, 12) ?? '?'}…, artifact records ${a.data.sha256 === null ? 'none' : a.data.sha256.slice(0, 12) + '…'}`,
        threshold: 'equal',
      });
    }
    const eng = a.settings.engine;
    const sameMarket = sameFees(eng.fees, opts.liveEngine.fees) && eng.slippageBps === opts.liveEngine.slippageBps;
    add({
      id: 'marketModel',
      status: sameMarket ? 'pass' : 'fail',
      value: `calibrated with fees ${JSON.stringify(eng.fees)}, slippage ${eng.slippageBps} bps; live has ${JSON.stringify(opts.liveEngine.fees)}, ${opts.liveEngine.slippageBps} bps`,
      threshold: 'equal (evidence holds under its own fees and slippage only)',
    });
    if (opts.liveReport) {
      const w = opts.liveReport.strategies[a.strategy]?.windows?.all;
      if (!w || w.trades < 2 || w.edgePerTrade === null || !w.edgeCi || oos.edgePerTrade === null || !ci) {
        add({ id: 'liveEdge', status: 'skipped', value: w ? `${w.trades} live trades, no interval` : `no live trades of ${a.strategy} in the report`, threshold: `not below OOS at α = ${t.liveAlpha}` });
      } else {
        // One-sided z test of live − OOS edge per trade; SEs from each 95% interval.
        const se = Math.sqrt(seOf(w.edgeCi) ** 2 + seOf(ci) ** 2);
        const z = se > 0 ? (w.edgePerTrade - oos.edgePerTrade) / se : 0;
        const p = normalCdf(z);
        add({
          id: 'liveEdge',
          status: p >= t.liveAlpha ? 'pass' : 'fail',
          value: `live edge/trade ${f(w.edgePerTrade, 6)} (${w.trades} trades, CI [${f(w.edgeCi[0], 6)}, ${f(w.edgeCi[1], 6)}]) vs OOS ${f(oos.edgePerTrade, 6)}: z ${z.toFixed(2)}, one-sided p ${p.toFixed(3)}`,
          threshold: `p ≥ ${t.liveAlpha}`,
          detail: 'edge per trade in quote currency: the live bot and the backtest must trade the same notional for this to compare',
        });
      }
    }
  }
  return { passed: checks.every((c) => c.status !== 'fail'), thresholds: t, checks };
}
