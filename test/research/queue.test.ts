/**
 * Distributed sweeps with real parts: Debian's redis-server (password and a
 * least-privilege ACL user), `edgelab worker` processes and `edgelab
 * calibrate --queue` as a user runs them. One worker is killed with SIGKILL
 * while it holds a job and the coordinator is killed mid-sweep and restarted;
 * the artifact must still equal the local pool's, with the exact trial count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import IORedis from 'ioredis';
import { bundledData } from '../../src/data/bundled';
import { ROOT } from '../helpers/cli';

const REDIS = '/usr/bin/redis-server';
const BIN = path.join(ROOT, 'bin', 'edgelab.js');
const DATA = bundledData.bars5m;
const CRASHY = path.join(ROOT, 'test', 'fixtures', 'strategies', 'crashy.js');
const SWEEP = ['--strategy', 'V4', '--param', 'zEntry=1.5:3:0.25', '--param', 'zExit=0:1:0.5', '--walk-forward', '4'];
const CONFIGS = 7 * 3;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-queue-'));
const adminPassword = randomBytes(12).toString('hex');
const password = `pw-${randomBytes(12).toString('hex')}`;
let port = 0;
let url = '';
const children: ChildProcess[] = [];

// Whatever happens to the tests, nothing they started outlives them.
const killAll = () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};
process.on('exit', killAll);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

interface Proc {
  child: ChildProcess;
  out: string[];
  /** Resolves with the first line matching `re` (already seen or still to come). */
  line(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

function run(args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out: string[] = [];
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const feed = (chunk: Buffer) => {
    for (const l of chunk.toString('utf8').split('\n')) {
      if (!l) continue;
      out.push(l);
      for (const w of [...waiters]) {
        const m = l.match(w.re);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    }
  };
  child.stdout!.on('data', feed);
  child.stderr!.on('data', feed);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    out,
    exited,
    line(re, timeoutMs = 60_000) {
      for (const l of out) {
        const m = l.match(re);
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; got:\n${out.join('\n')}`)), timeoutMs);
        waiters.push({ re, resolve: (m) => (clearTimeout(t), resolve(m)) });
      });
    },
  };
}

function worker(name: string, extra: string[] = []): Proc {
  // Short lock and stall check so a killed worker's job comes back within seconds, not the default 45 s.
  return run(['worker', '--queue', url, '--concurrency', '1', '--name', name, '--lock-duration', '2000', '--stalled-interval', '1000', ...extra]);
}

/** Every process on this machine whose command line mentions `needle` (reads /proc). */
function processesWith(needle: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(needle)) out.push({ pid: Number(d), cmd });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Child processes of `pid` (their PPid in /proc/<child>/status). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const m = /PPid:\s+(\d+)/.exec(fs.readFileSync(`/proc/${d}/status`, 'utf8'));
      if (m && Number(m[1]) === pid) out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

const readArtifact = (dir: string) => {
  const a = JSON.parse(fs.readFileSync(path.join(dir, 'calibration.json'), 'utf8'));
  delete a.createdAt; // the only timing field of the artifact
  return a;
};

let local: Record<string, unknown> & { trials: number };

beforeAll(async () => {
  expect(fs.existsSync(REDIS), `${REDIS} is missing: run scripts/setup-test-env.sh`).toBe(true);
  port = await freePort();
  const redis = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmp, '--requirepass', adminPassword], {
    stdio: 'ignore',
  });
  children.push(redis);
  let admin: IORedis | null = null;
  for (let k = 0; !admin; k++) {
    const r = new IORedis({ host: '127.0.0.1', port, password: adminPassword, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    r.on('error', () => {});
    try {
      await r.connect();
      admin = r;
    } catch (e) {
      r.disconnect();
      if (k > 100) throw e;
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  // The README's minimal ACL, exactly: this user can do nothing else.
  await admin.call('ACL', 'SETUSER', 'edgelab', 'reset', 'on', `>${password}`, '~bull:edgelab-sweeps:*', '&bull:edgelab-sweeps:*', '-@all', '+@read', '+@write', '+@scripting', '+ping', '+info');
  admin.disconnect();
  url = `redis://edgelab:${password}@127.0.0.1:${port}`;

  // The reference: the same sweep on the default executor, the local worker pool.
  const r = spawnSync(process.execPath, [BIN, 'calibrate', '--data', DATA, ...SWEEP, '--workers', '2', '--out', path.join(tmp, 'local'), '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  local = readArtifact(path.join(tmp, 'local'));
  expect(local.trials).toBe(CONFIGS);
}, 180_000);

afterAll(async () => {
  killAll();
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('calibrate --queue with edgelab workers on a real Redis', () => {
  it('survives a worker killed with SIGKILL mid-job and a coordinator restarted mid-sweep: same artifact as the local pool, trials exact, no orphan', async () => {
    const w1 = worker('w1');
    const w2 = worker('w2');
    await w1.line(/listening on/);
    await w2.line(/listening on/);
    const out = path.join(tmp, 'queue');
    const c1 = run(['calibrate', '--data', DATA, ...SWEEP, '--queue', url, '--chunk-size', '2', '--out', out]);

    // Kill w1 while it holds a job, chosen from its own "active job" line.
    const [, killedJob] = await w1.line(/active job (\S+)/);
    const pid = w1.child.pid!;
    // Jobs run in worker threads, not child processes: there is nothing to orphan.
    expect(childrenOf(pid)).toEqual([]);
    expect(processesWith('bullmq')).toEqual([]);
    w1.child.kill('SIGKILL');
    expect(await w1.exited).toBeNull(); // killed by the signal, not exited
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    expect(processesWith('bullmq')).toEqual([]);
    expect(w1.out.some((l) => l.includes(`completed job ${killedJob}`))).toBe(false);

    // Let some jobs finish, then kill the coordinator too; a new one resumes from what Redis holds.
    await w2.line(/completed job .*\n?/);
    await new Promise((r) => setTimeout(r, 500));
    c1.child.kill('SIGKILL');
    await c1.exited;
    expect(fs.existsSync(out)).toBe(false); // nothing half-written
    const c2 = run(['calibrate', '--data', DATA, ...SWEEP, '--queue', url, '--chunk-size', '2', '--out', out]);
    expect(await c2.exited).toBe(0);
    const resumed = c2.out.find((l) => /resumed sweep \w+: \d+ of 11 jobs/.test(l));
    expect(resumed, c2.out.join('\n')).toBeDefined();
    expect(Number(/: (\d+) of/.exec(resumed!)![1])).toBeGreaterThanOrEqual(1);

    // The killed worker's job was re-run by the survivor after its lock lapsed.
    expect(w2.out.some((l) => l.includes(`active job ${killedJob}`))).toBe(true);
    const queued = readArtifact(out);
    expect(queued).toEqual(local);
    expect(queued.trials).toBe(CONFIGS);
    expect(new Set(queued.configurations.map((c: { params: unknown }) => JSON.stringify(c.params))).size).toBe(CONFIGS);
    expect(fs.readFileSync(path.join(out, 'oos-trades.csv'), 'utf8')).toBe(fs.readFileSync(path.join(tmp, 'local', 'oos-trades.csv'), 'utf8'));

    // The password appears nowhere: not in logs, progress lines or artifacts.
    const everything = [...w1.out, ...w2.out, ...c1.out, ...c2.out, ...fs.readdirSync(out).map((f) => fs.readFileSync(path.join(out, f), 'utf8'))].join('\n');
    expect(everything).not.toContain(password);
    expect(everything).toContain('redis://edgelab:***@127.0.0.1');

    // A worker stops cleanly on SIGTERM.
    w2.child.kill('SIGTERM');
    expect(await w2.exited).toBe(0);
    expect(processesWith('bullmq')).toEqual([]);
  }, 240_000);

  it('a worker holding different data under the same name refuses the job, named, and the sweep stops without computing on it', async () => {
    const dir = path.join(tmp, 'other-data');
    fs.mkdirSync(dir);
    const wrong = fs.readFileSync(DATA);
    wrong[wrong.length - 100] ^= 0xff; // same name, same size, one byte different
    fs.writeFileSync(path.join(dir, path.basename(DATA)), wrong);
    const w3 = worker('w3-other-data', ['--data-dir', dir]);
    await w3.line(/listening on/);
    const out = path.join(tmp, 'refused');
    const c = run(['calibrate', '--data', DATA, '--strategy', 'V4', '--param', 'zEntry=2:2.5:0.5', '--queue', url, '--out', out, '--quiet']);
    expect(await c.exited).toBe(2);
    const err = c.out.join('\n');
    expect(err).toMatch(/sweep stopped: job \S+ failed \(\d+ attempts?\): refused: worker w3-other-data refused job/);
    expect(err).toContain(path.join(dir, path.basename(DATA)));
    expect(err).toMatch(/different data/);
    expect(w3.out.some((l) => l.startsWith('worker w3-other-data: completed job'))).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
    w3.child.kill('SIGTERM');
    expect(await w3.exited).toBe(0);
  }, 120_000);

  it('a job that fails on every attempt stops the sweep with that job\'s error — no silent gap, nothing written', async () => {
    const w4 = worker('w4');
    await w4.line(/listening on/);
    const out = path.join(tmp, 'crashy');
    const c = run(['calibrate', '--data', DATA, '--module', CRASHY, '--strategy', 'CRASHY', '--param', 'lookback=5:8:1', '--queue', url, '--chunk-size', '1', '--out', out, '--quiet']);
    expect(await c.exited).toBe(1);
    const err = c.out.join('\n');
    expect(err).toMatch(/sweep stopped: job \S+ failed \(3 attempts\): CRASHY has a bug at lookback 7/);
    expect(err).not.toMatch(/internal error|\n\s+at /); // a message, not a stack trace
    expect(fs.existsSync(out)).toBe(false);
    expect(w4.out.filter((l) => /failed job .*CRASHY has a bug/.test(l)).length).toBe(3);
    w4.child.kill('SIGTERM');
    expect(await w4.exited).toBe(0);
  }, 120_000);
});
