/** DuckDB's SQL differences; everything else comes from the shared generator. */
import { defineDialect, type Dialect } from '../shared/dialect.js';
import { quoteIdent } from '../shared/identifiers.js';
import type { ColumnType } from '../../intercom/tables/spec.js';

const TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  int64: 'BIGINT',
  float64: 'DOUBLE',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
  json: 'JSON',
};

export const duckDbDialect: Dialect = defineDialect({
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
  createTempTable: (name, columns) => `CREATE TEMP TABLE ${quoteIdent(name)} (${columns})`,
  tempTableRef: (name) => `temp.main.${quoteIdent(name)}`,
});

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
