/**
 * Issue #16: `ingest --every` runs on a schedule — each change picked up once, a SIGTERM during
 * the sleep ends the loop at once with 0, a refused token stops it with 1, and the slots are
 * aligned to the interval with a bounded jitter.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_JITTER_MS, nextSlot, scheduleOf } from '../../src/cli/every.js';
import { ConfigError } from '../../src/core/errors.js';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { restrictingProxy } from './restricting-proxy.js';
import { query } from '../helpers/duck.js';
import { asset, makeProject, postgresConnectionYaml } from '../helpers/project.js';
import { exportTable } from '../helpers/truth.js';

const TOKEN = 'tok-every-7e21';
let fake: FakeIntercom;

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 5, token: TOKEN, contacts: 30, companies: 3, conversations: 2, tickets: 1 });
});
afterAll(async () => {
  await fake?.close();
});

type Event = Record<string, unknown>;

/** The CLI with `--progress json`, calling `onEvent(event, child)` for each JSON line as it comes. */
function runJson(args: string[], onEvent: (e: Event, kill: (sig: NodeJS.Signals) => void) => void, env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; events: Event[]; stderr: string; exitedAt: number }>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist/cli/main.js'), ...args, '--progress', 'json'], {
      cwd: repoRoot,
      env: { ...process.env, FORCE_COLOR: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const events: Event[] = [];
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const e = JSON.parse(line) as Event;
        events.push(e);
        onEvent(e, (sig) => child.kill(sig));
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, events, stderr, exitedAt: Date.now() });
    });
  });
}

