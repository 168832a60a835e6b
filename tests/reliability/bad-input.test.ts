/**
 * Issue #7, bad input (cases in bad-input-cases.ts): every case through the real CLI ends with
 * exit 1 and one clear line naming the file and field, or the connection and endpoint; no stack
 * trace without --debug; and no secret in stdout, stderr, the files the run wrote or the
 * destination's tables, with or without --debug.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { restrictingProxy } from '../cli/restricting-proxy.js';
import { createTestDatabase, pgClient, pgOptions } from '../destinations/harness.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { query as duckQuery } from '../helpers/duck.js';
import { freePort } from '../setup/postgres.js';
import { fakeSnowflake } from '../snowflake/helpers.js';
import type { FakeSnowflake } from '../snowflake/fake/server.js';
import {
  asset,
  BAD_INPUT_CASES,
  PG_NO_CREATE_PASSWORD,
  PG_PASSWORD,
  PG_PASSWORD_ENV,
  SECRETS,
  TOKEN,
  TOKEN_ENV,
  WRONG_PG_PASSWORD,
  WRONG_SF_PASSWORD,
  type BadInputCase,
  type CaseContext,
} from './bad-input-cases.js';

let fake: FakeIntercom;
let sf: FakeSnowflake;
const closers: Array<() => Promise<unknown> | unknown> = [];
const ctx = {} as CaseContext;
let pgConn = '';
/** Why the mount cases cannot run here (undefined: they can). */
let mountSkip: string | undefined;
const mounts: string[] = [];

function tryMount(args: string[]): string | undefined {
  try {
    execFileSync('mount', args, { stdio: 'pipe' });
    return undefined;
  } catch (e) {
    return `mount ${args.join(' ')} is not permitted here: ${
      String((e as { stderr?: Buffer }).stderr ?? e)
        .trim()
        .split('\n')[0]
    }`;
  }
}

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 3, token: TOKEN, contacts: 300, companies: 10, conversations: 20, tickets: 5 });
  closers.push(() => fake.close());
  const proxy = await restrictingProxy(fake.url, {
    '/contacts/search': { status: 403, code: 'api_plan_restricted', message: 'Active subscription needed.' },
  });
  closers.push(() => proxy.close());
  sf = await fakeSnowflake();
  closers.push(() => sf.close());
  ctx.intercomUrl = fake.url;
  ctx.restrictedUrl = proxy.url;
  ctx.closedPort = await freePort();

  // Postgres: a database whose role may connect but not create a schema
  const db = await createTestDatabase();
  const role = `rel_nocreate_${process.pid}`;
  const admin = await pgClient(db.name);
  await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${PG_NO_CREATE_PASSWORD}'`);
  await admin.query(`REVOKE CREATE ON DATABASE "${db.name}" FROM PUBLIC`);
  await admin.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
  await admin.end();
  closers.push(async () => {
    await db.drop();
    const a = await pgClient();
    await a.query(`DROP ROLE IF EXISTS ${role}`);
    await a.end();
  });
  const o = pgOptions(db.name);
  const pg = (name: string, fields: Record<string, string | number>) =>
    [
      `    - name: ${name}`,
      ...Object.entries({ host: o.host, port: o.port, database: db.name, ssl_mode: 'disable', ...fields }).map(([k, v]) => `      ${k}: ${v}`),
    ].join('\n');
  pgConn = [
    '  postgres:',
    pg('pg_closed', { port: ctx.closedPort, username: 'postgres', password: `\${${PG_PASSWORD_ENV}}` }),
    pg('pg_wrong_password', { username: o.user!, password: WRONG_PG_PASSWORD }),
    pg('pg_no_create', { username: role, password: PG_NO_CREATE_PASSWORD }),
  ].join('\n');

  // the mount cases: a read-only bind mount and a tiny tmpfs, each holding a DuckDB file
  const ro = mkdtempSync(path.join(os.tmpdir(), 'ielt-ro-'));
  const full = mkdtempSync(path.join(os.tmpdir(), 'ielt-full-'));
  ctx.readOnlyDuckdb = path.join(ro, 'w.duckdb');
  ctx.fullDiskDuckdb = path.join(full, 'w.duckdb');
  mountSkip = tryMount(['--bind', ro, ro]);
  if (!mountSkip) mounts.push(ro);
  if (!mountSkip) mountSkip = tryMount(['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', full]);
  if (!mountSkip) mounts.push(full);
  closers.push(() => rmSync(ro, { recursive: true, force: true }));
  closers.push(() => rmSync(full, { recursive: true, force: true }));
});

afterAll(async () => {
  for (const m of mounts.reverse()) {
    try {
      execFileSync('umount', [m], { stdio: 'pipe' });
    } catch (e) {
      console.error(`umount ${m}: ${String(e)}`);
    }
  }
  for (const c of closers.reverse()) await c();
});

