/**
 * Readers on the real bundled sample (data/, see data/SOURCES.md) and on the
 * shared data folder next to the repo, plus format detection and multi-file loads.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { bundledData, bundledDataDir, packageRoot } from '../../src/data/bundled';
import { detectFormat, loadBars, loadBinanceCapture, loadData, loadQuotes, loadTrades } from '../../src/data/load';
import type { BarTape, QuoteTape, TradeTape } from '../../src/data/tape';

const repoRoot = packageRoot();
const fixture = (name: string) => path.join(repoRoot, 'test', 'fixtures', 'data', name);
/** Real data next to the repo (GPL or too big to bundle); tests that need it skip when it is absent. */
const sharedData = path.join(repoRoot, '..', 'shared', 'data');
const hasShared = (...parts: string[]) => fs.existsSync(path.join(sharedData, ...parts));

const iso = (ms: number) => new Date(ms).toISOString();
const first = (t: { time: Float64Array }) => iso(t.time[0]);
const last = (t: { time: Float64Array; length: number }) => iso(t.time[t.length - 1]);

function sideCounts(t: TradeTape): { buy: number; sell: number; unknown: number } {
  let buy = 0;
  let sell = 0;
  let unknown = 0;
  for (const s of t.side) {
    if (s > 0) buy++;
    else if (s < 0) sell++;
    else unknown++;
  }
  return { buy, sell, unknown };
}

function expectIdsContiguous(t: TradeTape): void {
  expect(t.id).toBeDefined();
  const id = t.id!;
  for (let i = 1; i < id.length; i++) if (id[i] !== id[i - 1] + 1) throw new Error(`id gap at ${i}: ${id[i - 1]} -> ${id[i]}`);
}

describe('bundled sample', () => {
  it('resolves to files inside the package data/ folder, all present, under 25 MB', () => {
    expect(bundledDataDir).toBe(path.join(repoRoot, 'data'));
    const all = [bundledData.trades, bundledData.quotes, ...bundledData.spotTrades, bundledData.bars5m, bundledData.bars5mEth, bundledData.bars1h];
    let total = 0;
    for (const f of all) {
      expect(fs.existsSync(f), f).toBe(true);
      total += fs.statSync(f).size;
    }
    expect(total).toBeLessThan(25 * 1024 * 1024);
    expect(fs.existsSync(path.join(bundledDataDir, 'SOURCES.md'))).toBe(true);
  });
});

describe('Tardis CSV', () => {
  it('reads trades: 9,999 rows, 2020-02-22 00:00:02.111 .. 02:05:47.728, buy 5,267 / sell 4,732', () => {
    const { tape, warnings, format } = loadTrades(bundledData.trades);
    expect(format).toBe('tardis-trades-csv');
    expect(tape.length).toBe(9999);
    expect(first(tape)).toBe('2020-02-22T00:00:02.111Z');
    expect(last(tape)).toBe('2020-02-22T02:05:47.728Z');
    expect(sideCounts(tape)).toEqual({ buy: 5267, sell: 4732, unknown: 0 });
    expect(tape.id![0]).toBe(42377944);
    expect(tape.id![tape.length - 1]).toBe(42387942);
    expectIdsContiguous(tape);
    expect(tape.price[0]).toBe(9682);
    expect(tape.amount[0]).toBe(0.132);
    expect(tape.source.symbol).toBe('BTCUSDT');
    expect(warnings).toEqual([]);
  });

  it('reads quotes: 9,999 rows, 00:00:01.096 .. 00:03:47.061, columns mapped by header name', () => {
    const { tape, format } = loadQuotes(bundledData.quotes);
    expect(format).toBe('tardis-quotes-csv');
    expect(tape.length).toBe(9999);
    expect(first(tape)).toBe('2020-02-22T00:00:01.096Z');
    expect(last(tape)).toBe('2020-02-22T00:03:47.061Z');
    // first row: ask_amount 0.84, ask_price 9682, bid_price 9681.92, bid_amount 0.67
    expect([tape.bidPrice[0], tape.bidSize[0], tape.askPrice[0], tape.askSize[0]]).toEqual([9681.92, 0.67, 9682, 0.84]);
  });
});

