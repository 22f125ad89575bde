/**
 * The trades-CSV scanner behind the plain (ccxt-named) and Tardis readers: it
 * walks the bytes of line-aligned chunks, finds the commas of each row and
 * parses the wanted cells in place (bytes.ts) into preallocated typed columns
 * (trade-columns.ts). No string, cell array or object is made per row; the
 * slow string parsers run only for cells that are not plain numbers, and so
 * produce exactly the values and errors the line-based readers did.
 *
 * Same contract as `walkCsv` (csv.ts): the first non-blank line is the header
 * (names lower-cased and trimmed), blank lines are skipped, a row whose
 * column count differs from the header's is a DataError naming its line.
 */
import * as fs from 'node:fs';
import { DataError } from '../../util/errors';
import { bytesToLatin1, epochDigitsBytes, parseDecimalBytes, parseEpochMsBytes, sideBytes, smallIntBytes } from './bytes';
import { countNewlines, forEachChunk } from './chunks';
import { parseHeader } from './columns';
import { clip } from './csv';
import { LineMap, TradeColumns } from './trade-columns';

/** How one trades-CSV layout maps its header onto the tape. */
export interface TradeCsvLayout {
  /** Names the header must have (DataError on line 1 listing what is missing). */
  required: readonly string[];
  timestamp: string;
  price: string;
  amount: string;
  side: string;
  /** Trade id column, kept whenever the header has it (a layout that needs it lists it in `required`). */
  id: string;
  /** Tardis: the time must be integer epoch digits (µs); else also ISO text. */
  epochDigitsOnly: boolean;
  /** Columns every row must repeat from the first (one instrument per file). */
  sameEveryRow: readonly string[];
  /** Trim the side cell before mapping it (plain CSV did; Tardis did not). */
  trimSide: boolean;
  /** Header rewrite before lookup (plain CSV: `date` → `timestamp`). */
  normaliseHeader?: (header: string[]) => string[];
}

export interface TradeCsvResult {
  cols: ReturnType<TradeColumns['finish']>;
  lines: LineMap;
  /** The first row's values of the `sameEveryRow` columns. */
  same: Record<string, string>;
  warnings: string[];
}

const isBlankFrom = (buf: Uint8Array, s: number, e: number): boolean => {
  for (let i = s; i < e; i++) if (buf[i] > 32) return false;
  return true;
};

export function scanTradesCsv(file: string, layout: TradeCsvLayout): TradeCsvResult {
  const scanner = new TradesCsvScanner(file, layout, fs.statSync(file).size);
  forEachChunk(file, (chunk, firstLineNo) => scanner.scan(chunk, firstLineNo));
  return scanner.result();
}

/**
 * The scanning state between chunks. `scan` copies what the row loop reads
 * into locals first: V8 keeps locals in registers, whereas closure variables
 * and object fields are memory loads on every row.
 */
