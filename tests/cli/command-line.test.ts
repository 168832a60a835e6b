/**
 * Issue #14, the command line a newcomer types: flags of the other form (project vs one-shot),
 * unknown flags and commands, ingestr's habits, silent no-ops, a rejected token. Each is one
 * `error:` line and exit 1 through the real CLI, before anything is loaded.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { asset, makeProject, type TestProject } from '../helpers/project.js';

const TOKEN = 'tok-cmdline-7f3a91';
let fake: FakeIntercom;
let project: TestProject;

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 14, token: TOKEN, contacts: 40, companies: 3, conversations: 5, tickets: 2 });
  project = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: asset('contacts'), admins: asset('admins') } });
});
afterAll(async () => {
  await fake?.close();
});

const inProject = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: project.dir, env });
const oneShot = [
  '--source-uri',
  `intercom://?access_token=${TOKEN}&base_url=${encodeURIComponent('http://127.0.0.1:1')}`,
  '--source-table',
  'contacts',
  '--dest-uri',
  'duckdb:///one.duckdb',
];

/** Exit 1, exactly one line on stderr and it is the `error:` line; returns it. */
function oneErrorLine(r: CliResult): string {
  expect(r.code, r.stderr).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

describe('flags of the other form are errors naming what to do instead', () => {
  test.each([
    [['--mask', 'email:hash'], 'set columns[].mask in assets/contacts.asset.yml'],
    [['--exclude-columns', 'phone'], 'set columns[].exclude: true in assets/contacts.asset.yml'],
    [['--incremental-strategy', 'append'], 'set parameters.incremental_strategy in assets/contacts.asset.yml'],
    [['--dest-table', 'raw.contacts'], 'set name (schema.table) in assets/contacts.asset.yml'],
    [['--select-columns', 'email'], 'set parameters.select_columns'],
    [['--primary-key', 'id'], 'set columns[].primary_key'],
  ])('project mode: ingest intercom.contacts --full-refresh %j', async (flags, instead) => {
    const r = await inProject(['ingest', 'intercom.contacts', '--full-refresh', ...flags]);
    const line = oneErrorLine(r);
    expect(line).toContain(`${flags[0]} is a flag of the one-shot form`);
    expect(line).toContain(instead);
    // nothing ran: no warehouse file, nothing loaded in clear
    expect(existsSync(project.duckdbPath)).toBe(false);
  });

  test.each([
    [['--tag', 'pii'], '--tag applies to a project'],
    [['--config', 'connections.yml'], '--config applies to a project'],
    [['-e', 'prod'], '--environment applies to a project'],
    [['--assets-dir', 'assets'], '--assets-dir applies to a project'],
    [['intercom.contacts'], 'asset names (intercom.contacts) select assets of a project'],
  ])('one-shot mode: %j', async (extra, says) => {
    const r = await runCli(['ingest', ...oneShot, ...extra], { cwd: project.dir });
    expect(oneErrorLine(r)).toContain(says);
    expect(existsSync(`${project.dir}/one.duckdb`)).toBe(false);
  });
});

describe('unknown flags and commands', () => {
  test.each([
    [['ingest', '--fullRefesh'], "unknown flag --fullRefesh for 'ingest'; did you mean --full-refresh?"],
    [['ingest', '--fullRefresh'], '--fullRefresh: flags are written in kebab-case: --full-refresh'],
    [['list', '--tables-onyl'], 'did you mean --tables-only?'],
    [['ingest', '--frobnicate'], "unknown flag --frobnicate for 'ingest' (see intercom-elt ingest --help)"],
    [['ingest', '--loader-file-format', 'parquet'], '--loader-file-format is an ingestr flag with no effect in intercom-elt'],
    [['ingest', '--sql-backend', 'pyarrow'], '--sql-backend is an ingestr flag with no effect'],
    [['ingest', '--page-size', '500'], '--page-size is an ingestr flag with no effect'],
    [['ingest', '--columns', 'id:bigint'], '--columns is an ingestr flag with no effect'],
    [['run'], "unknown command 'run'; did you mean 'ingest'?"],
    [['chek'], "unknown command 'chek'; did you mean 'check'?"],
    [['frobnicate'], "unknown command 'frobnicate' (see intercom-elt --help)"],
    [['state'], 'missing required args'],
  ])('%j', async (args, says) => {
    expect(oneErrorLine(await inProject(args))).toContain(says);
  });

  test("ingest accepts ingestr's --yes and runs", async () => {
    const r = await inProject(['ingest', 'intercom.admins', '--yes', '--progress', 'log']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/intercom\.admins\s+ok/);
  });
});

describe('silent no-ops are errors', () => {
  test('--interval-start after --interval-end', async () => {
    const r = await inProject(['ingest', '--interval-start', '2024-02-01', '--interval-end', '2024-01-01']);
    expect(oneErrorLine(r)).toContain('--interval-start: value: 2024-02-01 is not before --interval-end 2024-01-01');
  });

  test.each([['ingest'], ['demo']])('%s --progress fancy', async (cmd) => {
    const r = await inProject([cmd, '--progress', 'fancy']);
    expect(oneErrorLine(r)).toContain("--progress: value: 'fancy' is not one of interactive, log, json");
  });

  test('--progress given twice: the last one counts', async () => {
    const r = await inProject(['ingest', 'intercom.admins', '--progress', 'log', '--progress', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(events.at(-1)).toMatchObject({ type: 'end', ok: true });
  });

  test('demo --progress json prints only JSON lines on stdout', async () => {
    const r = await runCli(['demo', '--progress', 'json', '--out', `${project.dir}/demo.duckdb`], { cwd: project.dir });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    const events = lines.map((l) => JSON.parse(l) as { type: string; ok?: boolean });
    expect(events.at(-1)).toMatchObject({ type: 'end', ok: true });
    expect(r.stderr).toContain('fake Intercom listening on');
  }, 120_000);
});

test('a wrong token during ingest: one line naming the connection and the fix, nothing loaded', async () => {
  const before = fake.stats().requests;
  const r = await inProject(['ingest', '--progress', 'log'], { TEST_INTERCOM_TOKEN: 'wrong-token-123' });
  const line = oneErrorLine(r);
  expect(line).toContain("access token rejected (401 unauthorized): check access_token of connection 'intercom'");
  expect(line).toContain('intercom-elt check');
  expect(r.stdout).toBe('');
  // one GET /me for the connection, not one per asset
  expect(fake.stats().requests - before).toBe(1);
  expect(r.stderr + r.stdout).not.toContain('wrong-token-123');
});

test('a wrong token in --source-uri: one line naming the flag, nothing loaded', async () => {
  const uri = `intercom://?access_token=wrong-token-456&base_url=${encodeURIComponent(fake.url)}`;
  const r = await runCli(['ingest', '--source-uri', uri, '--source-table', 'contacts', '--dest-uri', 'duckdb:///one-shot.duckdb'], { cwd: project.dir });
  expect(oneErrorLine(r)).toBe('error: access token rejected (401 unauthorized): check access_token in --source-uri; nothing was loaded');
  expect(existsSync(`${project.dir}/one-shot.duckdb`)).toBe(false);
  expect(r.stderr + r.stdout).not.toContain('wrong-token-456');
});
