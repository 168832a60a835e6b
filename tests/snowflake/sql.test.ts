/**
 * Layer 1 of docs/destinations/snowflake.md: the exact statements the Snowflake destination
 * sends (DDL, stage, PUT, COPY INTO, MERGE, SWAP, state, the asset lock), and each one parsed
 * as Snowflake SQL by sqlparser-rs (datafusion-sqlparser-rs, Snowflake dialect, compiled to
 * WASM: @guanmingchiu/sqlparser-ts), so a syntax slip fails the test. PUT is not SQL to that
 * parser (a client-side command the driver executes): it is checked against the grammar of
 * Snowflake's PUT reference instead, and proven by layer 3 (the real driver uploading to the
 * fake). What this proves: the text we send, and that it is Snowflake syntax. Not that
 * Snowflake accepts or executes it.
 */
import { init, parse } from '@guanmingchiu/sqlparser-ts';
import { describe, expect, test } from 'vitest';
import * as shared from '../../src/destinations/shared/statements.js';
import * as checks from '../../src/destinations/shared/checks.js';
import {
  acquireLock,
  copyInto,
  createLocksTable,
  createStage,
  put,
  releaseLock,
  renewLock,
  selectLock,
  sessionSetup,
  snowflakeDialect,
  stringLiteral,
} from '../../src/destinations/snowflake/sql.js';

const d = snowflakeDialect('intercom');
const cols: shared.PhysicalColumn[] = [
  { name: 'id', type: 'string' },
  { name: 'updated_at', type: 'timestamp' },
  { name: 'custom_attributes', type: 'json' },
  { name: 'Plan', type: 'int64' },
];
const staged = { ref: d.tempTableRef('_elt_stage_0'), columns: new Map(cols.map((c) => [c.name, c.type])) };
const target = '"intercom"."contacts"';

