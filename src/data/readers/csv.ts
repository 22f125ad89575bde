/**
 * A small CSV driver shared by the CSV readers. It handles what every reader
 * needs: the header line, blank lines, the column count check and line
 * numbers. It does not handle quoted cells containing commas: market data
 * CSVs (Tardis, exchange exports, ccxt dumps) never quote numbers, and
 * splitting on ',' keeps parsing fast.
 */
import { DataError } from '../../util/errors';
import { forEachLine } from './lines';
import { parseHeader } from './columns';

/** Index of each named column in a header, or a DataError on line 1 listing what is missing. */
export function columnIndex<K extends string>(
  file: string,
  header: string[],
  required: readonly K[],
  optional: readonly string[] = [],
): Record<K, number> & Record<string, number> {
  const idx: Record<string, number> = {};
  header.forEach((h, i) => {
    if (!(h in idx)) idx[h] = i;
  });
  const missing = required.filter((c) => !(c in idx));
  if (missing.length) {
    throw new DataError(file, 1, `header is missing column(s) ${missing.join(', ')} (found: ${header.join(',')})`);
  }
  const out: Record<string, number> = {};
  for (const c of required) out[c] = idx[c];
  for (const c of optional) out[c] = c in idx ? idx[c] : -1;
  return out as Record<K, number> & Record<string, number>;
}

/**
 * Walk a headed CSV file: `onHeader` gets the lower-cased header names, then
 * `onRow` gets the cells of each non-blank data line and its 1-based line
 * number (the header is line 1). Rows whose column count differs from the
 * header's are malformed → DataError.
 */
export function walkCsv(
  file: string,
  onHeader: (header: string[]) => void,
  onRow: (cells: string[], lineNo: number) => void,
): void {
  let width = -1;
  forEachLine(file, (line, lineNo) => {
    if (width === -1) {
      if (line.trim() === '') return; // leading blank lines before the header
      const header = parseHeader(line);
      width = header.length;
      onHeader(header);
      return;
    }
    if (line.length === 0 || line.trim() === '') return;
    const cells = line.split(',');
    if (cells.length !== width) {
      throw new DataError(file, lineNo, `expected ${width} columns, found ${cells.length}: '${clip(line)}'`);
    }
    onRow(cells, lineNo);
  });
  if (width === -1) throw new DataError(file, null, 'file is empty (no header line)');
}

/** A line shortened for an error message. */
export function clip(s: string, max = 120): string {
  return s.length > max ? s.slice(0, max) + '…' : s;
}
