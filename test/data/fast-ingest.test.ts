/**
 * The byte-level ingest (readers/bytes.ts, fast-csv.ts, trades-jsonl.ts) must
 * give exactly what the plain string route gives: `Number(cell)` for every
 * number, the digit-count rule for epoch times, the same line numbers and the
 * same errors. The reference here is that string route written out naively
 * (split lines, split commas, Number) — slow and obviously right.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { parseDecimalBytes, parseEpochMsBytes } from '../../src/data/readers/bytes';
import { epochDigitsToMs, parseTimestampCell, sideCode } from '../../src/data/readers/columns';
import { readPlainTradesCsv } from '../../src/data/readers/plain-csv';
import { readTradesJsonl } from '../../src/data/readers/trades-jsonl';
import { detectFormat, loadTrades } from '../../src/data/load';
import { cachePathFor, readColumnarFile } from '../../src/data/columnar-file';
import { createPrng } from '../../src/util/prng';
import { edgelab } from '../helpers/cli';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-ingest-'));
});

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('parseDecimalBytes = Number(text)', () => {
  it('agrees bit for bit on 200,000 random cells of every shape, and fails where Number fails', () => {
    const prng = createPrng(11);
    const rnd = () => prng.nextFloat();
    const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(rnd() * 10))).join('');
    let compared = 0;
    const wrong: string[] = [];
    for (let k = 0; k < 200_000; k++) {
      const shape = Math.floor(rnd() * 8);
      let s: string;
      if (shape === 0) s = digits(1 + Math.floor(rnd() * 15));
      else if (shape === 1) s = `${digits(1 + Math.floor(rnd() * 7))}.${digits(1 + Math.floor(rnd() * 8))}`;
      else if (shape === 2) s = `-${digits(1 + Math.floor(rnd() * 5))}.${digits(Math.floor(rnd() * 10))}`;
      else if (shape === 3) s = `0.${'0'.repeat(Math.floor(rnd() * 6))}${digits(1 + Math.floor(rnd() * 9))}`;
      else if (shape === 4) s = `${digits(8)}.${digits(8 + Math.floor(rnd() * 4))}`; // 16–20 digits: fallback path
      else if (shape === 5) s = `${digits(2)}.${digits(3)}e${rnd() < 0.5 ? '-' : ''}${digits(1)}`;
      else if (shape === 6) s = ` ${digits(3)}.${digits(2)} `;
      else s = ['', '.', '-', '1..2', 'abc', 'NaN', '1,5', '+7.25', '5.', '.5', '-0'][Math.floor(rnd() * 11)];
      const ref = Number(s);
      const refOk = ref === ref && s.trim() !== '';
      const b = bytes(s);
      let got: number | Error;
      try {
        got = parseDecimalBytes(b, 0, b.length, 'price', 'f', 1);
      } catch (e) {
        got = e as Error;
      }
      if (refOk) {
        if (!(typeof got === 'number' && Object.is(got, ref))) wrong.push(s);
        compared++;
      } else if (s.trim().toLowerCase() === 'nan') {
        if (!(typeof got === 'number' && Number.isNaN(got))) wrong.push(s);
      } else if (!(got instanceof Error && /row 1: (empty price|price '.*' is not a number)/.test(got.message))) wrong.push(s);
    }
    expect(wrong).toEqual([]);
    expect(compared).toBeGreaterThan(150_000);
  });

  it('epoch digits by length, as epochDigitsToMs; other text as parseTimestampCell', () => {
    const prng = createPrng(5);
    const rnd = () => prng.nextFloat();
    for (let k = 0; k < 20_000; k++) {
      const len = [10, 13, 16, 19][k % 4];
      const s = '1' + Array.from({ length: len - 1 }, () => String(Math.floor(rnd() * 10))).join('');
      const b = bytes(s);
      expect(parseEpochMsBytes(b, 0, b.length, 'f', 1)).toBe(epochDigitsToMs(s));
    }
    for (const s of ['2024-01-01T00:00:00Z', '2024-01-01 00:00:00.123456', '1700000000000.7', '2024-02-29']) {
      const b = bytes(s);
      expect(parseEpochMsBytes(b, 0, b.length, 'f', 1)).toBe(parseTimestampCell(s, 'f', 1));
    }
    expect(() => parseEpochMsBytes(bytes('yesterday'), 0, 9, 'f', 3)).toThrow(/row 3: timestamp 'yesterday'/);
  });
});

/** The naive reference: what the line-by-line string reader computed. */
function referenceCsv(text: string) {
  const rows: { t: number; p: number; a: number; s: number; id: number; line: number }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  let header: string[] | null = null;
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    if (!header) {
      header = line.split(',').map((h) => h.trim().toLowerCase());
      return;
    }
    const c = line.split(',');
    const at = (n: string) => c[header!.indexOf(n)];
    rows.push({ t: parseTimestampCell(at('timestamp'), 'f', i + 1), p: Number(at('price')), a: Number(at('amount')), s: sideCode(at('side').trim()), id: Number(at('id').trim()), line: i + 1 });
  });
  return rows;
}

