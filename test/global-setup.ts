import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * CLI and notebook tests run the BUILT library (dist/), as users do, so a
 * direct `npx vitest …` rebuilds it first. `npm test` has already built with
 * a hard failure on any type error (its `test` script runs `npm run build`
 * first); here a failed build only warns, so one file mid-edit does not stop
 * unrelated tests during development. The project's own compiler is called
 * by path: node_modules/.bin/tsc may be tslab's older one.
 */
export default function setup(): void {
  const root = path.resolve(__dirname, '..');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(`\n[global-setup] WARNING: the TypeScript build failed; tests that use dist/ may run stale code:\n${r.stdout}${r.stderr}\n`);
  }
}
