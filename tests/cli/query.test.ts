/**
 * Issue #14 item 14: `intercom-elt query "SQL"` through the real CLI, on a DuckDB file that a real
 * ingest (fake Intercom over HTTP) wrote: each format, --limit, errors as one line, the file held
 * by another process, destinations that are not DuckDB, and the `query` line `ingest` ends with.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { query } from '../helpers/duck.js';
import { asset, makeProject, postgresConnectionYaml, type TestProject } from '../helpers/project.js';

const TOKEN = 'tok-query-5e6f7a8b9c0d';
const CONTACTS = 120;
let fake: FakeIntercom;
let p: TestProject;
let ingestOut: string;

/** The one `error: …` line of a failed run (exit 1, nothing else on stderr, no stack). */
function oneErrorLine(r: CliResult): string {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  return lines[0]!;
}

const q = (args: string[]) => runCli(['query', '-c', p.configFile, ...args]);

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 14, token: TOKEN, contacts: CONTACTS, companies: 5, conversations: 5, tickets: 1 });
  p = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: asset('contacts'), tags: asset('tags') } });
  const r = await runCli(['ingest', '-c', p.configFile, '--progress', 'log']);
  expect(r.code, r.stderr).toBe(0);
  ingestOut = r.stdout;
});
afterAll(async () => {
  await fake?.close();
});