describe('ingest --every', () => {
  test('slots are aligned to the interval; the jitter stays under a tenth of it (at most 30 s)', () => {
    const m15 = 15 * 60_000;
    const now = Date.UTC(2024, 0, 1, 10, 7, 12);
    expect(nextSlot(now, m15, 0)).toBe(Date.UTC(2024, 0, 1, 10, 15));
    expect(nextSlot(Date.UTC(2024, 0, 1, 10, 15), m15, 0)).toBe(Date.UTC(2024, 0, 1, 10, 30)); // on a slot: the next one
    expect(nextSlot(now, m15, 1 - Number.EPSILON) - Date.UTC(2024, 0, 1, 10, 15)).toBe(MAX_JITTER_MS - 1);
    expect(nextSlot(now, 1000, 1 - Number.EPSILON) - (Math.floor(now / 1000) + 1) * 1000).toBe(99);
  });

  test('--every 1s --max-runs 3 with the clock moving between runs: three runs, each change picked up once', async () => {
    // between runs — when the next run asks GET /me, before it freezes its window — a new
    // contact appears and an hour passes; at a fixed point of the run, not at a race with the sleep
    // each run asks GET /me twice: once per connection before any asset (the token check), then
    // the asset's own; the first of each run after the first is the moment
    let mes = 0;
    const proxy = await restrictingProxy(fake.url, {}, (path) => {
      if (path !== '/me' || ++mes < 3 || mes % 2 === 0) return;
      fake.createContact({ name: `Scheduled ${(mes - 1) / 2}` });
      fake.clock.set(fake.clock.now() + 3600);
    });
    const p = makeProject({ url: proxy.url, token: TOKEN, assets: { contacts: asset('contacts') } });
    const r = await runJson(['ingest', '-c', p.configFile, '--every', '1s', '--max-runs', '3'], () => undefined).finally(() => proxy.close());
    expect(r.code, r.stderr).toBe(0);
    const ends = r.events.filter((e) => e['type'] === 'end');
    expect(ends.map((e) => e['ok'])).toEqual([true, true, true]);
    // one stream, each run's events under its own id
    const runIds = [...new Set(r.events.filter((e) => e['type'] !== 'sleep').map((e) => e['runId']))];
    expect(runIds).toHaveLength(3);
    expect(r.events.filter((e) => e['type'] === 'sleep').map((e) => e['run'])).toEqual([1, 2]);
    const rowsByRun = runIds.map((id) => r.events.find((e) => e['type'] === 'asset_end' && e['runId'] === id)!['summary'] as { rows: number });
    expect(rowsByRun[0]!.rows).toBe(30);
    // each run read exactly the one change made since the previous one
    expect(rowsByRun[1]!.rows).toBe(1);
    expect(rowsByRun[2]!.rows).toBe(1);
    const names = await query(p.duckdbPath, `SELECT name, COUNT(*) AS n FROM intercom.contacts WHERE name LIKE 'Scheduled %' GROUP BY name ORDER BY name`);
    expect(names.map((x) => [x['name'], Number(x['n'])])).toEqual([
      ['Scheduled 1', 1],
      ['Scheduled 2', 1],
    ]);
    const [total] = await query(p.duckdbPath, 'SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM intercom.contacts');
    expect([Number(total!['n']), Number(total!['d'])]).toEqual([(await exportTable(fake.url, 'contacts')).length, Number(total!['n'])]);
    const loads = await query(p.duckdbPath, `SELECT status, COUNT(*) AS n FROM intercom._elt_loads GROUP BY status`);
    expect(loads.map((x) => [x['status'], Number(x['n'])])).toEqual([['ok', 3]]);
  });

  test('SIGTERM during the sleep ends the loop at once, exit 0', async () => {
    const p = makeProject({ url: fake.url, token: TOKEN, assets: { tags: asset('tags') } });
    let signalledAt = 0;
    const r = await runJson(['ingest', '-c', p.configFile, '--every', '1h'], (e, kill) => {
      if (e['type'] === 'sleep') {
        signalledAt = Date.now();
        kill('SIGTERM');
      }
    });
    expect(r.code, r.stderr).toBe(0);
    expect(signalledAt).toBeGreaterThan(0);
    expect(r.exitedAt - signalledAt).toBeLessThan(3000);
    expect(r.events.filter((e) => e['type'] === 'end')).toHaveLength(1);
  });

  test('a token Intercom refuses (401) stops the loop with 1 at the first run', async () => {
    const p = makeProject({ url: fake.url, token: TOKEN, assets: { tags: asset('tags'), teams: asset('teams') } });
    const r = await runJson(['ingest', '-c', p.configFile, '--every', '1s', '--max-runs', '3'], () => undefined, { TEST_INTERCOM_TOKEN: 'tok-wrong-000' });
    expect(r.code).toBe(1);
    // the token is tried once before any asset starts: the run ends there, and so does the loop
    expect(r.events.filter((e) => e['type'] === 'end')).toHaveLength(0);
    expect(r.events.filter((e) => e['type'] === 'error')).toHaveLength(1);
    expect(r.events.filter((e) => e['type'] === 'sleep')).toHaveLength(0);
    expect(r.stderr).toMatch(/^error: .*401/m);
    expect(r.stderr).not.toContain('tok-wrong-000');
  });

  test('a failed run (the destination is down) is reported and the loop goes on; the last run decides the exit code', async () => {
    const pg = postgresConnectionYaml({ host: '127.0.0.1', port: 9, database: 'nowhere', user: 'nobody' }, 'PG_PASSWORD_EVERY');
    const p = makeProject({ url: fake.url, token: TOKEN, extraConnections: pg, assets: { tags: asset('tags', { destination: 'postgres' }) } });
    const r = await runJson(['ingest', '-c', p.configFile, '--every', '1s', '--max-runs', '2'], () => undefined, { PG_PASSWORD_EVERY: 'pw-every-1' });
    expect(r.code, r.stderr).toBe(1);
    const runs = r.events.filter((e) => e['type'] === 'end' || e['type'] === 'run_failed');
    expect(runs).toHaveLength(2);
    expect(runs.every((e) => e['ok'] !== true)).toBe(true);
    expect(r.events.filter((e) => e['type'] === 'sleep')).toHaveLength(1);
    expect(r.stderr).not.toContain('pw-every-1');
  });

  test('--max-runs without --every is one line, exit 1, through the CLI', async () => {
    const p = makeProject({ url: 'http://127.0.0.1:9', token: TOKEN, assets: { tags: asset('tags') } });
    const r = await runCli(['ingest', '-c', p.configFile, '--max-runs', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('error: --max-runs: value: only applies with --every (e.g. --every 15m --max-runs 4)');
  });

  test.each([
    [{ every: 'often' }, '--every: value: invalid duration "often": use whole seconds or a number with a unit s, m, h or d (e.g. 30s, 10m, 2h, 1d, 1h30m)'],
    [{ every: '0s' }, '--every: value: must be at least 1s'],
    [{ every: '1m', maxRuns: '0' }, "--max-runs: value: '0' is not a whole number above 0"],
    [{ every: '1m', maxRuns: 2.5 }, "--max-runs: value: '2.5' is not a whole number above 0"],
    [
      { every: '1m', fullRefresh: true },
      '--every: value: cannot repeat --full-refresh; run `intercom-elt ingest --full-refresh` once, then schedule without it',
    ],
    [{ every: '1m', intervalStart: '2024-01-01' }, '--every: value: cannot repeat the fixed window of --interval-start; backfill it once without --every'],
  ])('bad schedule flags %j: a ConfigError naming the flag', (flags, message) => {
    expect(() => scheduleOf(flags)).toThrow(new ConfigError(message.split(': ')[0]!, 'value', message.split(': value: ')[1]!));
  });

  test('good schedules', () => {
    expect(scheduleOf({})).toBeUndefined();
    expect(scheduleOf({ every: '1h30m' })).toEqual({ intervalMs: 5_400_000 });
    expect(scheduleOf({ every: 60, maxRuns: 3 })).toEqual({ intervalMs: 60_000, maxRuns: 3 });
  });
});
