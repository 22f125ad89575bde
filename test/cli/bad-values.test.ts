/**
 * Every command, driven as a user would, with bad values: zero, negative,
 * NaN, out of bounds, wrong type, unknown key. Each must end with exit code 2,
 * one `edgelab <command>: error:` line naming the field, no stack trace, no
 * "internal error", and no output written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { edgelab, ROOT } from '../helpers/cli';

const TRADES = path.join(ROOT, 'data', 'tardis-binance-futures-btcusdt-trades-2020-02-22.csv');
const TRADE_LOG = path.join(ROOT, 'test', 'fixtures', 'compare-exits', 'trade-log.csv');
const LIVE_LOG = path.join(ROOT, 'test', 'fixtures', 'trade-logs', 'live-bot.csv');
let tmp: string;
let n = 0;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-bad-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A --config file holding `obj`. */
function cfg(obj: unknown): string {
  const f = path.join(tmp, `config-${++n}.json`);
  fs.writeFileSync(f, JSON.stringify(obj));
  return f;
}

type Row = [label: string, args: (out: string) => string[], field: RegExp];

const D = ['--data', TRADES];
const FIX = (f: string) => path.join(ROOT, 'test', 'fixtures', 'data', f);
const FREQTRADE = path.join(ROOT, 'test', 'fixtures', 'trade-logs', 'freqtrade');
const MISSING_CAL = path.join(os.tmpdir(), 'edgelab-no-such-calibration.json');
const STOP0 = () => cfg({ strategies: { V1: { stopPct: 0 } } });

