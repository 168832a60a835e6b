/**
 * Snowflake's SQL differences, and the statements only Snowflake has (stage, PUT, COPY INTO).
 * Everything else (DDL, MERGE, state) comes from the shared generator in ../shared/.
 *
 * Identifiers are always quoted, so names keep their case: `"intercom"."contacts"` stays
 * lower-case in Snowflake (unquoted names would fold to upper case). Our own metadata
 * columns (`asset`, `state`, …) are unquoted in the shared generator and so fold to
 * ASSET, STATE: the driver lower-cases all-upper result column names on the way back.
 */
import type { ColumnType } from '../../core/schema.js';
import { defineDialect, finite, type Dialect } from '../shared/dialect.js';
import { qualified, quoteIdent } from '../shared/identifiers.js';
import type { PhysicalColumn } from '../shared/statements.js';

const TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  int64: 'NUMBER(38,0)',
  float64: 'FLOAT',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMP_TZ',
  json: 'VARIANT',
};

export const SNOWFLAKE_TYPES: Readonly<Record<ColumnType, string>> = Object.freeze({ ...TYPES });

/** Snowflake string literal: `''` for a quote, and backslash is an escape character there. */
export function stringLiteral(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/**
 * The dialect of a destination whose session staging tables live in `schema` (Snowflake
 * temporary tables belong to a schema; naming it avoids depending on the session's current schema).
 */
export function snowflakeDialect(schema: string): Dialect {
  return defineDialect({
    name: 'snowflake',
    capabilities: Object.freeze({
      // CREATE/ALTER/DROP commit the open transaction implicitly: the loader runs DDL
      // before BEGIN and swaps replace tables outside the data transaction
      transactionalDdl: false,
      merge: true,
      maxIdentifierLength: 255,
      identifierCase: 'upper' as const,
      types: SNOWFLAKE_TYPES,
    }),
    // quoted identifiers are case-sensitive: "Plan" and "plan" are two columns
    caseInsensitiveIdentifiers: false,
    upsert: 'merge',
    stringLiteral,
    epochSeconds: (seconds) => `TO_TIMESTAMP_TZ(${finite(seconds)})`,
    // Snowflake's TRY_CAST only accepts text, and text becomes VARIANT through TRY_PARSE_JSON
    tryCast: (expr, sqlType) => (sqlType === TYPES.json ? `TRY_PARSE_JSON(TO_VARCHAR(${expr}))` : `TRY_CAST(TO_VARCHAR(${expr}) AS ${sqlType})`),
    createTempTable: (name, columns) => `CREATE TEMPORARY TABLE ${qualified(schema, name)} (${columns})`,
    tempTableRef: (name) => qualified(schema, name),
    clearTable: (ref) => `TRUNCATE TABLE ${ref}`,
    // SWAP WITH exchanges the two tables atomically (metadata only); the target may not exist
    // yet on a first replace, so create an empty one first; the swapped-out old rows are dropped
    swapTables: (s, target, staging) => [
      `CREATE TABLE IF NOT EXISTS ${qualified(s, target)} LIKE ${qualified(s, staging)}`,
      `ALTER TABLE ${qualified(s, staging)} SWAP WITH ${qualified(s, target)}`,
      `DROP TABLE IF EXISTS ${qualified(s, staging)}`,
    ],
    jsonValue: (text) => `PARSE_JSON(${text})`,
    // REGEXP_LIKE / RLIKE match the whole text; REGEXP_INSTR finds a match anywhere, as the others do
    regexMatch: (expr, pattern) => `(REGEXP_INSTR(${expr}, ${pattern}) > 0)`,
  });
}

/** Session settings: our timestamps compare and render in UTC; quoted names stay case-sensitive. */
export function sessionSetup(): string[] {
  return [`ALTER SESSION SET TIMEZONE = 'UTC'`, `ALTER SESSION SET QUOTED_IDENTIFIERS_IGNORE_CASE = FALSE`];
}

/** A temporary internal stage for this session's Parquet files (dropped with the session). */
export function createStage(schema: string, stage: string): string {
  return `CREATE TEMPORARY STAGE IF NOT EXISTS ${qualified(schema, stage)}`;
}

/**
 * Upload one local file to the stage. Parquet is already compressed, so no gzip on top;
 * OVERWRITE makes a retried PUT of the same name idempotent.
 */
export function put(localPath: string, schema: string, stage: string): string {
  if (localPath.includes("'")) throw new TypeError(`a staged file path cannot contain a quote: ${localPath}`);
  const uri = `file://${localPath.replaceAll('\\', '/')}`;
  return `PUT '${uri}' @${qualified(schema, stage)} AUTO_COMPRESS = FALSE OVERWRITE = TRUE`;
}

/** Parquet column `i` of a staged file: c0 is the staged order, c1… the data columns. */
export function parquetColumn(i: number): string {
  return `c${i}`;
}

/**
 * Parquet value -> Snowflake column. The file carries only plain Parquet types (the writer
 * turns timestamps into epoch microseconds and JSON into text), so the load does not depend
 * on Parquet logical-type handling: JSON is parsed into VARIANT here, in the COPY transform.
 * Casts are written `CAST(x AS t)`, not `x::t`: both are COPY-transform functions in
 * Snowflake's docs (data-load-transform, "Supported functions": CAST , ::), and the CAST form
 * is the one the Snowflake-dialect parser of the SQL tests accepts after `$1:cN`.
 */
function fromParquet(i: number, type: ColumnType): string {
  const v = `$1:${parquetColumn(i)}`;
  switch (type) {
    case 'json':
      return `PARSE_JSON(CAST(${v} AS VARCHAR))`;
    case 'timestamp':
      return `TO_TIMESTAMP_TZ(CAST(${v} AS NUMBER(38,0)), 6)`;
    default:
      return `CAST(${v} AS ${TYPES[type]})`;
  }
}

/**
 * Load one staged Parquet file into a session staging table, then delete it from the stage.
 * A COPY transform names the Parquet columns by position-derived names (c0, c1, …), never
 * by the user-controlled column names; MATCH_BY_COLUMN_NAME cannot be combined with a
 * transform (Snowflake: "match_by_column_name is not supported with copy transform") and
 * its CASE_INSENSITIVE mode would conflate columns that differ only in case.
 */
export function copyInto(tableRef: string, seqColumn: string, columns: readonly PhysicalColumn[], schema: string, stage: string, file: string): string {
  const names = [quoteIdent(seqColumn), ...columns.map((c) => quoteIdent(c.name))].join(', ');
  const exprs = [fromParquet(0, 'int64'), ...columns.map((c, i) => fromParquet(i + 1, c.type))].join(', ');
  return (
    `COPY INTO ${tableRef} (${names}) FROM (SELECT ${exprs} FROM @${qualified(schema, stage)}) ` +
    `FILES = (${stringLiteral(file)}) FILE_FORMAT = (TYPE = PARQUET) PURGE = TRUE`
  );
}

/** Columns of a table (the session's current database). */
export function selectColumns(schema: string, table: string): string {
  return (
    `SELECT column_name, data_type, numeric_scale FROM information_schema.columns ` +
    `WHERE table_schema = ${stringLiteral(schema)} AND table_name = ${stringLiteral(table)} ORDER BY ordinal_position`
  );
}

export function selectTables(schema: string): string {
  return `SELECT table_name FROM information_schema.tables WHERE table_schema = ${stringLiteral(schema)}`;
}

/** Our column type of an `information_schema.columns.data_type` (undefined: a type we never create). */
export function columnTypeOfSql(dataType: string, numericScale?: unknown): ColumnType | undefined {
  switch (dataType.toUpperCase()) {
    case 'TEXT':
    case 'VARCHAR':
      return 'string';
    case 'NUMBER':
      return numericScale === undefined || numericScale === null || Number(numericScale) === 0 ? 'int64' : undefined;
    case 'FLOAT':
      return 'float64';
    case 'BOOLEAN':
      return 'bool';
    case 'TIMESTAMP_TZ':
      return 'timestamp';
    case 'VARIANT':
      return 'json';
    default:
      return undefined;
  }
}

/**
 * The asset lock (driver.ts): Snowflake has no advisory locks and a session can die without
 * ending, so a run holds a *lease* on its asset: one row per asset in `_elt_locks`, naming the
 * holder (`host:pid:load id`) and when the lease expires. Times are the server's
 * (CURRENT_TIMESTAMP), never the client's clock.
 */
export const LOCKS_TABLE = '_elt_locks';

export function createLocksTable(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, LOCKS_TABLE)} (asset VARCHAR, holder VARCHAR, acquired_at TIMESTAMP_TZ, expires_at TIMESTAMP_TZ)`;
}

function leaseEnd(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 1) throw new TypeError(`a lease is a whole number of seconds >= 1, not ${seconds}`);
  return `CURRENT_TIMESTAMP + INTERVAL '${seconds} SECONDS'`;
}

/**
 * Take the asset's lease when it is free, expired, or already ours: one row inserted or updated
 * means taken, none means another holder's lease is still running. One MERGE, because
 * Snowflake runs MERGE statements on one table one at a time (they hold the table's lock to
 * the end of their transaction), so two runs racing for a free lease cannot both take it;
 * INSERT … WHERE NOT EXISTS would not do (INSERTs run in parallel).
 */
export function acquireLock(schema: string, asset: string, holder: string, leaseSeconds: number): string {
  const end = leaseEnd(leaseSeconds);
  return (
    `MERGE INTO ${qualified(schema, LOCKS_TABLE)} AS l USING (SELECT ${stringLiteral(asset)} AS asset, ${stringLiteral(holder)} AS holder) AS n ` +
    `ON l.asset = n.asset WHEN MATCHED AND (l.expires_at <= CURRENT_TIMESTAMP OR l.holder = n.holder) ` +
    `THEN UPDATE SET holder = n.holder, acquired_at = CURRENT_TIMESTAMP, expires_at = ${end} ` +
    `WHEN NOT MATCHED THEN INSERT (asset, holder, acquired_at, expires_at) VALUES (n.asset, n.holder, CURRENT_TIMESTAMP, ${end})`
  );
}

/** Extend our lease; no row updated means another run took the asset over (our lease had expired). */
export function renewLock(schema: string, asset: string, holder: string, leaseSeconds: number): string {
  return (
    `UPDATE ${qualified(schema, LOCKS_TABLE)} SET expires_at = ${leaseEnd(leaseSeconds)} ` +
    `WHERE asset = ${stringLiteral(asset)} AND holder = ${stringLiteral(holder)}`
  );
}

/** Give the lease back (only ours: a lease taken over after expiry belongs to its new holder). */
export function releaseLock(schema: string, asset: string, holder: string): string {
  return `DELETE FROM ${qualified(schema, LOCKS_TABLE)} WHERE asset = ${stringLiteral(asset)} AND holder = ${stringLiteral(holder)}`;
}

/** Who holds the asset, until when (for the message of the run that could not take it). */
export function selectLock(schema: string, asset: string): string {
  return `SELECT holder, expires_at FROM ${qualified(schema, LOCKS_TABLE)} WHERE asset = ${stringLiteral(asset)}`;
}
