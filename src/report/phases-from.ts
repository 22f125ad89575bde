/**
 * `report phases --from <dir>…`: the evidence read back from outputs edgelab
 * already wrote — backtest folders (summary.json + trades.jsonl, one per
 * preset; the main job's reports/latest/ holds them as sub-folders), a maker
 * run (a backtest folder whose config has maker entries), and live or paper
 * trade logs (for "paper traded for 24 hours").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BacktestResult, StrategyResult } from '../run/run';
import type { LedgerRow } from '../core/ledger';
import { equityCurve } from '../analytics/metrics';
import { PHASE_STEPS, type PhaseStep } from '../research/phase-impact';
import { readTradeLogs } from '../data/readers/trade-log';
import { DataError, UserError } from '../util/errors';
import type { PhaseEvidence } from './phases';

function readJson(file: string): Record<string, any> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(file, null, `not valid JSON: ${(e as Error).message}`);
  }
}

/** A backtest output folder back into the shape runBacktest returns (ledgers from trades.jsonl). */
export function readBacktestFolder(dir: string): BacktestResult {
  const summary = readJson(path.join(dir, 'summary.json'));
  const jsonl = path.join(dir, 'trades.jsonl');
  if (!fs.existsSync(jsonl)) throw new UserError(`${dir}: summary.json without trades.jsonl`);
  const rows: LedgerRow[] = [];
  fs.readFileSync(jsonl, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        rows.push(JSON.parse(line));
      } catch (e) {
        throw new DataError(jsonl, i + 1, `not valid JSON: ${(e as Error).message}`);
      }
    });
  const config = summary.config;
  const data = summary.data;
  if (!config?.strategies || !data) throw new UserError(`${dir}/summary.json: not an edgelab backtest summary (no config or data)`);
  const strategies: Record<string, StrategyResult> = {};
  for (const [id, s] of Object.entries<any>(summary.strategies ?? {})) {
    const ledger = rows.filter((r) => r.strategy === id);
    const { name, type, edgeValidation, gate, confirmation, entryFills, signalStats, ambiguousBars, ambiguousResolvedByTicks, params, ...metrics } = s;
    strategies[id] = {
      id,
      name,
      type,
      metrics,
      edge: edgeValidation,
      ledger,
      equity: equityCurve(ledger, config.engine.initialCapital, data.fromMs ?? 0),
      gate,
      ...(confirmation ? { confirmation } : {}),
      ...(entryFills ? { entryFills } : {}),
      ...(signalStats ? { signalStats } : {}),
      ...(ambiguousBars !== undefined ? { ambiguousBars, ambiguousResolvedByTicks } : {}),
      timing: { signalsMs: 0, engineMs: 0 },
      params,
    } as StrategyResult;
  }
  return { config, data, strategies };
}

/** Folders to look at: each given directory and its immediate sub-folders. */
function candidateDirs(p: string): string[] {
  const out = [p];
  for (const e of fs.readdirSync(p, { withFileTypes: true })) if (e.isDirectory() && !e.name.startsWith('.')) out.push(path.join(p, e.name));
  return out;
}

export function readPhaseEvidence(paths: readonly string[]): PhaseEvidence {
  const runs: Partial<Record<PhaseStep, BacktestResult>> = {};
  const runSource: Partial<Record<PhaseStep, string>> = {};
  let maker: PhaseEvidence['maker'];
  const logs: string[] = [];
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new UserError(`${p}: not found`);
    if (!fs.statSync(p).isDirectory()) {
      logs.push(p);
      continue;
    }
    for (const dir of candidateDirs(p)) {
      if (!fs.existsSync(path.join(dir, 'summary.json'))) continue;
      const r = readBacktestFolder(dir);
      const preset = r.config.preset as PhaseStep;
      if (r.config.engine.execution?.mode === 'maker') {
        if (!maker || !('result' in maker)) maker = { result: r, source: `${path.join(dir, 'summary.json')} (maker entries, preset ${preset})` };
        continue;
      }
      if (!(PHASE_STEPS as readonly string[]).includes(preset)) continue;
      const prev = runs[preset];
      // One data set per page: the first folder of a preset wins, later ones must be on the same data.
      if (prev && prev.data.file !== r.data.file) continue;
      if (!prev) {
        runs[preset] = r;
        runSource[preset] = path.join(dir, 'summary.json');
      }
    }
  }
  const missing = PHASE_STEPS.filter((s) => !runs[s]);
  if (missing.length) throw new UserError(`--from: no backtest output of preset ${missing.join(', ')} among ${paths.join(', ')} (each preset's summary.json + trades.jsonl, e.g. the main job's reports/latest/)`);
  const file = runs.phase3!.data.file;
  for (const s of PHASE_STEPS) if (runs[s]!.data.file !== file) throw new UserError(`--from: preset ${s} ran on ${runs[s]!.data.file}, phase3 on ${file}; the checklist compares runs on the same data`);
  let paper: PhaseEvidence['paper'];
  if (logs.length) {
    const set = readTradeLogs(logs);
    if (set.trades.length) {
      const from = Math.min(...set.trades.map((t) => t.entryTime));
      const to = Math.max(...set.trades.map((t) => t.exitTime));
      paper = { spanMs: to - from, trades: set.trades.length, source: set.sources.map((s) => `${s.file} (${s.format}, sha256 ${s.sha256.slice(0, 12)}…)`).join('; ') };
    }
  }
  return {
    data: runs.phase3!.data,
    runs: runs as Record<PhaseStep, BacktestResult>,
    runSource: runSource as Record<PhaseStep, string>,
    maker: maker ?? { reason: 'no maker-entry backtest among --from (run `edgelab backtest --execution maker` on a trade tape)' },
    portfolio: { reason: 'the portfolio criteria need the daily rebalance checks, which portfolio.json does not carry: use --data' },
    ...(paper ? { paper } : {}),
  };
}
