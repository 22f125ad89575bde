/**
 * Where a live config's past lives, and how it is written.
 *
 * `<live>.history/r000001.json …` keep every revision's exact bytes;
 * `<live>.history/promotions.jsonl` is the append-only log (one JSON object
 * per line, fsync'd). Writes happen under a lock (`<live>.lock`, via
 * proper-lockfile) so two promotions cannot interleave: the second waits,
 * then reads what the first wrote. The live file is replaced atomically
 * (temp file, fsync, rename), after its revision is already in the history.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { UserError } from '../util/errors';
import { writeFileAtomic } from '../util/atomic-write';

export const historyDir = (live: string) => `${live}.history`;
export const revisionFile = (live: string, n: number) => path.join(historyDir(live), `r${String(n).padStart(6, '0')}.json`);
export const logFile = (live: string) => path.join(historyDir(live), 'promotions.jsonl');

/** Revision numbers kept in the history, ascending. */
export function listRevisions(live: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(historyDir(live));
  } catch {
    return [];
  }
  return names
    .map((n) => /^r(\d{6})\.json$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/**
 * Run `fn` holding the live file's lock; a second caller waits (up to ~30 s),
 * then fails naming the lock. A lock left by a crashed process goes stale
 * after 10 s (the holder refreshes it every 5 s) and is then taken over.
 */
export async function withLiveLock<T>(live: string, fn: () => Promise<T> | T, onWait?: (lockPath: string) => void): Promise<T> {
  fs.mkdirSync(path.dirname(path.resolve(live)), { recursive: true });
  const lockPath = `${live}.lock`;
  const opts = { realpath: false, lockfilePath: lockPath, stale: 10_000 };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(live, { ...opts, retries: 0 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    onWait?.(lockPath);
    try {
      release = await lockfile.lock(live, { ...opts, retries: { retries: 60, factor: 1.3, minTimeout: 50, maxTimeout: 1000 } });
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'ELOCKED') {
        throw new UserError(`${live}: another promotion holds the lock (${lockPath}) and did not finish within 30 s; nothing written — try again`);
      }
      throw e2;
    }
  }
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * Test hook, read only here: `EDGELAB_TEST_KILL_BEFORE_RENAME=1` kills the
 * process after the temp file of the live config is written and fsync'd,
 * before the rename — the crash the atomic write must survive.
 */
function crashHook(): ((tmp: string) => void) | undefined {
  if (process.env.EDGELAB_TEST_KILL_BEFORE_RENAME !== '1') return undefined;
  return () => {
    process.kill(process.pid, 'SIGKILL');
  };
}

/** Test hook: `EDGELAB_TEST_HOLD_LOCK_MS=<ms>` keeps the lock that long before writing, to make two promotions overlap. */
export async function testHoldLock(): Promise<void> {
  const ms = Number(process.env.EDGELAB_TEST_HOLD_LOCK_MS ?? 0);
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
}

/** Keep `text` as revision `n` in the history, then make it the live file. */
export function writeRevision(live: string, n: number, text: string): void {
  writeFileAtomic(revisionFile(live, n), text);
  writeFileAtomic(live, text, { beforeRename: crashHook() });
}

/** Append one entry to the promotion log and fsync it. */
export function appendLog(live: string, entry: object): void {
  fs.mkdirSync(historyDir(live), { recursive: true });
  const fd = fs.openSync(logFile(live), 'a');
  try {
    fs.writeSync(fd, JSON.stringify(entry) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Every log entry, oldest first; a malformed line is named. */
export function readLog<T = Record<string, unknown>>(live: string): T[] {
  let text: string;
  try {
    text = fs.readFileSync(logFile(live), 'utf8');
  } catch {
    return [];
  }
  const out: T[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as T);
    } catch (e) {
      throw new UserError(`${logFile(live)}: line ${i + 1}: not valid JSON: ${(e as Error).message}`);
    }
  });
  return out;
}
