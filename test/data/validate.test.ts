/**
 * Bad input → clear errors naming the file and the 1-based row; gap warnings.
 * Small hand-made fixtures live in test/fixtures/data; a few cases are written
 * to a temp dir by the test itself (gzip captures, JSON).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/data/bundled';
import { detectFormat, loadBars, loadData, loadQuotes, loadTrades } from '../../src/data/load';
import { makeBarTape, makeQuoteTape, makeTradeTape } from '../../src/data/tape';
import { formatDuration, gapWarnings, validateBarTape, validateQuoteTape, validateTradeTape } from '../../src/data/validate';
import { DataError, UserError } from '../../src/util/errors';

const fixture = (name: string) => path.join(packageRoot(), 'test', 'fixtures', 'data', name);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-validate-'));

/** Run `fn`, expect a UserError/DataError naming the file (and `row N:` when given), return it. */
function expectDataError(fn: () => unknown, file: string, row: number | null, detail?: RegExp): Error {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an error').toBeInstanceOf(UserError);
  const err = caught as Error;
  expect(err.message).toContain(path.basename(file));
  if (row !== null) {
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).row).toBe(row);
    expect(err.message).toContain(`row ${row}:`);
  }
  if (detail) expect(err.message).toMatch(detail);
  return err;
}

describe('bad CSV rows (fixtures; row = line in the file, header = line 1)', () => {
  it('unsorted trade timestamps', () => {
    const f = fixture('trades-unsorted.csv');
    expectDataError(() => loadTrades(f), f, 4, /earlier than the previous row/);
  });

  it('duplicate trade id (Tardis) names both rows', () => {
    const f = fixture('tardis-trades-duplicate-id.csv');
    expectDataError(() => loadTrades(f), f, 5, /duplicate trade id 101 \(first seen at row 3\)/);
  });

  it('NaN price', () => {
    const f = fixture('trades-nan-price.csv');
    expectDataError(() => loadTrades(f), f, 3, /price is NaN/);
  });

  it('zero amount', () => {
    const f = fixture('trades-zero-amount.csv');
    expectDataError(() => loadTrades(f), f, 4, /amount 0 is not positive/);
  });

  it('negative price in a bar', () => {
    const f = fixture('bars-negative-price.csv');
    expectDataError(() => loadBars(f), f, 3, /prices must be positive/);
  });

  it('negative bid in a Tardis quote', () => {
    const f = fixture('tardis-quotes-negative-bid.csv');
    expectDataError(() => loadQuotes(f), f, 3, /bid price -9681\.83 is not positive/);
  });

  it('bar with high below close', () => {
    const f = fixture('bars-high-below-close.csv');
    expectDataError(() => loadBars(f), f, 3, /high 100\.8 is below open\/close\/low/);
  });

  it('duplicate bar time', () => {
    const f = fixture('bars-duplicate-time.csv');
    expectDataError(() => loadBars(f), f, 4, /duplicate bar time 2024-01-01T00:05:00\.000Z/);
  });

  it('too few columns', () => {
    const f = fixture('trades-too-few-columns.csv');
    expectDataError(() => loadTrades(f), f, 3, /expected 4 columns, found 3/);
  });

  it('non-numeric cell', () => {
    const f = fixture('trades-non-numeric.csv');
    expectDataError(() => loadTrades(f), f, 4, /price 'abc' is not a number/);
  });

  it('empty cell and bad timestamp', () => {
    const dir = tmp();
    const a = path.join(dir, 'empty-cell.csv');
    fs.writeFileSync(a, 'timestamp,price,amount,side\n1704067200000,,1,buy\n');
    expectDataError(() => loadTrades(a), a, 2, /empty price/);
    const b = path.join(dir, 'bad-time.csv');
    fs.writeFileSync(b, 'timestamp,open,high,low,close,volume\n1704067200000,1,1,1,1,1\nyesterday,1,1,1,1,1\n');
    expectDataError(() => loadBars(b), b, 3, /timestamp 'yesterday'/);
  });

  it('row numbers count blank lines and CRLF files correctly', () => {
    const f = path.join(tmp(), 'crlf.csv');
    fs.writeFileSync(f, 'timestamp,price,amount,side\r\n1704067200000,1,1,buy\r\n\r\n1704067200001,1,-2,sell\r\n');
    expectDataError(() => loadTrades(f), f, 4, /amount -2 is not positive/);
  });
});

