import * as path from 'node:path';
import type { Command } from './command';
import { numberFlag, parseFlags, required } from './args';
import { UserError } from '../util/errors';
import { writeFileAtomic } from '../util/atomic-write';
import { readLiveConfig } from '../config/live-config';
import { initLiveConfig, promote, promotionHistory, rollback, type PromotionLogEntry } from '../promote/promote';
import { DEFAULT_GATE, type GateResult, type GateThresholds } from '../promote/gate';
import { formatDiff } from '../promote/diff';
import { renderFreqtrade, renderPython } from '../promote/export';

const USAGE = [
  'edgelab promote --init-from <preset> --to <live.json> [--strategies V1,…]',
  '       edgelab promote --from <calibration.json> [--from …] --to <live.json> [--dry-run] [--force --reason "…"] [--live-report <daily.json>] [--now <iso>]',
  '                       [--min-oos-trades 30] [--min-edge-ci-low 0] [--min-dsr 0.95] [--max-pbo 0.5] [--max-data-age-days 30] [--live-alpha 0.05]',
  '       edgelab promote --history --to <live.json> [--json]',
  '       edgelab promote --rollback [--revision N] [--reason "…"] --to <live.json>',
  '       edgelab promote --export python|freqtrade --to <live.json> --out <file> [--strategy <id> --strategy-name <freqtrade class>]',
].join('\n');

/** `--now` (ISO 8601) or the real clock: the CLI is the only place that reads it. */
function nowFlag(v: string | undefined): Date {
  if (v === undefined) return new Date();
  const t = Date.parse(v);
  if (!/^\d{4}-\d\d-\d\d/.test(v) || !Number.isFinite(t)) throw new UserError(`--now must be an ISO 8601 time (e.g. 2024-08-10T00:00:00Z), got '${v}'`);
  return new Date(t);
}

function thresholdsOf(v: Record<string, unknown>): Partial<GateThresholds> {
  const t: Partial<GateThresholds> = {};
  const take = (flag: string, key: keyof GateThresholds, check: (x: number) => boolean, what: string) => {
    if (v[flag] === undefined) return;
    const x = numberFlag(v, flag, DEFAULT_GATE[key]);
    if (!check(x)) throw new UserError(`--${flag} must be ${what}, got ${x}`);
    t[key] = x;
  };
  take('min-oos-trades', 'minOosTrades', (x) => Number.isInteger(x) && x >= 0, 'a non-negative integer');
  take('min-edge-ci-low', 'minEdgeCiLow', () => true, 'a number');
  take('min-dsr', 'minDsr', (x) => x >= 0 && x <= 1, 'in [0, 1]');
  take('max-pbo', 'maxPbo', (x) => x >= 0 && x <= 1, 'in [0, 1]');
  take('max-data-age-days', 'maxDataAgeDays', (x) => x >= 0, '≥ 0');
  take('live-alpha', 'liveAlpha', (x) => x > 0 && x < 1, 'in (0, 1)');
  return t;
}

const waitNote = (lock: string) => process.stderr.write(`edgelab promote: another promotion holds ${lock}; waiting for it to finish…\n`);

export function formatGate(g: GateResult): string {
  const mark = { pass: 'pass', fail: 'FAIL', skipped: 'skip' } as const;
  return g.checks.map((c) => `  [${mark[c.status]}] ${c.strategy} ${c.id}: ${c.value} (threshold ${c.threshold})`).join('\n');
}

function formatEntry(e: PromotionLogEntry): string {
  const head = `r${e.revision}  ${e.time}  ${e.action}  by ${e.user}${e.previousRevision !== null ? `  (was r${e.previousRevision})` : ''}  sha256 ${e.sha256.slice(0, 12)}…`;
  const lines = [head];
  if (e.preset) lines.push(`  from preset ${e.preset}`);
  for (const a of e.artifacts ?? []) lines.push(`  artifact ${a.file} (${a.strategy}, sha256 ${a.sha256.slice(0, 12)}…)`);
  if (e.gate) {
    lines.push(`  gate ${e.gate.passed ? 'passed' : 'FAILED'}${e.forced ? ` — FORCED, reason: "${e.reason}"` : ''}`);
    lines.push(formatGate(e.gate).replace(/^/gm, '  '));
  } else if (e.reason) lines.push(`  reason: "${e.reason}"`);
  lines.push(`  ${e.diff.length} field change${e.diff.length === 1 ? '' : 's'}${e.action === 'init' ? ' (all fields new)' : ':'}`);
  if (e.action !== 'init') lines.push(formatDiff(e.diff).replace(/^/gm, '  '));
  return lines.join('\n');
}

