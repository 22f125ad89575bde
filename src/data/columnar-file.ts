/**
 * edgelab's columnar tape file: a validated tape written as Arrow IPC
 * (= Feather v2, the format freqtrade keeps its data in), one record batch,
 * uncompressed, so reading it back is one file read and zero-copy typed-array
 * views — no parsing at all.
 *
 * Columns use ccxt's names: trades `timestamp, price, amount, side` (+ `id`),
 * bars `timestamp, open, high, low, close, volume`, quotes `timestamp,
 * bidPrice, bidSize, askPrice, askSize`; `timestamp` is ms as Float64, `side`
 * the taker side as Int8 (+1 / −1 / 0). The schema metadata key
 * `edgelab.tape` holds a JSON header (kind, version, rows, source, bar
 * timeframe, and — for a cache — the size and mtime of the file it was made
 * from, with that load's warnings). A file from `edgelab convert` is
 * validated again when it is loaded; a cache is not (see `cacheOf`).
 *
 * Used two ways: `edgelab convert` writes one on request, and `loadData`
 * writes one next to a large text source on first load (a cache) and reads it
 * instead of the text while the source's size and mtime are unchanged.
 */
import * as fs from 'node:fs';
import { Float64, Int8, RecordBatch, RecordBatchReader, Schema, Table, makeTable, tableFromIPC, tableToIPC, type Vector } from 'apache-arrow';
import { UserError } from '../util/errors';
import { writeFileAtomic } from '../util/atomic-write';
import { makeBarTape, makeQuoteTape, makeTradeTape, type BarTape, type QuoteTape, type TapeSource, type TradeTape } from './tape';

export const COLUMNAR_META_KEY = 'edgelab.tape';
export const COLUMNAR_VERSION = 1;

type Tape = TradeTape | BarTape | QuoteTape;

export interface ColumnarHeader {
  kind: Tape['kind'];
  version: number;
  rows: number;
  source: TapeSource;
  timeframeMs?: number;
  /**
   * For a cache: the text file it stands for, as it was when the cache was written, and the
   * warnings its validated load gave (gaps…). A cache is edgelab's own output of a validated
   * load, so reading it replays those warnings instead of validating again.
   */
  cacheOf?: { size: number; mtimeMs: number; warnings: string[] };
}

function columnsOf(tape: Tape): Record<string, Float64Array | Int8Array> {
  switch (tape.kind) {
    case 'trades':
      return {
        timestamp: tape.time,
        price: tape.price,
        amount: tape.amount,
        side: tape.side,
        ...(tape.id ? { id: tape.id } : {}),
      };
    case 'bars':
      return { timestamp: tape.time, open: tape.open, high: tape.high, low: tape.low, close: tape.close, volume: tape.volume };
    case 'quotes':
      return { timestamp: tape.time, bidPrice: tape.bidPrice, bidSize: tape.bidSize, askPrice: tape.askPrice, askSize: tape.askSize };
  }
}

/** The Arrow IPC bytes of a tape (one batch, uncompressed, metadata header). */
export function tapeToArrowBytes(tape: Tape, extra: Partial<Pick<ColumnarHeader, 'cacheOf'>> = {}): Uint8Array {
  const header: ColumnarHeader = {
    kind: tape.kind,
    version: COLUMNAR_VERSION,
    rows: tape.length,
    source: tape.source,
    ...(tape.kind === 'bars' ? { timeframeMs: tape.timeframeMs } : {}),
    ...(extra.cacheOf ? { cacheOf: extra.cacheOf } : {}),
  };
  const plain = makeTable(columnsOf(tape));
  const schema = new Schema(plain.schema.fields, new Map([[COLUMNAR_META_KEY, JSON.stringify(header)]]));
  const table = new Table(schema, plain.batches.map((b) => new RecordBatch(schema, b.data)));
  return tableToIPC(table, 'file');
}

/** Write a tape as an edgelab columnar file (atomically: a failure leaves no partial file). */
export function writeColumnarFile(file: string, tape: Tape, extra: Partial<Pick<ColumnarHeader, 'cacheOf'>> = {}): void {
  writeFileAtomic(file, tapeToArrowBytes(tape, extra));
}

/**
 * The schema of an Arrow IPC file read from its footer alone (the first 8 and
 * the last bytes), so detecting a 2 GB file's format does not read 2 GB.
 * Returns null when the file is not a readable Arrow IPC file.
 */
export function readArrowSchema(file: string): Schema | null {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size < 18) return null;
    const tail = Buffer.alloc(10);
    fs.readSync(fd, tail, 0, 10, size - 10);
    if (tail.toString('latin1', 4) !== 'ARROW1') return null;
    const footerLen = tail.readInt32LE(0);
    if (footerLen <= 0 || footerLen > size - 18) return null;
    const fake = Buffer.alloc(8 + footerLen + 10);
    fs.readSync(fd, fake, 0, 8, 0);
    fs.readSync(fd, fake, 8, footerLen + 10, size - 10 - footerLen);
    // Magic + footer + length + magic: enough for the reader to open the schema; no batch is read.
    try {
      const reader = RecordBatchReader.from(fake);
      reader.open();
      return reader.schema;
    } catch {
      // Dictionary-encoded columns (strings) make the reader load their batches on open: read it all.
      const reader = RecordBatchReader.from(fs.readFileSync(file));
      reader.open();
      return reader.schema;
    }
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** The edgelab header of a columnar file, or null when the Arrow file is not one of ours. */
export function columnarHeaderOf(schema: Schema | null): ColumnarHeader | null {
  const raw = schema?.metadata.get(COLUMNAR_META_KEY);
  if (!raw) return null;
  try {
    const h = JSON.parse(raw) as ColumnarHeader;
    return h && typeof h === 'object' && typeof h.kind === 'string' ? h : null;
  } catch {
    return null;
  }
}

