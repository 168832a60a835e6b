/**
 * Issue #14 item 18: install without a clone. `npm pack` the repository, `npm install --global`
 * the tarball into a temp prefix, and run the installed `intercom-elt` outside the repository:
 * `demo` (built-in assets and fake Intercom from the installed package, then the `query` line it
 * prints), `init` (connections.example.yml from the package) and the package entry's API.
 * No internet: dependencies resolve against a loopback stand-in registry built from
 * package-lock.json, tarballs come from the npm cache that `npm ci` filled.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { tables } from '../../src/intercom/tables/index.js';
import { repoRoot, runCommand, type CliResult } from '../helpers/cli.js';
import { startLockRegistry } from '../helpers/lock-registry.js';

/**
 * In memory where the machine has it (and lets programs run from it): the install writes and then
 * removes ~18,000 files, most of them snowflake-sdk's cloud SDKs; on a busy disk that is minutes.
 */
function scratchDir(): string {
  const shm = existsSync('/proc/mounts')
    ? readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .find((l) => l.split(' ')[1] === '/dev/shm')
    : undefined;
  return shm && !shm.split(' ')[3]!.split(',').includes('noexec') ? '/dev/shm' : os.tmpdir();
}
const scratch = scratchDir();
const tmp = mkdtempSync(path.join(scratch, 'ielt-install-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** npm as a user runs it: none of the npm_* settings of the `npm test` that started us (the cache location aside). */
const npmEnv: Record<string, string | undefined> = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => /^npm_/i.test(k) && k.toLowerCase() !== 'npm_config_cache')
    .map((k) => [k, undefined]),
);

const ok = (r: CliResult, what: string) => expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).toBe(0);

test('npm pack → npm install --global → intercom-elt demo, query and init outside the repository', { timeout: 300_000 }, async () => {
  // dist/ is fresh (tests/setup/build.ts); --ignore-scripts skips `prepare`, which would build it again
  const pack = await runCommand('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { env: npmEnv });
  ok(pack, 'npm pack');
  const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = packed!.files.map((f) => f.path);
  for (const f of [
    'dist/cli/bin.js',
    'dist/cli/main.js',
    'dist/index.js',
    'dist/index.d.ts',
    'connections.example.yml',
    'assets/contacts.asset.yml',
    'docs/commands.md',
    'README.md',
  ]) {
    expect(files, f).toContain(f);
  }
  expect(files.filter((f) => /^(src|tests|bench|node_modules)\/|\.map$/.test(f))).toEqual([]);
  expect(readFileSync(path.join(repoRoot, 'dist/cli/bin.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);

  const registry = await startLockRegistry(path.join(repoRoot, 'package-lock.json'));
  const prefix = path.join(tmp, 'prefix');
  let install: CliResult;
  try {
    install = await runCommand(
      'npm',
      ['install', '--global', '--prefix', prefix, '--registry', registry.url, '--prefer-offline', '--no-audit', '--no-fund', path.join(tmp, packed!.filename)],
      { env: npmEnv, cwd: tmp },
    );
  } finally {
    await registry.close();
  }
  ok(install, 'npm install --global');
  expect(install.stderr).not.toMatch(/npm error/);
  const pkgDir = path.join(prefix, 'lib/node_modules/intercom-elt');
  expect(existsSync(path.join(pkgDir, 'src')), 'the package ships no sources').toBe(false);
  const bin = path.join(prefix, 'bin/intercom-elt');

  // outside the repository, nothing of it on any path
  const work = mkdtempSync(path.join(scratch, 'ielt-outside-'));
  try {
    const entry = path.join(pkgDir, JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).main as string);
    const [demo, init, api] = await Promise.all([
      runCommand(bin, ['demo', '--progress', 'log'], { cwd: work, env: npmEnv }),
      runCommand(bin, ['init', 'proj'], { cwd: work, env: npmEnv }),
      runCommand(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import(${JSON.stringify(entry)}); console.log(typeof m.ingest, typeof m.check)`],
        { cwd: work },
      ),
    ]);

    ok(demo, 'intercom-elt demo');
    expect(demo.stdout).toMatch(/^intercom\.contacts\s+ok\s+5,000\s/m);
    expect(existsSync(path.join(work, 'demo.duckdb'))).toBe(true);
    const hint = /^Explore it: intercom-elt (query --dest-uri duckdb:\/\/\/demo\.duckdb) "([^"]+)"$/m.exec(demo.stdout);
    expect(hint, demo.stdout).not.toBeNull();
    const q = await runCommand(bin, [...hint![1]!.split(' '), hint![2]!], { cwd: work });
    ok(q, 'the printed query');
    expect(q.stdout).toMatch(/^name\s+email\s+updated_at\n/);
    expect(q.stdout.trimEnd().split('\n').at(-1)).toBe('(5 rows)');

    ok(init, 'intercom-elt init');
    expect(readFileSync(path.join(work, 'proj/connections.yml'), 'utf8')).toBe(readFileSync(path.join(repoRoot, 'connections.example.yml'), 'utf8'));
    expect(readdirSync(path.join(work, 'proj/assets')).sort()).toEqual(tables.map((t) => `${t.name}.asset.yml`).sort());

    ok(api, 'import of the package entry');
    expect(api.stdout.trim()).toBe('function function');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('in a clone, npx intercom-elt runs the built command (what the demo and ingest print under npm)', async () => {
  // npx runs the package's own bin as the build left it: without the executable bit, the shell
  // answered "intercom-elt: Permission denied" to the demo's closing query line
  const r = await runCommand('npx', ['--no', '--', 'intercom-elt', '--version'], { cwd: repoRoot, env: npmEnv });
  ok(r, 'npx intercom-elt --version');
  expect(r.stdout).toMatch(/^intercom-elt\/\d+\.\d+\.\d+ /);
});
