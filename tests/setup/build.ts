/**
 * vitest global setup: make sure dist/ (what the `intercom-elt` bin runs) is built from the current
 * src/. Tests run the real CLI as a child process from dist/ — a compiled start is ~3x faster than
 * transpiling through tsx in every child. Skipped when dist/ is newer than every file in src/.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function newest(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

export default function setup(): void {
  const built = path.join(root, 'dist/cli/main.js');
  if (!existsSync(built) || statSync(built).mtimeMs < newest(path.join(root, 'src'))) {
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
      stdio: 'inherit',
    });
  }
  // as `npm run build` does: tsc writes files without the executable bit, and `npx intercom-elt`
  // in a clone runs the package's own bin as it is
  chmodSync(path.join(root, 'dist/cli/bin.js'), 0o755);
}