function f64(table: Table, name: string, file: string): Float64Array {
  const col = table.getChild(name) as Vector<Float64> | null;
  if (!col) throw new UserError(`${file}: columnar file has no '${name}' column`);
  // One batch → a view on the file buffer (no copy); several → one concatenated copy.
  return col.toArray() as Float64Array;
}

/** Read an edgelab columnar file back into its tape (zero-copy views on the file's bytes). */
export function readColumnarFile(file: string): { tape: Tape; header: ColumnarHeader } {
  let table: Table;
  try {
    table = tableFromIPC(fs.readFileSync(file));
  } catch (e) {
    throw new UserError(`${file}: cannot read as Arrow IPC (${(e as Error).message})`);
  }
  const header = columnarHeaderOf(table.schema);
  if (!header) throw new UserError(`${file}: Arrow file without an ${COLUMNAR_META_KEY} header; not an edgelab columnar file`);
  if (header.version !== COLUMNAR_VERSION) throw new UserError(`${file}: columnar file version ${header.version}, this edgelab reads ${COLUMNAR_VERSION}`);
  if (table.numRows !== header.rows) throw new UserError(`${file}: header says ${header.rows} rows, the table has ${table.numRows} (truncated file?)`);
  const source = header.source;
  let tape: Tape;
  switch (header.kind) {
    case 'trades': {
      const sideCol = table.getChild('side') as Vector<Int8> | null;
      if (!sideCol) throw new UserError(`${file}: columnar file has no 'side' column`);
      tape = makeTradeTape({
        time: f64(table, 'timestamp', file),
        price: f64(table, 'price', file),
        amount: f64(table, 'amount', file),
        side: sideCol.toArray() as Int8Array,
        id: table.getChild('id') ? f64(table, 'id', file) : undefined,
        source,
      });
      break;
    }
    case 'bars':
      tape = makeBarTape({
        time: f64(table, 'timestamp', file),
        open: f64(table, 'open', file),
        high: f64(table, 'high', file),
        low: f64(table, 'low', file),
        close: f64(table, 'close', file),
        volume: f64(table, 'volume', file),
        timeframeMs: header.timeframeMs,
        source,
      });
      break;
    case 'quotes':
      tape = makeQuoteTape({
        time: f64(table, 'timestamp', file),
        bidPrice: f64(table, 'bidPrice', file),
        bidSize: f64(table, 'bidSize', file),
        askPrice: f64(table, 'askPrice', file),
        askSize: f64(table, 'askSize', file),
        source,
      });
      break;
    default:
      throw new UserError(`${file}: columnar file of unknown kind '${String((header as { kind: unknown }).kind)}'`);
  }
  return { tape, header };
}

// ---------------------------------------------------------------------------
// The cache next to a large text source

/** Sources at least this large get a columnar cache on first load (override with EDGELAB_CACHE_MIN_MB). */
export const DEFAULT_CACHE_MIN_BYTES = 64 * 1024 * 1024;

export type CacheMode = 'auto' | 'off' | 'refresh';

export function cachePathFor(file: string): string {
  return `${file}.edgelab.arrow`;
}

export function cacheMinBytes(): number {
  const env = process.env.EDGELAB_CACHE_MIN_MB;
  return env !== undefined && env !== '' && Number.isFinite(Number(env)) ? Number(env) * 1024 * 1024 : DEFAULT_CACHE_MIN_BYTES;
}

/** The cached tape (and its load's warnings) for `file` when a cache exists and still matches the file's size and mtime. */
export function readValidCache(file: string): { tape: Tape; warnings: string[] } | null {
  const cache = cachePathFor(file);
  if (!fs.existsSync(cache)) return null;
  const st = fs.statSync(file);
  const header = columnarHeaderOf(readArrowSchema(cache));
  if (!header || header.version !== COLUMNAR_VERSION || !header.cacheOf) return null;
  if (header.cacheOf.size !== st.size || header.cacheOf.mtimeMs !== st.mtimeMs) return null;
  try {
    return { tape: readColumnarFile(cache).tape, warnings: header.cacheOf.warnings ?? [] };
  } catch {
    return null; // a damaged cache is rebuilt from the source
  }
}

/** Write the cache for `file`; returns a warning when that fails (the load itself succeeded). */
export function writeCache(file: string, tape: Tape, warnings: string[]): string | null {
  const st = fs.statSync(file);
  try {
    writeColumnarFile(cachePathFor(file), tape, { cacheOf: { size: st.size, mtimeMs: st.mtimeMs, warnings } });
    return null;
  } catch (e) {
    return `${file}: could not write the columnar cache ${cachePathFor(file)} (${(e as Error).message}); the next load parses the text again`;
  }
}