/** `put`: checked against PUT's documented grammar (putGrammar), every other statement by the SQL parser. */
const CASES: Array<{ what: string; sql: string; expected: string; put?: boolean }> = [
  {
    what: 'create table (types, quoted names keep their case)',
    sql: shared.createTable(d, 'intercom', 'contacts', cols),
    expected: 'CREATE TABLE IF NOT EXISTS "intercom"."contacts" ("id" VARCHAR, "updated_at" TIMESTAMP_TZ, "custom_attributes" VARIANT, "Plan" NUMBER(38,0))',
  },
  {
    what: 'add column',
    sql: shared.addColumn(d, 'intercom', 'contacts', { name: 'tier', type: 'float64' }),
    expected: 'ALTER TABLE "intercom"."contacts" ADD COLUMN "tier" FLOAT',
  },
  {
    what: 'session staging table (a temporary table in the destination schema)',
    sql: shared.createStaging(d, '_elt_stage_0', cols),
    expected:
      'CREATE TEMPORARY TABLE "intercom"."_elt_stage_0" ("_elt_seq" NUMBER(38,0), "id" VARCHAR, "updated_at" TIMESTAMP_TZ, "custom_attributes" VARIANT, "Plan" NUMBER(38,0))',
  },
  { what: 'clear staging', sql: shared.clearStaging(d, '_elt_stage_0'), expected: 'TRUNCATE TABLE "intercom"."_elt_stage_0"' },
  {
    what: 'temporary stage',
    sql: createStage('intercom', '_elt_files_ab12'),
    expected: 'CREATE TEMPORARY STAGE IF NOT EXISTS "intercom"."_elt_files_ab12"',
  },
  {
    what: 'PUT',
    sql: put('/tmp/x/b1.parquet', 'intercom', '_elt_files_ab12'),
    expected: `PUT 'file:///tmp/x/b1.parquet' @"intercom"."_elt_files_ab12" AUTO_COMPRESS = FALSE OVERWRITE = TRUE`,
    put: true,
  },
  {
    what: 'COPY INTO staging with a transform (JSON parsed, epoch microseconds to TIMESTAMP_TZ)',
    sql: copyInto(d.tempTableRef('_elt_stage_0'), shared.SEQ_COLUMN, cols, 'intercom', '_elt_files_ab12', 'b1.parquet'),
    expected:
      'COPY INTO "intercom"."_elt_stage_0" ("_elt_seq", "id", "updated_at", "custom_attributes", "Plan") FROM (SELECT CAST($1:c0 AS NUMBER(38,0)), ' +
      'CAST($1:c1 AS VARCHAR), TO_TIMESTAMP_TZ(CAST($1:c2 AS NUMBER(38,0)), 6), PARSE_JSON(CAST($1:c3 AS VARCHAR)), CAST($1:c4 AS NUMBER(38,0)) ' +
      'FROM @"intercom"."_elt_files_ab12") ' +
      `FILES = ('b1.parquet') FILE_FORMAT = (TYPE = PARQUET) PURGE = TRUE`,
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
  },
  {
    what: 'a column whose type changed between runs converts or becomes NULL (TRY_CAST takes text only)',
    sql: shared.stagedRows(d, [{ name: 'Plan', type: 'json' }], { ref: staged.ref, columns: new Map([['Plan', 'int64' as const]]) }),
    expected: 'SELECT TRY_PARSE_JSON(TO_VARCHAR(s."Plan")) AS "Plan" FROM "intercom"."_elt_stage_0" AS s',
  },
  {
    what: 'delete+insert window, inclusive bounds',
    sql: shared.deleteWindow(d, target, { name: 'updated_at', type: 'timestamp' }, { start: 100, end: 200 }),
    expected: 'DELETE FROM "intercom"."contacts" WHERE "updated_at" BETWEEN TO_TIMESTAMP_TZ(100) AND TO_TIMESTAMP_TZ(200)',
  },
  ...d.swapTables('intercom', 'contacts', 'contacts__elt_replace').map((sql, i) => ({
    what: `replace swap, step ${i + 1}`,
    sql,
    expected: [
      'CREATE TABLE IF NOT EXISTS "intercom"."contacts" LIKE "intercom"."contacts__elt_replace"',
      'ALTER TABLE "intercom"."contacts__elt_replace" SWAP WITH "intercom"."contacts"',
      'DROP TABLE IF EXISTS "intercom"."contacts__elt_replace"',
    ][i]!,
  })),
  {
    what: 'state row, in the transaction of its rows (backslashes escaped: Snowflake reads them as escapes)',
    sql: shared.insertState(d, 'intercom', 'intercom.contacts', { cursor: 5, resume: "a\\b'c" }, 'L1'),
    expected:
      `INSERT INTO "intercom"."_elt_state" (asset, state, load_id, updated_at) SELECT 'intercom.contacts', ` +
      `PARSE_JSON('{"cursor":5,"resume":"a\\\\\\\\b''c"}'), 'L1', CURRENT_TIMESTAMP`,
  },
  {
    what: 'state read',
    sql: shared.selectState(d, 'intercom', 'intercom.contacts'),
    expected: `SELECT CAST(state AS VARCHAR) AS state FROM "intercom"."_elt_state" WHERE asset = 'intercom.contacts'`,
  },
  {
    what: 'lock table (one lease row per asset)',
    sql: createLocksTable('intercom'),
    expected: 'CREATE TABLE IF NOT EXISTS "intercom"."_elt_locks" (asset VARCHAR, holder VARCHAR, acquired_at TIMESTAMP_TZ, expires_at TIMESTAMP_TZ)',
  },
  {
    what: 'take the lease: free, expired or already ours (one MERGE: MERGEs on a table run one at a time)',
    sql: acquireLock('intercom', 'intercom.contacts', "host-1:4242:L'1", 600),
    expected:
      `MERGE INTO "intercom"."_elt_locks" AS l USING (SELECT 'intercom.contacts' AS asset, 'host-1:4242:L''1' AS holder) AS n ON l.asset = n.asset ` +
      `WHEN MATCHED AND (l.expires_at <= CURRENT_TIMESTAMP OR l.holder = n.holder) THEN UPDATE SET holder = n.holder, acquired_at = CURRENT_TIMESTAMP, ` +
      `expires_at = CURRENT_TIMESTAMP + INTERVAL '600 SECONDS' WHEN NOT MATCHED THEN INSERT (asset, holder, acquired_at, expires_at) ` +
      `VALUES (n.asset, n.holder, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP + INTERVAL '600 SECONDS')`,
  },
  {
    what: 'renew the lease (only while still ours)',
    sql: renewLock('intercom', 'intercom.contacts', 'host-1:4242:L1', 600),
    expected: `UPDATE "intercom"."_elt_locks" SET expires_at = CURRENT_TIMESTAMP + INTERVAL '600 SECONDS' WHERE asset = 'intercom.contacts' AND holder = 'host-1:4242:L1'`,
  },
  {
    what: 'release the lease (only ours)',
    sql: releaseLock('intercom', 'intercom.contacts', 'host-1:4242:L1'),
    expected: `DELETE FROM "intercom"."_elt_locks" WHERE asset = 'intercom.contacts' AND holder = 'host-1:4242:L1'`,
  },
  {
    what: 'who holds the lease, until when',
    sql: selectLock('intercom', 'intercom.contacts'),
    expected: `SELECT holder, expires_at FROM "intercom"."_elt_locks" WHERE asset = 'intercom.contacts'`,
  },
  {
    what: 'session setup',
    sql: sessionSetup().join(';'),
    expected: `ALTER SESSION SET TIMEZONE = 'UTC';ALTER SESSION SET QUOTED_IDENTIFIERS_IGNORE_CASE = FALSE`,
  },
  {
    what: 'checks table (issue #16)',
    sql: checks.createChecksTable(d, 'intercom'),
    expected:
      'CREATE TABLE IF NOT EXISTS "intercom"."_elt_checks" (load_id VARCHAR, asset VARCHAR, check_name VARCHAR, column_name VARCHAR, blocking BOOLEAN, status VARCHAR, offending_rows NUMBER(38,0), message VARCHAR, checked_at TIMESTAMP_TZ)',
  },
  {
    what: 'check: unique counts the rows sharing a value, soft-deleted rows left out',
    sql: checks.columnCheckSql(
      d,
      target,
      { name: 'Plan', type: 'int64' },
      { kind: 'column', name: 'unique', column: 'Plan', blocking: true, excludeDeleted: true },
      true,
    ),
    expected:
      'SELECT COALESCE(SUM(g.n), 0) AS n FROM (SELECT COUNT(*) AS n FROM "intercom"."contacts" WHERE "Plan" IS NOT NULL AND "_elt_deleted_at" IS NULL GROUP BY "Plan" HAVING COUNT(*) > 1) AS g',
  },
  {
    what: 'check: pattern matches anywhere (REGEXP_INSTR; REGEXP_LIKE would anchor), backslashes escaped',
    sql: checks.columnCheckSql(
      d,
      target,
      { name: 'id', type: 'string' },
      { kind: 'column', name: 'pattern', column: 'id', value: '^\\d+$', blocking: true, excludeDeleted: false },
      false,
    ),
    expected: `SELECT COUNT(*) AS n FROM "intercom"."contacts" WHERE "id" IS NOT NULL AND NOT (REGEXP_INSTR("id", '^\\\\d+$') > 0)`,
  },
  {
    what: 'check: accepted values and a timestamp bound',
    sql: [
      checks.columnCheckSql(
        d,
        target,
        { name: 'id', type: 'string' },
        { kind: 'column', name: 'accepted_values', column: 'id', value: ["o'k", 'b'], blocking: true, excludeDeleted: false },
        false,
      ),
      checks.columnCheckSql(
        d,
        target,
        { name: 'updated_at', type: 'timestamp' },
        { kind: 'column', name: 'min', column: 'updated_at', value: 1262304000, blocking: true, excludeDeleted: false },
        false,
      ),
    ].join(';'),
    expected:
      `SELECT COUNT(*) AS n FROM "intercom"."contacts" WHERE "id" IS NOT NULL AND "id" NOT IN ('o''k', 'b');` +
      'SELECT COUNT(*) AS n FROM "intercom"."contacts" WHERE "updated_at" < TO_TIMESTAMP_TZ(1262304000)',
  },
  {
    what: 'check results, one row per check',
    sql: checks.insertCheckResults(d, 'intercom', 'L1', 'intercom.contacts', [
      { check: 'unique', column: 'id', blocking: true, status: 'failed', offendingRows: 2, message: '2 offending rows' },
      { check: 'custom', blocking: false, status: 'passed', message: 'returned 0, as expected' },
    ]),
    expected:
      `INSERT INTO "intercom"."_elt_checks" (load_id, asset, check_name, column_name, blocking, status, offending_rows, message, checked_at) ` +
      `SELECT 'L1', 'intercom.contacts', 'unique', 'id', TRUE, 'failed', 2, '2 offending rows', CURRENT_TIMESTAMP UNION ALL ` +
      `SELECT 'L1', 'intercom.contacts', 'custom', NULL, FALSE, 'passed', NULL, 'returned 0, as expected', CURRENT_TIMESTAMP`,
  },
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

  test('a lease is a whole number of seconds >= 1 (it is printed into SQL)', () => {
    for (const bad of [0, -5, 1.5, Number.NaN]) expect(() => renewLock('intercom', 'a', 'h', bad)).toThrow(/whole number of seconds/);
  });

  test('a staged file path with a quote is refused, not interpolated', () => {
    expect(() => put("/tmp/it's/b1.parquet", 'intercom', 's')).toThrow(/quote/);
  });
});

