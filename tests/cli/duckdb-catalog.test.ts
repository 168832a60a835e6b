/**
 * Issue 14 item 2: a DuckDB file is a catalog named after the file, so `intercom.duckdb` with the
 * schema `intercom` made every two-part name ambiguous. Any file name works with any schema name.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { runCli } from '../helpers/cli.js';
import { query } from '../helpers/duck.js';
import { asset, makeProject } from '../helpers/project.js';

const TOKEN = 'tok-catalog-5d8e1f';
let fake: FakeIntercom;

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 3, token: TOKEN, contacts: 30, companies: 3, conversations: 3, tickets: 1 });
});
afterAll(async () => {
  await fake?.close();
});

describe('DuckDB file named like a schema', () => {
  test("the README's one-shot example: duckdb:///intercom.duckdb with --dest-table intercom.contacts", async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'ielt-catalog-'));
    const r = await runCli(
      [
        'ingest',
        '--source-uri',
        `intercom://?access_token=${TOKEN}&base_url=${fake.url}`,
        '--source-table',
        'contacts',
        '--dest-uri',
        'duckdb:///intercom.duckdb',
        '--dest-table',
        'intercom.contacts',
        '--progress',
        'log',
      ],
      { cwd },
    );
    expect(r.stderr).not.toContain('Ambiguous');
    expect(r.code, r.stderr).toBe(0);
    const [row] = await query(path.join(cwd, 'intercom.duckdb'), 'SELECT count(*)::INTEGER AS n FROM "intercom"."intercom"."contacts"');
    expect(row!.n).toBe(30);
  });

  test('a project with path: ./intercom.duckdb and schemas intercom and temp: check, ingest twice, list, state show', async () => {
    const p = makeProject({
      url: fake.url,
      token: TOKEN,
      assets: { contacts: asset('contacts'), admins: 'name: temp.admins\nparameters:\n  source_table: admins\n' },
    });
    writeFileSync(p.configFile, readFileSync(p.configFile, 'utf8').replace('./warehouse.duckdb', './intercom.duckdb'));
    const file = path.join(p.dir, 'intercom.duckdb');

    const check = await runCli(['check', '-c', p.configFile]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^destination\s+duckdb\s+ok/m);

    for (let run = 1; run <= 2; run++) {
      const r = await runCli(['ingest', '-c', p.configFile, '--progress', 'log']);
      expect(r.stderr).not.toContain('Ambiguous');
      expect(r.code, r.stderr).toBe(0);
    }
    const [contacts] = await query(file, 'SELECT count(*)::INTEGER AS n FROM "intercom"."intercom"."contacts"');
    expect(contacts!.n).toBe(30);
    const [admins] = await query(file, 'SELECT count(*)::INTEGER AS n FROM "intercom"."temp"."admins"');
    expect(admins!.n).toBeGreaterThan(0);

    const list = await runCli(['list', '-c', p.configFile]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^intercom\.contacts\s+contacts\s+merge\s+duckdb\s+ok, 0 rows/m);
    expect(list.stdout).toMatch(/^temp\.admins\s+admins\s+replace\s+duckdb\s+ok/m);
    const state = await runCli(['state', 'show', 'intercom.contacts', '-c', p.configFile]);
    expect(state.code, state.stderr).toBe(0);
    expect(state.stdout).toMatch(/cursor: \d{4}-/);
  });
});
