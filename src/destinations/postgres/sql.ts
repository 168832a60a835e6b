/** Postgres's SQL differences; everything else comes from the shared generator (statements.ts). */
import { createHash } from 'node:crypto';
import type { ColumnType } from '../../core/schema.js';
import { defineDialect, type Dialect } from '../shared/dialect.js';
import { quoteIdent } from '../shared/identifiers.js';

const TYPES: Record<ColumnType, string> = {
  string: 'text',
  int64: 'bigint',
  float64: 'double precision',
  bool: 'boolean',
  timestamp: 'timestamptz',
  json: 'jsonb',
};

/**
 * Postgres has no TRY_CAST. This session-private function converts through the type's text
 * input function and yields NULL when that fails (a column whose type changed between runs).
 * Called as `pg_temp.elt_try_cast(x::text, NULL::<type>)`; it opens a subtransaction per
 * call, which is slow, but only runs for columns whose type changed.
 */
export const TRY_CAST_FUNCTION =
  `CREATE OR REPLACE FUNCTION pg_temp.elt_try_cast(v text, INOUT r anyelement) LANGUAGE plpgsql AS ` +
  `$elt$ BEGIN r := v; EXCEPTION WHEN others THEN r := NULL; END $elt$`;

export const postgresDialect: Dialect = defineDialect({
  name: 'postgres',
  capabilities: Object.freeze({
    transactionalDdl: true,
    // MERGE exists since Postgres 15 (and works without a unique index, unlike ON CONFLICT)
    merge: true,
    // NAMEDATALEN - 1: longer names are silently cut by the server, so we shorten them first
    maxIdentifierLength: 63,
    identifierCase: 'lower' as const,
    types: Object.freeze({ ...TYPES }),
  }),
  // quoted identifiers are case-sensitive: "Plan" and "plan" are two columns
  caseInsensitiveIdentifiers: false,
  upsert: 'merge',
  // a unique index on the key turns each checkpoint's MERGE into index lookups instead of a
  // scan of the whole target (quadratic over a long backfill)
  uniqueKeys: true,
  tryCast: (expr, sqlType) => (sqlType === 'text' ? `CAST(${expr} AS text)` : `pg_temp.elt_try_cast(CAST(${expr} AS text), NULL::${sqlType})`),
  // temp tables are session-private and never WAL-logged: the cheapest staging there is
  createTempTable: (name, columns) => `CREATE TEMPORARY TABLE ${quoteIdent(name)} (${columns})`,
  tempTableRef: (name) => `pg_temp.${quoteIdent(name)}`,
  // autovacuum never visits temp tables: DELETE would leave every staged row as a dead tuple
  // that later checkpoints scan again; TRUNCATE gives the space back at once
  clearTable: (ref) => `TRUNCATE ${ref}`,
  jsonValue: (text) => `CAST(${text} AS jsonb)`,
  // POSIX regular expression, matching anywhere (like DuckDB's regexp_matches)
  regexMatch: (expr, pattern) => `(${expr} ~ ${pattern})`,
  begin: 'BEGIN',
});

/** Our column type of an `information_schema.columns.data_type`. */
export function columnTypeOfSql(dataType: string): ColumnType | undefined {
  switch (dataType.toLowerCase()) {
    case 'text':
      return 'string';
    case 'bigint':
      return 'int64';
    case 'double precision':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'timestamp with time zone':
      return 'timestamp';
    case 'jsonb':
      return 'json';
    default:
      return undefined;
  }
}

/**
 * The advisory-lock key of an asset: 64 bits of a hash of the metadata schema and the asset
 * name (advisory locks are per database; two destinations in one database may share names).
 */
export function lockKey(schema: string, asset: string): string {
  return createHash('sha256').update(`intercom-elt\0${schema}\0${asset}`, 'utf8').digest().readBigInt64BE(0).toString();
}
