/**
 * The reliability suite's shared parts: a project (connections.yml + assets) whose assets load
 * into one destination of each kind (DuckDB file, the suite's real Postgres, the real
 * snowflake-sdk against the fake Snowflake), the real CLI in a child process that a test can
 * kill, and the comparison of every loaded table with the fake Intercom's ground truth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type pg from 'pg';
import { expect } from 'vitest';
import type { FakeIntercom } from '../../src/fake-intercom/index.js';
import { EXPORT_TABLES } from '../../src/fake-intercom/index.js';
import { getTable } from '../../src/intercom/tables/index.js';
import { createTestDatabase, pgClient, pgOptions } from '../destinations/harness.js';
import { repoRoot, type CliResult } from '../helpers/cli.js';
import { query as duckQuery } from '../helpers/duck.js';
import { asset, makeProject, postgresConnectionYaml, type TestProject } from '../helpers/project.js';
import { apiVisibleParts, exportTable } from '../helpers/truth.js';
import type { FakeSnowflake } from '../snowflake/fake/server.js';
import { fakeSnowflake, PASSWORD as SF_PASSWORD } from '../snowflake/helpers.js';

export type TargetKind = 'duckdb' | 'postgres' | 'snowflake';
export const TARGETS: readonly TargetKind[] = ['duckdb', 'postgres', 'snowflake'];

/** One destination for a test file: where the CLI loads, and how the test reads it back. */
export interface Target {
  kind: TargetKind;
  /** The connection name assets use as `destination`. */
  connection: string;
  /** YAML lines appended under `connections:` (indented for the Bruin layout of makeProject). */
  yaml: string;
  /** Environment the CLI needs (the database password is passed through `${VAR}`). */
  env: Record<string, string>;
  /** Secrets that must never appear in any output or table. */
  secrets: string[];
  /** Rows of a query in DuckDB's SQL dialect (the fake Snowflake runs on DuckDB too). */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  /** `epoch seconds` of a timestamp column, in this target's SQL. */
  epoch(col: string): string;
  /** A column as text, in this target's SQL. */
  text(col: string): string;
  close(): Promise<void>;
}

export const SF_PASSWORD_ENV = 'REL_SF_PASSWORD';
export const PG_PASSWORD_ENV = 'REL_PG_PASSWORD';

export async function openTarget(kind: TargetKind, duckdbPath: () => string, opts: { snowflakeLeaseSeconds?: number } = {}): Promise<Target> {
  if (kind === 'duckdb') {
    return {
      kind,
      connection: 'duckdb',
      yaml: '',
      env: {},
      secrets: [],
      query: (sql) => duckQuery(duckdbPath(), sql),
      epoch: (c) => `epoch(${c})::bigint`,
      text: (c) => `${c}::varchar`,
      close: async () => undefined,
    };
  }
  if (kind === 'postgres') {
    const db = await createTestDatabase();
    const o = pgOptions(db.name);
    let client: pg.Client | undefined;
    return {
      kind,
      connection: 'postgres',
      yaml: postgresConnectionYaml(o, PG_PASSWORD_ENV),
      env: { [PG_PASSWORD_ENV]: o.password! },
      secrets: [o.password!],
      async query(sql) {
        client ??= await pgClient(db.name);
        return (await client.query(sql)).rows as Array<Record<string, unknown>>;
      },
      epoch: (c) => `extract(epoch FROM ${c})::bigint`,
      text: (c) => `${c}::text`,
      async close() {
        await client?.end();
        await db.drop();
      },
    };
  }
  // a killed run's open transaction is detached: Snowflake rolls it back once it blocks another
  // and has been idle 5 minutes; the suite's fake does it after 2 s
  const sf: FakeSnowflake = await fakeSnowflake({ detachedAbortMs: 2000 });
  return {
    kind,
    connection: 'snowflake',
    yaml: [
      '      snowflake:',
      '        - name: snowflake',
      `          account: ${sf.account.toLowerCase()}`,
      '          username: loader',
      `          password: \${${SF_PASSWORD_ENV}}`,
      '          database: analytics',
      '          warehouse: load_wh',
      `          access_url: ${sf.url}`,
      ...(opts.snowflakeLeaseSeconds ? [`          lock_lease_seconds: ${opts.snowflakeLeaseSeconds}`] : []),
    ].join('\n'),
    env: { [SF_PASSWORD_ENV]: SF_PASSWORD },
    secrets: [SF_PASSWORD],
    query: (sql) => sf.query(sql),
    epoch: (c) => `epoch(${c})::bigint`,
    text: (c) => `${c}::varchar`,
    close: () => sf.close(),
  };
}

/** A project loading `tables` from the fake Intercom into the target. */
export function project(
  fake: FakeIntercom,
  token: string,
  target: Target,
  tables: readonly string[],
  opts: { timeoutSeconds?: number; apiVersion?: string; maxAttempts?: number; searchSlices?: number } = {},
): TestProject {
  return makeProject({
    url: fake.url,
    token,
    apiVersion: opts.apiVersion,
    extraConnections: target.yaml,
    intercom: { timeout_seconds: opts.timeoutSeconds, max_attempts: opts.maxAttempts, search_slices: opts.searchSlices },
    assets: Object.fromEntries(tables.map((t) => [t, asset(t, { destination: target.connection })])),
  });
}

/** The CLI in a child process, killable; resolves when it exits. */
export interface CliRun {
  child: ChildProcess;
  /** JSON progress events seen so far (with `--progress json`). */
  events: Array<Record<string, unknown>>;
  done: Promise<CliResult>;
}

/**
 * `o.installed`: through the installed command's entry (dist/cli/bin.js, which relaunches `ingest`
 * with malloc settings), in a process group of its own as a terminal's foreground job is (so a test
 * can signal the whole group as Ctrl-C does: `process.kill(-pid, …)`).
 */