await init();
/** Parse as Snowflake SQL; throws on a syntax error. */
const parseSnowflake = (sql: string): void => void parse(sql, 'snowflake');

/**
 * The grammar of Snowflake's PUT reference (docs.snowflake.com/en/sql-reference/sql/put):
 *   PUT file://<absolute_path_to_file>/<filename> internalStage
 *     [ PARALLEL = <integer> ] [ AUTO_COMPRESS = TRUE | FALSE ]
 *     [ SOURCE_COMPRESSION = AUTO_DETECT | GZIP | BZ2 | BROTLI | ZSTD | DEFLATE | RAW_DEFLATE | NONE ]
 *     [ OVERWRITE = TRUE | FALSE ]
 *   internalStage ::= @[<namespace>.]<int_stage_name>[/<path>] | @[<namespace>.]%<table_name>[/<path>] | @~[/<path>]
 * with the URI in single quotes when it has special characters or spaces. Narrowed to what
 * we send: one file (no wildcard), options in the documented order.
 */
const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const PUT_GRAMMAR = new RegExp(
  [
    '^PUT',
    // an absolute path (Linux/macOS: file:///…, Windows: file://C:/…) to one file; quoted, or without spaces and quotes
    String.raw`(?:'file://(?:/|[A-Za-z]:/)[^'*?]*[^'/*?]'|file://(?:/|[A-Za-z]:/)[^\s'*?]*[^\s'/*?])`,
    String.raw`@(?:~|(?:${IDENT}\.){0,2}%?${IDENT})(?:/[^\s]*)?`,
  ].join(' ') +
    String.raw`(?: PARALLEL = [1-9][0-9]*)?(?: AUTO_COMPRESS = (?:TRUE|FALSE))?` +
    String.raw`(?: SOURCE_COMPRESSION = (?:AUTO_DETECT|GZIP|BZ2|BROTLI|ZSTD|DEFLATE|RAW_DEFLATE|NONE))?(?: OVERWRITE = (?:TRUE|FALSE))?$`,
  'i',
);
function putGrammar(sql: string): void {
  if (!PUT_GRAMMAR.test(sql)) throw new Error(`not a PUT of Snowflake's documented grammar: ${sql}`);
}

