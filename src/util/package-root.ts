import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | null = null;

/** The edgelab package root, found by walking up from this file (works from src/ and dist/src/). */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'edgelab') return (cached = dir);
      } catch {
        /* keep walking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('edgelab package root not found above ' + __dirname);
    dir = up;
  }
}

export function edgelabVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version;
}
