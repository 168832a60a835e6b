/**
 * Issue #14: `--json` on check, list and state show is one JSON document on stdout (also when the
 * command fails), and under `--progress json` an error is one more JSON line — through the real CLI.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { asset, makeProject, type TestProject } from '../helpers/project.js';

const TOKEN = 'tok-json-4410c2';
let fake: FakeIntercom;
let p: TestProject;

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 16, token: TOKEN, contacts: 30, companies: 2, conversations: 3, tickets: 1 });
  p = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: asset('contacts'), tags: asset('tags') } });
  const r = await runCli(['ingest', '-c', p.configFile, '--progress', 'log']);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await fake?.close();
});

/** stdout is exactly one JSON document. */
function document(r: CliResult): Record<string, unknown> {
  const text = r.stdout.trim();
  expect(text.split('\n'), r.stdout).toHaveLength(1);
  return JSON.parse(text) as Record<string, unknown>;
}

describe('--json', () => {
  test('check --json: the rows as one document, exit 0', async () => {
    const r = await runCli(['check', '-c', p.configFile, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = document(r) as { ok: boolean; rows: Array<{ check: string; target: string; status: string }> };
    expect(doc.ok).toBe(true);
    expect(doc.rows.map((x) => `${x.check} ${x.target} ${x.status}`)).toEqual(
      expect.arrayContaining(['intercom intercom ok', 'permission intercom: contacts ok', 'permission intercom: tags ok', 'destination duckdb ok']),
    );
  });

  test('check --json with a rejected token: still one document (ok false), the error: line on stderr, exit 1', async () => {
    const r = await runCli(['check', '-c', p.configFile, '--json'], { env: { TEST_INTERCOM_TOKEN: 'wrong-token-9' } });
    expect(r.code).toBe(1);
    const doc = document(r) as { ok: boolean; rows: Array<{ status: string; detail: string }> };
    expect(doc.ok).toBe(false);
    expect(doc.rows.some((x) => x.status === 'fail' && x.detail.includes('401'))).toBe(true);
    expect(r.stderr).toMatch(/^error: check failed: /);
    expect(r.stdout + r.stderr).not.toContain('wrong-token-9');
  });

  test('list --json: tables and assets with their last load and cursor', async () => {
    const r = await runCli(['list', '-c', p.configFile, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = document(r) as {
      tables: Array<{ name: string }>;
      assets: Array<{ asset: string; cursor?: number; lastLoad?: { status: string; rows: number } }>;
    };
    expect(doc.tables.map((t) => t.name)).toContain('contacts');
    const contacts = doc.assets.find((a) => a.asset === 'intercom.contacts')!;
    expect(contacts.lastLoad).toMatchObject({ status: 'ok', rows: 30 });
    expect(typeof contacts.cursor).toBe('number');
  });

  test('list --json --tables-only: only the tables', async () => {
    const r = await runCli(['list', '--tables-only', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(document(r))).toEqual(['tables']);
  });

  test('state show --json: the state and loads of each asset', async () => {
    const r = await runCli(['state', 'show', '-c', p.configFile, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = document(r) as {
      assets: Array<{ asset: string; state?: { cursor?: number }; loads: Array<{ status: string; rows: number; started_at: string }> }>;
    };
    expect(doc.assets.map((a) => a.asset).sort()).toEqual(['intercom.contacts', 'intercom.tags']);
    const contacts = doc.assets.find((a) => a.asset === 'intercom.contacts')!;
    expect(contacts.loads[0]).toMatchObject({ status: 'ok', rows: 30 });
    expect(Number.isNaN(Date.parse(contacts.loads[0]!.started_at))).toBe(false);
  });

  test('an error under --json is the one document, {ok:false,error}', async () => {
    const r = await runCli(['list', '-c', 'missing.yml', '--json']);
    expect(r.code).toBe(1);
    expect(document(r)).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
    expect(r.stderr).toMatch(/^error: .*missing\.yml/);
  });

  test('a flag of the other state action is an error', async () => {
    const r = await runCli(['state', 'reset', 'intercom.tags', '-c', p.configFile, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("error: --json applies to 'state show', not to 'state reset': remove it");
  });
});

test('ingest --progress json: an error is one JSON line on stdout too', async () => {
  const r = await runCli(['ingest', '-c', p.configFile, '--progress', 'json', 'intercom.nope']);
  expect(r.code).toBe(1);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ type: 'error', error: { code: 'config_invalid' } });
  expect(String((lines[0]!['error'] as { message: string }).message)).toContain("no asset named 'intercom.nope'");
  expect(r.stderr).toMatch(/^error: /);
});
