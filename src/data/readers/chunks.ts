/**
 * A file's content as a sequence of byte chunks that each end on a line
 * boundary, for the byte-level readers (fast-csv.ts, trades-jsonl.ts).
 *
 * Why chunks and not lines: turning every line into a JS string (and every
 * cell into another) is what made ingest slow and memory-hungry — two string
 * allocations per row and a cell array. The fast readers scan bytes and parse
 * numbers straight out of the chunk, so no per-row object is created.
 *
 * Plain files are read in fixed 8 MiB pieces into one reusable buffer; gzip
 * files are inflated as a stream (fflate's synchronous `Gunzip`), so a
 * compressed month of trades never exists inflated in memory at once.
 */
import * as fs from 'node:fs';
import { Gunzip } from 'fflate';
import { UserError } from '../../util/errors';
import { assertReadableFile, isGzipMagic } from './lines';

const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Called with a chunk holding whole lines (the last chunk of the file may end
 * without a newline) and the 1-based line number of the chunk's first line.
 * Returns the number of lines it consumed (the fast readers count them
 * anyway), or nothing to have them counted here. The buffer is reused after
 * the call returns: copy what must outlive it.
 */
export type ChunkHandler = (chunk: Uint8Array, firstLineNo: number) => number | void;

/** Bytes read per chunk; EDGELAB_READ_CHUNK_BYTES overrides it (tests use tiny chunks to exercise every seam). */
function chunkBytes(): number {
  const env = Number(process.env.EDGELAB_READ_CHUNK_BYTES);
  return Number.isInteger(env) && env >= 16 ? env : CHUNK_BYTES;
}

/** Number of `\n` bytes in `buf[from, to)` (memchr-speed via indexOf). */
export function countNewlines(buf: Uint8Array, from = 0, to = buf.length): number {
  let n = 0;
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = b.indexOf(10, from);
  while (at !== -1 && at < to) {
    n++;
    at = b.indexOf(10, at + 1);
  }
  return n;
}

/** A copy (a Buffer's own `slice` is a view, which the next read would overwrite). */
const copyBytes = (a: Uint8Array): Uint8Array => Uint8Array.prototype.slice.call(a);

const hasBom = (b: Uint8Array) => b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;

/** Line-aligns a stream of pieces (gzip output), carrying a partial last line to the next piece. */
class LineAligner {
  private carry: Uint8Array = new Uint8Array(0);
  private lineNo = 1;
  private first = true;
  constructor(private readonly onChunk: ChunkHandler) {}

  private deliver(data: Uint8Array): void {
    const consumed = this.onChunk(data, this.lineNo);
    this.lineNo += typeof consumed === 'number' ? consumed : countNewlines(data);
  }

  push(piece: Uint8Array, final: boolean): void {
    let data = piece;
    if (this.carry.length) {
      const joined = new Uint8Array(this.carry.length + piece.length);
      joined.set(this.carry, 0);
      joined.set(piece, this.carry.length);
      data = joined;
      this.carry = new Uint8Array(0);
    }
    if (this.first && data.length >= 3) {
      // A UTF-8 byte-order mark is not part of the header's first name.
      if (hasBom(data)) data = data.subarray(3);
      this.first = false;
    }
    if (final) {
      if (data.length) this.deliver(data);
      return;
    }
    let lastNl = data.length - 1;
    while (lastNl >= 0 && data[lastNl] !== 10) lastNl--;
    if (lastNl < 0) {
      this.carry = copyBytes(data);
      return;
    }
    this.deliver(data.subarray(0, lastNl + 1));
    this.carry = copyBytes(data.subarray(lastNl + 1));
  }
}

/** Walk a file (plain or gzip) in line-aligned chunks. */
export function forEachChunk(file: string, onChunk: ChunkHandler): void {
  assertReadableFile(file);
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const gz = fs.readSync(fd, head, 0, 2, 0) === 2 && isGzipMagic(head);
    if (!gz) {
      readPlainChunks(fd, onChunk);
      return;
    }
    const aligner = new LineAligner(onChunk);
    const gunzip = new Gunzip((data, final) => {
      aligner.push(data, false);
      if (final) aligner.push(new Uint8Array(0), true);
    });
    const size = chunkBytes();
    let pos = 0;
    for (;;) {
      // A fresh buffer per read: fflate may keep a reference to unconsumed input.
      const piece = Buffer.allocUnsafe(size);
      const n = fs.readSync(fd, piece, 0, size, pos);
      pos += n;
      try {
        gunzip.push(piece.subarray(0, n), n === 0);
      } catch (e) {
        if (e instanceof UserError) throw e;
        throw new UserError(`${file}: cannot decompress gzip data (${(e as Error).message})`);
      }
      if (n === 0) break;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Plain file: one buffer, refilled in place. The partial last line of each
 * read is moved to the front and the next read lands right after it, so no
 * chunk is ever copied to join it with its carry.
 */
function readPlainChunks(fd: number, onChunk: ChunkHandler): void {
  const size = chunkBytes();
  let buf = Buffer.allocUnsafe(size * 2);
  let carry = 0;
  let pos = 0;
  let lineNo = 1;
  let first = true;
  for (;;) {
    if (buf.length - carry < size) {
      // A line longer than a chunk: make room.
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, carry);
      buf = bigger;
    }
    const n = fs.readSync(fd, buf, carry, size, pos);
    pos += n;
    let total = carry + n;
    if (first) {
      first = false;
      if (total >= 3 && hasBom(buf)) {
        // A UTF-8 byte-order mark is not part of the header's first name.
        buf.copyWithin(0, 3, total);
        total -= 3;
      }
    }
    if (n === 0) {
      if (total > 0) onChunk(buf.subarray(0, total), lineNo);
      return;
    }
    const lastNl = total > 0 ? buf.lastIndexOf(10, total - 1) : -1;
    if (lastNl < 0) {
      carry = total;
      continue;
    }
    const whole = buf.subarray(0, lastNl + 1);
    const consumed = onChunk(whole, lineNo);
    lineNo += typeof consumed === 'number' ? consumed : countNewlines(whole);
    carry = total - lastNl - 1;
    buf.copyWithin(0, lastNl + 1, total);
  }
}
