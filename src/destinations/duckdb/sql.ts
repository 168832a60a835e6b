/** DuckDB's SQL differences; everything else comes from the shared generator. */
import { defineDialect, type Dialect } from '../shared/dialect.js';
import { qualified, quoteIdent } from '../shared/identifiers.js';
import type { ColumnType } from '../../core/schema.js';

const TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  int64: 'BIGINT',
  float64: 'DOUBLE',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
  json: 'JSON',
};

const DUCKDB = {
  name: 'duckdb',
  capabilities: Object.freeze({
    transactionalDdl: true,
    // MERGE INTO exists since DuckDB 1.4
    merge: true,
    // DuckDB has no identifier length limit; this only bounds pathological names
    maxIdentifierLength: 4096,
    identifierCase: 'preserve' as const,
    types: Object.freeze({ ...TYPES }),
  }),
  // DuckDB keeps the case of quoted names but compares them case-insensitively:
  // "Plan" and "plan" are the same column
  caseInsensitiveIdentifiers: true,
  // measured: MERGE re-reads every column of the target per checkpoint (quadratic over a
  // long backfill); DELETE by staged keys reads only the key column
  upsert: 'delete-insert',
  createTempTable: (name: string, columns: string) => `CREATE TEMP TABLE ${quoteIdent(name)} (${columns})`,
  // DuckDB never reclaims the rows deleted from a temporary table (DELETE and TRUNCATE alike):
  // measured, a staging table emptied at every checkpoint kept every row it ever held, and a
  // 1M-contact merge failed with "Out of Memory" at 512k rows (docs/benchmarks.md, issue 19)
  dropStaging: true,
  tempTableRef: (name: string) => `temp.main.${quoteIdent(name)}`,
} satisfies Parameters<typeof defineDialect>[0];

/** The dialect with two-part names, for a session whose catalog has no schema's name. */
export const duckDbDialect: Dialect = defineDialect(DUCKDB);

/**
 * DuckDB's dialect for a database whose catalog (the file's name without `.duckdb`, or an ATTACH
 * alias) is `catalog`: every table is named `"catalog"."schema"."table"`. A two-part name is
 * ambiguous whenever a catalog has the schema's name (`intercom.duckdb` with schema `intercom`,
 * or schemas `temp` and `system`): DuckDB refuses it ("Ambiguous reference to catalog or schema").
 */
export function duckDbDialectFor(catalog: string | undefined, upsert?: Dialect['upsert']): Dialect {
  return defineDialect({
    ...DUCKDB,
    ...(catalog !== undefined && { tableRef: (schema: string, table: string) => `${quoteIdent(catalog)}.${qualified(schema, table)}` }),
    ...(upsert !== undefined && { upsert }),
  });
}

/** Our column type of a DuckDB `information_schema.columns.data_type`. */
export function columnTypeOfSql(dataType: string): ColumnType | undefined {
  switch (dataType.toUpperCase()) {
    case 'VARCHAR':
      return 'string';
    case 'BIGINT':
      return 'int64';
    case 'DOUBLE':
      return 'float64';
    case 'BOOLEAN':
      return 'bool';
    case 'TIMESTAMP WITH TIME ZONE':
    case 'TIMESTAMPTZ':
      return 'timestamp';
    case 'JSON':
      return 'json';
    default:
      return undefined;
  }
}
