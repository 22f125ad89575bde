/**
 * A job never carries the tape, only a reference to it: the files it was
 * loaded from and their SHA-256. A worker opens the same files (or files of
 * the same name under its own data folder), hashes them and refuses the job
 * when any hash differs, so nothing is ever computed on the wrong data.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { filesSha256 } from '../util/hash';

export interface TapeRef {
  files: { path: string; name: string; bytes: number; sha256: string }[];
  /** SHA-256 over the files' hashes, in order: names the data in job ids. */
  hash: string;
}

const memo = new Map<string, string>();

/** SHA-256 of a file (util/hash), remembered per (path, size, mtime) for this process: a worker hashes its tape once, not per job. */
export function fileSha256(file: string): string {
  const st = fs.statSync(file);
  const key = `${path.resolve(file)}|${st.size}|${st.mtimeMs}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const hex = filesSha256([file]);
  if (hex === null) throw new Error(`${file}: cannot be read`);
  memo.set(key, hex);
  return hex;
}

export function tapeRef(files: readonly string[]): TapeRef {
  const list = files.map((f) => {
    const p = path.resolve(f);
    return { path: p, name: path.basename(p), bytes: fs.statSync(p).size, sha256: fileSha256(p) };
  });
  return { files: list, hash: createHash('sha256').update(list.map((f) => f.sha256).join('\n')).digest('hex') };
}

/**
 * Where this machine holds each referenced file: `dataDir/<name>` when a data
 * folder is given, else the coordinator's path. Returns the paths or the
 * reason the data here is not the sweep's data.
 */
export function resolveTapeRef(ref: TapeRef, dataDir?: string): { ok: true; files: string[] } | { ok: false; reason: string } {
  const files: string[] = [];
  for (const f of ref.files) {
    const p = dataDir ? path.join(dataDir, f.name) : f.path;
    if (!fs.existsSync(p)) return { ok: false, reason: `${p} does not exist here (the sweep's data is ${f.name}, sha256 ${f.sha256.slice(0, 16)}…)` };
    const sha = fileSha256(p);
    if (sha !== f.sha256) return { ok: false, reason: `${p} has sha256 ${sha.slice(0, 16)}…, the sweep's data ${f.name} has ${f.sha256.slice(0, 16)}… — different data` };
    files.push(p);
  }
  return { ok: true, files };
}