function goodConnections(): string {
  return [
    'connections:',
    '  intercom:',
    '    - name: intercom',
    `      access_token: \${${TOKEN_ENV}}`,
    '      region: us',
    `      base_url: ${ctx.intercomUrl}`,
    '  duckdb:',
    '    - name: duckdb',
    '      path: ./w.duckdb',
    '    - name: duck_nowhere',
    '      path: ./no/such/folder/w.duckdb',
    '    - name: duck_ro',
    `      path: ${ctx.readOnlyDuckdb}`,
    '    - name: duck_full',
    `      path: ${ctx.fullDiskDuckdb}`,
    pgConn,
    '  snowflake:',
    '    - name: sf_wrong_password',
    `      account: ${sf.account.toLowerCase()}`,
    '      username: loader',
    `      password: ${WRONG_SF_PASSWORD}`,
    '      database: analytics',
    '      warehouse: load_wh',
    `      access_url: ${sf.url}`,
    '',
  ].join('\n');
}

interface Prepared {
  dir: string;
  args: string[];
  env: Record<string, string>;
  /** Files the test wrote (the secret scan reads every other file of the project folder). */
  own: Set<string>;
}

function prepare(c: Pick<BadInputCase, 'conn' | 'assets' | 'args' | 'env' | 'setup'>): Prepared {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-bad-'));
  const configFile = path.join(dir, 'connections.yml');
  const assetsDir = path.join(dir, 'assets');
  mkdirSync(assetsDir);
  writeFileSync(configFile, (c.conn ?? ((x: string) => x))(goodConnections(), ctx));
  const own = new Set([configFile]);
  for (const [n, body] of Object.entries(c.assets ?? { contacts: asset('contacts') })) {
    const f = path.join(assetsDir, `${n}.asset.yml`);
    writeFileSync(f, body);
    own.add(f);
  }
  c.setup?.(dir);
  const given = c.args?.(ctx) ?? [];
  const standalone = given.includes('--config') || given.includes('--source-uri');
  return {
    dir,
    own,
    args: ['ingest', '--progress', 'log', ...given, ...(standalone ? [] : ['--config', configFile])],
    env: { [TOKEN_ENV]: TOKEN, [PG_PASSWORD_ENV]: PG_PASSWORD, ...c.env },
  };
}

/** Every file under dir but the test's own, as bytes. */
function writtenFiles(dir: string, own: Set<string>): Array<{ file: string; bytes: Buffer }> {
  const out: Array<{ file: string; bytes: Buffer }> = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && !own.has(p)) out.push({ file: p, bytes: readFileSync(p) });
    }
  };
  if (existsSync(dir) && statSync(dir).isDirectory()) walk(dir);
  return out;
}

