/** Issue #8: `intercom-elt check` against the real fake Intercom and real DuckDB files. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { tables } from '../../src/intercom/tables/index.js';
import { createTestDatabase, pgClient, pgOptions } from '../destinations/harness.js';
import { runCli } from '../helpers/cli.js';
import { asset, makeProject } from '../helpers/project.js';
import { restrictingProxy } from './restricting-proxy.js';

const TOKEN = 'tok-check-7f3a9c21e5';
let fake: FakeIntercom;

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 5, token: TOKEN, contacts: 50, companies: 5, conversations: 10, tickets: 2, timezone: 'Asia/Kolkata' });
});
afterAll(async () => {
  await fake?.close();
});

const assets = () => ({ contacts: asset('contacts'), conversations: asset('conversations'), admins: asset('admins') });

describe('check', () => {
  test('a good project: exit 0, the workspace time zone, every table and the destination ok', async () => {
    const p = makeProject({ url: fake.url, token: TOKEN, assets: assets() });
    const r = await runCli(['check', '-c', p.configFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('time zone Asia/Kolkata');
    expect(r.stdout).toMatch(/^intercom\s+intercom\s+ok\s+workspace "/m);
    for (const t of ['contacts', 'conversations', 'admins']) expect(r.stdout).toMatch(new RegExp(`^permission\\s+intercom: ${t}\\s+ok`, 'm'));
    expect(r.stdout).toMatch(/^destination\s+duckdb\s+ok/m);
    expect(r.stdout).not.toContain(TOKEN);
  });

  test('a wrong token: exit 1, one error line naming the connection, the token printed nowhere', async () => {
    const wrong = 'tok-wrong-0c1d2e3f4a5b';
    const p = makeProject({ url: fake.url, token: TOKEN, assets: assets() });
    const r = await runCli(['check', '-c', p.configFile], { env: { TEST_INTERCOM_TOKEN: wrong } });
    expect(r.code).toBe(1);
    const errLines = r.stderr.trim().split('\n');
    expect(errLines).toHaveLength(1);
    expect(errLines[0]).toMatch(/^error: check failed: .*401.*connection 'intercom'/);
    expect(r.stdout).toMatch(/^intercom\s+intercom\s+fail/m);
    expect(r.stdout).toMatch(/^permission\s+intercom: contacts\s+skip/m);
    for (const secret of [wrong, TOKEN]) {
      expect(r.stdout).not.toContain(secret);
      expect(r.stderr).not.toContain(secret);
    }
  });

  test('a plan without conversations: 403 api_plan_restricted names the table and the subscription', async () => {
    const proxy = await restrictingProxy(fake.url, {
      '/conversations/search': { status: 403, code: 'api_plan_restricted', message: 'Active subscription needed.' },
      '/admins': { status: 403, code: 'forbidden', message: 'Forbidden' },
    });
    try {
      const p = makeProject({ url: proxy.url, token: TOKEN, assets: assets() });
      const r = await runCli(['check', '-c', p.configFile]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^permission\s+intercom: conversations\s+fail\s+Active subscription needed.*conversations cannot be read/m);
      expect(r.stdout).toMatch(/^permission\s+intercom: admins\s+fail\s+missing permission "Read admins" for admins/m);
      expect(r.stdout).toMatch(/^permission\s+intercom: contacts\s+ok/m);
      expect(r.stderr).toMatch(/^error: check failed: Intercom connection 'intercom': .*\(and 1 more failed check/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  test('a DuckDB file in a folder that does not exist fails the destination check', async () => {
    const p = makeProject({
      url: fake.url,
      token: TOKEN,
      assets: { contacts: asset('contacts', { destination_connection: 'lake' }) },
      extraConnections: '        - name: lake\n          path: ./no/such/folder/w.duckdb',
    });
    const r = await runCli(['check', '-c', p.configFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^destination\s+lake\s+fail\s+duckdb .*folder .* does not exist/m);
    expect(r.stderr).toMatch(/^error: check failed: destination 'lake'/);
  });

  test.skipIf(process.getuid?.() === 0)('a read-only folder fails the destination check', async () => {
    const p = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: asset('contacts') } });
    const ro = path.join(p.dir, 'ro');
    mkdirSync(ro);
    const conn = p.configFile;
    writeFileSync(conn, readFileSync(conn, 'utf8').replace('./warehouse.duckdb', './ro/w.duckdb'));
    chmodSync(ro, 0o555);
    try {
      const r = await runCli(['check', '-c', conn]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^destination\s+duckdb\s+fail\s+.*is not writable/m);
      expect(existsSync(path.join(ro, 'w.duckdb'))).toBe(false);
    } finally {
      chmodSync(ro, 0o755);
    }
  });

  test('a config error is one line naming file and field, before any request', async () => {
    const p = makeProject({ url: fake.url, token: TOKEN, assets: { x: asset('contactz') } });
    const r = await runCli(['check', '-c', p.configFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/x\.asset\.yml.*source_table/);
  });

  test('a freshly init-ed project passes check against the fake: every table probed as its declaration says', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'ielt-check-init-')), 'proj');
    expect((await runCli(['init', dir])).code).toBe(0);
    const conn = path.join(dir, 'connections.yml');
    // the one edit a user trying the fake makes: base_url (the token comes from the environment)
    writeFileSync(conn, readFileSync(conn, 'utf8').replace('# base_url: http://127.0.0.1:8080', `base_url: ${fake.url}`));
    const r = await runCli(['check'], { cwd: dir, env: { INTERCOM_ACCESS_TOKEN: TOKEN } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const t of tables)
      expect(r.stdout).toMatch(new RegExp(`^permission\\s+intercom: ${t.name}\\s+ok\\s+${t.probe.request.method} ${t.probe.request.path}`, 'm'));
    expect(r.stdout).toMatch(/^destination\s+warehouse\s+ok/m);
  });

  test('a Postgres role that may not create the schema fails check, as it would fail ingest; nothing is left behind', async () => {
    const db = await createTestDatabase();
    const role = `check_nocreate_${process.pid}`;
    const password = 'pw-check-nocreate-51d2';
    const admin = await pgClient(db.name);
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      await admin.query(`REVOKE CREATE ON DATABASE "${db.name}" FROM PUBLIC`);
      const o = pgOptions(db.name);
      const pg = (name: string, user: string, pw: string) =>
        [
          `        - name: ${name}`,
          `          host: ${o.host}`,
          `          port: ${o.port}`,
          `          database: ${db.name}`,
          `          username: ${user}`,
          `          password: "${pw}"`,
          '          ssl_mode: disable',
        ].join('\n');
      const p = makeProject({
        url: fake.url,
        token: TOKEN,
        assets: { contacts: asset('contacts', { destination_connection: 'pg_ro' }), admins: asset('admins', { destination_connection: 'pg_ok' }) },
        extraConnections: ['      postgres:', pg('pg_ro', role, password), pg('pg_ok', o.user!, String(o.password ?? ''))].join('\n'),
      });
      const r = await runCli(['check', '-c', p.configFile]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^destination\s+pg_ro\s+fail\s+postgres .*create tables: permission denied/m);
      expect(r.stdout).toMatch(/^destination\s+pg_ok\s+ok\s+postgres .*tables creatable/m);
      expect(r.stdout + r.stderr).not.toContain(password);
      // the probe's schema and table were rolled back
      const left = await admin.query(`SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = 'intercom'`);
      expect(left.rows[0].n).toBe(0);
    } finally {
      await admin.end();
      await db.drop();
      const a = await pgClient();
      await a.query(`DROP ROLE IF EXISTS ${role}`);
      await a.end();
    }
  });

  test('--help has examples', async () => {
    const r = await runCli(['check', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('intercom-elt check');
  });
});
