/**
 * The one duration parser of the CLI: `250ms`, `30s`, `5m`, `1h`, `1d`, `1w`
 * (decimals allowed: `1.5h`). The unit is required — a bare `30` is refused,
 * because the same bare number used to mean seconds in one command and
 * milliseconds in another. Durations in config files are already explicit
 * (keys end in `Ms`); this is for flags only.
 */
import { UserError } from '../util/errors';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

export const DURATION_EXAMPLES = '250ms, 30s, 5m, 1h, 1d';

export interface DurationOptions {
  /** Accept `0` (e.g. a zero timeout: cancel at once). Default false: at least 1 ms. */
  allowZero?: boolean;
  /** Accept `never` / `off` as Infinity. */
  allowNever?: boolean;
}

/** A duration flag's value in ms. `flag` names the flag in errors (`--timeout`). */
export function parseDuration(spec: string, flag: string, opts: DurationOptions = {}): number {
  const s = spec.trim().toLowerCase();
  const never = opts.allowNever ? ", or 'never'" : '';
  if (opts.allowNever && (s === 'never' || s === 'off')) return Infinity;
  if (/^\d+(?:\.\d+)?$/.test(s) && !(opts.allowZero && Number(s) === 0)) {
    throw new UserError(`${flag}: '${spec}' has no unit; write it with one (${DURATION_EXAMPLES}${never}) — a bare number is ambiguous`);
  }
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/.exec(s);
  if (!m) throw new UserError(`${flag}: '${spec}' is not a duration (use ${DURATION_EXAMPLES}${never})`);
  const ms = Number(m[1]) * (m[2] ? UNIT_MS[m[2]] : 1);
  if (!Number.isFinite(ms)) throw new UserError(`${flag}: '${spec}' is too large`);
  if (ms === 0 && opts.allowZero) return 0;
  if (!(ms >= 1)) throw new UserError(`${flag}: '${spec}' must be at least 1ms${opts.allowZero ? ' (or 0)' : ''}`);
  if (!Number.isInteger(ms)) throw new UserError(`${flag}: '${spec}' is not a whole number of milliseconds`);
  return ms;
}

/** A comma-separated list of durations (`5s,10s,30s`), each checked as {@link parseDuration}. */
export function parseDurationList(spec: string, flag: string, opts: DurationOptions = {}): number[] {
  const parts = spec.split(',').map((p) => p.trim());
  if (!parts.length || parts.some((p) => p === '')) throw new UserError(`${flag}: '${spec}' must be a comma-separated list of durations (e.g. 5s,30s,1m)`);
  return parts.map((p) => parseDuration(p, flag, opts));
}
