import * as fs from 'node:fs';
import { createHash } from 'node:crypto';

/**
 * SHA-256 (hex) of the bytes of one file, or of several read in order as one
 * stream (a tape joined from several files is labelled `a + b`). Null when a
 * file cannot be read (a tape built from arrays has no file).
 */
export function filesSha256(files: readonly string[]): string | null {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const f of files) {
    let fd: number;
    try {
      fd = fs.openSync(f, 'r');
    } catch {
      return null;
    }
    try {
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        h.update(buf.subarray(0, n));
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  return h.digest('hex');
}

/** The files behind a tape's `source.file` label (`a + b` when several were joined). */
export function tapeSourceFiles(label: string): string[] {
  return label.split(' + ');
}
