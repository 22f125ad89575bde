/**
 * freqtrade's live trade database, tradesv3.sqlite (table `trades`, columns
 * as in freqtrade/persistence/trade_model.py: id, pair, is_open, open_rate,
 * close_rate, amount, fee_open, fee_close, open_date, close_date, strategy,
 * exit_reason, is_short, close_profit_abs, enter_tag, trading_mode, funding_fees …).
 *
 * Read-only by construction: the file's bytes are read once by the caller and
 * handed to sql.js, which opens an in-memory copy — nothing can write to the
 * bot's file, and a database the bot is writing to is read as a consistent
 * snapshot of the bytes at that instant. sql.js (wasm) is used rather than
 * better-sqlite3 because it needs no native build and cannot touch the file.
 *
 * Row numbers in errors are the trade's `id` (the primary key), not a position.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';
import { DataError } from '../../../util/errors';
import { freqtradeRecord, type FreqtradeRow } from './freqtrade-common';
import type { ParsedRecord } from './record';

let sqlJs: SqlJsStatic | null = null;

/** The slice of the WebAssembly API used here (the project's lib settings carry no WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}

/**
 * sql.js, initialised synchronously: its wasm is compiled with the synchronous
 * WebAssembly API (allowed in Node for any size) through emscripten's
 * `instantiateWasm` hook, so the module is ready when `initSqlJs` returns and the
 * readers keep their synchronous API (loadData / readTradeLogs are sync).
 */
function sqlJsSync(): SqlJsStatic {
  if (sqlJs) return sqlJs;
  const entry = require.resolve('sql.js');
  // A private instance of the module: sql.js caches its first initialisation promise, so an
  // instance someone already initialised asynchronously would ignore our synchronous hook.
  const cached = require.cache[entry];
  delete require.cache[entry];
  let initSqlJs: typeof import('sql.js');
  try {
    initSqlJs = require(entry) as typeof import('sql.js');
  } finally {
    if (cached) require.cache[entry] = cached;
    else delete require.cache[entry];
  }
  const wasm = fs.readFileSync(path.join(path.dirname(entry), 'sql-wasm.wasm'));
  let ready = false;
  const config: Record<string, unknown> = {
    instantiateWasm(imports: object, done: (instance: object, module: object) => void) {
      const wa = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
      const module = new wa.Module(wasm);
      const instance = new wa.Instance(module, imports);
      done(instance, module);
      return instance.exports;
    },
    postRun: [() => (ready = true)],
  };
  void initSqlJs(config as Parameters<typeof initSqlJs>[0]);
  if (!ready || typeof (config as { Database?: unknown }).Database !== 'function') {
    throw new Error('sql.js did not initialise synchronously');
  }
  sqlJs = config as unknown as SqlJsStatic;
  return sqlJs;
}

const REQUIRED = ['id', 'pair', 'is_open', 'open_rate', 'close_rate', 'amount', 'open_date', 'close_date', 'strategy'] as const;

function rows(db: Database, sql: string): Record<string, SqlValue>[] {
  const res = db.exec(sql);
  if (!res.length) return [];
  const { columns, values } = res[0];
  return values.map((v) => Object.fromEntries(columns.map((c, i) => [c, v[i]])));
}

/** Read a freqtrade tradesv3.sqlite given its bytes. */
export function readFreqtradeSqlite(raw: Buffer, file: string): { format: string; records: ParsedRecord[]; warnings: string[] } {
  const SQL = sqlJsSync();
  let db: Database;
  try {
    db = new SQL.Database(new Uint8Array(raw));
  } catch (e) {
    throw new DataError(file, null, `cannot open as SQLite (${(e as Error).message})`);
  }
  try {
    let cols: string[];
    try {
      cols = rows(db, 'PRAGMA table_info(trades)').map((r) => String(r.name));
    } catch (e) {
      throw new DataError(file, null, `unreadable SQLite database (${(e as Error).message})`);
    }
    if (!cols.length) throw new DataError(file, null, 'an SQLite database without a `trades` table: not a freqtrade tradesv3.sqlite');
    const missing = REQUIRED.filter((c) => !cols.includes(c));
    if (missing.length) throw new DataError(file, null, `table trades lacks freqtrade column(s) ${missing.join(', ')}`);
    const records: ParsedRecord[] = [];
    const warnings: string[] = [];
    let funded = 0;
    for (const r of rows(db, 'SELECT * FROM trades ORDER BY id')) {
      const id = Number(r.id);
      const strategy = r.strategy === null || String(r.strategy).trim() === '' ? null : String(r.strategy);
      if (strategy === null) throw new DataError(file, id, 'trade id ' + id + ': strategy is empty');
      if (typeof r.funding_fees === 'number' && r.funding_fees !== 0) funded++;
      records.push(freqtradeRecord(r as FreqtradeRow, strategy, r.close_profit_abs, file, id, `trade id ${id}`));
    }
    if (funded) {
      warnings.push(`${file}: ${funded} trade(s) carry futures funding fees, which freqtrade's close_profit_abs includes and the recomputed P&L does not — they show as P&L mismatches`);
    }
    return { format: 'freqtrade-sqlite', records, warnings };
  } finally {
    db.close();
  }
}