/** No secret in the outputs, the files written beside the project (DuckDB bytes included) or its DuckDB tables. */
async function expectNoSecrets(results: CliResult[], dirs: Array<{ dir: string; own: Set<string> }>, duckdbFiles: string[]): Promise<void> {
  for (const r of results) for (const s of SECRETS) expect(r.stdout + r.stderr, `secret ${s.slice(0, 8)}… in the output`).not.toContain(s);
  for (const { dir, own } of dirs) {
    for (const { file, bytes } of writtenFiles(dir, own)) for (const s of SECRETS) expect(bytes.includes(s), `secret ${s.slice(0, 8)}… in ${file}`).toBe(false);
  }
  for (const f of duckdbFiles) {
    if (!existsSync(f)) continue;
    for (const s of SECRETS) expect(readFileSync(f).includes(s), `secret ${s.slice(0, 8)}… in the bytes of ${f}`).toBe(false);
    const tables = await duckQuery(
      f,
      `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_name IN ('_elt_loads', '_elt_state')`,
    );
    for (const { t } of tables) {
      const rows = JSON.stringify(await duckQuery(f, `SELECT * FROM ${String(t)}`), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
      for (const s of SECRETS) expect(rows, `secret ${s.slice(0, 8)}… in ${String(t)}`).not.toContain(s);
    }
  }
}

/** Exit 1, one clear error line with every expected part, no stack: returns the line. */
function expectOneClearLine(r: CliResult, c: Pick<BadInputCase, 'expect'>): string {
  const all = `${r.stdout}\n${r.stderr}`;
  expect(r.code, all).toBe(1);
  const lines = r.stderr.trim().split('\n');
  // one error: line (docs/commands.md); a run failure also has the asset's "failed" progress line
  const errors = lines.filter((l) => /^error: /.test(l));
  expect(errors, r.stderr).toHaveLength(1);
  // besides it, only the asset's start, progress and end lines
  expect(
    lines.filter((l) => !errors.includes(l) && !/^\S+: (started, |[\d,]+ rows[ ,]|failed, )/.test(l)),
    r.stderr,
  ).toEqual([]);
  for (const s of c.expect) expect(errors[0], all).toContain(s);
  expect(all, 'a stack trace without --debug').not.toMatch(/^\s+at /m);
  return errors[0]!;
}

const table = BAD_INPUT_CASES.filter((c) => !c.special);

describe('bad input: exit 1, one clear line, no stack, no secret', () => {
  test('at least 30 cases', () => {
    expect(BAD_INPUT_CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(BAD_INPUT_CASES.map((c) => c.name)).size).toBe(BAD_INPUT_CASES.length);
  });

  test.concurrent.each(table)('$name', async (c) => {
    const p = prepare(c);
    const q = prepare(c);
    const plain = () => runCli(p.args, { cwd: p.dir, env: p.env });
    const debug = () => runCli([...q.args, '--debug'], { cwd: q.dir, env: q.env });
    const [r, d] = c.serial ? [await plain(), await debug()] : await Promise.all([plain(), debug()]);
    expectOneClearLine(r, c);
    expect(d.code, `--debug: ${d.stderr}`).toBe(1);
    for (const part of c.expect) expect(d.stderr, `--debug: ${d.stderr}`).toContain(part);
    await expectNoSecrets([r, d], [p, q], [path.join(p.dir, 'w.duckdb'), path.join(q.dir, 'w.duckdb')]);
  });
});

const special = (name: BadInputCase['special']) => BAD_INPUT_CASES.find((c) => c.special === name)!;

describe('bad input on a mount', () => {
  test('read-only DuckDB file: exit 1, one line naming the connection, the file unchanged', async (t) => {
    if (mountSkip) t.skip(mountSkip);
    const c = special('read-only-duckdb');
    const p = prepare({ assets: { contacts: asset('contacts', { destination_connection: 'duck_ro' }) } });
    const ok = await runCli(p.args, { cwd: p.dir, env: p.env });
    expect(ok.code, ok.stderr).toBe(0);
    const dir = path.dirname(ctx.readOnlyDuckdb!);
    const remount = tryMount(['-o', 'remount,ro,bind', dir]);
    if (remount) t.skip(remount);
    const before = readFileSync(ctx.readOnlyDuckdb!);
    fake.clock.set(fake.clock.now() + 3600);
    const r = await runCli(p.args, { cwd: p.dir, env: p.env });
    expectOneClearLine(r, c);
    const d = await runCli([...p.args, '--debug'], { cwd: p.dir, env: p.env });
    expect(d.code, d.stderr).toBe(1);
    expect(readFileSync(ctx.readOnlyDuckdb!).equals(before)).toBe(true);
    await expectNoSecrets([ok, r, d], [p, { dir, own: new Set() }], [ctx.readOnlyDuckdb!]);
  });

  test('full disk: exit 1, one line naming the connection, the previous state intact, a rerun with space completes', async (t) => {
    if (mountSkip) t.skip(mountSkip);
    const c = special('full-disk');
    const file = ctx.fullDiskDuckdb!;
    const dir = path.dirname(file);
    const p = prepare({ assets: { contacts: asset('contacts', { destination_connection: 'duck_full' }) } });
    const ok = await runCli(p.args, { cwd: p.dir, env: p.env });
    expect(ok.code, ok.stderr).toBe(0);
    const stateBefore = await duckQuery(file, `SELECT asset, state::varchar AS s FROM intercom._elt_state`);
    const rowsBefore = await duckQuery(file, `SELECT id, name FROM intercom.contacts ORDER BY id`);
    // many changed contacts with long names, then fill the disk but for a few KB
    fake.clock.set(fake.clock.now() + 86_400);
    for (const r of rowsBefore) fake.updateContact(String(r['id']), { name: `renamed ${'x'.repeat(4000)} ${String(r['id'])}` });
    fake.clock.set(fake.clock.now() + 3600);
    const free = Number(execFileSync('df', ['--output=avail', '-B1', dir]).toString().trim().split('\n')[1]);
    writeFileSync(path.join(dir, 'filler'), Buffer.alloc(Math.max(free - 16 * 1024, 0)));
    const r = await runCli(p.args, { cwd: p.dir, env: p.env });
    const d = await runCli([...p.args, '--debug'], { cwd: p.dir, env: p.env });
    rmSync(path.join(dir, 'filler'));
    expectOneClearLine(r, c);
    expect(d.code, d.stderr).toBe(1);
    expect(await duckQuery(file, `SELECT asset, state::varchar AS s FROM intercom._elt_state`)).toEqual(stateBefore);
    expect(await duckQuery(file, `SELECT id, name FROM intercom.contacts ORDER BY id`)).toEqual(rowsBefore);
    await expectNoSecrets([ok, r, d], [p, { dir, own: new Set() }], [file]);
    const again = await runCli(p.args, { cwd: p.dir, env: p.env });
    expect(again.code, again.stderr).toBe(0);
    expect(Number((await duckQuery(file, `SELECT count(*) AS n FROM intercom.contacts WHERE name LIKE 'renamed %'`))[0]!['n'])).toBe(rowsBefore.length);
  });
});
