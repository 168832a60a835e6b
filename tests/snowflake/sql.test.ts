/**
 * Layer 1 of docs/destinations/snowflake.md: the exact statements the Snowflake destination
 * sends (DDL, stage, PUT, COPY INTO, MERGE, SWAP, state), and each one parsed by a
 * Snowflake-dialect SQL parser when one is installed (@polyglot-sql/sdk, or node-sql-parser
 * for the statements its Snowflake grammar has). What this proves: the text we send, and
 * (with a parser) that it is Snowflake syntax. Not that Snowflake accepts or executes it.
 */
import { describe, expect, test } from 'vitest';
import * as shared from '../../src/destinations/shared/statements.js';
import { copyInto, createStage, put, sessionSetup, snowflakeDialect, stringLiteral } from '../../src/destinations/snowflake/sql.js';

const d = snowflakeDialect('intercom');
const cols: shared.PhysicalColumn[] = [
  { name: 'id', type: 'string' },
  { name: 'updated_at', type: 'timestamp' },
  { name: 'custom_attributes', type: 'json' },
  { name: 'Plan', type: 'int64' },
];
const staged = { ref: d.tempTableRef('_elt_stage_0'), columns: new Map(cols.map((c) => [c.name, c.type])) };
const target = '"intercom"."contacts"';

/** `standard`: node-sql-parser's Snowflake grammar has the statement (polyglot checks every one). */
const CASES: Array<{ what: string; sql: string; expected: string; standard: boolean }> = [
  {
    what: 'create table (types, quoted names keep their case)',
    sql: shared.createTable(d, 'intercom', 'contacts', cols),
    expected: 'CREATE TABLE IF NOT EXISTS "intercom"."contacts" ("id" VARCHAR, "updated_at" TIMESTAMP_TZ, "custom_attributes" VARIANT, "Plan" NUMBER(38,0))',
    standard: true,
  },
  {
    what: 'add column',
    sql: shared.addColumn(d, 'intercom', 'contacts', { name: 'tier', type: 'float64' }),
    expected: 'ALTER TABLE "intercom"."contacts" ADD COLUMN "tier" FLOAT',
    standard: true,
  },
  {
    what: 'session staging table (a temporary table in the destination schema)',
    sql: shared.createStaging(d, '_elt_stage_0', cols),
    expected:
      'CREATE TEMPORARY TABLE "intercom"."_elt_stage_0" ("_elt_seq" NUMBER(38,0), "id" VARCHAR, "updated_at" TIMESTAMP_TZ, "custom_attributes" VARIANT, "Plan" NUMBER(38,0))',
    standard: true,
  },
  { what: 'clear staging', sql: shared.clearStaging(d, '_elt_stage_0'), expected: 'TRUNCATE TABLE "intercom"."_elt_stage_0"', standard: true },
  {
    what: 'temporary stage',
    sql: createStage('intercom', '_elt_files_ab12'),
    expected: 'CREATE TEMPORARY STAGE IF NOT EXISTS "intercom"."_elt_files_ab12"',
    standard: false,
  },
  {
    what: 'PUT',
    sql: put('/tmp/x/b1.parquet', 'intercom', '_elt_files_ab12'),
    expected: `PUT 'file:///tmp/x/b1.parquet' @"intercom"."_elt_files_ab12" AUTO_COMPRESS = FALSE OVERWRITE = TRUE`,
    standard: false,
  },
  {
    what: 'COPY INTO staging with a transform (JSON parsed, epoch microseconds to TIMESTAMP_TZ)',
    sql: copyInto(d.tempTableRef('_elt_stage_0'), shared.SEQ_COLUMN, cols, 'intercom', '_elt_files_ab12', 'b1.parquet'),
    expected:
      'COPY INTO "intercom"."_elt_stage_0" ("_elt_seq", "id", "updated_at", "custom_attributes", "Plan") FROM (SELECT $1:c0::NUMBER(38,0), ' +
      '$1:c1::VARCHAR, TO_TIMESTAMP_TZ($1:c2::NUMBER(38,0), 6), PARSE_JSON($1:c3::VARCHAR), $1:c4::NUMBER(38,0) FROM @"intercom"."_elt_files_ab12") ' +
      `FILES = ('b1.parquet') FILE_FORMAT = (TYPE = PARQUET) PURGE = TRUE`,
    standard: false,
  },
  {
    what: 'MERGE of staged rows deduplicated by key, newest updated_at first, ties: last staged',
    sql: shared.mergeRows(d, target, cols, ['id'], shared.stagedRows(d, cols, staged, { key: ['id'], order: 'updated_at' }), staged).join(';'),
    expected:
      'MERGE INTO "intercom"."contacts" AS t USING (SELECT r."id", r."updated_at", r."custom_attributes", r."Plan" FROM (SELECT s."id" AS "id", ' +
      's."updated_at" AS "updated_at", s."custom_attributes" AS "custom_attributes", s."Plan" AS "Plan", ROW_NUMBER() OVER (PARTITION BY s."id" ' +
      'ORDER BY s."updated_at" DESC NULLS LAST, s."_elt_seq" DESC) AS "_elt_rn" FROM "intercom"."_elt_stage_0" AS s) AS r WHERE r."_elt_rn" = 1) AS s ' +
      'ON t."id" = s."id" WHEN MATCHED THEN UPDATE SET "updated_at" = s."updated_at", "custom_attributes" = s."custom_attributes", "Plan" = s."Plan" ' +
      'WHEN NOT MATCHED THEN INSERT ("id", "updated_at", "custom_attributes", "Plan") VALUES (s."id", s."updated_at", s."custom_attributes", s."Plan")',
    standard: false,
  },
  {
    what: 'a column whose type changed between runs converts or becomes NULL (TRY_CAST takes text only)',
    sql: shared.stagedRows(d, [{ name: 'Plan', type: 'json' }], { ref: staged.ref, columns: new Map([['Plan', 'int64' as const]]) }),
    expected: 'SELECT TRY_PARSE_JSON(TO_VARCHAR(s."Plan")) AS "Plan" FROM "intercom"."_elt_stage_0" AS s',
    standard: true,
  },
  {
    what: 'delete+insert window, inclusive bounds',
    sql: shared.deleteWindow(d, target, { name: 'updated_at', type: 'timestamp' }, { start: 100, end: 200 }),
    expected: 'DELETE FROM "intercom"."contacts" WHERE "updated_at" BETWEEN TO_TIMESTAMP_TZ(100) AND TO_TIMESTAMP_TZ(200)',
    standard: true,
  },
  ...d.swapTables('intercom', 'contacts', 'contacts__elt_replace').map((sql, i) => ({
    what: `replace swap, step ${i + 1}`,
    sql,
    expected: [
      'CREATE TABLE IF NOT EXISTS "intercom"."contacts" LIKE "intercom"."contacts__elt_replace"',
      'ALTER TABLE "intercom"."contacts__elt_replace" SWAP WITH "intercom"."contacts"',
      'DROP TABLE IF EXISTS "intercom"."contacts__elt_replace"',
    ][i]!,
    standard: i === 2,
  })),
  {
    what: 'state row, in the transaction of its rows (backslashes escaped: Snowflake reads them as escapes)',
    sql: shared.insertState(d, 'intercom', 'intercom.contacts', { cursor: 5, resume: 'a\\b\'c' }, 'L1'),
    expected:
      `INSERT INTO "intercom"."_elt_state" (asset, state, load_id, updated_at) SELECT 'intercom.contacts', ` +
      `PARSE_JSON('{"cursor":5,"resume":"a\\\\\\\\b''c"}'), 'L1', CURRENT_TIMESTAMP`,
    standard: true,
  },
  {
    what: 'state read',
    sql: shared.selectState(d, 'intercom', 'intercom.contacts'),
    expected: `SELECT CAST(state AS VARCHAR) AS state FROM "intercom"."_elt_state" WHERE asset = 'intercom.contacts'`,
    standard: true,
  },
  { what: 'session setup', sql: sessionSetup().join(';'), expected: `ALTER SESSION SET TIMEZONE = 'UTC';ALTER SESSION SET QUOTED_IDENTIFIERS_IGNORE_CASE = FALSE`, standard: false },
];