describe('Binance WebSocket capture (hftbacktest)', () => {
  it('joins the two spot BTCUSDT files into one trade tape: 19,904 trades, contiguous ids', () => {
    const { tape, warnings, format } = loadTrades(bundledData.spotTrades);
    expect(format).toBe('binance-ws-capture');
    expect(tape.length).toBe(19904);
    // taker buy/sell per SOURCES.md: 4103/5654 + 4990/5157
    expect(sideCounts(tape)).toEqual({ buy: 4103 + 4990, sell: 5654 + 5157, unknown: 0 });
    expectIdsContiguous(tape);
    // trade times T (the SOURCES.md spans are over all messages' event times, slightly wider)
    expect(first(tape)).toBe('2024-08-08T23:54:15.342Z');
    expect(last(tape)).toBe('2024-08-09T00:05:05.800Z');
    expect(tape.source.symbol).toBe('BTCUSDT');
    expect(tape.source.file).toContain(' + ');
    expect(warnings).toEqual([]);
  });

  it('reads each day file on its own: 9,757 and 10,147 trades', () => {
    const a = loadTrades(bundledData.spotTrades[0]).tape;
    const b = loadTrades(bundledData.spotTrades[1]).tape;
    expect(a.length).toBe(9757);
    expect(b.length).toBe(10147);
    expect(sideCounts(a)).toMatchObject({ buy: 4103, sell: 5654 });
    expect(sideCounts(b)).toMatchObject({ buy: 4990, sell: 5157 });
    expect(b.id![0]).toBe(a.id![a.length - 1] + 1);
  });

  it('reads bookTicker quotes (73,174) on the local clock and reports the recorder clock offset', () => {
    const { tape, warnings } = loadQuotes(bundledData.spotTrades);
    expect(tape.length).toBe(73174);
    expect(tape.bidPrice[0]).toBe(61837.63);
    expect(tape.askSize[0]).toBe(1.54698);
    // first bookTicker line: local ts 1723161254087891268 ns -> ms, truncated
    expect(tape.time[0]).toBe(1723161254087);
    expect(warnings.some((w) => /behind the exchange's event time/.test(w))).toBe(true);
    const aligned = loadQuotes(bundledData.spotTrades, { alignLocalClock: true }).tape;
    expect(aligned.time[0] - tape.time[0]).toBeGreaterThan(1200);
    expect(aligned.time[0] - tape.time[0]).toBeLessThan(1350);
  });

  it('decodes depth diffs and the REST snapshot across both files', () => {
    const cap = loadBinanceCapture(bundledData.spotTrades);
    expect(cap.trades.length).toBe(19904);
    expect(cap.quotes.length).toBe(73174);
    expect(cap.depth.messages).toBe(6495);
    expect(cap.depth.snapshots).toHaveLength(1);
    const snap = cap.depth.snapshots[0];
    expect(snap.lastUpdateId).toBe(50093239218);
    expect(snap.bidPrice).toHaveLength(1000);
    expect(snap.askPrice).toHaveLength(1000);
    expect(snap.bidPrice[0]).toBe(61837.63);
    // first diff message: E 1723161255208, U 50093239189, u 50093239202, first bid level 61737.63 qty 0
    expect(cap.depth.time[0]).toBe(1723161255208);
    expect(cap.depth.firstUpdateId[0]).toBe(50093239189);
    expect(cap.depth.lastUpdateId[0]).toBe(50093239202);
    expect([cap.depth.side[0], cap.depth.price[0], cap.depth.qty[0]]).toEqual([1, 61737.63, 0]);
    expect(Number.isNaN(cap.depth.prevUpdateId[0])).toBe(true); // spot has no pu
    expect(cap.localClockOffsetMs[0]).toBeLessThan(-1200);
    // diff messages chain without sequence breaks across the file boundary (U = previous u + 1)
    let breaks = 0;
    for (let i = 1; i < cap.depth.length; i++) {
      const prevU = cap.depth.lastUpdateId[i - 1];
      if (cap.depth.lastUpdateId[i] !== prevU && cap.depth.firstUpdateId[i] !== prevU + 1) breaks++;
    }
    expect(breaks).toBe(0);
  });

  it('reads the 2023 µs-stamped .dat.gz layout (shared data)', ({ skip }) => {
    const f = path.join(sharedData, 'nkaz001__hftbacktest', 'examples', 'spot', 'btcusdt_20230405.dat.gz');
    if (!fs.existsSync(f)) skip(`shared data folder not found at ${sharedData}`);
    const { tape, format } = loadTrades(f);
    expect(format).toBe('binance-ws-capture');
    expect(tape.length).toBe(3144);
    expect(sideCounts(tape)).toMatchObject({ buy: 1360, sell: 1784 });
    const q = loadQuotes(f).tape;
    expect(q.time[0]).toBe(1680652800004); // 1680652800004231 µs
  });
});

describe('freqtrade feather OHLCV (GeneTrader sample)', () => {
  it('BTC 5m: 71,769 bars 2024-01-01 00:00 .. 2024-09-06 04:40, no gaps', () => {
    const { tape, warnings, format } = loadBars(bundledData.bars5m);
    expect(format).toBe('freqtrade-feather');
    expect(tape.length).toBe(71769);
    expect(tape.timeframeMs).toBe(300_000);
    expect(first(tape)).toBe('2024-01-01T00:00:00.000Z');
    expect(last(tape)).toBe('2024-09-06T04:40:00.000Z');
    expect(tape.source.symbol).toBe('BTC/USDT');
    expect(warnings).toEqual([]);
    for (let i = 1; i < tape.length; i++) if (tape.time[i] - tape.time[i - 1] !== 300_000) throw new Error(`step at ${i}`);
  });

  it('ETH 5m: 71,769 bars, same span', () => {
    const { tape } = loadBars(bundledData.bars5mEth);
    expect(tape.length).toBe(71769);
    expect(first(tape)).toBe('2024-01-01T00:00:00.000Z');
    expect(last(tape)).toBe('2024-09-06T04:40:00.000Z');
    expect(tape.source.symbol).toBe('ETH/USDT');
  });

  it('BTC 1h: 5,980 bars .. 2024-09-06 03:00, consistent with the 5m file', () => {
    const h = loadBars(bundledData.bars1h).tape;
    expect(h.length).toBe(5980);
    expect(h.timeframeMs).toBe(3_600_000);
    expect(last(h)).toBe('2024-09-06T03:00:00.000Z');
    // the first hour rebuilt from twelve 5m bars
    const m5 = loadBars(bundledData.bars5m).tape;
    let hi = -Infinity;
    let lo = Infinity;
    let vol = 0;
    for (let i = 0; i < 12; i++) {
      hi = Math.max(hi, m5.high[i]);
      lo = Math.min(lo, m5.low[i]);
      vol += m5.volume[i];
    }
    expect(h.open[0]).toBe(m5.open[0]);
    expect(h.close[0]).toBe(m5.close[11]);
    expect(h.high[0]).toBe(hi);
    expect(h.low[0]).toBe(lo);
    expect(h.volume[0]).toBeCloseTo(vol, 6);
  });
});

describe('freqtrade trades json.gz (GPL, read from the shared folder, not bundled)', () => {
  const parts = ['freqtrade__freqtrade', 'tests', 'testdata', 'XRP_ETH-trades.json.gz'];
  it.skipIf(!hasShared(...parts))(
    `XRP/ETH: 12,477 trades 2019-10-11 00:00:11.620 .. 2019-10-13 11:19:28.844 (skipped when ${sharedData} is missing)`,
    () => {
      const { tape, warnings, format } = loadTrades(path.join(sharedData, ...parts));
      expect(format).toBe('freqtrade-trades-json');
      expect(tape.length).toBe(12477);
      expect(first(tape)).toBe('2019-10-11T00:00:11.620Z');
      expect(last(tape)).toBe('2019-10-13T11:19:28.844Z');
      expect(sideCounts(tape)).toEqual({ buy: 6524, sell: 5953, unknown: 0 });
      expect(tape.id![0]).toBe(13519807);
      expect(tape.id![tape.length - 1]).toBe(13532283);
      expectIdsContiguous(tape);
      expect(tape.source.symbol).toBe('XRP/ETH');
      // an illiquid pair: 29 quiet stretches over 5 min -> 10 listed + 1 summary
      expect(warnings).toHaveLength(11);
      expect(warnings[10]).toMatch(/29 gaps longer than 5\.0 min in total/);
    },
  );
});

describe('freqtrade trades feather', () => {
  it('reads timestamp/id/side/price/amount columns (written here with apache-arrow)', () => {
    const table = tableFromArrays({
      timestamp: new Float64Array([1704067200000, 1704067200000, 1704067201000]),
      id: ['11', '12', '13'],
      type: ['', '', ''],
      side: ['buy', 'sell', 'buy'],
      price: new Float64Array([100, 100.5, 101]),
      amount: new Float64Array([1, 2, 3]),
      cost: new Float64Array([100, 201, 303]),
    });
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-data-')), 'BTC_USDT-trades.feather');
    fs.writeFileSync(f, tableToIPC(table, 'file'));
    expect(detectFormat(f)).toBe('freqtrade-trades-feather');
    const { tape } = loadTrades(f);
    expect(Array.from(tape.time)).toEqual([1704067200000, 1704067200000, 1704067201000]);
    expect(Array.from(tape.side)).toEqual([1, -1, 1]);
    expect(Array.from(tape.id!)).toEqual([11, 12, 13]);
    expect(tape.source.symbol).toBe('BTC/USDT');
  });
});

describe('plain CSV', () => {
  it.skipIf(!hasShared('nautechsystems__nautilus_trader', 'tests', 'test_data', 'btc-perp-20211231-20220201_1m.csv'))(
    'nautilus 1m OHLCV with "YYYY-MM-DD HH:MM:SS.ffffff" times: 45,031 bars, no gaps',
    () => {
      const f = path.join(sharedData, 'nautechsystems__nautilus_trader', 'tests', 'test_data', 'btc-perp-20211231-20220201_1m.csv');
      const { tape, warnings, format } = loadBars(f);
      expect(format).toBe('ohlcv-csv');
      expect(tape.length).toBe(45031);
      expect(tape.timeframeMs).toBe(60_000);
      expect(first(tape)).toBe('2021-12-31T23:01:00.000Z');
      expect(last(tape)).toBe('2022-02-01T05:31:00.000Z');
      expect([tape.open[0], tape.high[0], tape.low[0], tape.close[0], tape.volume[0]]).toEqual([46319, 46385, 46319, 46377, 2300413.7295]);
      expect(warnings).toEqual([]);
    },
  );

  it('trades CSV with ms, ISO times, unknown sides and an optional id column', () => {
    const iso = loadTrades(fixture('trades-iso.csv')).tape as TradeTape;
    expect(Array.from(iso.time)).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 0, 0, 1, 250), Date.UTC(2024, 0, 1, 0, 0, 1, 250)]);
    expect(Array.from(iso.side)).toEqual([1, -1, 0]);
    expect(iso.id).toBeUndefined();

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-data-'));
    const f = path.join(dir, 'with-ids.csv');
    fs.writeFileSync(f, 'timestamp,price,amount,side,id,cost\n1704067200000,100,2,buy,7,200\n1704067200000,101,1,sell,8,101\n');
    const withIds = loadTrades(f).tape;
    expect(Array.from(withIds.id!)).toEqual([7, 8]);
    expect(Array.from(withIds.time)).toEqual([1704067200000, 1704067200000]); // equal times are fine for trades
  });

  it('OHLCV CSV in epoch ms round-trips values', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-data-'));
    const f = path.join(dir, 'bars.csv');
    fs.writeFileSync(f, 'timestamp,open,high,low,close,volume\r\n1704067200000,1,2,0.5,1.5,10\r\n1704067260000,1.5,2,1,1.8,0\r\n');
    const b = loadBars(f).tape as BarTape;
    expect(b.length).toBe(2);
    expect(b.timeframeMs).toBe(60_000);
    expect(Array.from(b.close)).toEqual([1.5, 1.8]);
  });
});