describe('unknown and missing files', () => {
  it('unknown format → UserError naming the file and listing supported formats', () => {
    const f = fixture('unknown-format.txt');
    const err = expectDataError(() => loadData(f), f, null, /unrecognised data file/);
    expect(err.message).toMatch(/Tardis\.dev trades CSV/);
    expect(err.message).toMatch(/freqtrade OHLCV feather/);
    expect(err.message).toMatch(/Binance WebSocket capture/);
    expect(() => detectFormat(f)).toThrow(UserError);
  });

  it('CSV with an unknown header → UserError quoting the header', () => {
    const f = fixture('unknown-header.csv');
    expectDataError(() => loadData(f), f, null, /CSV header 'a,b,c' matches no known layout/);
  });

  it('missing file → UserError naming it', () => {
    const f = path.join(tmp(), 'no-such-file.csv');
    expectDataError(() => loadData(f), f, null, /file not found/);
    expectDataError(() => loadTrades([fixture('trades-iso.csv'), f]), f, null, /file not found/);
    expectDataError(() => detectFormat(f), f, null, /file not found/);
  });

  it('empty file, zip and parquet get a specific hint', () => {
    const dir = tmp();
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, '');
    expectDataError(() => loadData(empty), empty, null, /empty/);
    const zip = path.join(dir, 'x.zip');
    fs.writeFileSync(zip, Buffer.from('PK\x03\x04rest-of-zip', 'latin1'));
    expectDataError(() => loadData(zip), zip, null, /unzip/);
    const pq = path.join(dir, 'x.parquet');
    fs.writeFileSync(pq, 'PAR1....');
    expectDataError(() => loadData(pq), pq, null, /Parquet/);
  });
});

describe('bad Binance capture lines (row = line in the decompressed file)', () => {
  const trade = (local: string, t: number, T: number, p: string, q: string, m: boolean) =>
    `${local} {"stream":"btcusdt@trade","data":{"e":"trade","E":${T},"s":"BTCUSDT","t":${t},"p":"${p}","q":"${q}","T":${T},"m":${m},"M":true}}`;

  function writeCapture(name: string, lines: string[]): string {
    const f = path.join(tmp(), name);
    fs.writeFileSync(f, zlib.gzipSync(lines.join('\n') + '\n'));
    return f;
  }

  it('reads a good hand-made capture: m=true is a taker sell; ns local stamps', () => {
    const f = writeCapture('ok.gz', [
      trade('1723161254087891268', 10, 1723161255000, '100.5', '0.1', true),
      trade('1723161254187891268', 11, 1723161255100, '100.6', '0.2', false),
      '1723161254287891268 {"stream":"btcusdt@bookTicker","data":{"u":5,"s":"BTCUSDT","b":"100.5","B":"1","a":"100.6","A":"2"}}',
    ]);
    const t = loadTrades(f).tape;
    expect(Array.from(t.side)).toEqual([-1, 1]);
    expect(Array.from(t.id!)).toEqual([10, 11]);
    expect(Array.from(t.time)).toEqual([1723161255000, 1723161255100]);
    const q = loadQuotes(f).tape;
    expect(Array.from(q.time)).toEqual([1723161254287]);
  });

  it('invalid JSON', () => {
    const f = writeCapture('bad-json.gz', [trade('1723161254087891268', 10, 1723161255000, '100.5', '0.1', true), '1723161254187891268 {"stream":"btcusdt@trade","data":{']);
    expectDataError(() => loadTrades(f), f, 2, /invalid JSON/);
  });

  it('non-numeric price', () => {
    const f = writeCapture('bad-price.gz', [
      trade('1723161254087891268', 10, 1723161255000, '100.5', '0.1', true),
      trade('1723161254187891268', 11, 1723161255100, 'oops', '0.2', false),
    ]);
    expectDataError(() => loadTrades(f), f, 2, /price p "oops" is missing or not a number/);
  });

  it('duplicate trade id and decreasing trade time', () => {
    const dup = writeCapture('dup.gz', [
      trade('1723161254087891268', 10, 1723161255000, '100.5', '0.1', true),
      trade('1723161254187891268', 11, 1723161255100, '100.5', '0.1', true),
      trade('1723161254287891268', 10, 1723161255200, '100.5', '0.1', true),
    ]);
    expectDataError(() => loadTrades(dup), dup, 3, /duplicate trade id 10 \(first seen at row 1\)/);
    const back = writeCapture('back.gz', [
      trade('1723161254087891268', 10, 1723161255000, '100.5', '0.1', true),
      trade('1723161254187891268', 11, 1723161254000, '100.5', '0.1', true),
    ]);
    expectDataError(() => loadTrades(back), back, 2, /earlier than the previous row/);
  });
});

describe('bad freqtrade JSON elements (row = 1-based array element)', () => {
  it('short element, non-numeric price, zero amount', () => {
    const dir = tmp();
    const short = path.join(dir, 'short-trades.json');
    fs.writeFileSync(short, JSON.stringify([[1570752011620, '1', null, 'sell', 0.0014, 23, 0.03], [1570752011621, '2', null, 'buy']]));
    expectDataError(() => loadTrades(short), short, 2, /element \[1\] is not a \[timestamp, id, type, side, price, amount, cost\] row/);
    const nonNum = path.join(dir, 'nonnum-trades.json.gz');
    fs.writeFileSync(nonNum, zlib.gzipSync(JSON.stringify([[1570752011620, '1', null, 'sell', 'x', 23, 0.03]])));
    expectDataError(() => loadTrades(nonNum), nonNum, 1, /price "x" is not a number/);
    const zero = path.join(dir, 'zero-trades.json');
    fs.writeFileSync(zero, JSON.stringify([[1570752011620, '1', null, 'sell', 0.0014, 23, 0.03], [1570752011620, '2', null, 'sell', 0.0014, 0, 0]]));
    expectDataError(() => loadTrades(zero), zero, 2, /amount 0 is not positive/);
  });
});