describe('Snowflake statements', () => {
  test.each(CASES)('$what', ({ sql, expected }) => {
    expect(sql).toBe(expected);
  });

  test('dialect capabilities: DDL is not transactional, MERGE upserts, quoted names are case-sensitive', () => {
    expect(d.capabilities.transactionalDdl).toBe(false);
    expect(d.upsert).toBe('merge');
    expect(d.caseInsensitiveIdentifiers).toBe(false);
    expect(d.capabilities.types).toEqual({
      string: 'VARCHAR',
      int64: 'NUMBER(38,0)',
      float64: 'FLOAT',
      bool: 'BOOLEAN',
      timestamp: 'TIMESTAMP_TZ',
      json: 'VARIANT',
    });
  });

  test('string literals escape quotes and backslashes', () => {
    expect(stringLiteral(`it's a \\ path`)).toBe(`'it''s a \\\\ path'`);
  });

  test('a staged file path with a quote is refused, not interpolated', () => {
    expect(() => put("/tmp/it's/b1.parquet", 'intercom', 's')).toThrow(/quote/);
  });
});

/** A Snowflake-dialect parser, if one is installed: a function that throws on a syntax error. */
type Check = { name: string; parse: (sql: string) => void; all: boolean };
async function loadParser(): Promise<Check | undefined> {
  const tryImport = async (name: string): Promise<Record<string, unknown> | undefined> => {
    try {
      return (await import(/* @vite-ignore */ name)) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const polyglot = await tryImport('@polyglot-sql/sdk');
  if (polyglot) {
    const parse = polyglot.parse as (sql: string, dialect: string) => { success: boolean; error?: string };
    return {
      name: '@polyglot-sql/sdk',
      all: true,
      parse: (sql) => {
        const r = parse(sql, 'snowflake');
        if (!r.success) throw new Error(r.error);
      },
    };
  }
  const nsp = await tryImport('node-sql-parser');
  if (nsp) {
    const Parser = (nsp.Parser ?? (nsp.default as Record<string, unknown> | undefined)?.Parser) as new () => { astify(sql: string, o: object): unknown };
    const p = new Parser();
    // its Snowflake grammar has no MERGE, COPY, PUT, stages or SWAP: those are checked only by polyglot
    return { name: 'node-sql-parser', all: false, parse: (sql) => void p.astify(sql, { database: 'snowflake' }) };
  }
  return undefined;
}

const parser = await loadParser();

describe.skipIf(!parser)(`every statement parses as Snowflake SQL (${parser?.name ?? 'no Snowflake SQL parser installed'})`, () => {
  const cases = CASES.flatMap((c) => c.sql.split(';').map((sql) => ({ ...c, sql }))).filter((c) => parser?.all || c.standard);
  test.each(cases)('$what', ({ sql }) => {
    expect(() => parser!.parse(sql)).not.toThrow();
  });
  test('the parser rejects a syntax slip (the check can fail)', () => {
    expect(() => parser!.parse('MERGE INTO "a" AS t USING (SELECT 1 AS x) AS s ON WHEN MATCHED')).toThrow();
  });
});
