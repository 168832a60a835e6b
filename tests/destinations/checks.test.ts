/**
 * Issue #16: the data checks' SQL (src/destinations/shared/checks.ts, one generator for every
 * dialect) on each real engine — DuckDB, the suite's Postgres, and the fake Snowflake through the
 * real snowflake-sdk: every built-in passing and failing, custom checks, non-blocking failures,
 * checks that cannot run, soft-deleted rows, and the `_elt_checks` rows they leave.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../../src/config/index.js';
import type { CheckResult } from '../../src/destinations/types.js';
import type { ColumnDef } from '../../src/core/schema.js';
import { fakeSnowflakeFactory } from '../snowflake/helpers.js';
import { duckdbFactory, load, oneTable, postgresFactory, type Harness } from './harness.js';

const COLUMNS: ColumnDef[] = [
  { name: 'id', type: 'string' },
  { name: 'n', type: 'int64' },
  { name: 'x', type: 'float64' },
  { name: 'neg', type: 'int64' },
  { name: 'flag', type: 'bool' },
  { name: 'at', type: 'timestamp' },
  { name: 'tag', type: 'string' },
];
// a quote and a backslash in a value: literals must survive every dialect's escaping
const ODD = "o'hara\\x";
const ROWS = [
  { id: 'a', n: 1, x: 0.5, neg: -1, flag: true, at: 100, tag: 'red' },
  { id: 'b', n: 2, x: 1.5, neg: -2, flag: true, at: 200, tag: 'blue' },
  { id: 'c', n: 2, x: -1, neg: -3, flag: false, at: 300, tag: ODD },
  { id: 'd', n: null, x: null, neg: null, flag: null, at: null, tag: null },
];

const col = (column: string, name: Extract<Check, { kind: 'column' }>['name'], value?: unknown, more: Partial<Check> = {}): Check =>
  ({ kind: 'column', name, column, blocking: true, excludeDeleted: false, ...(value !== undefined && { value }), ...more }) as Check;
const custom = (name: string, query: string, more: Partial<Extract<Check, { kind: 'custom' }>> = {}): Check => ({
  kind: 'custom',
  name,
  query,
  blocking: true,
  ...more,
});

/** [check, expected status, expected offending rows (column checks)] */
const CASES: Array<[Check, CheckResult['status'], number?]> = [
  [col('id', 'not_null'), 'passed', 0],
  [col('n', 'not_null'), 'failed', 1],
  [col('n', 'not_null', undefined, { excludeDeleted: true }), 'passed', 0],
  [col('id', 'unique'), 'passed', 0],
  [col('n', 'unique'), 'failed', 2],
  [col('n', 'positive'), 'passed', 0],
  [col('x', 'positive'), 'failed', 1],
  [col('n', 'non_negative'), 'passed', 0],
  [col('x', 'non_negative'), 'failed', 1],
  [col('neg', 'negative'), 'passed', 0],
  [col('x', 'negative'), 'failed', 2],
  [col('tag', 'accepted_values', ['red', 'blue', ODD]), 'passed', 0],
  [col('tag', 'accepted_values', ['red']), 'failed', 2],
  [col('n', 'accepted_values', [1, 2]), 'passed', 0],
  [col('flag', 'accepted_values', [true]), 'failed', 1],
  [col('id', 'pattern', '^[a-d]$'), 'passed', 0],
  [col('tag', 'pattern', '^[a-z]+$'), 'failed', 1],
  [col('n', 'min', 1), 'passed', 0],
  [col('n', 'min', 2), 'failed', 1],
  [col('x', 'max', 1), 'failed', 1],
  [col('at', 'max', 300), 'passed', 0],
  [col('at', 'min', 150), 'failed', 1],
  [col('x', 'max', 0, { blocking: false }), 'failed', 2],
  [col('nope', 'not_null'), 'error'],
  [col('tag', 'min', 1), 'error'],
  [custom('two rows have n = 2', 'SELECT COUNT(*) FROM {{ this }} WHERE "n" = 2', { value: 2 }), 'passed'],
  [custom('no row has n = 2', 'SELECT COUNT(*) FROM {{this}} WHERE "n" = 2'), 'failed'],
  [custom('four rows', 'SELECT "id" FROM {{ this }}', { count: 4 }), 'passed'],
  [custom('a tag is red', `SELECT COUNT(*) > 0 FROM {{ this }} WHERE "tag" = 'red'`, { value: true }), 'passed'],
  [custom('soft warning', 'SELECT COUNT(*) FROM {{ this }}', { value: 0, blocking: false }), 'failed'],
  [custom('broken sql', 'SELEC nothing FROM {{ this }}'), 'error'],
  [custom('two values', 'SELECT 1 AS a, 2 AS b'), 'error'],
];

const FACTORIES = [duckdbFactory, postgresFactory, fakeSnowflakeFactory];

describe.each(FACTORIES)('checks on $name', (factory) => {
  let h: Harness;
  let results: CheckResult[];
  beforeAll(async () => {
    h = await factory.open();
    const spec = (loadId: string) => oneTable('things', loadId, { strategy: 'merge', columns: COLUMNS, incrementalKey: undefined });
    await load(h.dest, spec('L1'), ROWS);
    // d becomes a soft-deleted row
    const w = await h.dest.openRun(spec('L2'));
    await w.markDeleted('things', { keyColumns: ['id'], keys: [['d']], deletedAt: [1000] });
    await w.finish({}, { status: 'ok', rows: 0, requests: 0 });
    results = await h.dest.runChecks(
      { asset: 'intercom.things', loadId: 'L2', schema: 'intercom', table: 'things' },
      CASES.map(([c]) => c),
    );
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('each check passes, fails or cannot run as the data says, counting the offending rows', () => {
    const got = results.map((r) => [r.check, r.column, r.status, r.offendingRows]);
    const want = CASES.map(([c, status, n]) => [c.name, c.kind === 'column' ? c.column : undefined, status, status === 'error' ? undefined : n]);
    expect(got).toEqual(want);
  });

  it('messages say what was found, in one line', () => {
    const by = (name: string) => results.find((r) => r.check === name)!;
    expect(by('no row has n = 2').message).toBe('returned 2, expected 0');
    expect(results.find((r) => r.column === 'nope')!.message).toBe('column nope is not in table intercom.things');
    expect(results.find((r) => r.column === 'tag' && r.check === 'min')!.message).toMatch(/min needs a number or timestamp column; tag is string/);
    expect(by('two values').message).toMatch(/one value/);
    expect(by('broken sql').message).toMatch(/^the check's query failed: /);
    for (const r of results) expect(r.message).not.toContain('\n');
  });

  it('records one _elt_checks row per check, readable by a dbt model', async () => {
    const rows = await h.query(
      `SELECT "check_name", "column_name", "blocking", "status", "offending_rows", "load_id", "asset" FROM "intercom"."_elt_checks" ORDER BY "check_name", "column_name"`,
    );
    expect(rows).toHaveLength(CASES.length);
    const unique = rows.find((r) => r['check_name'] === 'unique' && r['column_name'] === 'n')!;
    expect({ ...unique, offending_rows: Number(unique['offending_rows']) }).toEqual({
      check_name: 'unique',
      column_name: 'n',
      blocking: true,
      status: 'failed',
      offending_rows: 2,
      load_id: 'L2',
      asset: 'intercom.things',
    });
    const soft = rows.find((r) => r['check_name'] === 'soft warning')!;
    expect([soft['blocking'], soft['status'], soft['column_name']]).toEqual([false, 'failed', null]);
  });
});
