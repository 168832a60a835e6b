/**
 * Issue #14: the exit codes and `error:` lines of docs/commands.md, each through the real CLI —
 * init into a folder that cannot be created, a refused confirmation, a failed load, Ctrl-C
 * directly and through npm.
 */
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { repoRoot, runCli, type CliResult } from '../helpers/cli.js';
import { asset, makeProject } from '../helpers/project.js';
import { hasTmux, openTerminal } from '../helpers/tmux.js';
import { restrictingProxy } from './restricting-proxy.js';

const TOKEN = 'tok-exit-codes-5e21';
const cli = path.join(repoRoot, 'dist/cli/main.js');
let fake: FakeIntercom;

beforeAll(async () => {
  // latency makes a run last long enough to be interrupted
  fake = await startFakeIntercom({ seed: 6, token: TOKEN, contacts: 3000, companies: 5, conversations: 5, tickets: 2, latencyMs: 40 });
});
afterAll(async () => {
  await fake?.close();
});

function oneErrorLine(r: CliResult, code = 1): string {
  expect(r.code, r.stdout + r.stderr).toBe(code);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  expect(errors, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return errors[0]!;
}

describe('init', () => {
  test('into a folder the file system refuses (/proc/nope): one line, exit 1, no endless loop', async () => {
    const r = await runCli(['init', '/proc/nope'], { timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(oneErrorLine(r)).toBe(
      'error: init: cannot create folder /proc/nope (ENOENT: the file system does not allow creating it there); choose a folder you can write to',
    );
  });

  test('into a read-only folder: one line naming the file system problem, exit 1', async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-ro-'));
    let mounted = false;
    if (process.getuid?.() === 0) {
      // root writes through file modes: only a read-only mount refuses it
      try {
        execFileSync('mount', ['--bind', dir, dir], { stdio: 'pipe' });
        mounted = true;
        execFileSync('mount', ['-o', 'remount,ro,bind', dir], { stdio: 'pipe' });
      } catch {
        if (mounted) execFileSync('umount', [dir]);
        t.skip('a read-only bind mount is not permitted here');
      }
    } else {
      chmodSync(dir, 0o555);
    }
    try {
      const line = oneErrorLine(await runCli(['init', path.join(dir, 'project')], { timeoutMs: 20_000 }));
      expect(line).toMatch(
        new RegExp(
          `^error: init: cannot create folder ${dir}/project \\((EROFS|EACCES): (read-only file system|permission denied)\\); choose a folder you can write to$`,
        ),
      );
    } finally {
      if (mounted) execFileSync('umount', [dir]);
    }
  });
});

test.skipIf(!hasTmux)('state reset answered "n" on a terminal: error line, exit 1, nothing reset', async () => {
  const p = makeProject({ url: fake.url, token: TOKEN, assets: { tags: asset('tags') } });
  const ok = await runCli(['ingest', '-c', p.configFile, '--progress', 'log']);
  expect(ok.code, ok.stderr).toBe(0);
  const term = openTerminal(`node ${cli} state reset intercom.tags -c ${p.configFile}; echo EXIT=$?; sleep 30`);
  try {
    await term.waitFor((s) => s.includes('[y/N]'), 30_000);
    term.keys('n', 'Enter');
    const screen = await term.waitFor((s) => s.includes('EXIT='), 30_000);
    expect(screen).toContain('error: state reset intercom.tags: not confirmed; nothing changed');
    expect(screen).toContain('EXIT=1');
  } finally {
    term.close();
  }
  const show = await runCli(['state', 'show', 'intercom.tags', '-c', p.configFile]);
  expect(show.stdout).not.toContain('never loaded');
});

test('a failed load ends with one error: line naming the asset, exit 1', async () => {
  // two tables the workspace's plan does not include (403 api_plan_restricted), one that loads
  const proxy = await restrictingProxy(fake.url, {
    '/tags': { status: 403, code: 'api_plan_restricted', message: 'Active subscription needed.' },
    '/teams': { status: 403, code: 'api_plan_restricted', message: 'Active subscription needed.' },
  });
  try {
    const p = makeProject({ url: proxy.url, token: TOKEN, assets: { tags: asset('tags'), teams: asset('teams'), admins: asset('admins') } });
    const r = await runCli(['ingest', '-c', p.configFile, '--progress', 'log', '--parallel', '1']);
    expect(oneErrorLine(r)).toMatch(
      /^error: intercom\.tags failed: Intercom GET \/tags answered 403 \(api_plan_restricted: .*\) \[request_id proxy-0001\] \(and 1 more failed asset\(s\) above\)$/,
    );
    expect(r.stdout).toMatch(/intercom\.admins\s+ok/);
    expect(r.stdout).toMatch(/intercom\.teams\s+failed/);
  } finally {
    await proxy.close();
  }
});

/** Starts the CLI command line in its own process group (as a terminal does) and Ctrl-Cs the group once contacts pages flow. */
async function ctrlC(command: string, args: string[], cwd: string): Promise<CliResult> {
  const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  for (const until = Date.now() + 60_000; (stdout.match(/"type":"page","asset":"intercom\.contacts"/g) ?? []).length < 3;) {
    if (Date.now() > until || child.exitCode !== null) throw new Error(`no contacts pages: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  process.kill(-child.pid!, 'SIGINT');
  return closed;
}

describe('Ctrl-C', () => {
  const run = (p: { configFile: string }) => ['ingest', '-c', p.configFile, '--progress', 'json', '--checkpoint-pages', '10000'];

  test('directly: the checkpoint is committed, an error: line, exit 2', async () => {
    const p = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: asset('contacts') } });
    const r = await ctrlC(process.execPath, [cli, ...run(p)], p.dir);
    expect(oneErrorLine(r, 2)).toMatch(/^error: interrupted by SIGINT; .*committed/);
    expect(r.stderr).toContain('SIGINT: stopping at the next checkpoint');
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string })
        .at(-1),
    ).toMatchObject({ type: 'error', error: { code: 'interrupted' } });
  }, 120_000);

  test('through npm run: npm reports 130 (its shell dies of SIGINT) while the CLI still commits and exits 2', async () => {
    const p = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: asset('contacts') } });
    writeFileSync(
      path.join(p.dir, 'package.json'),
      JSON.stringify({ name: 'elt-project', private: true, scripts: { elt: `node ${cli} ${run(p).join(' ')}` } }),
    );
    const r = await ctrlC('npm', ['run', '--silent', 'elt'], p.dir);
    // npm re-raises SIGINT on itself: a shell shows 130
    expect(r.code === 130 || r.signal === 'SIGINT', `${r.code} ${r.signal}`).toBe(true);
    // the pipe closes only when the CLI is done: it stopped at its checkpoint all the same
    expect(r.stderr).toContain('SIGINT: stopping at the next checkpoint');
    expect(r.stderr).toMatch(/^error: interrupted by SIGINT; .*committed/m);
  }, 120_000);
});