describe('detectFormat', () => {
  it('recognises every bundled file from its content', () => {
    expect(detectFormat(bundledData.trades)).toBe('tardis-trades-csv');
    expect(detectFormat(bundledData.quotes)).toBe('tardis-quotes-csv');
    expect(detectFormat(bundledData.spotTrades[0])).toBe('binance-ws-capture');
    expect(detectFormat(bundledData.spotTrades[1])).toBe('binance-ws-capture');
    expect(detectFormat(bundledData.bars5m)).toBe('freqtrade-feather');
    expect(detectFormat(bundledData.bars1h)).toBe('freqtrade-feather');
    expect(detectFormat(fixture('trades-iso.csv'))).toBe('trades-csv');
    expect(detectFormat(fixture('bars-duplicate-time.csv'))).toBe('ohlcv-csv');
  });

  it('does not rely on the extension: a renamed or gzipped file is still recognised', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-data-'));
    const renamed = path.join(dir, 'mystery.bin');
    fs.copyFileSync(bundledData.bars1h, renamed);
    expect(detectFormat(renamed)).toBe('freqtrade-feather');
    const gz = path.join(dir, 'trades.csv.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(bundledData.trades)));
    expect(detectFormat(gz)).toBe('tardis-trades-csv');
    expect(loadTrades(gz).tape.length).toBe(9999);
  });

  it.skipIf(!hasShared('freqtrade__freqtrade'))('recognises the freqtrade trades json.gz', () => {
    expect(detectFormat(path.join(sharedData, 'freqtrade__freqtrade', 'tests', 'testdata', 'XRP_ETH-trades.json.gz'))).toBe('freqtrade-trades-json');
  });
});

