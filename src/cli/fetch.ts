import type { Command } from './command';
import { numberFlag, parseFlags, required } from './args';
import { int } from './format';
import { createProgress, type ProgressReporter } from './progress';
import { UserError } from '../util/errors';
import { FetchFailedError, fetchToFile, type FetchKind, type FetchProgress } from '../data/fetch';

const USAGE =
  'edgelab fetch --exchange <id> --symbol <s> --kind trades|ohlcv --since <iso> --until <iso> [--timeframe 1m] --out <file> ' +
  '[--page-limit 1000] [--exchange-options <json>] [--quiet]';

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An ISO 8601 date or date-time flag as ms since epoch. A date alone is UTC
 * midnight; a time without a zone is UTC (never the machine's local zone).
 */
export function isoFlag(values: Record<string, unknown>, name: string, usage: string): number {
  const raw = required(values, name, usage).trim();
  const m = ISO_RE.exec(raw);
  const bad = () =>
    new UserError(`--${name} must be an ISO 8601 UTC date or time (e.g. 2024-01-01 or 2024-01-01T12:30:00Z), got '${raw}'`);
  if (!m) throw bad();
  const [, y, mo, d, h, mi, s, zone] = m;
  // Reject dates JavaScript would silently roll over (2024-02-30 → March 1st).
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCFullYear() !== Number(y) || day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) throw bad();
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) throw bad();
  const text = h !== undefined && zone === undefined ? `${raw.replace(' ', 'T')}Z` : raw.replace(' ', 'T');
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw bad();
  return ms;
}

function jsonObjectFlag(values: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(v));
  } catch (e) {
    throw new UserError(`--${name} must be a JSON object: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UserError(`--${name} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

/** The fetch's progress as the shared reporter's task: the share of [since, until) covered, with pages and rows. */
function fetchProgress(reporter: ProgressReporter, stream: NodeJS.WritableStream = process.stderr): (p: FetchProgress) => void {
  const SCALE = 1000;
  return (p) => {
    if (p.phase === 'start') {
      if (p.resumedFrom !== null) {
        stream.write(`fetch ${p.exchange} ${p.symbol} ${p.kind}: resuming: ${int(p.rows)} rows already saved, up to ${new Date(p.resumedFrom).toISOString()}\n`);
      }
      reporter.start(SCALE, `fetch ${p.exchange} ${p.symbol} ${p.kind}`);
      return;
    }
    reporter.update(
      Math.round(p.fraction * SCALE),
      `${int(p.pages)} pages, ${int(p.rows)} rows (+${int(p.newRows)}), reached ${new Date(p.reached).toISOString()}, ` +
        `${int(p.rowsPerSec)} rows/s, ${p.pagesPerSec.toFixed(1)} pages/s`,
    );
    if (p.phase === 'done') reporter.stop();
  };
}

export const fetchCommand: Command = {
  summary:
    'Download public trades or OHLCV candles from any ccxt exchange into the project CSV formats; an interrupted download resumes from --out.',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const values = parseFlags(
      argv,
      {
        exchange: { type: 'string' },
        symbol: { type: 'string' },
        kind: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        timeframe: { type: 'string' },
        out: { type: 'string' },
        'page-limit': { type: 'string' },
        'exchange-options': { type: 'string' },
        quiet: { type: 'boolean' },
      },
      USAGE,
    );
    const exchange = required(values, 'exchange', USAGE);
    const symbol = required(values, 'symbol', USAGE);
    const kind = required(values, 'kind', USAGE);
    if (kind !== 'trades' && kind !== 'ohlcv') throw new UserError(`--kind must be 'trades' or 'ohlcv', got '${kind}'`);
    const since = isoFlag(values, 'since', USAGE);
    const until = isoFlag(values, 'until', USAGE);
    if (until <= since) {
      throw new UserError(`--until (${new Date(until).toISOString()}) must be after --since (${new Date(since).toISOString()})`);
    }
    const timeframe = values.timeframe;
    if (timeframe !== undefined && kind !== 'ohlcv') throw new UserError('--timeframe applies only to --kind ohlcv');
    const out = required(values, 'out', USAGE);
    const pageLimit = numberFlag(values, 'page-limit', 1000, { min: 1, max: 1_000_000, integer: true, unit: 'rows' });
    const exchangeOptions = jsonObjectFlag(values, 'exchange-options');

    let newRows = 0;
    const progress = createProgress({ quiet: values.quiet });
    const print = fetchProgress(progress);
    try {
      const res = await fetchToFile({
        exchange,
        symbol,
        kind: kind as FetchKind,
        since,
        until,
        timeframe,
        out,
        pageLimit,
        exchangeOptions,
        onProgress: (p) => {
          newRows = p.newRows;
          print(p);
        },
      });
      process.stdout.write(
        `fetched ${int(newRows)} new ${kind} rows in ${int(res.pages)} pages; ${out} has ${int(res.rows)} rows` +
          (res.resumedFrom !== null ? ` (resumed from ${new Date(res.resumedFrom).toISOString()})` : '') +
          '\n',
      );
      return 0;
    } catch (e) {
      progress.stop();
      if (e instanceof FetchFailedError) {
        process.stderr.write(`edgelab fetch: error: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};
