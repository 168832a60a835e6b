/** Issue 14 item 15: `validate` checks what check checks without network or secrets (CI, pre-commit). */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { tables } from '../../src/intercom/tables/index.js';
import { runCli } from '../helpers/cli.js';

const NO_SECRETS = { INTERCOM_ACCESS_TOKEN: undefined, INTERCOM_ELT_MASK_SALT: undefined };

/** A fresh `init` project whose Intercom is a closed port: any request would fail the run. */
async function project(): Promise<string> {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'ielt-validate-')), 'proj');
  expect((await runCli(['init', dir])).code).toBe(0);
  const conn = path.join(dir, 'connections.yml');
  writeFileSync(conn, readFileSync(conn, 'utf8').replace('# base_url: http://127.0.0.1:8080', 'base_url: http://127.0.0.1:9'));
  return dir;
}

const edit = (file: string, from: string, to: string) => writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));

describe('validate', () => {
  test('a fresh project without any secret: exit 0, every asset ok, the unset token a warning, nothing contacted or created', async () => {
    const dir = await project();
    const r = await runCli(['validate'], { cwd: dir, env: NO_SECRETS });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const t of tables) expect(r.stdout).toMatch(new RegExp(`^asset\\s+intercom\\.${t.name}\\s+ok\\s`, 'm'));
    expect(r.stdout).toMatch(/^intercom\s+intercom\s+warn\s+environment variable INTERCOM_ACCESS_TOKEN is not set: ingest and check need it/m);
    expect(r.stdout).toMatch(/^destination\s+warehouse\s+ok\s+duckdb .*folder writable/m);
    expect(existsSync(path.join(dir, 'warehouse.duckdb'))).toBe(false);
  });

  test('a bad column rule fails (exit 1, one line naming the asset); a hash without a salt in this shell only warns', async () => {
    const dir = await project();
    const contacts = path.join(dir, 'assets', 'contacts.asset.yml');
    writeFileSync(contacts, `${readFileSync(contacts, 'utf8')}  - name: email\n    mask: hash\n`); // init ends the file with its columns: list
    const warn = await runCli(['validate'], { cwd: dir, env: NO_SECRETS });
    expect(warn.code, warn.stderr).toBe(0);
    expect(warn.stdout).toMatch(/^asset\s+intercom\.contacts\s+warn\s+.*mask hash needs a salt.*ingest needs it/m);

    edit(contacts, 'mask: hash', 'mask: hsh');
    const bad = await runCli(['validate'], { cwd: dir, env: NO_SECRETS });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^asset\s+intercom\.contacts\s+fail\s+.*columns\[1\]\.mask: unknown mask "hsh"; did you mean "hash"/m);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^error: validate failed: asset intercom\.contacts: .*unknown mask "hsh"/);
  });

  test('a DuckDB folder that does not exist fails; a config error is the one line check also prints', async () => {
    const dir = await project();
    const conn = path.join(dir, 'connections.yml');
    edit(conn, './warehouse.duckdb', './no/such/folder/w.duckdb');
    const r = await runCli(['validate'], { cwd: dir, env: NO_SECRETS });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^destination\s+warehouse\s+fail\s+duckdb .*folder .* does not exist/m);
    expect(r.stderr).toMatch(/^error: validate failed: destination 'warehouse'/);

    edit(conn, 'region: us', 'region: mars');
    const both = await Promise.all([runCli(['validate'], { cwd: dir, env: NO_SECRETS }), runCli(['check'], { cwd: dir, env: NO_SECRETS })]);
    for (const c of both) {
      expect(c.code).toBe(1);
      expect(c.stdout).toBe('');
      expect(c.stderr).toMatch(/^error: .*connections\.yml: environments\.default\.connections\.intercom\[0\]\.region: unknown value "mars"/);
    }
  });
});
