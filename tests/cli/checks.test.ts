/**
 * Issue #16 through the real CLI, on a DuckDB file and on the suite's Postgres: an asset file's
 * Bruin checks run after the load; a failed blocking check exits 1 with one `error:` line naming
 * asset, column, check and offending rows; a non-blocking one is a `warning:`; results land in
 * `_elt_checks`; `--progress json` has one `check` event per check; a malformed check stops
 * the run before any request.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assetYaml } from '../../src/cli/commands/init.js';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { getTable } from '../../src/intercom/tables/index.js';
import { createTestDatabase, pgClient, pgOptions } from '../destinations/harness.js';
import { runCli } from '../helpers/cli.js';
import { query as duckQuery } from '../helpers/duck.js';
import { makeProject, postgresConnectionYaml, type TestProject } from '../helpers/project.js';
import { exportTable } from '../helpers/truth.js';

const TOKEN = 'tok-checks-3c9d1e';
let fake: FakeIntercom;
let db: { name: string; drop(): Promise<void> };
/** industry values of the export outside [Retail, Software]: the accepted_values check's offending rows. */
let offIndustry: number;
let bigSpenders: number;
let companyCount: number;

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 7, token: TOKEN, contacts: 20, companies: 12, conversations: 2, tickets: 1 });
  db = await createTestDatabase();
  const companies = await exportTable(fake.url, 'companies');
  companyCount = companies.length;
  offIndustry = companies.filter((c) => c['industry'] != null && !['Retail', 'Software'].includes(String(c['industry']))).length;
  bigSpenders = companies.filter((c) => Number(c['monthly_spend']) > 10000).length;
  expect(offIndustry).toBeGreaterThan(0);
  expect(bigSpenders).toBeGreaterThan(0);
});

afterAll(async () => {
  await fake?.close();
  await db?.drop();
});

function companiesAsset(destination: string, checks: string): string {
  return ['name: intercom.companies', 'parameters:', '  source_table: companies', `  destination: ${destination}`, checks].join('\n');
}

const CHECKS = `columns:
  - name: id
    checks:
      - name: unique
      - name: not_null
  - name: industry
    checks:
      - name: accepted_values
        value: [Retail, Software]
  - name: monthly_spend
    checks:
      - name: max
        value: 10000
        blocking: false
custom_checks:
  - name: has companies
    query: SELECT COUNT(*) > 0 FROM {{ this }}
    value: true
`;

const DESTINATIONS = [
  {
    name: 'duckdb',
    query: (p: TestProject, sql: string) => duckQuery(p.duckdbPath, sql),
  },
  {
    name: 'postgres',
    async query(_p: TestProject, sql: string) {
      const c = await pgClient(db.name);
      try {
        return (await c.query(sql)).rows as Array<Record<string, unknown>>;
      } finally {
        await c.end();
      }
    },
  },
];