export function startCli(args: string[], env: Record<string, string | undefined>, cwd: string, o: { installed?: boolean } = {}): CliRun {
  const child = spawn(process.execPath, [path.join(repoRoot, o.installed ? 'dist/cli/bin.js' : 'dist/cli/main.js'), ...args], {
    cwd,
    env: { ...process.env, FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: o.installed === true,
  });
  const run: CliRun = { child, events: [], done: undefined as unknown as Promise<CliResult> };
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d;
    partial += d;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) {
      if (!l.startsWith('{')) continue;
      try {
        run.events.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        /* a line that is not an event */
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  run.done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return run;
}

/** `ingest` of the project into the target; returns when the CLI exits. */
export function ingest(p: TestProject, target: Target, extra: string[] = [], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(['ingest', '--config', p.configFile, '--progress', 'log', ...extra], { ...target.env, ...env }, p.dir).done;
}

export async function ingestOk(p: TestProject, target: Target, extra: string[] = []): Promise<CliResult> {
  const r = await ingest(p, target, extra);
  if (r.code !== 0) throw new Error(`ingest exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The tables a set of assets writes, with the fake's export to compare each with. */
export function comparedTables(assets: readonly string[]): Array<{ name: string; key: string[]; ts?: string }> {
  const exported = new Set<string>(EXPORT_TABLES);
  return assets.flatMap((a) => {
    const t = getTable(a)!;
    return [
      { name: t.name, key: t.primaryKey, ts: t.incrementalKey === 'updated_at' ? 'updated_at' : undefined },
      ...(t.children ?? []).map((c) => ({ name: c.name, key: c.primaryKey, ts: undefined })),
    ].filter((c) => exported.has(c.name));
  });
}

/** Every compared table equals the export (keys and updated_at) with no duplicate key. */
export async function expectEqualsExport(fake: FakeIntercom, target: Target, assets: readonly string[], schema = 'intercom'): Promise<number> {
  let rows = 0;
  for (const t of comparedTables(assets)) {
    const all = await exportTable(fake.url, t.name);
    const truthRows = t.name === 'conversation_parts' ? apiVisibleParts(all) : all;
    const want = new Map(truthRows.map((r) => [t.key.map((c) => String(r[c])).join('|'), t.ts && r[t.ts] != null ? Number(r[t.ts]) : null]));
    const k = t.key.map((c) => target.text(`"${c}"`)).join(` || '|' || `);
    const got = await target.query(`SELECT ${k} AS k, ${t.ts ? target.epoch(`"${t.ts}"`) : 'NULL'} AS t FROM "${schema}"."${t.name}"`);
    const map = new Map(got.map((r) => [String(r['k']), r['t'] == null ? null : Number(r['t'])]));
    expect(map.size, `${target.kind} ${t.name}: duplicate keys`).toBe(got.length);
    expect(map, `${target.kind} ${t.name}`).toEqual(want);
    rows += got.length;
  }
  return rows;
}

/** No compared table that exists holds a key twice. */
export async function expectNoDuplicates(target: Target, assets: readonly string[], schema = 'intercom'): Promise<void> {
  for (const t of comparedTables(assets)) {
    if (!(await tableExists(target, schema, t.name))) continue;
    const k = t.key.map((c) => target.text(`"${c}"`)).join(` || '|' || `);
    const [row] = await target.query(`SELECT count(*) AS n, count(DISTINCT ${k}) AS d FROM "${schema}"."${t.name}"`);
    expect(Number(row!['n']), `${target.kind} ${t.name}: duplicate keys`).toBe(Number(row!['d']));
  }
}

/** `_elt_state` rows: asset -> state JSON text. */
export async function stateOf(target: Target, schema = 'intercom'): Promise<Map<string, Record<string, unknown>>> {
  const exists = await tableExists(target, schema, '_elt_state');
  if (!exists) return new Map();
  const rows = await target.query(`SELECT asset, ${target.text('state')} AS s FROM "${schema}"."_elt_state"`);
  return new Map(rows.map((r) => [String(r['asset']), JSON.parse(String(r['s'])) as Record<string, unknown>]));
}

export async function tableExists(target: Target, schema: string, table: string): Promise<boolean> {
  const rows = await target.query(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name = '${table}'`);
  return Number(rows[0]!['n']) > 0;
}

/**
 * "State never ahead of the rows": for every asset whose cursor moved, every export record
 * updated at or before that cursor is in the destination with at least that updated_at
 * (the fake is not mutated during these tests, so nothing may be missing).
 */
export async function expectStateNotAhead(fake: FakeIntercom, target: Target, assets: readonly string[], schema = 'intercom'): Promise<number> {
  const state = await stateOf(target, schema);
  let checked = 0;
  for (const a of assets) {
    const t = getTable(a)!;
    const s = state.get(`intercom.${a}`);
    if (!s || typeof s['cursor'] !== 'number' || t.incrementalKey !== 'updated_at') continue;
    const cursor = s['cursor'] as number;
    const covered = (await exportTable(fake.url, a)).filter((r) => Number(r['updated_at']) <= cursor);
    if (covered.length === 0) continue;
    const got = await target.query(`SELECT ${target.text('"id"')} AS k FROM "${schema}"."${a}"`);
    const have = new Set(got.map((r) => String(r['k'])));
    const missing = covered.filter((r) => !have.has(String(r['id'])));
    expect(
      missing.map((r) => r['id']),
      `${target.kind} ${a}: rows the cursor ${cursor} claims but the table lacks`,
    ).toEqual([]);
    checked += covered.length;
  }
  return checked;
}
