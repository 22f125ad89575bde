/**
 * Ingest section of `npm run bench`: how fast real-size trade files come in,
 * and what a loaded trade costs in memory.
 *
 * Every measurement runs in a child process of its own (`node
 * dist/bench/ingest.js <step> …`), so resident memory and peak RSS belong to
 * that step alone and not to the synthetic tapes the rest of the bench holds.
 *
 * - bare pass: reading the file's bytes in 8 MiB chunks and counting lines —
 *   the I/O floor every parser sits on, timed in the same run;
 * - CSV and JSON-lines parse rate in MB/s (cache off), resident bytes per
 *   trade once loaded (RSS after load and GC − RSS before, per trade);
 * - the columnar cache: write time and re-read rate in GB/s;
 * - a 50 M-trade tape (BENCH_BIG_TRADES, 0 skips it): generated as CSV in a
 *   temp folder (never committed), loaded, backtested with V1, ledger
 *   written; load time, backtest time and peak resident memory.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { syntheticTrades } from './synthetic';
import { tradesFromEnv } from './timing';

// Read when the bench starts, so a bad value stops it before minutes of other sections.
const INGEST_TRADES = tradesFromEnv('BENCH_INGEST_TRADES', 5_000_000);
const BIG_TRADES = tradesFromEnv('BENCH_BIG_TRADES', 50_000_000, { allowZero: true });

const WORK = path.join(os.tmpdir(), 'edgelab-bench-ingest');

/** Write a tape as a plain ccxt-style trades CSV (prices to the cent, amounts to 5 dp, as exchanges print them). */
function writeCsv(file: string, n: number, seed: number): void {
  const tape = syntheticTrades(n, seed);
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, 'timestamp,price,amount,side,id\n');
    const block = 100_000;
    for (let i = 0; i < n; i += block) {
      let s = '';
      const end = Math.min(n, i + block);
      for (let j = i; j < end; j++) {
        s += `${tape.time[j]},${tape.price[j].toFixed(2)},${tape.amount[j].toFixed(5)},${tape.side[j] > 0 ? 'buy' : 'sell'},${100_000_000 + j}\n`;
      }
      fs.writeSync(fd, s);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The same trades as ccxt Trade objects, one JSON per line. */
function writeJsonl(file: string, n: number, seed: number): void {
  const tape = syntheticTrades(n, seed);
  const fd = fs.openSync(file, 'w');
  try {
    const block = 100_000;
    for (let i = 0; i < n; i += block) {
      let s = '';
      const end = Math.min(n, i + block);
      for (let j = i; j < end; j++) {
        const p = tape.price[j].toFixed(2);
        const a = tape.amount[j].toFixed(5);
        s += `{"id":"${100_000_000 + j}","timestamp":${tape.time[j]},"datetime":"${new Date(tape.time[j]).toISOString()}","symbol":"BTC/USDT","side":"${tape.side[j] > 0 ? 'buy' : 'sell'}","price":${p},"amount":${a},"cost":${(Number(p) * Number(a)).toFixed(4)},"fee":null}\n`;
      }
      fs.writeSync(fd, s);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function child(args: string[], env: Record<string, string> = {}): Record<string, number | string> {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', __filename, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`bench child ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const mb = (bytes: number) => bytes / 1e6;

function row(what: string, ms: number, bytes: number, bareMBs: number): { ms: number; mbPerSecond: number; xSlowerThanBare: number } {
  const rate = mb(bytes) / (ms / 1000);
  process.stdout.write(`${what.padEnd(58)} ${ms.toFixed(0).padStart(8)} ${rate.toFixed(0).padStart(9)} ${(bareMBs / rate).toFixed(1).padStart(8)}\n`);
  return { ms: Math.round(ms), mbPerSecond: Math.round(rate), xSlowerThanBare: Number((bareMBs / rate).toFixed(2)) };
}

export function ingestSection(results: Record<string, unknown>, n = INGEST_TRADES): void {
  fs.mkdirSync(WORK, { recursive: true });
  const csv = path.join(WORK, `trades-${n}.csv`);
  const jsonl = path.join(WORK, `trades-${n}.jsonl`);
  if (!fs.existsSync(csv)) writeCsv(csv, n, 21);
  if (!fs.existsSync(jsonl)) writeJsonl(jsonl, n, 21);
  const csvBytes = fs.statSync(csv).size;
  const jsonlBytes = fs.statSync(jsonl).size;

  const bare = child(['bare', csv]);
  const bareMBs = mb(csvBytes) / (Number(bare.ms) / 1000);
  const loadCsv = child(['load', csv], { EDGELAB_CACHE: 'off' });
  const loadJsonl = child(['load', jsonl], { EDGELAB_CACHE: 'off' });
  const writeCache = child(['load', csv, 'refresh']);
  const readCache = child(['load', csv, 'auto'], { EDGELAB_CACHE_MIN_MB: '0' });
  const cacheBytes = Number(readCache.cacheBytes);

  process.stdout.write(
    `\ningest: ${n.toLocaleString('en-US')} trades — CSV ${mb(csvBytes).toFixed(0)} MB, JSON lines ${mb(jsonlBytes).toFixed(0)} MB (each step in its own process)\n`,
  );
  process.stdout.write(`${'what'.padEnd(58)} ${'ms'.padStart(8)} ${'MB/s'.padStart(9)} ${'× bare'.padStart(8)}\n`);
  const out: Record<string, unknown> = { trades: n, csvBytes, jsonlBytes };
  out.bare = row('bare pass (read the CSV in 8 MiB chunks, count lines)', Number(bare.ms), csvBytes, bareMBs);
  out.csv = { ...row('trades CSV → validated tape (cache off)', Number(loadCsv.ms), csvBytes, bareMBs), bytesPerTrade: loadCsv.bytesPerTrade, peakRssMB: loadCsv.peakRssMB };
  out.jsonl = { ...row('trades JSON lines → validated tape (cache off)', Number(loadJsonl.ms), jsonlBytes, bareMBs), bytesPerTrade: loadJsonl.bytesPerTrade, peakRssMB: loadJsonl.peakRssMB };
  out.cacheWrite = row('  … same CSV, parse + write the columnar cache', Number(writeCache.ms), csvBytes, bareMBs);
  out.cacheRead = { ...row('columnar cache → validated tape (MB/s of the cache file)', Number(readCache.ms), cacheBytes, bareMBs), cacheBytes, bytesPerTrade: readCache.bytesPerTrade };
  process.stdout.write(
    `resident once loaded: CSV ${loadCsv.bytesPerTrade} B/trade, JSON lines ${loadJsonl.bytesPerTrade} B/trade, from cache ${readCache.bytesPerTrade} B/trade; ` +
      `peak RSS while loading the CSV ${loadCsv.peakRssMB} MB; cache re-read ${(mb(cacheBytes) / Number(readCache.ms)).toFixed(2)} GB/s\n`,
  );

  const big = BIG_TRADES;
  if (big > 0) {
    const bigCsv = path.join(WORK, `trades-${big}.csv`);
    if (!fs.existsSync(bigCsv)) {
      process.stderr.write(`bench: writing a ${big.toLocaleString('en-US')}-trade CSV to ${bigCsv} (not kept in the repository)…\n`);
      child(['write', bigCsv, String(big)]);
    }
    fs.rmSync(`${bigCsv}.edgelab.arrow`, { force: true });
    const first = child(['big', bigCsv]);
    const second = child(['big', bigCsv]);
    const bytes = fs.statSync(bigCsv).size;
    process.stdout.write(
      `\n${big.toLocaleString('en-US')} trades (${mb(bytes).toFixed(0)} MB CSV): first load ${(Number(first.loadMs) / 1000).toFixed(1)} s ` +
        `(parse + validate + cache), V1 backtest ${(Number(first.backtestMs) / 1000).toFixed(2)} s, ledger ${first.roundTrips} round trips written in ${Number(first.writeMs).toFixed(0)} ms, ` +
        `peak RSS ${first.peakRssMB} MB\n` +
        `  again from the cache: load ${(Number(second.loadMs) / 1000).toFixed(2)} s, backtest ${(Number(second.backtestMs) / 1000).toFixed(2)} s, peak RSS ${second.peakRssMB} MB\n`,
    );
    out.big = { trades: big, csvBytes: bytes, first, fromCache: second };
  }
  results.ingest = out;
}

// ---------------------------------------------------------------------------
// child steps

/**
 * Resident memory once garbage is really gone: V8 frees the backing stores of
 * dead ArrayBuffers on a background sweeper after a GC, so right after `gc()`
 * a reader that trimmed its columns with a copy still looks twice its size.
 */
async function rss(): Promise<number> {
  const gc = (global as { gc?: () => void }).gc;
  for (let k = 0; k < 3; k++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 150));
  }
  return process.memoryUsage().rss;
}

function peakRssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function childMain(step: string, file: string, arg?: string): Promise<void> {
  // Loaded lazily so the bench's parent process does not pay for them.
  const { loadTrades } = require('../src/data/load') as typeof import('../src/data/load');
  const t0 = () => process.hrtime.bigint();
  const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
  if (step === 'bare') {
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.allocUnsafe(8 * 1024 * 1024);
    const t = t0();
    let lines = 0;
    let pos = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      let at = buf.indexOf(10, 0);
      while (at !== -1 && at < n) {
        lines++;
        at = buf.indexOf(10, at + 1);
      }
    }
    const ms = since(t);
    fs.closeSync(fd);
    process.stdout.write(JSON.stringify({ ms, lines }) + '\n');
    return;
  }
  if (step === 'write') {
    writeCsv(file, Number(arg), 33);
    process.stdout.write('{}\n');
    return;
  }
  if (step === 'load') {
    const before = await rss();
    const t = t0();
    const res = loadTrades(file, { cache: (arg as 'auto' | 'refresh' | undefined) ?? 'auto' });
    const ms = since(t);
    const after = await rss();
    const cacheFile = `${file}.edgelab.arrow`;
    process.stdout.write(
      JSON.stringify({
        ms,
        rows: res.tape.length,
        bytesPerTrade: Number(((after - before) / res.tape.length).toFixed(1)),
        peakRssMB: peakRssMB(),
        cacheHit: res.cache?.hit ? 1 : 0,
        cacheBytes: fs.existsSync(cacheFile) ? fs.statSync(cacheFile).size : 0,
      }) + '\n',
    );
    return;
  }
  if (step === 'big') {
    const { runBacktest } = require('../src/run/run') as typeof import('../src/run/run');
    const { writeBacktestOutputs } = require('../src/run/output') as typeof import('../src/run/output');
    let t = t0();
    const res = loadTrades(file, { cache: 'auto' });
    const loadMs = since(t);
    t = t0();
    const bt = runBacktest(res.tape, { strategies: ['V1'], preset: 'phase1' });
    const backtestMs = since(t);
    t = t0();
    const outDir = path.join(WORK, 'big-ledger');
    writeBacktestOutputs(outDir, bt);
    const writeMs = since(t);
    process.stdout.write(
      JSON.stringify({
        loadMs,
        cacheHit: res.cache?.hit ? 1 : 0,
        backtestMs,
        writeMs,
        roundTrips: bt.strategies.V1.metrics.trades,
        peakRssMB: peakRssMB(),
      }) + '\n',
    );
  }
}

if (require.main === module) {
  const [step, file, arg] = process.argv.slice(2);
  childMain(step, file, arg).catch((e) => {
    process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
    process.exit(1);
  });
}
