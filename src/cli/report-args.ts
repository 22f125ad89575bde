import { UserError } from '../util/errors';

/** The injected clock of a report: --now, or the wall clock (the CLI is the only place that reads it). */
export function parseNow(v: string | undefined): Date {
  if (v === undefined) return new Date();
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) throw new UserError(`--now: '${v}' is not an ISO date-time (e.g. 2024-09-06T08:00:00Z)`);
  return d;
}

export function parseDate(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m || Number.isNaN(Date.UTC(+m[1], +m[2] - 1, +m[3])) || new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).toISOString().slice(0, 10) !== v) {
    throw new UserError(`--date: '${v}' is not a date (YYYY-MM-DD)`);
  }
  return v;
}

