/** Issue #8: `intercom-elt init` writes a project that loads, and never overwrites a file. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { tables } from '../../src/intercom/tables/index.js';
import { repoRoot, runCli } from '../helpers/cli.js';

describe('init', () => {
  test('writes connections.yml, one asset per table and .gitignore; the project loads', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'ielt-init-')), 'proj');
    const r = await runCli(['init', dir]);
    expect(r.code, r.stderr).toBe(0);
    const conn = readFileSync(path.join(dir, 'connections.yml'), 'utf8');
    expect(conn).toContain('${INTERCOM_ACCESS_TOKEN}');
    // based on the package's example when present
    expect(conn).toBe(readFileSync(path.join(repoRoot, 'connections.example.yml'), 'utf8'));
    const ignore = readFileSync(path.join(dir, '.gitignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['*.duckdb', '*.duckdb.wal', '.env']));
    expect(ignore).not.toContain('connections.yml');
    expect(readdirSync(path.join(dir, 'assets')).sort()).toEqual(tables.map((t) => `${t.name}.asset.yml`).sort());
    expect(r.stdout).toContain('wrote   connections.yml');
    // every asset carries its primary key's checks (issue #16); the list below proves they parse
    expect(readFileSync(path.join(dir, 'assets', 'tags.asset.yml'), 'utf8')).toContain(
      '  - name: id\n    checks:\n      - name: unique\n      - name: not_null\n',
    );
    expect(r.stdout).toContain('intercom-elt check');

    // the generated project is valid: list loads it (the token only has to be set, not right)
    // run from the project folder, as the README does after `cd`: connections.yml is found there
    const list = await runCli(['list'], { cwd: dir, env: { INTERCOM_ACCESS_TOKEN: 'tok-init-not-used-1234' } });
    expect(list.code, list.stderr).toBe(0);
    for (const t of tables) expect(list.stdout).toMatch(new RegExp(`^intercom\\.${t.name}\\s+${t.name}\\s+${t.defaultStrategy}\\s+warehouse\\s+never`, 'm'));
    // list must not create the warehouse file just to read nothing
    expect(existsSync(path.join(dir, 'warehouse.duckdb'))).toBe(false);
  });

  test('never overwrites: existing files are skipped and named', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-init-'));
    writeFileSync(path.join(dir, 'connections.yml'), '# mine\n');
    const first = await runCli(['init'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('skipped connections.yml (exists; left unchanged)');
    expect(readFileSync(path.join(dir, 'connections.yml'), 'utf8')).toBe('# mine\n');

    const contacts = path.join(dir, 'assets', 'contacts.asset.yml');
    writeFileSync(contacts, 'name: intercom.contacts\n# edited\n');
    const second = await runCli(['init', dir]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toContain('wrote ');
    for (const f of ['connections.yml', '.gitignore', path.join('assets', 'contacts.asset.yml')]) expect(second.stdout).toContain(`skipped ${f}`);
    expect(readFileSync(contacts, 'utf8')).toBe('name: intercom.contacts\n# edited\n');
  });
});
