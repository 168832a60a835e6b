/**
 * Issue #7, secrets: a successful run with --debug in each --progress mode (log, json, and
 * interactive in a pseudo-terminal made by `script`), into
 * DuckDB, Postgres and Snowflake, shows the access token and the database password nowhere: not in
 * stdout or stderr, not in any file the run writes in its project folder (the DuckDB file's bytes
 * included), not in `_elt_loads` or `_elt_state`. (The failing runs are checked in bad-input.test.ts.)
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { pgClient } from '../destinations/harness.js';
import { repoRoot } from '../helpers/cli.js';
import { ingest, openTarget, PG_PASSWORD_ENV, project, TARGETS, type Target } from './harness.js';

const TOKEN = 'tok-rel-secrets-6a2e9f04b7c1';
const PG_PASSWORD = 'pgpw-rel-secrets-c83d51a7';
const ROLE = `rel_secrets_${process.pid}`;
const ASSETS = ['contacts', 'tags'];
let fake: FakeIntercom;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 8, token: TOKEN, contacts: 60, companies: 5, conversations: 5, tickets: 2 });
  closers.push(() => fake.close());
  const admin = await pgClient();
  await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PG_PASSWORD}'`);
  await admin.end();
});
afterAll(async () => {
  for (const c of closers.reverse()) await c();
  const admin = await pgClient();
  await admin.query(`DROP ROLE IF EXISTS ${ROLE}`);
  await admin.end();
});

/** The harness's target; for Postgres, logged in as a role with a distinctive password (the suite's own is "test"). */
async function target(kind: Target['kind'], duckdb: () => string): Promise<Target> {
  const t = await openTarget(kind, duckdb);
  closers.push(() => t.close());
  if (kind !== 'postgres') return t;
  const database = /database: (\S+)/.exec(t.yaml)![1]!;
  const admin = await pgClient();
  await admin.query(`ALTER DATABASE "${database}" OWNER TO ${ROLE}`);
  await admin.end();
  return { ...t, yaml: t.yaml.replace(/username: .*/, `username: ${ROLE}`), env: { [PG_PASSWORD_ENV]: PG_PASSWORD }, secrets: [PG_PASSWORD] };
}

/** The CLI on a pseudo-terminal (util-linux `script`), so `--progress interactive` redraws live lines; the terminal's output. */
function ingestOnTty(configFile: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const quote = (a: string) => `'${a.replaceAll("'", `'\\''`)}'`;
  const cmd = [
    process.execPath,
    path.join(repoRoot, 'dist/cli/main.js'),
    'ingest',
    '--config',
    configFile,
    '--progress',
    'interactive',
    '--debug',
    '--full-refresh',
  ]
    .map(quote)
    .join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', cmd, '/dev/null'], {
      env: { ...process.env, ...env, TERM: 'xterm', COLUMNS: '160' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('no secret in a successful --debug run', () => {
  test.concurrent.each(TARGETS)(
    '%s: log, json and interactive progress',
    async (kind) => {
      let p: ReturnType<typeof project> | undefined;
      const t = await target(kind, () => p!.duckdbPath);
      p = project(fake, TOKEN, t, ASSETS);
      // the token through the environment, so no file the test wrote holds it
      writeFileSync(p.configFile, readFileSync(p.configFile, 'utf8').replace(`\${TEST_INTERCOM_TOKEN:-${TOKEN}}`, '${TEST_INTERCOM_TOKEN}'));
      const secrets = [TOKEN, ...t.secrets];
      expect(secrets.every((s) => s.length >= 9)).toBe(true);
      for (const mode of ['log', 'json']) {
        const r = await ingest(p, t, ['--progress', mode, '--debug', '--full-refresh'], { TEST_INTERCOM_TOKEN: TOKEN });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain('intercom.contacts');
        for (const s of secrets) {
          expect(r.stdout, `${kind} ${mode}: stdout`).not.toContain(s);
          expect(r.stderr, `${kind} ${mode}: stderr`).not.toContain(s);
        }
      }
      const tty = await ingestOnTty(p.configFile, { ...t.env, TEST_INTERCOM_TOKEN: TOKEN });
      expect(tty.code, tty.out).toBe(0);
      expect(tty.out).toMatch(/\x1b\[\d*F/); // live lines redrawn in place: interactive mode really ran
      for (const s of secrets) expect(tty.out, `${kind} interactive: terminal`).not.toContain(s);
      const own = new Set([p.configFile, ...readdirSync(p.assetsDir).map((f) => path.join(p!.assetsDir, f))]);
      const written = files(p.dir).filter((f) => !own.has(f));
      if (kind === 'duckdb') expect(written).toContain(p.duckdbPath);
      for (const f of written) for (const s of secrets) expect(readFileSync(f).includes(s), `${kind}: ${f}`).toBe(false);
      for (const table of ['_elt_loads', '_elt_state']) {
        const rows = await t.query(`SELECT * FROM "intercom"."${table}"`);
        expect(rows.length, `${kind} ${table}`).toBeGreaterThan(0);
        const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
        for (const s of secrets) expect(text, `${kind} ${table}`).not.toContain(s);
      }
    },
    240_000,
  );
});
