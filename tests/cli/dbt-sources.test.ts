/** Issue #8: `intercom-elt dbt-sources` emits a dbt sources.yml that parses, with freshness on _elt_loaded_at. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { getTable } from '../../src/intercom/tables/index.js';
import { runCli } from '../helpers/cli.js';
import { asset, makeProject, postgresConnectionYaml } from '../helpers/project.js';

interface Sources {
  version: number;
  sources: Array<{
    name: string;
    database?: string;
    schema: string;
    loaded_at_field: string;
    freshness: { warn_after: { count: number; period: string }; error_after: { count: number; period: string } };
    tables: Array<{
      name: string;
      description: string;
      data_tests?: unknown[];
      columns: Array<{ name: string; description: string; quote?: boolean; data_tests?: unknown[] }>;
    }>;
  }>;
}

const TOKEN = 'tok-dbt-55aa66bb77cc';

describe('dbt-sources', () => {
  test('one source per schema, a table per asset with descriptions, freshness on _elt_loaded_at', async () => {
    const p = makeProject({
      url: 'http://127.0.0.1:9',
      token: TOKEN,
      assets: {
        contacts: asset('contacts'),
        tags: asset('tags'),
        support: asset('conversations').replace('name: intercom.conversations', 'name: support.conversations'),
      },
    });
    const r = await runCli(['dbt-sources', '-c', p.configFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stdout).not.toMatch(/[&*]a\d/); // no YAML anchors: plain text people can read
    const doc = parse(r.stdout) as Sources;
    expect(doc.version).toBe(2);
    expect(doc.sources.map((s) => s.name).sort()).toEqual(['intercom', 'support']);
    const intercom = doc.sources.find((s) => s.name === 'intercom')!;
    expect(intercom.schema).toBe('intercom');
    expect(intercom.database).toBe('warehouse');
    expect(intercom.loaded_at_field).toBe('_elt_loaded_at');
    expect(intercom.freshness).toEqual({ warn_after: { count: 24, period: 'hour' }, error_after: { count: 48, period: 'hour' } });
    // the contacts asset also loads its relation tables beside it
    expect(intercom.tables.map((t) => t.name).sort()).toEqual(['contact_companies', 'contact_tags', 'contacts', 'tags']);
    const contacts = intercom.tables.find((t) => t.name === 'contacts')!;
    expect(contacts.description).toContain(getTable('contacts')!.description);
    const cols = contacts.columns.map((c) => c.name);
    for (const c of getTable('contacts')!.columns) expect(cols).toContain(c.name);
    expect(cols).toContain('_elt_loaded_at');
    expect(contacts.columns.find((c) => c.name === 'id')!.description).toContain('Primary key');
    expect(contacts.columns.find((c) => c.name === 'updated_at')!.description).toContain('Incremental key');
    expect(doc.sources.find((s) => s.name === 'support')!.tables.map((t) => t.name)).toEqual([
      'conversations',
      'conversation_parts',
      'conversation_tags',
      'conversation_contacts',
    ]);
  });

  test('--out writes the file', async () => {
    const p = makeProject({ url: 'http://127.0.0.1:9', token: TOKEN, assets: { contacts: asset('contacts') } });
    const out = path.join(p.dir, 'models', 'sources.yml');
    const r = await runCli(['dbt-sources', '-c', p.configFile, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(true);
    const doc = parse(readFileSync(out, 'utf8')) as Sources;
    expect(doc.sources[0]!.tables[0]!.name).toBe('contacts');
    expect(doc.sources[0]!.freshness.error_after.count).toBe(48);
  });

  /** Issue #14 item 17 and issue #16: primary keys and asset checks become dbt data tests. */
  const CHECKED = [
    'name: intercom.companies',
    'columns:',
    '  - name: industry',
    '    checks:',
    '      - name: accepted_values',
    '        value: [Retail, Software]',
    '        blocking: false',
    '  - name: user_count',
    '    checks:',
    '      - name: positive',
    '      - name: max',
    '        value: 1000',
    '  - name: created_at',
    '    checks:',
    '      - name: min',
    '        value: "2010-01-01"',
    '  - name: website',
    '    checks:',
    '      - name: pattern',
    '        value: "^https://"',
    'custom_checks:',
    '  - name: has rows',
    '    query: SELECT COUNT(*) > 0 FROM {{ this }}',
    '    value: true',
    '',
  ].join('\n');
  const tableOf = (doc: Sources, name: string) => doc.sources.flatMap((x) => x.tables).find((t) => t.name === name)!;
  const testsOf = (doc: Sources, table: string) =>
    Object.fromEntries(
      tableOf(doc, table)
        .columns.filter((c) => c.data_tests)
        .map((c) => [c.name, c.data_tests]),
    );

  test('primary keys get unique + not_null; dbt-core checks carry over; the rest is named on stderr, not dropped', async () => {
    const p = makeProject({
      url: 'http://127.0.0.1:9',
      token: TOKEN,
      assets: { contacts: asset('contacts'), companies: CHECKED, conversations: asset('conversations') },
    });
    const r = await runCli(['dbt-sources', '-c', p.configFile]);
    expect(r.code, r.stderr).toBe(0);
    const doc = parse(r.stdout) as Sources;
    expect(testsOf(doc, 'contacts')).toEqual({ id: ['unique', 'not_null'] });
    expect(testsOf(doc, 'companies')).toEqual({
      id: ['unique', 'not_null'],
      industry: [{ accepted_values: { values: ['Retail', 'Software'], config: { severity: 'warn' } } }],
    });
    // a composite key: not_null on each column; its uniqueness needs dbt_utils
    expect(testsOf(doc, 'conversation_parts')).toEqual({ conversation_id: ['not_null'], id: ['not_null'] });
    expect(tableOf(doc, 'conversation_parts').data_tests).toBeUndefined();
    const notes = r.stderr.trim().split('\n');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^note: \d+ test\(s\) need the dbt_utils package and were left out \(/);
    for (const left of [
      'intercom.conversation_parts: unique combination of conversation_id, id',
      'intercom.companies: positive on user_count',
      'intercom.companies: pattern on website',
      'intercom.companies: custom check "has rows"',
    ]) {
      expect(notes[0]).toContain(left);
    }
    expect(notes[0]).toMatch(/pass --dbt-utils$/);
  });

  test("--dbt-utils: composite keys, ranges, patterns (in the destination's SQL) and custom checks as dbt_utils tests", async () => {
    const pg = postgresConnectionYaml({ host: '127.0.0.1', database: 'analytics', user: 'loader' }, 'PG_PASSWORD_DBT');
    const companies = CHECKED.replace('name: intercom.companies', 'name: intercom.companies\nparameters:\n  destination: postgres');
    const p = makeProject({
      url: 'http://127.0.0.1:9',
      token: TOKEN,
      extraConnections: pg,
      assets: { companies, duck: asset('company_segments', { destination: 'duckdb' }) },
    });
    const r = await runCli(['dbt-sources', '-c', p.configFile, '--dbt-utils'], { env: { PG_PASSWORD_DBT: 'pw-dbt-1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const doc = parse(r.stdout) as Sources;
    expect(testsOf(doc, 'companies')).toMatchObject({
      user_count: [{ 'dbt_utils.accepted_range': { min_value: 0, inclusive: false } }, { 'dbt_utils.accepted_range': { max_value: 1000 } }],
      created_at: [{ 'dbt_utils.accepted_range': { min_value: "'2010-01-01T00:00:00.000Z'" } }],
    });
    expect(tableOf(doc, 'companies').data_tests).toEqual([
      { 'dbt_utils.expression_is_true': { expression: `"website" IS NULL OR ("website" ~ '^https://')` } },
      { 'dbt_utils.expression_is_true': { expression: '(SELECT COUNT(*) > 0 FROM "intercom"."companies") = TRUE' } },
    ]);
    expect(tableOf(doc, 'company_segments').data_tests).toEqual([
      { 'dbt_utils.unique_combination_of_columns': { combination_of_columns: ['company_id', 'id'] } },
    ]);
  });

  test('Snowflake: tested columns are quoted (intercom-elt created them lower-case, quoted)', async () => {
    const sf = [
      '      snowflake:',
      '        - name: snowflake',
      '          account: xy12345',
      '          username: loader',
      '          password: pw-sf-dbt-1',
      '          database: analytics',
    ].join('\n');
    const p = makeProject({ url: 'http://127.0.0.1:9', token: TOKEN, extraConnections: sf, assets: { tags: asset('tags', { destination: 'snowflake' }) } });
    const r = await runCli(['dbt-sources', '-c', p.configFile]);
    expect(r.code, r.stderr).toBe(0);
    const id = tableOf(parse(r.stdout) as Sources, 'tags').columns.find((c) => c.name === 'id')!;
    expect(id).toMatchObject({ quote: true, data_tests: ['unique', 'not_null'] });
    expect(r.stdout).not.toContain('pw-sf-dbt-1');
  });
});