describe('every statement parses as Snowflake SQL (sqlparser-rs, Snowflake dialect)', () => {
  const cases = CASES.filter((c) => !c.put).flatMap((c) => c.sql.split(';').map((sql) => ({ ...c, sql })));
  test.each(cases)('$what', ({ sql }) => {
    expect(() => parseSnowflake(sql)).not.toThrow();
  });
  test('the parser rejects a syntax slip (the check can fail)', () => {
    expect(() => parseSnowflake('MERGE INTO "a" AS t USING (SELECT 1 AS x) AS s ON WHEN MATCHED')).toThrow();
    const copy = copyInto(d.tempTableRef('_elt_stage_0'), shared.SEQ_COLUMN, cols, 'intercom', 's', 'b1.parquet');
    expect(() => parseSnowflake(copy.replace('CAST($1:c1 AS VARCHAR)', 'CAST($1:c1 AS VARCHAR'))).toThrow();
    expect(() => parseSnowflake(copy.replace('FILE_FORMAT = (TYPE = PARQUET)', 'FILE_FORMAT = TYPE = PARQUET)'))).toThrow();
  });
});

describe('PUT: not SQL to the parser (the driver runs it); checked against the documented PUT grammar', () => {
  test.each(CASES.filter((c) => c.put))('$what', ({ sql }) => {
    expect(() => putGrammar(sql)).not.toThrow();
    expect(() => parseSnowflake(sql)).toThrow(/PUT/);
  });
  test('paths with spaces stay one quoted URI; Windows paths use forward slashes', () => {
    expect(put('/tmp/my dir/b1.parquet', 'intercom', 's')).toBe(`PUT 'file:///tmp/my dir/b1.parquet' @"intercom"."s" AUTO_COMPRESS = FALSE OVERWRITE = TRUE`);
    expect(() => putGrammar(put('/tmp/my dir/b1.parquet', 'intercom', 's'))).not.toThrow();
    expect(put('C:\\Temp\\b1.parquet', 'intercom', 's')).toBe(`PUT 'file://C:/Temp/b1.parquet' @"intercom"."s" AUTO_COMPRESS = FALSE OVERWRITE = TRUE`);
    expect(() => putGrammar(put('C:\\Temp\\b1.parquet', 'intercom', 's'))).not.toThrow();
  });
  const good = `PUT 'file:///tmp/x/b1.parquet' @"intercom"."st" AUTO_COMPRESS = FALSE OVERWRITE = TRUE`;
  test.each([
    ['no @ before the stage', good.replace('@', '')],
    ['a relative path', good.replace('file:///tmp', 'file://tmp')],
    ['a directory, not a file', good.replace('b1.parquet', '')],
    ['an unquoted path with a space', good.replace(`'file:///tmp/x/b1.parquet'`, 'file:///tmp/my x/b1.parquet')],
    ['an unterminated quoted identifier', good.replace('"st"', '"st')],
    ['an unknown option', `${good} COMPRESS = TRUE`],
    ['an option value outside the grammar', good.replace('OVERWRITE = TRUE', 'OVERWRITE = YES')],
    ['options out of the documented order', `PUT 'file:///tmp/x/b1.parquet' @"intercom"."st" OVERWRITE = TRUE AUTO_COMPRESS = FALSE`],
  ])('the grammar check rejects %s (the check can fail)', (_what, sql) => {
    expect(() => putGrammar(good)).not.toThrow();
    expect(() => putGrammar(sql)).toThrow(/documented grammar/);
  });
});