export const promoteCommand: Command = {
  summary: 'Promote calibrated parameters into the live config: out-of-sample gate, diff, atomic locked write, history, rollback, exports (Python, freqtrade).',
  usage: USAGE,
  async run(argv) {
    const v = parseFlags(
      argv,
      {
        'init-from': { type: 'string' },
        strategies: { type: 'string' },
        from: { type: 'string', multiple: true },
        to: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        reason: { type: 'string' },
        'live-report': { type: 'string' },
        now: { type: 'string' },
        'min-oos-trades': { type: 'string' },
        'min-edge-ci-low': { type: 'string' },
        'min-dsr': { type: 'string' },
        'max-pbo': { type: 'string' },
        'max-data-age-days': { type: 'string' },
        'live-alpha': { type: 'string' },
        history: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        rollback: { type: 'boolean', default: false },
        revision: { type: 'string' },
        export: { type: 'string' },
        out: { type: 'string' },
        strategy: { type: 'string' },
        'strategy-name': { type: 'string' },
      },
      USAGE,
    );
    const to = required(v, 'to', USAGE);
    const modes = [v['init-from'] !== undefined, !!v.from?.length, v.history, v.rollback, v.export !== undefined].filter(Boolean).length;
    if (modes !== 1) throw new UserError(`give exactly one of --init-from, --from, --history, --rollback, --export\nusage: ${USAGE}`);
    const out = process.stdout;

    if (v['init-from'] !== undefined) {
      const ids = v.strategies?.split(',').map((s) => s.trim()).filter(Boolean);
      const e = await initLiveConfig({ preset: v['init-from'], to, now: nowFlag(v.now), strategies: ids });
      out.write(`created ${to} (revision 1) from preset ${e.preset}: ${Object.keys(readLiveConfig(to).config.strategies).join(', ')}; history in ${to}.history/\n`);
      return 0;
    }

    if (v.history) {
      const log = promotionHistory(to);
      if (v.json) out.write(JSON.stringify(log, null, 2) + '\n');
      else out.write(log.length ? log.map(formatEntry).join('\n\n') + '\n' : `${to}: no promotions logged\n`);
      return 0;
    }

    if (v.rollback) {
      let revision: number | undefined;
      if (v.revision !== undefined) {
        revision = numberFlag(v, 'revision', 0);
        if (!Number.isInteger(revision) || revision < 1) throw new UserError(`--revision must be a positive integer, got ${v.revision}`);
      }
      const e = await rollback({ to, now: nowFlag(v.now), revision, reason: v.reason, onLockWait: waitNote });
      out.write(`rolled ${to} back from r${e.previousRevision} to r${e.revision} (byte-identical to ${to}.history/r${String(e.revision).padStart(6, '0')}.json, sha256 ${e.sha256.slice(0, 12)}…)\n${formatDiff(e.diff)}\n`);
      return 0;
    }

    if (v.export !== undefined) {
      const file = required(v, 'out', USAGE);
      const live = readLiveConfig(to);
      let text: string;
      if (v.export === 'python') text = renderPython(live.config, { liveFile: path.basename(to), sha256: live.sha256 });
      else if (v.export === 'freqtrade') {
        const ids = Object.keys(live.config.strategies);
        const id = v.strategy ?? (ids.length === 1 ? ids[0] : undefined);
        if (!id) throw new UserError(`--export freqtrade: the live config holds ${ids.join(', ')}; choose one with --strategy <id>`);
        text = renderFreqtrade(live.config, { strategy: id, strategyName: v['strategy-name'], now: nowFlag(v.now) });
      } else throw new UserError(`--export must be python or freqtrade, got '${v.export}'`);
      writeFileAtomic(file, text);
      out.write(`wrote ${file} (${v.export}, live config revision ${live.config.revision})\n`);
      return 0;
    }

    const r = await promote({
      from: v.from!,
      to,
      now: nowFlag(v.now),
      dryRun: v['dry-run'],
      force: v.force,
      reason: v.reason,
      liveReport: v['live-report'],
      thresholds: thresholdsOf(v),
      onLockWait: waitNote,
    });
    out.write(`gate for ${v.from!.join(', ')} → ${to}:\n${formatGate(r.gate)}\n\n`);
    out.write(`diff r${r.previousRevision} → r${r.revision} (${r.diff.length} field change${r.diff.length === 1 ? '' : 's'}):\n${formatDiff(r.diff)}\n\n`);
    if (r.status === 'refused') {
      const failing = r.gate.checks.filter((c) => c.status === 'fail');
      process.stderr.write(
        `edgelab promote: REFUSED — ${failing.length} failing check${failing.length === 1 ? '' : 's'}: ${failing.map((c) => `${c.strategy} ${c.id} (${c.value}; needs ${c.threshold})`).join('; ')}. ` +
          `${to} unchanged. To promote anyway: --force --reason "…" (recorded).\n`,
      );
      return 1;
    }
    if (r.status === 'dry-run') {
      out.write(`dry run: gate ${r.gate.passed ? 'passes' : 'fails (--force given)'}; nothing written\n`);
      return r.gate.passed ? 0 : 1;
    }
    out.write(`promoted ${to} to revision ${r.revision}${r.forced ? ` — FORCED past a failing gate, reason recorded: "${v.reason}"` : ''}; history in ${to}.history/\n`);
    return 0;
  },
};