describe('query', () => {
  test('ingest ends with a query example that runs as printed', async () => {
    const m = /^Explore it: (?:npx )?intercom-elt (query .*)$/m.exec(ingestOut);
    expect(m, ingestOut).not.toBeNull();
    expect(ingestOut).not.toMatch(/duckdb \S+ -c/);
    const args = m![1]!.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
    expect(args).toEqual(['query', '-c', p.configFile, 'select * from intercom.contacts limit 10']);
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('(10 rows)');
  });

  test('table: aligned columns under a header and a rule, NULL shown, a row count', async () => {
    const truth = await query(p.duckdbPath, 'SELECT id, email, name FROM intercom.contacts ORDER BY id LIMIT 4');
    const r = await q(['select id, email, null as nothing, name from intercom.contacts order by id limit 4']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 1 + 4 + 1);
    expect(lines[0]).toMatch(/^id\s+email\s+nothing\s+name$/);
    expect(lines[1]).toMatch(/^-+ {2}-+ {2}-+ {2}-+$/);
    const starts = (l: string) => [...lines[1]!.matchAll(/-+/g)].map((x) => l.slice(x.index).trimEnd());
    truth.forEach((row, i) => {
      const [id, email, nothing, name] = starts(lines[2 + i]!);
      expect(id!.startsWith(String(row.id))).toBe(true);
      expect(email!.startsWith(String(row.email))).toBe(true);
      expect(nothing!.startsWith('NULL')).toBe(true);
      expect(name).toBe(row.name === null ? 'NULL' : String(row.name));
    });
    expect(lines.at(-1)).toBe('(4 rows)');
  });

  test('csv: a header and RFC 4180 quoting, nothing else on stdout', async () => {
    const r = await q([`select 'a,b' as x, 'say "hi"' as y, null as z, 42::bigint as n union all select 'line\nbreak', 'plain', 'v', 7`, '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('x,y,z,n\n"a,b","say ""hi""",,42\n"line\nbreak",plain,v,7\n');
    expect(r.stderr).toBe('');
  });

  test('json: one array of objects; counts as numbers, JSON columns as objects, timestamps in UTC', async () => {
    const r = await q(['select count(*) as n from intercom.contacts', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ n: CONTACTS }]);
    const truth = await query(p.duckdbPath, `SELECT id, CAST(custom_attributes AS VARCHAR) AS ca FROM intercom.contacts ORDER BY id LIMIT 1`);
    const one = await q(['select id, custom_attributes, updated_at from intercom.contacts order by id limit 1', '--format', 'json']);
    const rows = JSON.parse(one.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(truth[0]!.id);
    expect(rows[0]!.custom_attributes).toEqual(JSON.parse(String(truth[0]!.ca)));
    expect(String(rows[0]!.updated_at)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00$/);
  });

  test('--limit: the first n rows and a note; 0 prints all; the default is 100', async () => {
    const [table, csv, all, dflt, fraction, xml] = await Promise.all([
      q(['select id from intercom.contacts order by id', '--limit', '5']),
      q(['select id from intercom.contacts order by id', '--format', 'csv', '--limit', '5']),
      q(['select id from intercom.contacts', '--format', 'json', '--limit', '0']),
      q(['select id from intercom.contacts', '--format', 'json']),
      q(['select 1', '--limit', '2.5']),
      q(['select 1', '--format', 'xml']),
    ]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + 5 + 1);
    expect(lines.at(-1)).toBe('(first 5 rows; --limit <n> for more, --limit 0 for all)');

    expect(csv.stdout.trimEnd().split('\n')).toHaveLength(1 + 5);
    expect(csv.stderr.trim()).toBe('showing the first 5 rows; --limit <n> for more, --limit 0 for all');

    expect(JSON.parse(all.stdout)).toHaveLength(CONTACTS);
    expect(all.stderr).toBe('');
    expect(JSON.parse(dflt.stdout)).toHaveLength(100);

    expect(oneErrorLine(fraction)).toMatch(/--limit: '2.5' is not a whole number/);
    expect(oneErrorLine(xml)).toBe("error: --format: 'xml' is not one of table, csv, json");
  });

  test('bad SQL and writes are one error line, exit 1; the file stays as it was', async () => {
    const [parse, bind, write, none, split] = await Promise.all([
      q(['selec id from intercom.contacts']),
      q(['select nope from intercom.contacts']),
      q(['delete from intercom.contacts']),
      runCli(['query', '-c', p.configFile]),
      runCli(['query', '-c', p.configFile, 'select', '1']),
    ]);
    expect(oneErrorLine(parse)).toMatch(/^error: query: Parser Error: syntax error at or near "selec"$/);
    expect(oneErrorLine(bind)).toMatch(/^error: query: Binder Error: .*nope/);
    expect(oneErrorLine(write)).toMatch(/^error: query: .*read-only/);
    expect(oneErrorLine(none)).toMatch(/query needs SQL/);
    expect(oneErrorLine(split)).toMatch(/quote the SQL as one argument/);
    expect(await query(p.duckdbPath, 'SELECT count(*)::INTEGER AS n FROM intercom.contacts')).toEqual([{ n: CONTACTS }]);
  });

  test('while an ingest holds the file: one line naming the process, exit 1; the rows once it has finished', async () => {
    // every request takes a second: the run holds its DuckDB file for several seconds
    const slow = await startFakeIntercom({ seed: 15, token: TOKEN, contacts: 30, companies: 3, conversations: 3, tickets: 1, latencyMs: 1000 });
    try {
      const sp = makeProject({ url: slow.url, token: TOKEN, assets: { contacts: asset('contacts'), admins: asset('admins') } });
      let finished = false;
      const run = runCli(['ingest', '-c', sp.configFile, '--progress', 'log']).finally(() => (finished = true));
      let locked: CliResult | undefined;
      while (!finished && !locked) {
        const r = await runCli(['query', '-c', sp.configFile, 'select 1']);
        if (r.stderr.includes('is in use by another process')) locked = r;
      }
      const ingest = await run;
      expect(ingest.code, ingest.stderr).toBe(0);
      expect(locked, 'no query ran while the ingest held the file').toBeDefined();
      expect(oneErrorLine(locked!)).toMatch(
        new RegExp(`^error: ${sp.duckdbPath.replace(/[.]/g, '\\.')} is in use by another process \\(PID \\d+\\), probably a running ingest`),
      );
      const after = await runCli(['query', '-c', sp.configFile, 'select count(*) as n from intercom.contacts', '--format', 'csv']);
      expect(after.stdout).toBe('n\n30\n');
    } finally {
      await slow.close();
    }
  });

  test('--dest-uri reads a file without a project; a file named like its schema is not ambiguous', async () => {
    const file = path.join(p.dir, 'intercom.duckdb');
    copyFileSync(p.duckdbPath, file);
    const r = await runCli(['query', '--dest-uri', 'duckdb:///intercom.duckdb', 'select count(*) as n from intercom.contacts', '--format', 'csv'], {
      cwd: p.dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`n\n${CONTACTS}\n`);
    expect(oneErrorLine(await runCli(['query', '--dest-uri', 'duckdb:///missing.duckdb', 'select 1'], { cwd: p.dir }))).toBe(
      `error: ${path.join(p.dir, 'missing.duckdb')} does not exist yet: run intercom-elt ingest first`,
    );
    expect(oneErrorLine(await runCli(['query', '--dest-uri', 'duckdb:///intercom.duckdb', '-c', p.configFile, 'select 1'], { cwd: p.dir }))).toMatch(
      /--config does not apply with --dest-uri/,
    );
  });

  test('a destination that is not DuckDB, or several DuckDB ones: a clear line, no secret', async () => {
    const secret = 'pw-query-31a7c9';
    const pg = postgresConnectionYaml({ host: '127.0.0.1', database: 'x', user: 'u' }, 'QUERY_TEST_PG_PASSWORD');
    const two = makeProject({
      url: fake.url,
      token: TOKEN,
      assets: {},
      extraConnections: ['        - name: other', '          path: ./other.duckdb', pg].join('\n'),
    });
    const env = { QUERY_TEST_PG_PASSWORD: secret };
    const [notDuck, unknown, uri, several, picked] = await Promise.all([
      runCli(['query', '-c', two.configFile, '--connection', 'postgres', 'select 1'], { env }),
      runCli(['query', '-c', two.configFile, '--connection', 'nope', 'select 1'], { env }),
      runCli(['query', '--dest-uri', `postgresql://u:${secret}@127.0.0.1/x`, 'select 1']),
      runCli(['query', '-c', two.configFile, 'select 1'], { env }),
      runCli(['query', '-c', two.configFile, '--connection', 'other', 'select 1'], { env }),
    ]);
    expect(oneErrorLine(notDuck)).toBe("error: query reads DuckDB files only; connection 'postgres' is postgres: use its own client (psql, snowsql)");
    expect(oneErrorLine(unknown)).toMatch(/--connection: no destination connection 'nope' in .* \(there are: duckdb, other, postgres\)/);
    expect(oneErrorLine(uri)).toBe('error: query reads DuckDB files only; --dest-uri is postgres: use its own client (psql, snowsql)');
    expect(oneErrorLine(several)).toMatch(/has several DuckDB connections \(duckdb, other\): pick one with --connection <name>$/);
    expect(oneErrorLine(picked)).toBe(`error: ${path.join(two.dir, 'other.duckdb')} does not exist yet: run intercom-elt ingest first`);
    for (const r of [notDuck, unknown, uri, several, picked]) expect(r.stdout + r.stderr).not.toContain(secret);
  });
});
