/**
 * Low-level file access shared by the readers: existence checks, sniffing the
 * first bytes of a file, and line-by-line iteration without building one huge
 * string (files can hold millions of rows).
 *
 * Everything here is synchronous: loading data is a one-off step before a
 * backtest, and a sync API keeps `loadData()` usable from notebooks and tests
 * without `await`.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { UserError } from '../../util/errors';

/** First two bytes of every gzip stream. */
export function isGzipMagic(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Throws a UserError naming the file when it does not exist or is a directory. */
export function assertReadableFile(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UserError(`${file}: file not found`);
  }
  if (!st.isFile()) throw new UserError(`${file}: not a regular file`);
}

/**
 * The first `maxBytes` bytes of the file's *content*: gzip files are inflated
 * (only as far as the compressed prefix allows), so sniffing sees the text.
 */
export function readHead(file: string, maxBytes = 64 * 1024): { raw: Buffer; content: Buffer; gzip: boolean } {
  assertReadableFile(file);
  const fd = fs.openSync(file, 'r');
  try {
    const raw = Buffer.alloc(maxBytes);
    const n = fs.readSync(fd, raw, 0, maxBytes, 0);
    const head = raw.subarray(0, n);
    if (!isGzipMagic(head)) return { raw: head, content: head, gzip: false };
    let content: Buffer;
    try {
      // Z_SYNC_FLUSH lets zlib return what it could inflate from a truncated stream.
      content = zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch {
      content = Buffer.alloc(0);
    }
    return { raw: head, content: content.subarray(0, maxBytes), gzip: true };
  } finally {
    fs.closeSync(fd);
  }
}

/** The whole content of a file, gunzipped when it is gzip-compressed. */
export function readContent(file: string): Buffer {
  assertReadableFile(file);
  const buf = fs.readFileSync(file);
  if (!isGzipMagic(buf)) return buf;
  try {
    return zlib.gunzipSync(buf);
  } catch (e) {
    throw new UserError(`${file}: cannot decompress gzip data (${(e as Error).message})`);
  }
}

/**
 * Called once per line with the line's text (no trailing `\r`/`\n`) and its
 * 1-based line number. Return `false` to stop early.
 */
export type LineHandler = (line: string, lineNo: number) => void | boolean;

/**
 * Iterate the lines of an in-memory buffer (UTF-8). A BOM is dropped when the
 * buffer starts the file (`firstLineNo === 1`). Returns the last line number seen.
 */
export function forEachLineInBuffer(buf: Buffer, onLine: LineHandler, firstLineNo = 1): number {
  const hasBom = firstLineNo === 1 && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  let pos = hasBom ? 3 : 0;
  let lineNo = firstLineNo;
  while (pos < buf.length) {
    let end = buf.indexOf(0x0a, pos);
    const next = end === -1 ? buf.length : end + 1;
    if (end === -1) end = buf.length;
    const stop = end > pos && buf[end - 1] === 0x0d ? end - 1 : end;
    if (onLine(buf.toString('utf8', pos, stop), lineNo) === false) return lineNo;
    lineNo++;
    pos = next;
  }
  return lineNo - 1;
}

/**
 * Iterate the lines of a file. Plain files are read in 4 MiB chunks so memory
 * stays flat however large the file; gzip files are inflated in one go (Node
 * has no synchronous streaming inflate) and then walked without splitting.
 */
export function forEachLine(file: string, onLine: LineHandler): void {
  assertReadableFile(file);
  const fd = fs.openSync(file, 'r');
  try {
    const magic = Buffer.alloc(2);
    fs.readSync(fd, magic, 0, 2, 0);
    if (isGzipMagic(magic)) {
      forEachLineInBuffer(readContent(file), onLine);
      return;
    }
    const chunkSize = 4 * 1024 * 1024;
    const chunk = Buffer.alloc(chunkSize);
    let carry: Buffer = Buffer.alloc(0);
    let lineNo = 1;
    let filePos = 0;
    let first = true;
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunkSize, filePos);
      filePos += n;
      let data = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      if (first && data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
      first = false;
      if (n === 0) {
        if (data.length) onLine(stripCr(data.toString('utf8')), lineNo);
        return;
      }
      const lastNl = data.lastIndexOf(0x0a);
      if (lastNl === -1) {
        carry = Buffer.from(data);
        continue;
      }
      let stopped = false;
      const lastLine = forEachLineInBuffer(
        data.subarray(0, lastNl + 1),
        (line, no) => {
          if (onLine(line, no) === false) {
            stopped = true;
            return false;
          }
        },
        lineNo,
      );
      if (stopped) return;
      lineNo = lastLine + 1;
      carry = Buffer.from(data.subarray(lastNl + 1));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}
