import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readTradeLogs } from '../../../src/data/readers/trade-log';
import { writeFreqtradeDb } from '../../helpers/freqtrade-db';

const FIX = path.join(__dirname, '../../fixtures/trade-logs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'detect-'));

/** The fixture's bytes under a misleading name: detection must look at the content. */
function disguise(src: string | Buffer, name: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, typeof src === 'string' ? fs.readFileSync(src) : src);
  return f;
}

describe('format detection reads content, not names', () => {
  it.each([
    ['live-bot.csv', 'log.jsonl', 'trade-log-csv'],
    ['live-bot.jsonl', 'log.csv', 'trade-log-jsonl'],
    ['freqtrade/backtest-result-2024-03-05_10-00-00.json', 'export.txt', 'freqtrade-backtest-json'],
  ])('%s named %s is %s', (fixture, name, format) => {
    expect(readTradeLogs([disguise(path.join(FIX, fixture), name)]).sources[0].format).toBe(format);
  });

  it('a zip named .json and an sqlite named .csv', async () => {
    const zip = disguise(Buffer.from(zipSync({ 'r.json': strToU8(fs.readFileSync(path.join(FIX, 'freqtrade/backtest-result-2024-03-05_10-00-00.json'), 'utf8')) })), 'r.json');
    expect(readTradeLogs([zip]).sources[0].format).toBe('freqtrade-backtest-zip');
    const db = path.join(dir, 'trades.csv');
    await writeFreqtradeDb(db, []);
    expect(readTradeLogs([db]).sources[0]).toMatchObject({ format: 'freqtrade-sqlite', trades: 0 });
  });

  it('a gzipped CSV log is inflated first; its SHA-256 is of the bytes on disk', () => {
    const raw = zlib.gzipSync(fs.readFileSync(path.join(FIX, 'live-bot.csv')));
    const f = disguise(raw, 'log.csv.gz');
    const s = readTradeLogs([f]);
    expect(s.sources[0]).toMatchObject({ format: 'trade-log-csv', trades: 6, open: 1 });
    expect(s.sources[0].sha256).toBe(require('node:crypto').createHash('sha256').update(raw).digest('hex'));
  });

  it('edgelab camelCase ledger names and the plan names are one schema', () => {
    const camel = 'strategy,side,entryTime,exitTime,entryPrice,exitPrice,qty,entryFee,exitFee,exitReason,entryLiquidity,exitLiquidity,exitDelayedBy\n' +
      'V1,short,1704073500000,1704076500000,42697.5,42606.24,0.0002342057497511564,0.004,0.003991450553311083,signal,taker,maker,minHold\n';
    const t = readTradeLogs([disguise(Buffer.from(camel), 'camel.csv')]).trades[0];
    expect(t).toMatchObject({ strategy: 'V1', side: 'short', entryLiquidity: 'taker', exitLiquidity: 'maker', exitDelayedBy: 'minHold', exitReason: 'signal' });
    expect(t.netPnl).toBeCloseTo((42697.5 - 42606.24) * 0.0002342057497511564 - 0.004 - 0.003991450553311083, 15);
  });

  it('quoted CSV cells', () => {
    const q = 'strategy,symbol,side,entry_time,exit_time,entry_price,exit_price,qty,fee,exit_reason\n"V3, fixed","BTC/USDT",long,2024-01-01 10:00:00,2024-01-01 11:00:00,100,101,1,0.08,"stop ""hard"""\n';
    const t = readTradeLogs([disguise(Buffer.from(q), 'q.csv')]).trades[0];
    expect(t.strategy).toBe('V3, fixed');
    expect(t.exitReason).toBe('stop "hard"'); // not one of ours: kept raw
    expect(t.entryTime).toBe(Date.UTC(2024, 0, 1, 10)); // no offset → UTC
  });
});
