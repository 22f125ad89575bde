/**
 * `edgelab fetch` against a local Binance REST server, driven by the real ccxt.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import * as ccxt from 'ccxt';
import { FetchFailedError, fetchToFile, type FetchOptions, type FetchProgress } from '../../src/data/fetch';
import { fetchCommand } from '../../src/cli/fetch';
import { DataError, UserError } from '../../src/util/errors';
import {
  HOUR,
  expectedOhlcvCsv,
  expectedTradesCsv,
  makeKlines,
  makeTrades,
  startFakeBinance,
  type FakeBinance,
  type FakeTrade,
} from '../helpers/fake-binance-server';

const T0 = Date.UTC(2024, 0, 1);
const AGG = '/api/v3/aggTrades';
const KLINES = '/api/v3/klines';
const INFO = '/api/v3/exchangeInfo';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-fetch-'));
let dirCount = 0;
function tmpDir(): string {
  const d = path.join(tmpRoot, `case-${++dirCount}`);
  fs.mkdirSync(d);
  return d;
}

/** 2,500 trades over ~1.7 h; same-ms bursts everywhere, one forced across the first page boundary (limit 100). */
const tradesA = makeTrades({ start: T0, count: 2500, seed: 11, meanGapMs: 3000, forcedBursts: [{ atIndex: 97, size: 8 }] });
/** The same shape with a 3-hour silence before trade 1200 (two whole empty 1-hour windows). */
const tradesGap = makeTrades({ start: T0, count: 2000, seed: 12, meanGapMs: 2000, gaps: [{ beforeIndex: 1200, ms: 3 * HOUR }] });
/** 150 trades in one millisecond: more than a 100-row page. */
const tradesStuck = makeTrades({ start: T0, count: 600, seed: 13, forcedBursts: [{ atIndex: 300, size: 150 }] });
/** Two days of 1m candles with a 20-hour hole (more than two 500-candle windows). */
const klinesA = makeKlines(T0, 2 * 1440, { gaps: [[T0 + 10 * HOUR, T0 + 30 * HOUR]] });

const lastTime = (ts: FakeTrade[]) => (ts.length ? ts[ts.length - 1]!.time : T0 + HOUR);

let srvA: FakeBinance;
let srvGap: FakeBinance;
let srvStuck: FakeBinance;
let srvK: FakeBinance;

beforeAll(async () => {
  [srvA, srvGap, srvStuck, srvK] = await Promise.all([
    startFakeBinance({ trades: tradesA }),
    startFakeBinance({ trades: tradesGap }),
    startFakeBinance({ trades: tradesStuck }),
    startFakeBinance({ klines: klinesA }),
  ]);
});

afterEach(() => {
  for (const s of [srvA, srvGap, srvStuck, srvK]) {
    expect(s.capExceeded, 'a client loop hit the fake server request cap').toBe(false);
    expect(s.log.filter((r) => r.status === 404), 'requests to endpoints the fake server does not know').toEqual([]);
    s.setFault(null);
    s.clearLog();
  }
});