/** command → rows; `out` is the path the command would write (a folder or a file). */
const TABLE: Record<string, Row[]> = {
  backtest: [
    ['config stopPct 0', (o) => [...D, '--strategies', 'V1', '--config', STOP0(), '--out', o], /strategies\.V1\.stopPct: must be > 0%/],
    ['config targetPct negative', (o) => [...D, '--strategies', 'V1', '--config', cfg({ defaults: { targetPct: -1 } }), '--out', o], /defaults\.targetPct: must be > 0%/],
    ['config param above max', (o) => [...D, '--strategies', 'V1', '--config', cfg({ strategies: { V1: { imbalanceThreshold: 2 } } }), '--out', o], /strategies\.V1\.imbalanceThreshold: must be ≤ 1/],
    ['config wrong type', (o) => [...D, '--strategies', 'V1', '--config', cfg({ strategies: { V1: { minHoldMs: '5m' } } }), '--out', o], /strategies\.V1\.minHoldMs: expected a number ≥ 0 ms/],
    ['config block of a strategy not run', (o) => [...D, '--strategies', 'V4', '--config', STOP0(), '--out', o], /strategies\.V1\.stopPct: must be > 0%/],
    ['config unknown key', (o) => [...D, '--strategies', 'V1', '--config', cfg({ strategies: { V1: { stoppct: 1 } } }), '--out', o], /strategies\.V1\.stoppct: unknown parameter for V1/],
    ['config sizing 0', (o) => [...D, '--strategies', 'V1', '--config', cfg({ engine: { sizing: { mode: 'fixed', notional: 0 } } }), '--out', o], /engine\.sizing\.notional: must be > 0/],
    ['--max-gap-ms 0', (o) => [...D, '--max-gap-ms', '0', '--out', o], /--max-gap-ms: must be > 0 ms/],
    ['--max-gap-ms NaN', (o) => [...D, '--max-gap-ms', 'NaN', '--out', o], /--max-gap-ms: expected a number > 0 ms/],
    ['unknown strategy', (o) => [...D, '--strategies', 'V9', '--out', o], /unknown strategy 'V9'/],
    ['unknown preset', (o) => [...D, '--preset', 'phase9', '--out', o], /unknown preset 'phase9'/],
  ],
  calibrate: [
    ['range above the declared max', (o) => [...D, '--strategy', 'V1', '--param', 'imbalanceThreshold=1.2:1.5:0.3', '--out', o], /--param imbalanceThreshold=1\.2: must be ≤ 1 \(fraction\) — V1's declared max/],
    ['range reaching zero stopPct', (o) => [...D, '--strategy', 'V1', '--param', 'stopPct=0:1:0.5', '--out', o], /--param stopPct=0: must be > 0%/],
    ['negative list value', (o) => [...D, '--strategy', 'V4', '--param', 'zEntry=2,-1', '--out', o], /--param zEntry=-1: must be ≥ 0 σ/],
    ['integer parameter fractional', (o) => [...D, '--strategy', 'V4', '--param', 'minSamples=3.5,4', '--out', o], /--param minSamples=3\.5: must be an integer/],
    ['NaN in a range', (o) => [...D, '--strategy', 'V1', '--param', 'imbalanceThreshold=NaN:1:0.1', '--out', o], /--param imbalanceThreshold: 'NaN' is not a number/],
    ['unknown parameter', (o) => [...D, '--strategy', 'V1', '--param', 'zEntry=1:2:1', '--out', o], /--param zEntry: not a parameter of V1/],
    ['random sweep of an out-of-bounds range', (o) => [...D, '--strategy', 'V1', '--param', 'imbalanceThreshold=0.5:1.5:0.5', '--random', '2', '--out', o], /--param imbalanceThreshold=1\.5: must be ≤ 1/],
    ['--random 0', (o) => [...D, '--strategy', 'V1', '--param', 'imbalanceThreshold=0.3:0.5:0.1', '--random', '0', '--out', o], /--random: must be ≥ 1/],
    ['--walk-forward 0', (o) => [...D, '--strategy', 'V1', '--param', 'imbalanceThreshold=0.3:0.5:0.1', '--walk-forward', '0', '--out', o], /--walk-forward: must be ≥ 1/],
    ['--min-trades -1', (o) => [...D, '--strategy', 'V1', '--param', 'imbalanceThreshold=0.3:0.5:0.1', '--min-trades=-1', '--out', o], /--min-trades: must be ≥ 0/],
    ['--workers 1.5', (o) => [...D, '--strategy', 'V1', '--param', 'imbalanceThreshold=0.3:0.5:0.1', '--workers', '1.5', '--out', o], /--workers: must be an integer/],
    ['config stopPct 0', (o) => [...D, '--strategy', 'V1', '--param', 'imbalanceThreshold=0.3:0.5:0.1', '--config', STOP0(), '--out', o], /strategies\.V1\.stopPct: must be > 0%/],
    ['--chunk-size 0', (o) => [...D, '--strategy', 'V1', '--param', 'imbalanceThreshold=0.3:0.5:0.1', '--queue', 'redis://127.0.0.1:1', '--chunk-size', '0', '--out', o], /--chunk-size: must be ≥ 1/],
    ['--queue not redis', (o) => [...D, '--strategy', 'V1', '--param', 'imbalanceThreshold=0.3:0.5:0.1', '--queue', 'http://u:hunter2@host:1', '--out', o], /--queue: expected a redis:\/\/ or rediss:\/\/ URL/],
  ],
  worker: [
    ['missing --queue', () => [], /missing --queue/],
    ['--queue not a URL (password masked)', () => ['--queue', 'redis//u:hunter2@host'], /--queue: 'redis\/\/\*\*\*@host' is not a URL/],
    ['--concurrency 0', () => ['--queue', 'redis://127.0.0.1:1', '--concurrency', '0'], /--concurrency: must be ≥ 1/],
    ['--lock-duration NaN', () => ['--queue', 'redis://127.0.0.1:1', '--lock-duration', 'NaN'], /--lock-duration: expected an integer ≥ 100 ms/],
    ['--max-stalled 1.5', () => ['--queue', 'redis://127.0.0.1:1', '--max-stalled', '1.5'], /--max-stalled: must be an integer/],
  ],
  signals: [
    ['zero', (o) => [...D, '--signal', 'vpin', '--param', 'barMs=0', '--out', o], /--param barMs: must be ≥ 1 ms/],
    ['negative', (o) => [...D, '--signal', 'ofi', '--param', 'windowMs=-5', '--out', o], /--param windowMs: must be ≥ 1 ms/],
    ['NaN', (o) => [...D, '--signal', 'vpin', '--param', 'barMs=NaN', '--out', o], /--param barMs: expected a number ≥ 1 ms/],
    ['out of bounds', (o) => [...D, '--signal', 'kyle', '--param', 'sqrtVolume=2', '--out', o], /--param sqrtVolume: must be ≤ 1/],
    ['wrong type', (o) => [...D, '--signal', 'vpin', '--param', 'nBuckets=2.5', '--out', o], /--param nBuckets: must be an integer/],
    ['unknown key', (o) => [...D, '--signal', 'vpin', '--param', 'buckets=5', '--out', o], /--param buckets: unknown parameter of vpin/],
  ],
  'compare-exits': [
    ['--stop-pct 0', (o) => [...D, '--stop-pct', '0', '--out', o], /--stop-pct: must be > 0%/],
    ['--stop-pct NaN', (o) => [...D, '--stop-pct', 'NaN', '--out', o], /--stop-pct: expected a number > 0%/],
    ['--max-hold-ms negative', (o) => [...D, '--max-hold-ms=-1', '--out', o], /--max-hold-ms: must be > 0 ms/],
    ['--price-tolerance-pct negative', (o) => [...D, '--entries', TRADE_LOG, '--price-tolerance-pct=-1', '--out', o], /--price-tolerance-pct: must be ≥ 0%/],
    ['--ratios zero side', (o) => [...D, '--ratios', '0:1', '--out', o], /--ratios '0:1'/],
    ['--pairs wrong type', (o) => [...D, '--pairs', '0.5/abc', '--out', o], /--pairs '0\.5\/abc'/],
    ['config stopPct 0', (o) => [...D, '--strategies', 'V1', '--config', STOP0(), '--out', o], /strategies\.V1\.stopPct: must be > 0%/],
  ],
  'phase-impact': [
    ['--months 0', (o) => [...D, '--months', '0', '--out', o], /--months: must be ≥ 1/],
    ['--months 1.5', (o) => [...D, '--months', '1.5', '--out', o], /--months: must be an integer/],
    ['--months abc', (o) => [...D, '--months', 'abc', '--out', o], /--months: expected an integer ≥ 1/],
    ['unknown strategy', (o) => [...D, '--strategies', 'V1,V9', '--out', o], /unknown strategy 'V9'/],
  ],
  'maker-sim': [
    ['--offset-pct out of bounds', (o) => [...D, '--offset-pct', '60', '--out', o], /--offset-pct: must be < 50%/],
    ['--timeout negative', (o) => [...D, '--timeout=-1', '--out', o], /--timeout/],
    ['--timeout a bare number (unit required)', (o) => [...D, '--timeout', '30', '--out', o], /--timeout/],
    ['--latency-ms NaN', (o) => [...D, '--latency-ms', 'NaN', '--out', o], /--latency-ms: expected a number ≥ 0 ms/],
    ['--notional 0', (o) => [...D, '--notional', '0', '--out', o], /--notional: must be > 0/],
    ['--queue-power 0', (o) => [...D, '--fill-model', 'queue', '--queue-power', '0', '--out', o], /--queue-power: must be > 0/],
    ['--tick-size negative', (o) => [...D, '--tick-size=-0.1', '--out', o], /--tick-size: must be > 0/],
    ['--maker-fee-pct as a fraction of 100', (o) => [...D, '--maker-fee-pct', '20', '--out', o], /--maker-fee-pct: must be ≤ 10%/],
    ['--taker-fee-pct negative', (o) => [...D, '--taker-fee-pct=-0.04', '--out', o], /--taker-fee-pct: must be ≥ 0%/],
    ['--sweep-offsets wrong type', (o) => [...D, '--sweep', '--sweep-offsets', '0,x', '--out', o], /--sweep-offsets/],
    ['unknown --fill-model', (o) => [...D, '--fill-model', 'magic', '--out', o], /--fill-model must be one of/],
    ['config stopPct 0', (o) => [...D, '--strategies', 'V1', '--config', STOP0(), '--out', o], /strategies\.V1\.stopPct: must be > 0%/],
  ],
  portfolio: [
    ['allocation 0', (o) => [...D, '--allocations', 'V3=0', '--out', o], /--allocations.*V3/],
    ['allocation negative', (o) => [...D, '--allocations', 'V3=-5', '--out', o], /--allocations.*V3/],
    ['allocation NaN', (o) => [...D, '--allocations', 'V3=NaN', '--out', o], /--allocations.*V3/],
    ['allocation above 100%', (o) => [...D, '--allocations', 'V3=150', '--out', o], /--allocations.*V3.*100/],
    ['allocation of an unknown strategy', (o) => [...D, '--allocations', 'V9=10', '--out', o], /V9/],
    ['--drift-band negative', (o) => [...D, '--drift-band=-0.1', '--out', o], /--drift-band: must be ≥ 0/],
    ['--capital 0', (o) => [...D, '--capital', '0', '--out', o], /--capital: must be > 0/],
    ['--rebalance-every 0', (o) => [...D, '--rebalance-every', '0', '--out', o], /--rebalance-every/],
    ['config stopPct 0', (o) => [...D, '--strategies', 'V1,V2', '--config', STOP0(), '--out', o], /strategies\.V1\.stopPct: must be > 0%/],
  ],
  fetch: [
    ['--page-limit 0', (o) => ['--exchange', 'binance', '--symbol', 'BTC/USDT', '--kind', 'trades', '--since', '2024-01-01', '--until', '2024-01-02', '--page-limit', '0', '--out', o], /--page-limit: must be ≥ 1/],
    ['--page-limit 2.5', (o) => ['--exchange', 'binance', '--symbol', 'BTC/USDT', '--kind', 'trades', '--since', '2024-01-01', '--until', '2024-01-02', '--page-limit', '2.5', '--out', o], /--page-limit: must be an integer/],
    ['--page-limit NaN', (o) => ['--exchange', 'binance', '--symbol', 'BTC/USDT', '--kind', 'trades', '--since', '2024-01-01', '--until', '2024-01-02', '--page-limit', 'NaN', '--out', o], /--page-limit: expected an integer/],
    ['--since wrong type', (o) => ['--exchange', 'binance', '--symbol', 'BTC/USDT', '--kind', 'trades', '--since', 'yesterday', '--until', '2024-01-02', '--out', o], /--since must be an ISO 8601/],
    ['--kind unknown', (o) => ['--exchange', 'binance', '--symbol', 'BTC/USDT', '--kind', 'candles', '--since', '2024-01-01', '--until', '2024-01-02', '--out', o], /--kind must be/],
    ['--exchange-options not an object', (o) => ['--exchange', 'binance', '--symbol', 'BTC/USDT', '--kind', 'trades', '--since', '2024-01-01', '--until', '2024-01-02', '--exchange-options', '[1]', '--out', o], /--exchange-options must be a JSON object/],
  ],
  main: [
    ['unknown strategy', (o) => ['--strategies', 'V9', '--out', o], /unknown strategy 'V9'/],
    ['empty strategy list', (o) => ['--strategies', ',', '--out', o], /--strategies/],
  ],
  promote: [
    ['unknown preset', (o) => ['--init-from', 'phase9', '--to', o], /unknown preset 'phase9'/],
    ['unknown strategy', (o) => ['--init-from', 'phase2', '--strategies', 'V1,V9', '--to', o], /unknown strategy 'V9'/],
    ['--min-dsr out of bounds', (o) => ['--from', MISSING_CAL, '--to', o, '--min-dsr', '2'], /--min-dsr/],
    ['--max-pbo negative', (o) => ['--from', MISSING_CAL, '--to', o, '--max-pbo=-1'], /--max-pbo/],
    ['--min-oos-trades fractional', (o) => ['--from', MISSING_CAL, '--to', o, '--min-oos-trades', '2.5'], /--min-oos-trades/],
    ['--revision 0', (o) => ['--rollback', '--revision', '0', '--to', o], /--revision/],
  ],
  convert: [
    ['NaN price in the data', (o) => ['--data', FIX('trades-nan-price.csv'), '--out', o], /trades-nan-price\.csv: row \d+/],
    ['zero amount in the data', (o) => ['--data', FIX('trades-zero-amount.csv'), '--out', o], /trades-zero-amount\.csv: row \d+/],
    ['wrong type in the data', (o) => ['--data', FIX('trades-non-numeric.csv'), '--out', o], /trades-non-numeric\.csv: row \d+/],
    ['unknown flag', (o) => ['--data', TRADES, '--rows', '5', '--out', o], /--rows/],
  ],
  report: [
    ['daily: config stopPct 0 (no known strategy in the log)', (o) => ['daily', '--from', FREQTRADE, '--config', STOP0(), '--out', o], /strategies\.V1\.stopPct: must be > 0%/],
    ['daily: unknown preset', (o) => ['daily', '--from', FREQTRADE, '--preset', 'phase9', '--out', o], /unknown preset 'phase9'/],
    ['daily: --date out of range', (o) => ['daily', '--from', FREQTRADE, '--date', '2024-13-45', '--out', o], /--date/],
    ['phases: unknown strategy', (o) => ['phases', ...D, '--strategies', 'V1,V9', '--out', o], /unknown strategy 'V9'/],
    ['phases: --now wrong type', (o) => ['phases', ...D, '--now', 'yesterday', '--out', o], /--now/],
    ['unknown subcommand', (o) => ['weekly', '--out', o], /expected 'daily' or 'phases'/],
    ['daily log with a NaN price', (o) => ['daily', '--from', FIX('trades-nan-price.csv'), '--out', o], /trades-nan-price\.csv/],
    ['daily without --from', (o) => ['daily', '--out', o], /missing --from/],
    ['phases with both --from and --data', (o) => ['phases', '--from', o, ...D, '--out', o], /give either --from or --data/],
    ['phases NaN price in the data', (o) => ['phases', '--data', FIX('trades-nan-price.csv'), '--out', o], /trades-nan-price\.csv: row \d+/],
  ],
  validate: [
    ['--capital 0', () => ['--from', TRADE_LOG, '--capital', '0'], /--capital: must be > 0/],
    ['--capital NaN', () => ['--from', TRADE_LOG, '--capital', 'NaN'], /--capital: expected a number > 0/],
    ['--limit-per-day 0', () => ['--from', TRADE_LOG, '--limit-per-day', '0'], /--limit-per-day: must be ≥ 1/],
    ['--limit-per-day 2.5', () => ['--from', TRADE_LOG, '--limit-per-day', '2.5'], /--limit-per-day: must be an integer/],
  ],
};

describe.each(Object.keys(TABLE))('edgelab %s refuses bad values', (command) => {
  it.each(TABLE[command])('%s', (_label, args, field) => {
    const out = path.join(tmp, `${command}-${++n}`);
    const r = edgelab([command, ...args(out)]);
    expect(r.stderr).toMatch(new RegExp(`edgelab ${command}: error: `));
    expect(r.stderr).toMatch(field);
    expect(r.stderr).not.toMatch(/internal error|RangeError|TypeError|\n\s+at /);
    expect(r.code, r.stderr).toBe(2);
    expect(fs.existsSync(out), `${out} was written`).toBe(false);
  });
});

it('every command of `edgelab --help` has rows in the table', () => {
  const r = edgelab(['--help']);
  const commands = r.stdout.split('commands:')[1].split('\n').map((s) => s.trim()).filter(Boolean);
  expect(commands.length).toBeGreaterThanOrEqual(9);
  for (const c of commands) expect(Object.keys(TABLE), `no bad-value rows for '${c}'`).toContain(c);
});
