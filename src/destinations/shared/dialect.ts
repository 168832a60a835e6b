/**
 * What a destination declares about its SQL: the public capabilities plus the few
 * statements that really differ. Everything else is generated once (ddl.ts, dml.ts) from
 * this object; the loader branches on these fields, never on a destination's name.
 */
import type { ColumnType } from '../../core/schema.js';
import type { DestinationCapabilities } from '../types.js';
import { quoteWith, STANDARD_QUOTE } from './identifiers.js';

/** A destination's SQL differences. Build one with `defineDialect` and override only what differs. */
export interface Dialect {
  readonly name: string;
  readonly capabilities: DestinationCapabilities;
  /** Identifiers differing only in case name the same object even when quoted (DuckDB). */
  readonly caseInsensitiveIdentifiers: boolean;
  /** The character identifiers are quoted with (doubled inside a name); SQL's `"` by default. */
  readonly identifierQuote: string;
  /** An identifier, quoted with `identifierQuote` (every identifier we write is quoted). */
  quoteIdent(name: string): string;
  /** `"schema"."table"`: the two-part name (tableRef may put the database first). */
  qualified(schema: string, table: string): string;
  /** Column types of session staging tables (e.g. JSON staged as text, cast on the way in). */
  readonly stagingTypes: Record<ColumnType, string>;
  /** How merge upserts: one MERGE, or delete staged keys then insert (faster on columnar engines). */
  readonly upsert: 'merge' | 'delete-insert';
  /** Create upserted tables with a UNIQUE constraint on the primary key (an index for the merge's lookups). */
  readonly uniqueKeys: boolean;
  /**
   * How statements name a table of a schema: `"schema"."table"`, or with the database first
   * where a two-part name can be ambiguous (DuckDB: a file `intercom.duckdb` is a catalog named
   * like the schema `intercom`; `temp` and `system` are catalogs too).
   */
  tableRef(schema: string, table: string): string;
  /** Empty a staging table (Postgres: TRUNCATE, since autovacuum never cleans temp tables). */
  clearTable(ref: string): string;
  /**
   * Empty a staging table after a commit by dropping it instead (the next batch creates it
   * again): where the rows deleted from a temporary table are never reclaimed (DuckDB).
   */
  readonly dropStaging: boolean;
  /** A string literal (Snowflake also escapes backslashes). */
  stringLiteral(value: string): string;
  /** A timestamp with time zone from unix seconds. */
  epochSeconds(seconds: number): string;
  /** Convert `expr` to `sqlType`, NULL when it does not convert (a type changed between runs). */
  tryCast(expr: string, sqlType: string): string;
  /** CREATE of a session-private staging table (`columns` already rendered). */
  createTempTable(name: string, columns: string): string;
  /** How to name a session staging table in later statements. */
  tempTableRef(name: string): string;
  /** Atomically make `staging` the table `target` (same schema); runs inside a transaction. */
  swapTables(schema: string, target: string, staging: string): string[];
  /** A JSON value from a string literal (Snowflake: PARSE_JSON). */
  jsonValue(textLiteral: string): string;
  /** True when the text `expr` contains a match of the regular expression `pattern` (a literal), anywhere in it. */
  regexMatch(expr: string, pattern: string): string;
  readonly begin: string;
  readonly commit: string;
  readonly rollback: string;
}

/** ANSI defaults shared by DuckDB, Postgres and Snowflake; a destination overrides what differs. */
export function defineDialect(
  d: Pick<Dialect, 'name' | 'capabilities' | 'caseInsensitiveIdentifiers'> & Partial<Omit<Dialect, 'quoteIdent' | 'qualified'>>,
): Dialect {
  const identifierQuote = d.identifierQuote ?? STANDARD_QUOTE;
  const quoteIdent = (name: string): string => quoteWith(identifierQuote, name);
  const qualified = (schema: string, table: string): string => `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const tableRef = d.tableRef ?? qualified;
  return {
    tableRef,
    stagingTypes: d.capabilities.types,
    upsert: d.capabilities.merge ? 'merge' : 'delete-insert',
    uniqueKeys: false,
    clearTable: (ref) => `DELETE FROM ${ref}`,
    dropStaging: false,
    stringLiteral: (value) => `'${value.replaceAll("'", "''")}'`,
    epochSeconds: (seconds) => `to_timestamp(${finite(seconds)})`,
    tryCast: (expr, sqlType) => `TRY_CAST(${expr} AS ${sqlType})`,
    createTempTable: (name, columns) => `CREATE TEMPORARY TABLE ${quoteIdent(name)} (${columns})`,
    tempTableRef: (name) => quoteIdent(name),
    swapTables: (schema, target, staging) => [
      `DROP TABLE IF EXISTS ${tableRef(schema, target)}`,
      `ALTER TABLE ${tableRef(schema, staging)} RENAME TO ${quoteIdent(target)}`,
    ],
    jsonValue: (text) => `CAST(${text} AS ${d.capabilities.types.json})`,
    regexMatch: (expr, pattern) => `regexp_matches(${expr}, ${pattern})`,
    begin: 'BEGIN TRANSACTION',
    commit: 'COMMIT',
    rollback: 'ROLLBACK',
    ...d,
    identifierQuote,
    quoteIdent,
    qualified,
  };
}

/** A number that is safe to print into SQL (refuses NaN/Infinity, which would be identifiers or errors). */
export function finite(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`not a finite number: ${n}`);
  return String(n);
}

/** A SQL literal for a key value (child-table parent keys); strings via the dialect. */
export function literal(d: Dialect, v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  switch (typeof v) {
    case 'number':
      return finite(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'TRUE' : 'FALSE';
    case 'string':
      return d.stringLiteral(v);
    default:
      return d.stringLiteral(JSON.stringify(v));
  }
}
