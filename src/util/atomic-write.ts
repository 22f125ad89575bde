import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Write a file atomically: write to a temporary sibling, fsync, then rename.
 * A crash or error leaves either the previous file or the new one, never a
 * half-written file. `beforeRename` runs between the fsync and the rename
 * (tests use it to simulate a crash there).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, opts: { beforeRename?: (tmp: string) => void } = {}): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    opts.beforeRename?.(tmp);
    fs.renameSync(tmp, file);
    fsyncDir(dir);
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* ignore cleanup failure; the original error matters */
    }
    throw e;
  }
}

/** Make a rename durable: fsync the directory that holds the entry (best effort where a platform cannot). */
function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* some platforms cannot fsync a directory; the file itself is already fsync'd */
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/**
 * Write several files as one unit into `outDir`: all are first written to a
 * staging directory beside it, then moved in. If anything fails before the
 * move, `outDir` is untouched. Existing files of the same names are replaced.
 */
export function writeOutputsAtomic(outDir: string, files: Record<string, string | Uint8Array>): void {
  const parent = path.dirname(path.resolve(outDir));
  fs.mkdirSync(parent, { recursive: true });
  const stage = fs.mkdtempSync(path.join(parent, `.${path.basename(outDir)}.staging-`));
  try {
    for (const [name, data] of Object.entries(files)) {
      const f = path.join(stage, name);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, data);
    }
    fs.mkdirSync(outDir, { recursive: true });
    for (const name of Object.keys(files)) {
      const dest = path.join(outDir, name);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.renameSync(path.join(stage, name), dest);
    }
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