function syntheticCsv(n: number, seed: number): string {
  const prng = createPrng(seed);
  const rnd = () => prng.nextFloat();
  const out = ['\uFEFFtimestamp,price,amount,side,id'];
  let t = 1_700_000_000_000;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * 50);
    const price = (30000 + rnd() * 1000).toFixed(1 + Math.floor(rnd() * 4));
    const amount = rnd() < 0.01 ? `${(rnd() * 9).toFixed(2)}e-3` : (rnd() * 2).toFixed(6);
    const time = i % 997 === 0 ? new Date(t).toISOString() : String(t);
    const side = ['buy', 'sell', 'Buy', ' sell ', 'unknown'][i % 5 === 0 ? Math.floor(rnd() * 5) : i % 2];
    out.push(`${time},${price},${amount},${side},${1000 + i}${i % 13 === 0 ? '\r' : ''}`);
    if (i % 4099 === 0) out.push(i % 2 ? '' : '   ');
  }
  return out.join('\n') + '\n';
}

describe('fast trades CSV', () => {
  it('reads a file across ~60 chunk seams exactly as the string route: values, ids, line numbers (plain and gzip)', () => {
    const text = syntheticCsv(100_000, 3);
    const file = path.join(dir, 'big.csv');
    fs.writeFileSync(file, text);
    const ref = referenceCsv(text);
    // 64 KiB chunks instead of 8 MiB: every seam case (a line, a CRLF, a blank line cut in two) occurs.
    process.env.EDGELAB_READ_CHUNK_BYTES = String(64 * 1024);
    let read: ReturnType<typeof readPlainTradesCsv>;
    let z: ReturnType<typeof readPlainTradesCsv>['tape'];
    const gz = path.join(dir, 'big.csv.gz');
    fs.writeFileSync(gz, zlib.gzipSync(text));
    try {
      read = readPlainTradesCsv(file);
      z = readPlainTradesCsv(gz).tape;
    } finally {
      delete process.env.EDGELAB_READ_CHUNK_BYTES;
    }
    expect(text.length / (64 * 1024)).toBeGreaterThan(50);
    const { tape, rowOf } = read;
    expect(tape.length).toBe(ref.length);
    let mismatches = 0;
    for (let i = 0; i < ref.length; i++) {
      const r = ref[i];
      if (
        !Object.is(tape.time[i], r.t) ||
        !Object.is(tape.price[i], r.p) ||
        !Object.is(tape.amount[i], r.a) ||
        tape.side[i] !== r.s ||
        tape.id![i] !== r.id ||
        rowOf(i) !== r.line
      )
        mismatches++;
    }
    expect(mismatches).toBe(0);

    // gzip is inflated as a stream and gives the same tape
    expect(z.length).toBe(tape.length);
    expect(Buffer.from(z.price.buffer, z.price.byteOffset, z.price.byteLength).equals(Buffer.from(tape.price.buffer, tape.price.byteOffset, tape.price.byteLength))).toBe(true);
    expect(Array.from(z.time)).toEqual(Array.from(tape.time));
    expect(Array.from(z.id!)).toEqual(Array.from(tape.id!));
  });

  it('names the line of a bad row after blank lines, and of a short row', () => {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, 'timestamp,price,amount,side\n1700000000000,1,1,buy\n\n\n1700000000001,x1,1,buy\n');
    expect(() => readPlainTradesCsv(file)).toThrow(`${file}: row 5: price 'x1' is not a number`);
    fs.writeFileSync(file, 'timestamp,price,amount,side\n1700000000000,1,1,buy\n1700000000001,1,1\n');
    expect(() => readPlainTradesCsv(file)).toThrow(`${file}: row 3: expected 4 columns, found 3: '1700000000001,1,1'`);
  });
});

