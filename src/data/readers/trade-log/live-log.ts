/**
 * The live bot's trade log (and edgelab's own trades.csv / trades.jsonl, which
 * use the same field names in camelCase): one round trip per CSV row or JSON
 * Lines object. The format is documented in README "Trade logs".
 *
 * CSV: a header line, then one row per trade; cells may be double-quoted
 * (RFC 4180, `""` for a quote inside), but a record may not span lines.
 * JSON Lines: one JSON object per line; blank lines are skipped.
 * Line numbers are 1-based lines of the file (the CSV header is line 1).
 */
import { DataError } from '../../../util/errors';
import { forEachLineInBuffer } from '../lines';
import { clip } from '../csv';
import { looksLikeTradeRecord, notATradeLogReason, parseTradeRecord, resolveFields, type ParsedRecord, type RawRecord } from './record';

/** Split one CSV line, honouring double quotes. */
export function splitCsvLine(line: string, file: string, lineNo: number): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let i = 0;
  let quoted = false;
  while (i < line.length) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else cur += c;
    } else if (c === '"') {
      if (cur.trim() !== '') throw new DataError(file, lineNo, `stray quote inside a cell: '${clip(line)}'`);
      quoted = true;
      cur = '';
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
    i++;
  }
  if (quoted) throw new DataError(file, lineNo, `unterminated quote: '${clip(line)}'`);
  out.push(cur);
  return out;
}

/** Header names of a CSV trade log, or null when the first line is not one. */
export function csvTradeLogHeader(firstLine: string): string[] | null {
  const header = splitCsvLine(firstLine, '', 1).map((h) => h.trim());
  return looksLikeTradeRecord(header) ? header : null;
}

/** Read a CSV trade log from its bytes. */
export function readTradeLogCsv(buf: Buffer, file: string): ParsedRecord[] {
  const out: ParsedRecord[] = [];
  let header: string[] | null = null;
  let fields: ReturnType<typeof resolveFields> = {};
  forEachLineInBuffer(buf, (line, lineNo) => {
    if (line.trim() === '') return;
    if (header === null) {
      header = splitCsvLine(line, file, lineNo).map((h) => h.trim());
      if (!looksLikeTradeRecord(header)) {
        throw new DataError(file, lineNo, `not a trade-log header: ${notATradeLogReason(header)} (found: ${clip(header.join(','))})`);
      }
      const seen = new Set<string>();
      for (const h of header) {
        if (seen.has(h)) throw new DataError(file, lineNo, `column '${h}' appears twice in the header`);
        seen.add(h);
      }
      fields = resolveFields(header);
      return;
    }
    const cells = splitCsvLine(line, file, lineNo);
    if (cells.length !== header.length) {
      throw new DataError(file, lineNo, `expected ${header.length} columns, found ${cells.length}: '${clip(line)}'`);
    }
    const rec: RawRecord = {};
    header.forEach((h, i) => (rec[h] = cells[i]));
    out.push(parseTradeRecord(rec, fields, file, lineNo));
  });
  if (header === null) throw new DataError(file, null, 'file is empty (no header line)');
  return out;
}

/** Read a JSON Lines trade log from its bytes. */
export function readTradeLogJsonl(buf: Buffer, file: string): ParsedRecord[] {
  const out: ParsedRecord[] = [];
  // Lines written by one program share their key list: resolve the names once per distinct list.
  const fieldsByKeys = new Map<string, ReturnType<typeof resolveFields> | null>();
  forEachLineInBuffer(buf, (line, lineNo) => {
    if (line.trim() === '') return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      throw new DataError(file, lineNo, `invalid JSON (${(e as Error).message}): '${clip(line)}'`);
    }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      throw new DataError(file, lineNo, `expected one JSON object per line, got ${clip(line)}`);
    }
    const keys = Object.keys(rec);
    const sig = keys.join('\u0000');
    let fields = fieldsByKeys.get(sig);
    if (fields === undefined) {
      fields = looksLikeTradeRecord(keys) ? resolveFields(keys) : null;
      fieldsByKeys.set(sig, fields);
    }
    if (fields === null) {
      throw new DataError(file, lineNo, `not a trade record: ${notATradeLogReason(keys)} (found keys: ${clip(keys.join(','))})`);
    }
    out.push(parseTradeRecord(rec as RawRecord, fields, file, lineNo));
  });
  return out;
}