describe('validation of tapes built from arrays', () => {
  it('rows are 1-based indices and the file is "typed-arrays"', () => {
    const t = makeTradeTape({ time: [1, 2, 3], price: [1, NaN, 1], amount: [1, 1, 1] });
    expectDataError(() => validateTradeTape(t), 'typed-arrays', 2, /price is NaN/);
    const b = makeBarTape({ time: [0, 60_000], open: [1, 1], high: [1, 3], low: [1, 2], close: [1, 1], volume: [0, 0] });
    expectDataError(() => validateBarTape(b), 'typed-arrays', 2, /low 2 is above open\/close/);
    const q = makeQuoteTape({ time: [1, 0], bidPrice: [1, 1], bidSize: [1, 1], askPrice: [2, 2], askSize: [1, 1] });
    expectDataError(() => validateQuoteTape(q), 'typed-arrays', 2, /earlier than the previous row/);
  });

  it('equal trade timestamps are normal; unique but out-of-order ids are only a warning', () => {
    const t = makeTradeTape({ time: [5, 5, 5], price: [1, 1, 1], amount: [1, 1, 1], id: [3, 1, 2] });
    const w = validateTradeTape(t);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/row 2: trade id 1 is not greater than the previous id 3/);
  });

  it('crossed quotes are counted in one warning', () => {
    const q = makeQuoteTape({ time: [1, 2, 3], bidPrice: [1, 3, 3], bidSize: [1, 1, 1], askPrice: [2, 2, 2], askSize: [1, 1, 1] });
    expect(validateQuoteTape(q)).toEqual(['typed-arrays: 2 crossed quote(s) with bid > ask (first at row 2: bid 3, ask 2)']);
  });
});

describe('gap warnings', () => {
  const t0 = Date.UTC(2024, 0, 1);
  const min = 60_000;

  it('trades: a gap longer than 5 min names the file, its length and span', () => {
    const time = [t0, t0 + 10 * min, t0 + 22 * min, t0 + 23 * min];
    const t = makeTradeTape({ time, price: [1, 1, 1, 1], amount: [1, 1, 1, 1], source: { file: 'data/x.csv' } });
    expect(validateTradeTape(t)).toEqual([
      'data/x.csv: gap of 10.0 min from 2024-01-01T00:00:00.000Z to 2024-01-01T00:10:00.000Z',
      'data/x.csv: gap of 12.0 min from 2024-01-01T00:10:00.000Z to 2024-01-01T00:22:00.000Z',
    ]);
    expect(validateTradeTape(t, { maxGapMs: 11 * min })).toHaveLength(1);
  });

  it('bars: default threshold is 2 × timeframe (one missing bar is not reported, two are)', () => {
    const five = 5 * min;
    const time = [t0, t0 + five, t0 + 3 * five, t0 + 6 * five];
    const ones = [1, 1, 1, 1];
    const b = makeBarTape({ time, open: ones, high: ones, low: ones, close: ones, volume: ones, timeframeMs: five });
    expect(validateBarTape(b)).toEqual(['typed-arrays: gap of 15.0 min from 2024-01-01T00:15:00.000Z to 2024-01-01T00:30:00.000Z']);
  });

  it('the list is capped at 10 with a summary line giving the total', () => {
    const time: number[] = [];
    for (let i = 0; i < 26; i++) time.push(t0 + i * 10 * min); // 25 gaps of 10 min
    const w = gapWarnings(time, 'data/y.csv', 5 * min);
    expect(w).toHaveLength(11);
    expect(w[9]).toMatch(/^data\/y\.csv: gap of 10\.0 min from /);
    expect(w[10]).toBe('data/y.csv: 25 gaps longer than 5.0 min in total (first 10 listed), longest 10.0 min, together 4.2 h');
  });

  it('loadData reports gaps of a CSV file by its name; maxGapMs overrides the default', () => {
    const f = path.join(tmp(), 'gappy.csv');
    fs.writeFileSync(f, 'timestamp,price,amount,side\n2024-01-01T00:10:00Z,1,1,buy\n2024-01-01T00:22:00Z,1,1,sell\n');
    const { warnings } = loadTrades(f);
    expect(warnings).toEqual([`${f}: gap of 12.0 min from 2024-01-01T00:10:00.000Z to 2024-01-01T00:22:00.000Z`]);
    expect(loadTrades(f, { maxGapMs: 20 * min }).warnings).toEqual([]);
  });

  it('formats durations in s, min, h and d', () => {
    expect(formatDuration(30_000)).toBe('30.0 s');
    expect(formatDuration(12 * min)).toBe('12.0 min');
    expect(formatDuration(5 * 3_600_000)).toBe('5.0 h');
    expect(formatDuration(3 * 86_400_000)).toBe('3.0 d');
  });
});
