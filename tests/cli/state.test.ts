/**
 * Issue #8: `list` and `state show|reset` read the cursor and the load history from the
 * destination after a real ingest (fake Intercom over HTTP, a real DuckDB file).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { tables } from '../../src/intercom/tables/index.js';
import { stateResetCommand } from '../../src/cli/commands/state.js';
import { runCli } from '../helpers/cli.js';
import { query } from '../helpers/duck.js';
import { asset, makeProject, type TestProject } from '../helpers/project.js';

const TOKEN = 'tok-state-91b2c3d4e5f6';
let fake: FakeIntercom;
let p: TestProject;

const iso = (ts: number) => new Date(ts * 1000).toISOString().replace('.000Z', 'Z');

async function cursorInDb(assetName: string): Promise<number | undefined> {
  const rows = await query(p.duckdbPath, `SELECT CAST(state AS VARCHAR) AS state FROM intercom._elt_state WHERE asset = '${assetName}'`);
  return rows[0] ? (JSON.parse(String(rows[0].state)) as { cursor?: number }).cursor : undefined;
}

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 11, token: TOKEN, contacts: 120, companies: 5, conversations: 20, tickets: 2 });
  p = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: asset('contacts'), tags: asset('tags') } });
  const r = await runCli(['ingest', '-c', p.configFile, '--progress', 'log']);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await fake?.close();
});

describe('list', () => {
  test('names every Intercom table, without a project', async () => {
    const r = await runCli(['list'], { cwd: mkdtempSync(path.join(os.tmpdir(), 'ielt-empty-')) });
    expect(r.code, r.stderr).toBe(0);
    for (const t of tables) {
      expect(r.stdout).toMatch(new RegExp(`^${t.name}\\s+${t.primaryKey.join(', ')}\\s+${t.incrementalKey ?? '-'}\\s+${t.defaultStrategy}\\s`, 'm'));
    }
    expect(r.stdout).not.toContain('Assets (');
    const only = await runCli(['list', '--tables-only', '-c', p.configFile]);
    expect(only.code, only.stderr).toBe(0);
    expect(only.stdout).toContain('contacts');
    expect(only.stdout).not.toContain('Assets (');
  });

  test("shows the project's assets with their last load and the cursor as ISO time", async () => {
    const cursor = await cursorInDb('intercom.contacts');
    expect(typeof cursor).toBe('number');
    const r = await runCli(['list', '-c', p.configFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^intercom\\.contacts\\s+contacts\\s+merge\\s+duckdb\\s+ok, 120 rows, \\S+\\s+${iso(cursor!)}$`, 'm'));
    // tags are replaced on every run: a load, no cursor
    expect(r.stdout).toMatch(/^intercom\.tags\s+tags\s+replace\s+duckdb\s+ok, \d+ rows, \S+\s+-$/m);
    expect(r.stdout).not.toContain(TOKEN);
  });

  test('an explicit --config that does not exist is an error', async () => {
    const r = await runCli(['list', '-c', `${p.dir}/nope.yml`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nope.yml');
  });
});

describe('state', () => {
  test('state show prints the cursor and the checkpoint history from _elt_loads', async () => {
    const cursor = await cursorInDb('intercom.contacts');
    const loads = await query(p.duckdbPath, `SELECT load_id FROM intercom._elt_loads WHERE asset = 'intercom.contacts'`);
    expect(loads).toHaveLength(1);
    const r = await runCli(['state', 'show', 'intercom.contacts', '-c', p.configFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`cursor: ${iso(cursor!)} (${cursor})`);
    expect(r.stdout).toMatch(new RegExp(`^\\s+${loads[0]!.load_id}\\s+ok\\s+120\\s+\\d+\\s+\\S+\\s+\\S+\\s+-$`, 'm'));
    expect(r.stdout).not.toContain('intercom.tags');
  });

  test('state show without an asset shows every asset', async () => {
    const r = await runCli(['state', 'show', '-c', p.configFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('intercom.contacts (destination duckdb)');
    expect(r.stdout).toContain('intercom.tags (destination duckdb)');
  });

  test('state reset without --yes and without a terminal refuses and changes nothing', async () => {
    const before = await cursorInDb('intercom.contacts');
    const r = await runCli(['state', 'reset', 'intercom.contacts', '-c', p.configFile]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*intercom\.contacts.*--yes/);
    expect(await cursorInDb('intercom.contacts')).toBe(before);
  });

  test('state reset asks on a terminal: "no" keeps the cursor, "yes" clears it', async () => {
    const asked: string[] = [];
    const lines: string[] = [];
    const o = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), isTTY: true };
    const answer = (yes: boolean) => ({ interactive: true, confirm: async (q: string) => (asked.push(q), yes) });
    const before = await cursorInDb('intercom.tags');
    await expect(stateResetCommand('intercom.tags', { config: p.configFile }, o, answer(false))).rejects.toThrow(
      'state reset intercom.tags: not confirmed; nothing changed',
    );
    expect(asked[0]).toMatch(/^Reset the state of intercom\.tags in duckdb .*\[y\/N\] $/);
    const rowsBefore = await query(p.duckdbPath, `SELECT count(*)::INT AS n FROM intercom._elt_state WHERE asset = 'intercom.tags'`);
    expect(rowsBefore[0]!.n).toBe(1);
    expect(await cursorInDb('intercom.tags')).toBe(before);
    const yes = await stateResetCommand('intercom.tags', { config: p.configFile }, o, answer(true));
    expect(yes.reset).toBe(true);
    const rowsAfter = await query(p.duckdbPath, `SELECT count(*)::INT AS n FROM intercom._elt_state WHERE asset = 'intercom.tags'`);
    expect(rowsAfter[0]!.n).toBe(0);
  });

  test('state reset --yes clears the cursor; the next ingest reads everything again', async () => {
    const r = await runCli(['state', 'reset', 'intercom.contacts', '--yes', '-c', p.configFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('reset state of intercom.contacts');
    expect(await cursorInDb('intercom.contacts')).toBeUndefined();
    const show = await runCli(['state', 'show', 'intercom.contacts', '-c', p.configFile]);
    expect(show.stdout).toContain('cursor: - (never loaded)');
    // the history stays: it is a record of what happened
    expect(show.stdout).toMatch(/^\s+\S+\s+ok\s+120\s/m);

    const again = await runCli(['ingest', 'intercom.contacts', '-c', p.configFile, '--progress', 'log']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('window 1970-01-01T00:00:00Z');
    expect(again.stdout).toMatch(/^intercom\.contacts\s+ok\s+120\s/m);
  });

  test('an unknown action or asset is a one-line error', async () => {
    const a = await runCli(['state', 'frobnicate', '-c', p.configFile]);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("unknown state action 'frobnicate'");
    const b = await runCli(['state', 'show', 'intercom.nope', '-c', p.configFile]);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain("no asset named 'intercom.nope'");
  });
});
