/**
 * Issue #9 through the real CLI (dist/cli/main.js in a child process): the ingestr one-shot flags
 * `--mask`, `--exclude-columns`, `--select-columns`, and bad rules failing with one line, exit 1.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { runCli } from '../helpers/cli.js';
import { query } from '../helpers/duck.js';
import { makeProject } from '../helpers/project.js';
import { exportTable } from '../helpers/truth.js';

const TOKEN = 'tok-protect-cli-77ab';
const SALT = 'cli-salt-0d1e';
const sha = (v: string) =>
  createHash('sha256')
    .update(SALT + v, 'utf8')
    .digest('hex');

let fake: FakeIntercom;
let dir: string;
let truth: Array<Record<string, unknown>>;

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 21, token: TOKEN, contacts: 80, companies: 3, conversations: 5, tickets: 1 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-protect-cli-'));
  truth = await exportTable(fake.url, 'contacts');
});
afterAll(async () => {
  await fake?.close();
});

const source = () => `intercom://?access_token=${TOKEN}&base_url=${encodeURIComponent(fake.url)}`;
const oneShot = (file: string, ...flags: string[]) =>
  runCli(
    [
      'ingest',
      '--source-uri',
      source(),
      '--source-table',
      'contacts',
      '--dest-uri',
      `duckdb:///${file}`,
      '--dest-table',
      'intercom.contacts',
      '--progress',
      'log',
      ...flags,
    ],
    { cwd: dir, env: { INTERCOM_ELT_MASK_SALT: SALT } },
  );

describe('one-shot flags', () => {
  test('--mask (repeatable and comma-separated) and --exclude-columns', async () => {
    const r = await oneShot(
      'masked.duckdb',
      '--mask',
      'email:hash,phone:partial',
      '--mask',
      'location.city:redact',
      '--exclude-columns',
      'name,custom_attributes.plan_tier',
    );
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(dir, 'masked.duckdb');
    const rows = await query(file, `SELECT id, email, phone, location::varchar AS location, custom_attributes::varchar AS ca FROM intercom.contacts`);
    expect(rows).toHaveLength(truth.length);
    const byId = new Map(truth.map((c) => [String(c['id']), c]));
    for (const row of rows) {
      const t = byId.get(String(row['id']))!;
      expect(row['email']).toBe(sha(String(t['email'])));
      expect(row['phone']).toBe(t['phone'] == null ? null : `***${String(t['phone']).slice(-4)}`);
      const loc = JSON.parse(String(row['location']));
      expect(loc.city).toBeNull();
      expect(loc.country).toBe((t['location'] as { country: string }).country);
      expect(Object.keys(JSON.parse(String(row['ca'] ?? '{}')))).not.toContain('plan_tier');
    }
    const cols = (await query(file, `SELECT column_name FROM information_schema.columns WHERE table_name = 'contacts'`)).map((c) => c['column_name']);
    expect(cols).not.toContain('name');
    const bytes = readFileSync(file);
    const leaked = truth.map((c) => String(c['email'])).filter((e) => bytes.includes(Buffer.from(e)));
    expect(leaked).toEqual([]);
  });

  test('--select-columns keeps those plus the primary and incremental keys', async () => {
    const r = await oneShot('selected.duckdb', '--select-columns', 'email,custom_attributes.plan_tier', '--mask', 'email:partial');
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(dir, 'selected.duckdb');
    const cols = (await query(file, `SELECT column_name FROM information_schema.columns WHERE table_name = 'contacts' ORDER BY column_name`)).map(
      (c) => c['column_name'],
    );
    expect(cols).toEqual(['_elt_load_id', '_elt_loaded_at', 'custom_attributes', 'email', 'id', 'updated_at']);
    const rows = await query(file, `SELECT email FROM intercom.contacts`);
    for (const row of rows) expect(String(row['email'])).toMatch(/^\*\*\*@[a-z0-9.-]+$/);
  });

  test('a malformed --mask is one line on stderr, exit 1', async () => {
    const r = await oneShot('bad.duckdb', '--mask', 'email');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('error: --mask: email: expected column:kind, e.g. email:hash (kinds: hash, redact, partial)');
    const k = await oneShot('bad.duckdb', '--mask', 'email:scramble');
    expect(k.code).toBe(1);
    expect(k.stderr.trim()).toBe('error: --mask: email: unknown mask "scramble" (use hash, redact or partial)');
  });
});

describe('bad rules in asset files', () => {
  const run = async (command: 'ingest' | 'check', columns: string, env: Record<string, string | undefined>) => {
    const p = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: `parameters:\n  source_table: contacts\ncolumns:\n${columns}` } });
    const r = await runCli([command, '--config', p.configFile, ...(command === 'ingest' ? ['--progress', 'log'] : [])], { env });
    return { ...r, file: path.join(p.assetsDir, 'contacts.asset.yml') };
  };
  const ingest = (columns: string, env: Record<string, string | undefined> = { INTERCOM_ELT_MASK_SALT: SALT }) => run('ingest', columns, env);

  test('check reports a bad rule with the same line as ingest, before trying any connection', async () => {
    const before = fake.stats().requests;
    for (const [columns, env] of [
      ['  - name: email\n    mask: hsh\n', { INTERCOM_ELT_MASK_SALT: SALT }],
      ['  - name: email\n    mask: hash\n', { INTERCOM_ELT_MASK_SALT: undefined }],
    ] as const) {
      const c = await run('check', columns, env);
      const i = await run('ingest', columns, env);
      expect(c.code).toBe(1);
      expect(c.stdout).toBe('');
      expect(c.stderr.trim()).toBe(i.stderr.trim().replace(i.file, c.file));
      expect(c.stderr.trim()).toMatch(/^error: .*contacts\.asset\.yml: columns\[0\]\.mask: /);
    }
    expect(fake.stats().requests).toBe(before);
  });

  test('unknown mask kind', async () => {
    const r = await ingest('  - name: email\n    mask: hsh\n');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`error: ${r.file}: columns[0].mask: unknown mask "hsh"; did you mean "hash"? (use hash, redact or partial)`);
  });

  test('excluding the primary key', async () => {
    const r = await ingest('  - name: phone\n    mask: partial\n  - name: id\n    exclude: true\n');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`error: ${r.file}: columns[1].exclude: cannot exclude "id": it is the primary key (merges and cursors need it as it is)`);
  });

  test('hash without a salt', async () => {
    const r = await ingest('  - name: email\n    mask: hash\n', { INTERCOM_ELT_MASK_SALT: undefined });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `error: ${r.file}: columns[0].mask: mask hash needs a salt: set the INTERCOM_ELT_MASK_SALT environment variable or parameters.mask_salt`,
    );
  });
});