afterAll(async () => {
  await Promise.all([srvA, srvGap, srvStuck, srvK].map((s) => s?.close()));
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

function opts(srv: FakeBinance, o: Partial<FetchOptions> & { out: string }): FetchOptions {
  return {
    exchange: 'binance',
    exchangeOptions: srv.exchangeOptions(),
    symbol: 'BTC/USDT',
    kind: 'trades',
    since: T0,
    until: lastTime(srv.trades) + 1,
    pageLimit: 100,
    ...o,
  };
}

function csvLines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n');
}

function idsOf(file: string): string[] {
  return csvLines(file)
    .slice(1)
    .map((l) => l.split(',')[4]!);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

describe('fetchToFile: trades', () => {
  test('multi-page download: exactly the served rows, in order, no duplicates, split milliseconds rejoined', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'trades.csv');
    const events: FetchProgress[] = [];
    const res = await fetchToFile(opts(srvA, { out, onProgress: (p) => events.push(p) }));

    expect(fs.readFileSync(out, 'utf8')).toBe(expectedTradesCsv(tradesA));
    expect(res.rows).toBe(2500);
    expect(res.resumedFrom).toBeNull();
    const agg = srvA.requests(AGG);
    expect(res.pages).toBe(agg.length);
    expect(res.pages).toBeGreaterThan(25);
    const ids = idsOf(out);
    expect(new Set(ids).size).toBe(ids.length);
    expect(fs.readdirSync(dir)).toEqual(['trades.csv']); // no journal or temp files left

    // Page boundaries fell inside same-millisecond groups (the forced one at least), and the
    // next request re-asked for that millisecond: the file still has every id once.
    const splits = agg.filter((r) => r.rows === 100 && tradesA.some((t) => t.time === r.lastTime && t.id > r.lastId!));
    expect(splits.length).toBeGreaterThan(0);
    for (const s of splits) {
      const next = agg[agg.indexOf(s) + 1]!;
      expect(Number(next.query.startTime)).toBe(s.lastTime);
    }
    // What ccxt sent: Binance's aggTrades window (endTime inclusive, < 1 h), the page limit, the market id.
    for (const r of agg) {
      expect(r.query.symbol).toBe('BTCUSDT');
      expect(r.query.limit).toBe('100');
      expect(Number(r.query.endTime) - Number(r.query.startTime)).toBeLessThan(HOUR);
      expect(r.query.fromId).toBeUndefined();
    }
    expect(srvA.requests(INFO)).toHaveLength(1);

    // Progress: a start, one event per page, a done at 100%; the time reached never goes back.
    expect(events[0]!.phase).toBe('start');
    expect(events.filter((e) => e.phase === 'page')).toHaveLength(res.pages);
    const done = events[events.length - 1]!;
    expect(done).toMatchObject({ phase: 'done', fraction: 1, rows: 2500, newRows: 2500, exchange: 'binance', symbol: 'BTC/USDT' });
    for (let i = 1; i < events.length; i++) expect(events[i]!.reached).toBeGreaterThanOrEqual(events[i - 1]!.reached);
  });

  test('[since, until) is honoured exactly, including trades sharing the boundary milliseconds', async () => {
    const out = path.join(tmpDir(), 't.csv');
    const since = tradesA[10]!.time;
    const until = tradesA[2000]!.time;
    await fetchToFile(opts(srvA, { out, since, until }));
    expect(fs.readFileSync(out, 'utf8')).toBe(expectedTradesCsv(tradesA, since, until));
    const first = srvA.requests(AGG)[0]!;
    expect(Number(first.query.startTime)).toBe(since);
  });

  test.each([
    ['HTTP 500', { kind: 'status', status: 500 } as const],
    ['a dropped connection', { kind: 'drop' } as const],
  ])('failure mid-way (%s) keeps what was fetched; a rerun resumes at that point and completes', async (_name, fault) => {
    const dir = tmpDir();
    const out = path.join(dir, 'trades.csv');
    srvA.setFault((r) => (r.path === AGG && r.nPath === 8 ? fault : undefined));
    const e = await rejection(fetchToFile(opts(srvA, { out })));
    expect(e).toBeInstanceOf(FetchFailedError);
    const err = e as FetchFailedError;
    expect(err.reason).toBe('failed');
    expect(err.message).toMatch(/binance fetchTrades\(BTC\/USDT, since .*\) failed after 7 page/);
    expect(err.message).toMatch(/rerun the same command to resume/);
    expect(srvA.requests(AGG)).toHaveLength(8); // ccxt did not retry

    // The first 7 pages are saved, as a valid prefix of the full file.
    const saved = csvLines(out);
    const full = expectedTradesCsv(tradesA).trimEnd().split('\n');
    expect(saved.length).toBeGreaterThan(300);
    expect(err.savedRows).toBe(saved.length - 1);
    expect(saved).toEqual(full.slice(0, saved.length));
    expect(fs.readdirSync(dir)).toEqual(['trades.csv']);
    const resumePoint = Number(saved[saved.length - 1]!.split(',')[0]);

    srvA.setFault(null);
    srvA.clearLog();
    const res = await fetchToFile(opts(srvA, { out }));
    expect(res.resumedFrom).toBe(resumePoint);
    expect(Number(srvA.requests(AGG)[0]!.query.startTime)).toBe(resumePoint);
    expect(fs.readFileSync(out, 'utf8')).toBe(expectedTradesCsv(tradesA));
    expect(fs.readdirSync(dir)).toEqual(['trades.csv']);
  });

  test('empty windows (3 h without trades) are stepped over, one request per hour, without losing later data', async () => {
    const out = path.join(tmpDir(), 'gap.csv');
    const res = await fetchToFile(opts(srvGap, { out }));
    expect(fs.readFileSync(out, 'utf8')).toBe(expectedTradesCsv(tradesGap));
    const agg = srvGap.requests(AGG);
    const empty = agg.filter((r) => r.rows === 0);
    expect(empty.length).toBeGreaterThanOrEqual(2);
    // Each empty answer moved the cursor a whole window on.
    for (const r of empty) {
      const next = agg[agg.indexOf(r) + 1];
      if (next) expect(Number(next.query.startTime)).toBe(Number(r.query.endTime) + 1);
    }
    expect(res.pages).toBeLessThan(2000 / 100 + 15);
  });

  test('a range with no trades at all ends after one request per hour with a header-only file', async () => {
    const out = path.join(tmpDir(), 'none.csv');
    const gapStart = tradesGap[1199]!.time + 1;
    const res = await fetchToFile(opts(srvGap, { out, since: gapStart, until: gapStart + 2.5 * HOUR }));
    expect(res).toEqual({ rows: 0, pages: 3, resumedFrom: null });
    expect(fs.readFileSync(out, 'utf8')).toBe('timestamp,price,amount,side,id\n');
  });

  test('more trades in one millisecond than a page: a clear error (no endless loop), progress kept, a larger --page-limit finishes', async () => {
    const out = path.join(tmpDir(), 'stuck.csv');
    const e = await rejection(fetchToFile(opts(srvStuck, { out })));
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).toMatch(/at least 100 trades at .*--page-limit/);
    expect(srvStuck.requests(AGG).length).toBeLessThan(10);
    const saved = csvLines(out);
    expect(saved.length - 1).toBeGreaterThanOrEqual(300);

    const res = await fetchToFile(opts(srvStuck, { out, pageLimit: 200 }));
    expect(res.resumedFrom).toBe(tradesStuck[300]!.time);
    expect(fs.readFileSync(out, 'utf8')).toBe(expectedTradesCsv(tradesStuck));
  });

  test('malformed JSON mid-way: clear error naming exchange and endpoint, no file created', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'trades.csv');
    srvA.setFault((r) => (r.path === AGG && r.nPath === 3 ? { kind: 'raw', body: '[{"a":1000200,"p":"42000.10","q":' } : undefined));
    const e = await rejection(fetchToFile(opts(srvA, { out })));
    expect(e).toBeInstanceOf(FetchFailedError);
    const err = e as FetchFailedError;
    expect(err.reason).toBe('malformed');
    expect(err.message).toMatch(/^binance returned malformed JSON for GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/aggTrades\?/);
    expect(err.message).toMatch(/nothing was written: no file was created/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('malformed JSON with an earlier file: the file stays byte-identical, no journal left', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'trades.csv');
    await fetchToFile(opts(srvA, { out, until: tradesA[1000]!.time }));
    const before = fs.readFileSync(out);
    const statBefore = fs.statSync(out);
    srvA.clearLog();
    srvA.setFault((r) => (r.path === AGG && r.nPath === 4 ? { kind: 'raw', body: '<html>502 Bad Gateway</html>' } : undefined));
    const e = (await rejection(fetchToFile(opts(srvA, { out })))) as FetchFailedError;
    expect(e.reason).toBe('malformed');
    expect(e.message).toMatch(/aggTrades/);
    expect(e.message).toMatch(/<html>502 Bad Gateway/);
    expect(e.message).toMatch(/trades\.csv is unchanged/);
    expect(srvA.requests(AGG)).toHaveLength(4); // three good pages were discarded with the journal
    expect(fs.readFileSync(out).equals(before)).toBe(true);
    expect(fs.statSync(out).ino).toBe(statBefore.ino);
    expect(fs.readdirSync(dir)).toEqual(['trades.csv']);
  });

  test('valid JSON of the wrong shape is malformed too (ccxt’s parser throws a TypeError): nothing written', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'trades.csv');
    srvA.setFault((r) => (r.path === AGG && r.nPath === 2 ? { kind: 'raw', body: '{"foo":1}' } : undefined));
    const e = (await rejection(fetchToFile(opts(srvA, { out })))) as FetchFailedError;
    expect(e).toBeInstanceOf(FetchFailedError);
    expect(e.reason).toBe('malformed');
    expect(e.message).toMatch(/binance fetchTrades\(BTC\/USDT, since .*\): ccxt could not parse the response to GET \S+\/api\/v3\/aggTrades\?/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('malformed exchangeInfo: the error names it; nothing written', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'trades.csv');
    srvA.setFault((r) => (r.path === INFO ? { kind: 'raw', body: '{"timezone":"UTC","symbols":[' } : undefined));
    const e = (await rejection(fetchToFile(opts(srvA, { out })))) as FetchFailedError;
    expect(e).toBeInstanceOf(FetchFailedError);
    expect(e.reason).toBe('malformed');
    expect(e.message).toMatch(/binance returned malformed JSON for GET .*\/api\/v3\/exchangeInfo/);
    expect(srvA.requests(AGG)).toHaveLength(0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('a journal left by a crash (torn last line) is picked up: nothing lost or doubled', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'trades.csv');
    const full = expectedTradesCsv(tradesA).trimEnd().split('\n');
    // The last atomic write had 100 rows; the crashed run had journaled 200 more and was mid-line.
    fs.writeFileSync(out, full.slice(0, 101).join('\n') + '\n');
    fs.writeFileSync(`${out}.partial`, [full[0], ...full.slice(101, 301)].join('\n') + '\n' + full[301]!.slice(0, 15));
    const res = await fetchToFile(opts(srvA, { out }));
    const journaledLast = Number(full[300]!.split(',')[0]);
    expect(res.resumedFrom).toBe(journaledLast);
    expect(Number(srvA.requests(AGG)[0]!.query.startTime)).toBe(journaledLast);
    expect(fs.readFileSync(out, 'utf8')).toBe(expectedTradesCsv(tradesA));
    expect(fs.readdirSync(dir)).toEqual(['trades.csv']);
  });

  test('a file already covering the range is left untouched, with no data requests', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'trades.csv');
    await fetchToFile(opts(srvA, { out, since: T0, until: tradesA[500]!.time }));
    const bytes = fs.readFileSync(out);
    srvA.clearLog();
    const res = await fetchToFile(opts(srvA, { out, since: T0, until: tradesA[400]!.time }));
    expect(res.pages).toBe(0);
    expect(fs.readFileSync(out).equals(bytes)).toBe(true);
  });

  test('an existing --out that is not a trades CSV is a DataError before any request', async () => {
    const out = path.join(tmpDir(), 'wrong.csv');
    fs.writeFileSync(out, 'timestamp,open,high,low,close,volume\n1,2,3,1,2,5\n');
    const e = await rejection(fetchToFile(opts(srvA, { out })));
    expect(e).toBeInstanceOf(DataError);
    expect((e as Error).message).toMatch(/wrong\.csv: row 1: expected the trades header/);
    expect(srvA.log).toHaveLength(0);
  });

  test('a configured ccxt exchange instance can be passed in, and is left as it was', async () => {
    const out = path.join(tmpDir(), 'inst.csv');
    const ex = new ccxt.binance({ enableRateLimit: true, ...srvA.exchangeOptions() });
    const ownFetch = (ex as unknown as { fetch: unknown }).fetch;
    const res = await fetchToFile({ ...opts(srvA, { out }), exchange: ex, exchangeOptions: undefined, until: tradesA[700]!.time });
    expect(res.rows).toBe(tradesA.filter((t) => t.time < tradesA[700]!.time).length);
    expect((ex as unknown as { fetch: unknown }).fetch).toBe(ownFetch); // the malformed-JSON guard was removed
  });

  test('unknown exchange, symbol and kind/timeframe mistakes are UserErrors', async () => {
    const out = path.join(tmpDir(), 'x.csv');
    await expect(fetchToFile(opts(srvA, { out, exchange: 'binanse' }))).rejects.toThrow(/unknown exchange 'binanse'.*did you mean .*binance/);
    await expect(fetchToFile(opts(srvA, { out, symbol: 'DOGE/EUR' }))).rejects.toThrow(/binance has no market 'DOGE\/EUR'/);
    await expect(fetchToFile(opts(srvA, { out, until: T0 }))).rejects.toThrow(UserError);
    await expect(fetchToFile(opts(srvK, { out, kind: 'ohlcv', timeframe: '7m' }))).rejects.toThrow(/no timeframe '7m'/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('fetchToFile: ohlcv', () => {
  const since = T0;
  const until = T0 + 2 * 24 * HOUR;

  test('multi-page candles across a 20-hour hole; a resumed run continues at the next candle', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'bars.csv');
    const base = { ...opts(srvK, { out }), kind: 'ohlcv' as const, timeframe: '1m', pageLimit: 500, since };
    const mid = T0 + 40 * HOUR + 17 * 60_000;
    const r1 = await fetchToFile({ ...base, until: mid });
    expect(fs.readFileSync(out, 'utf8')).toBe(expectedOhlcvCsv(klinesA, since, mid));
    expect(r1.pages).toBeGreaterThan(3);
    const k1 = srvK.requests(KLINES);
    expect(k1.some((r) => r.rows === 0)).toBe(true); // the hole
    for (const r of k1) {
      expect(r.query.interval).toBe('1m');
      expect(Number(r.query.endTime) - Number(r.query.startTime)).toBeLessThan(500 * 60_000);
    }

    srvK.clearLog();
    const r2 = await fetchToFile({ ...base, until });
    expect(r2.resumedFrom).toBe(mid - 60_000);
    expect(Number(srvK.requests(KLINES)[0]!.query.startTime)).toBe(mid - 60_000 + 1);
    expect(fs.readFileSync(out, 'utf8')).toBe(expectedOhlcvCsv(klinesA, since, until));
    expect(fs.readdirSync(dir)).toEqual(['bars.csv']);
  });
});

describe('edgelab fetch (command)', () => {
  function flags(srv: FakeBinance, out: string, extra: string[] = []): string[] {
    return [
      '--exchange', 'binance',
      '--symbol', 'BTC/USDT',
      '--kind', 'trades',
      '--since', new Date(T0).toISOString(),
      '--until', new Date(tradesA[1500]!.time).toISOString(),
      '--out', out,
      '--page-limit', '200',
      '--exchange-options', JSON.stringify(srv.exchangeOptions()),
      ...extra,
    ];
  }

  function capture() {
    const err: string[] = [];
    const out: string[] = [];
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    return {
      err,
      out,
      restore() {
        e.mockRestore();
        o.mockRestore();
      },
    };
  }

  test('downloads, prints progress on stderr and a summary on stdout', async () => {
    const out = path.join(tmpDir(), 'cli.csv');
    const cap = capture();
    let code: number;
    try {
      code = await fetchCommand.run(flags(srvA, out));
    } finally {
      cap.restore();
    }
    expect(code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(expectedTradesCsv(tradesA, T0, tradesA[1500]!.time));
    expect(cap.err.join('')).toMatch(/fetch binance BTC\/USDT trades: started/);
    expect(cap.err.join('')).toMatch(/fetch binance BTC\/USDT trades: 100%, .* elapsed, ETA .*, \d+ pages, [\d,]+ rows \(\+[\d,]+\), reached 2024-01-01T\S+, [\d,]+ rows\/s/);
    expect(cap.out.join('')).toMatch(/fetched 1,\d{3} new trades rows in \d+ pages; .*cli\.csv has 1,\d{3} rows/);
  });

  // main() turns a UserError into `edgelab fetch: error: …` and exit code 2 (checked in the subprocess test).
  test('bad --since / --until / --kind are UserErrors naming the flag', async () => {
    const out = path.join(tmpDir(), 'bad.csv');
    const set = (name: string, v: string) => {
      const f = flags(srvA, out);
      f[f.indexOf(name) + 1] = v;
      return f;
    };
    await expect(fetchCommand.run(set('--since', 'yesterday'))).rejects.toThrow(/--since must be an ISO 8601/);
    await expect(fetchCommand.run(set('--since', '2024-02-30'))).rejects.toThrow(/--since/);
    await expect(fetchCommand.run(set('--until', '2023-12-31'))).rejects.toThrow(/--until \(2023-12-31T00:00:00\.000Z\) must be after --since/);
    await expect(fetchCommand.run(set('--until', new Date(T0).toISOString()))).rejects.toThrow(/--until .* must be after --since/);
    await expect(fetchCommand.run(set('--kind', 'candles'))).rejects.toThrow(/--kind must be 'trades' or 'ohlcv'/);
    await expect(fetchCommand.run(set('--exchange', 'nope'))).rejects.toThrow(/unknown exchange 'nope'/);
    await expect(fetchCommand.run(set('--exchange-options', '{x'))).rejects.toThrow(/--exchange-options must be a JSON object/);
    await expect(fetchCommand.run(set('--page-limit', '0'))).rejects.toThrow(/--page-limit: must be ≥ 1 \(rows\)/);
    await expect(fetchCommand.run([...flags(srvA, out), '--timeframe', '5m'])).rejects.toThrow(/--timeframe applies only to --kind ohlcv/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('a time without a zone is UTC', async () => {
    const out = path.join(tmpDir(), 'utc.csv');
    const f = flags(srvA, out, ['--quiet']);
    f[f.indexOf('--since') + 1] = '2024-01-01 00:10';
    const cap = capture();
    try {
      expect(await fetchCommand.run(f)).toBe(0);
    } finally {
      cap.restore();
    }
    expect(Number(srvA.requests(AGG)[0]!.query.startTime)).toBe(T0 + 10 * 60_000);
    expect(cap.err.join('')).toBe('');
  });

  test('malformed JSON: exit code 1, a clear message, no file', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'm.csv');
    srvA.setFault((r) => (r.path === AGG && r.nPath === 2 ? { kind: 'raw', body: 'not json' } : undefined));
    const cap = capture();
    let code: number;
    try {
      code = await fetchCommand.run(flags(srvA, out));
    } finally {
      cap.restore();
    }
    expect(code).toBe(1);
    expect(cap.err.join('')).toMatch(/edgelab fetch: error: binance returned malformed JSON for GET \S+\/api\/v3\/aggTrades\?\S* "not json"/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  const dist = path.join(__dirname, '..', '..', 'dist', 'src', 'cli');
  const built = fs.existsSync(path.join(dist, 'main.js')) && fs.existsSync(path.join(dist, 'fetch.js'));
  test.skipIf(!built)('bin/edgelab.js fetch as a subprocess (needs `npm run build`)', async () => {
    const out = path.join(tmpDir(), 'sub.csv');
    const bin = path.join(__dirname, '..', '..', 'bin', 'edgelab.js');
    // Not spawnSync: it would block this process's event loop, and with it the fake server.
    const child = spawn(process.execPath, [bin, 'fetch', ...flags(srvA, out)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toMatch(/reached/);
    expect(code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(expectedTradesCsv(tradesA, T0, tradesA[1500]!.time));

    const f = flags(srvA, out);
    f[f.indexOf('--since') + 1] = 'yesterday';
    const bad = spawn(process.execPath, [bin, 'fetch', ...f], { stdio: ['ignore', 'pipe', 'pipe'] });
    let badErr = '';
    bad.stderr.on('data', (d) => (badErr += String(d)));
    expect(await new Promise<number | null>((resolve) => bad.on('close', resolve))).toBe(2);
    expect(badErr).toMatch(/^edgelab fetch: error: --since must be an ISO 8601/);
  });
});
