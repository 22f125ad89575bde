import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * CLI and notebook tests run the BUILT library (dist/), as users do. Build it
 * once before any test so they never run stale code. The project's own
 * compiler is called by path: node_modules/.bin/tsc may be tslab's older one.
 */
export default function setup(): void {
  const root = path.resolve(__dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')], {
    stdio: 'inherit',
    cwd: root,
  });
}