describe.each(DESTINATIONS)('checks through the CLI on $name', (dest) => {
  const project = (checks: string): TestProject => {
    const pg = dest.name === 'postgres' ? postgresConnectionYaml(pgOptions(db.name), 'TEST_PG_PASSWORD') : '';
    return makeProject({ url: fake.url, token: TOKEN, extraConnections: pg, assets: { companies: companiesAsset(dest.name, checks) } });
  };
  const ingest = (p: TestProject, progress = 'log') =>
    runCli(['ingest', '-c', p.configFile, '--progress', progress], { env: { TEST_PG_PASSWORD: pgOptions('x').password } });

  test('a failed blocking check exits 1 with one error line per failure; the rows stay loaded; results in _elt_checks', async () => {
    const p = project(CHECKS);
    const r = await ingest(p);
    expect(r.code, r.stderr).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => /^(error|warning): /.test(l));
    expect(errors).toEqual([
      `error: intercom.companies: column industry: accepted_values failed: ${offIndustry} offending row${offIndustry === 1 ? '' : 's'}`,
      `warning: intercom.companies: column monthly_spend: max failed: ${bigSpenders} offending row${bigSpenders === 1 ? '' : 's'} (non-blocking)`,
    ]);
    // the log shows every check; the summary counts the passed ones
    expect(r.stderr).toContain('intercom.companies: column id: unique passed: no offending rows');
    expect(r.stderr).toContain('intercom.companies: custom check "has companies" passed: returned 1, as expected');
    expect(r.stdout).toMatch(/checks\n/);
    expect(r.stdout).toMatch(/intercom\.companies\s+ok\s.*\s3\/5\n/);
    const rows = await dest.query(p, `SELECT check_name, column_name, status, offending_rows FROM intercom._elt_checks ORDER BY check_name, column_name`);
    expect(rows.map((x) => [x['check_name'], x['column_name'], x['status'], Number(x['offending_rows'] ?? -1)])).toEqual([
      ['accepted_values', 'industry', 'failed', offIndustry],
      ['has companies', null, 'passed', -1],
      ['max', 'monthly_spend', 'failed', bigSpenders],
      ['not_null', 'id', 'passed', 0],
      ['unique', 'id', 'passed', 0],
    ]);
    const [loaded] = await dest.query(p, 'SELECT COUNT(*) AS n FROM intercom.companies');
    expect(Number(loaded!['n'])).toBe(companyCount);
  });

  test('--progress json: one check event per check, before the asset_end; a non-blocking failure alone exits 0', async () => {
    const p = project(CHECKS.replace('value: [Retail, Software]', 'value: [Retail, Software]\n        blocking: false'));
    const r = await ingest(p, 'json');
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const checks = events.filter((e) => e['type'] === 'check');
    expect(checks.map((e) => [e['check'], e['column'], e['status'], e['blocking'], e['offendingRows']])).toEqual([
      ['unique', 'id', 'passed', true, 0],
      ['not_null', 'id', 'passed', true, 0],
      ['accepted_values', 'industry', 'failed', false, offIndustry],
      ['max', 'monthly_spend', 'failed', false, bigSpenders],
      ['has companies', undefined, 'passed', true, undefined],
    ]);
    const end = events.findIndex((e) => e['type'] === 'asset_end');
    expect(events.findIndex((e) => e['type'] === 'check')).toBeLessThan(end);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('warning: '))).toHaveLength(2);
    expect(r.stderr).not.toMatch(/^error: /m);
  });
});

test('a malformed check stops ingest before any request: one line, exit 1', async () => {
  const p = makeProject({
    url: 'http://127.0.0.1:9',
    token: TOKEN,
    assets: { companies: companiesAsset('duckdb', 'columns:\n  - name: industry\n    checks:\n      - name: acepted_values\n') },
  });
  const r = await runCli(['ingest', '-c', p.configFile]);
  expect(r.code).toBe(1);
  expect(r.stderr.trim()).toBe(
    `error: ${p.assetsDir}/companies.asset.yml: columns[0].checks[0].name: unknown check "acepted_values"; did you mean "accepted_values"?`,
  );
});

test('the primary-key checks init writes pass on a real load (one-column and composite keys)', async () => {
  const names = ['tags', 'data_attributes', 'company_segments'];
  const p = makeProject({ url: fake.url, token: TOKEN, assets: Object.fromEntries(names.map((n) => [n, assetYaml(getTable(n)!)])) });
  const r = await runCli(['ingest', '-c', p.configFile, '--progress', 'log']);
  expect(r.code, r.stderr).toBe(0);
  const rows = await duckQuery(p.duckdbPath, 'SELECT asset, check_name, column_name, status FROM intercom._elt_checks ORDER BY asset, check_name, column_name');
  expect(rows.map((x) => [x['asset'], x['check_name'], x['column_name'], x['status']])).toEqual([
    ['intercom.company_segments', 'company_id + id is unique', null, 'passed'],
    ['intercom.company_segments', 'not_null', 'company_id', 'passed'],
    ['intercom.company_segments', 'not_null', 'id', 'passed'],
    ['intercom.data_attributes', 'model + name is unique', null, 'passed'],
    ['intercom.data_attributes', 'not_null', 'model', 'passed'],
    ['intercom.data_attributes', 'not_null', 'name', 'passed'],
    ['intercom.tags', 'not_null', 'id', 'passed'],
    ['intercom.tags', 'unique', 'id', 'passed'],
  ]);
});