describe('trades as JSON Lines (ccxt Trade objects)', () => {
  it('reads ccxt objects with nested info and fee, string ids and numeric strings, as JSON.parse would', () => {
    const prng = createPrng(9);
    const rnd = () => prng.nextFloat();
    const objs = Array.from({ length: 2000 }, (_, i) => ({
      info: { a: [1, { b: '}{' }], m: true, s: 'x"y' },
      id: String(500 + i),
      timestamp: 1_700_000_000_000 + i * 7,
      datetime: new Date(1_700_000_000_000 + i * 7).toISOString(),
      symbol: 'BTC/USDT',
      side: i % 3 ? 'buy' : 'sell',
      price: i % 10 === 0 ? String(30000 + i / 8) : 30000 + rnd() * 100,
      amount: rnd() / 3,
      cost: 1,
      fee: i % 2 ? null : { cost: 0.01, currency: 'USDT' },
    }));
    const file = path.join(dir, 'trades.jsonl');
    fs.writeFileSync(file, objs.map((o) => JSON.stringify(o)).join('\n') + '\n\n');
    expect(detectFormat(file)).toBe('trades-jsonl');
    const { tape, rowOf } = readTradesJsonl(file);
    expect(tape.length).toBe(objs.length);
    for (let i = 0; i < objs.length; i++) {
      expect(tape.time[i]).toBe(objs[i].timestamp);
      expect(Object.is(tape.price[i], Number(objs[i].price))).toBe(true);
      expect(Object.is(tape.amount[i], objs[i].amount)).toBe(true);
      expect(tape.side[i]).toBe(objs[i].side === 'buy' ? 1 : -1);
      expect(tape.id![i]).toBe(Number(objs[i].id));
      expect(rowOf(i)).toBe(i + 1);
    }
  });

  it('a line that is not a trade object, or lacks a key, is refused with its line', () => {
    const file = path.join(dir, 'bad.jsonl');
    const ok = JSON.stringify({ timestamp: 1, price: 2, amount: 3, side: 'buy' });
    fs.writeFileSync(file, `${ok}\n${JSON.stringify({ timestamp: 2, price: 2, side: 'buy' })}\n`);
    expect(() => readTradesJsonl(file)).toThrow(`${file}: row 2: missing key 'amount'`);
    fs.writeFileSync(file, `${ok}\n${ok}\n{"timestamp": 3, "price": 2, "amount": 1, "side": "buy"\n`);
    expect(() => readTradesJsonl(file)).toThrow(/row 3: expected ',' or '}'/);
  });
});

describe('columnar cache and edgelab convert', () => {
  it('writes a cache next to a large source, re-reads it bit-identically, and rebuilds it when the source changes', () => {
    const file = path.join(dir, 'cached.csv');
    fs.writeFileSync(file, syntheticCsv(20_000, 4));
    const first = loadTrades(file, { cache: 'refresh' });
    expect(first.cache).toEqual({ file: cachePathFor(file), hit: false });
    expect(fs.existsSync(cachePathFor(file))).toBe(true);
    process.env.EDGELAB_CACHE_MIN_MB = '0';
    try {
      const again = loadTrades(file);
      expect(again.cache?.hit).toBe(true);
      expect(again.format).toBe('trades-csv');
      for (const k of ['time', 'price', 'amount', 'side', 'id'] as const) expect(Array.from(again.tape[k]!)).toEqual(Array.from(first.tape[k]!));
      expect(again.warnings).toEqual(first.warnings);
      // The source changes (size and mtime): the cache no longer stands for it.
      fs.appendFileSync(file, '1800000000000,1,1,buy,99999999\n');
      const changed = loadTrades(file);
      expect(changed.cache?.hit).toBe(false);
      expect(changed.tape.length).toBe(first.tape.length + 1);
      expect(readColumnarFile(cachePathFor(file)).tape.length).toBe(first.tape.length + 1);
      // Off means off: no read, no write.
      fs.rmSync(cachePathFor(file));
      expect(loadTrades(file, { cache: 'off' }).cache).toBeUndefined();
      expect(fs.existsSync(cachePathFor(file))).toBe(false);
    } finally {
      delete process.env.EDGELAB_CACHE_MIN_MB;
    }
  });

  it('edgelab convert writes a columnar file that loads to the same tape; bad input exits 2 and writes nothing', () => {
    const src = path.join(dir, 'conv.csv');
    fs.writeFileSync(src, syntheticCsv(5000, 8));
    const out = path.join(dir, 'conv.feather');
    const r = edgelab(['convert', '--data', src, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/trades-csv → edgelab columnar: 5,000 trades/);
    expect(detectFormat(out)).toBe('edgelab-columnar');
    const a = loadTrades(out).tape;
    const b = loadTrades(src).tape;
    for (const k of ['time', 'price', 'amount', 'side', 'id'] as const) expect(Array.from(a[k]!)).toEqual(Array.from(b[k]!));

    const bad = path.join(dir, 'conv-bad.csv');
    fs.writeFileSync(bad, 'timestamp,price,amount,side\n1700000000000,1,1,buy\n1700000000001,-1,1,buy\n');
    const out2 = path.join(dir, 'conv-bad.feather');
    const r2 = edgelab(['convert', '--data', bad, '--out', out2]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`${bad}: row 3`);
    expect(r2.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out2)).toBe(false);
  });
});