class TradesCsvScanner {
  private cols: TradeColumns | null = null;
  private readonly lines = new LineMap();
  private readonly warnings: string[] = [];
  private width = -1;
  private iTime = -1;
  private iPrice = -1;
  private iAmount = -1;
  private iSide = -1;
  private iId = -1;
  private sameIdx: number[] = [];
  private sameBytes: Uint8Array[] = [];
  private readonly same: Record<string, string> = {};
  private skipped = 0;
  private idProblem = '';
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);
  private readonly gz: boolean;

  constructor(
    private readonly file: string,
    private readonly layout: TradeCsvLayout,
    private readonly size: number,
  ) {
    this.gz = /\.gz$/i.test(file);
  }

  /** Parse the header line; returns false while only blank lines were seen. */
  private header(buf: Buffer, pos: number, end: number, lineNo: number, chunkLen: number): boolean {
    if (isBlankFrom(buf, pos, end)) return false;
    const { layout, file } = this;
    let header = parseHeader(buf.toString('utf8', pos, end));
    if (layout.normaliseHeader) header = layout.normaliseHeader(header);
    this.width = header.length;
    const at = (name: string) => header.indexOf(name);
    const missing = layout.required.filter((c) => at(c) === -1);
    if (missing.length) throw new DataError(file, lineNo, `header is missing column(s) ${missing.join(', ')} (found: ${header.join(',')})`);
    this.iTime = at(layout.timestamp);
    this.iPrice = at(layout.price);
    this.iAmount = at(layout.amount);
    this.iSide = at(layout.side);
    this.iId = at(layout.id);
    this.sameIdx = layout.sameEveryRow.map(at);
    this.starts = new Int32Array(this.width);
    this.ends = new Int32Array(this.width);
    this.lines.setBase(lineNo + 1);
    // Rows in the whole file ≈ rows in this chunk per byte × file size (+1%); gzip: ×6 for the compression, then grown.
    const rowsHere = countNewlines(buf, end, chunkLen) + 1;
    const perByte = rowsHere / Math.max(1, chunkLen - end);
    const estimate = perByte * this.size * (this.gz ? 6 : 1.01) + 1024;
    this.cols = new TradeColumns(Math.min(estimate, 2 ** 31 - 1), this.iId !== -1);
    return true;
  }

  scan(chunk: Uint8Array, firstLineNo: number): number {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const len = buf.length;
    const { file, layout } = this;
    let pos = 0;
    let lineNo = firstLineNo;
    while (this.width === -1 && pos < len) {
      let nl = buf.indexOf(10, pos);
      if (nl === -1) nl = len;
      const end = nl > pos && buf[nl - 1] === 13 ? nl - 1 : nl;
      const found = this.header(buf, pos, end, lineNo, len);
      pos = nl + 1;
      lineNo++;
      if (found) break;
    }
    if (this.width === -1) return lineNo - firstLineNo;
    const c = this.cols!;
    const width = this.width;
    const starts = this.starts;
    const ends = this.ends;
    const iTime = this.iTime;
    const iPrice = this.iPrice;
    const iAmount = this.iAmount;
    const iSide = this.iSide;
    const iId = this.iId;
    const epochOnly = layout.epochDigitsOnly;
    const trimSide = layout.trimSide;
    const checkSame = this.sameIdx.length > 0;
    let time = c.time;
    let price = c.price;
    let amount = c.amount;
    let side = c.side;
    let id = c.id;
    let n = c.length;
    while (pos < len) {
      let nl = buf.indexOf(10, pos);
      if (nl === -1) nl = len;
      const end = nl > pos && buf[nl - 1] === 13 ? nl - 1 : nl;
      if ((end === pos || buf[pos] <= 32) && isBlankFrom(buf, pos, end)) {
        this.skipped++;
        this.lines.shift(n, this.skipped);
      } else {
        // Cell boundaries.
        let f = 0;
        starts[0] = pos;
        for (let i = pos; i < end; i++) {
          if (buf[i] === 44) {
            if (f + 1 < width) {
              ends[f] = i;
              starts[f + 1] = i + 1;
            }
            f++;
          }
        }
        if (f + 1 !== width) {
          throw new DataError(file, lineNo, `expected ${width} columns, found ${f + 1}: '${clip(buf.toString('utf8', pos, end))}'`);
        }
        ends[width - 1] = end;
        if (checkSame) this.checkSame(buf, lineNo);
        if (n === time.length) {
          c.length = n;
          c.reserve(n + 1);
          time = c.time;
          price = c.price;
          amount = c.amount;
          side = c.side;
          id = c.id;
        }
        if (epochOnly) {
          const t = epochDigitsBytes(buf, starts[iTime], ends[iTime]);
          if (t !== t) throw new DataError(file, lineNo, `timestamp '${bytesToLatin1(buf, starts[iTime], ends[iTime])}' is not an integer epoch time in µs`);
          time[n] = t;
        } else time[n] = parseEpochMsBytes(buf, starts[iTime], ends[iTime], file, lineNo);
        price[n] = parseDecimalBytes(buf, starts[iPrice], ends[iPrice], 'price', file, lineNo);
        amount[n] = parseDecimalBytes(buf, starts[iAmount], ends[iAmount], 'amount', file, lineNo);
        side[n] = sideBytes(buf, starts[iSide], ends[iSide], trimSide);
        if (id !== null) {
          let v = smallIntBytes(buf, starts[iId], ends[iId]);
          if (v !== v) {
            const text = bytesToLatin1(buf, starts[iId], ends[iId]);
            const idText = trimSide ? text.trim() : text;
            v = Number(idText);
            if (idText === '' || !Number.isSafeInteger(v)) {
              this.idProblem = `line ${lineNo} has id '${idText}'`;
              c.dropIds();
              id = null;
            }
          }
          if (id !== null) id[n] = v;
        }
        n++;
      }
      pos = nl + 1;
      lineNo++;
    }
    c.length = n;
    return lineNo - firstLineNo;
  }

  private checkSame(buf: Buffer, lineNo: number): void {
    const { sameIdx, starts, ends, layout } = this;
    if (this.sameBytes.length === 0) {
      this.sameBytes = sameIdx.map((k) => Uint8Array.prototype.slice.call(buf, starts[k], ends[k]));
      layout.sameEveryRow.forEach((name, j) => (this.same[name] = Buffer.from(this.sameBytes[j]).toString('utf8')));
      return;
    }
    for (let j = 0; j < sameIdx.length; j++) {
      const k = sameIdx[j];
      const want = this.sameBytes[j];
      const s = starts[k];
      let differs = ends[k] - s !== want.length;
      for (let i = 0; !differs && i < want.length; i++) differs = buf[s + i] !== want[i];
      if (differs) {
        const got = sameIdx.map((kk) => buf.toString('utf8', starts[kk], ends[kk]));
        throw new DataError(
          this.file,
          lineNo,
          `file mixes instruments (${layout.sameEveryRow.map((nm) => this.same[nm]).join(' ')} and ${got.join(' ')}); use one file per instrument`,
        );
      }
    }
  }

  result(): TradeCsvResult {
    if (this.width === -1) throw new DataError(this.file, null, 'file is empty (no header line)');
    if (this.idProblem) this.warnings.push(`${this.file}: trade ids are not all integers below 2^53 (${this.idProblem}); the id column was dropped`);
    return { cols: this.cols!.finish(), lines: this.lines, same: this.same, warnings: this.warnings };
  }
}