describe('loadData kinds', () => {
  it('returns the natural kind of each file', () => {
    expect(loadData(bundledData.trades).tape.kind).toBe('trades');
    expect(loadData(bundledData.quotes).tape.kind).toBe('quotes');
    expect(loadData(bundledData.bars1h).tape.kind).toBe('bars');
    expect(loadData(bundledData.spotTrades[0]).tape.kind).toBe('trades');
    expect((loadData(bundledData.spotTrades[0], { kind: 'quotes' }).tape as QuoteTape).kind).toBe('quotes');
  });

  it('typed loaders refuse the wrong kind with a UserError naming the file', () => {
    expect(() => loadTrades(bundledData.bars1h)).toThrow(/BTC_USDT-1h\.feather: holds bars .*not trades/);
    expect(() => loadBars(bundledData.trades)).toThrow(/tardis-binance-futures-btcusdt-trades-2020-02-22\.csv: holds trades .*not bars/);
    expect(() => loadQuotes(bundledData.bars5m)).toThrow(/BTC_USDT-5m\.feather: holds bars/);
  });

  it('refuses to join files of different formats, or files given out of order', () => {
    expect(() => loadData([bundledData.trades, bundledData.spotTrades[0]])).toThrow(/load files of one format together/);
    expect(() => loadTrades([bundledData.spotTrades[1], bundledData.spotTrades[0]])).toThrow(
      /binance-spot-btcusdt_20240808\.gz: row \d+: starts at .* before the end of the previous file/,
    );
    expect(() => loadTrades([bundledData.spotTrades[0], bundledData.spotTrades[0]])).toThrow(/starts at|duplicate trade id/);
  });
});
