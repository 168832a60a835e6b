/**
 * The SQL dialect of each destination type, without opening a connection or loading a driver
 * (for commands that only write SQL for others to run, e.g. dbt-sources' test expressions).
 */
import type { Dialect } from './shared/dialect.js';
import { duckDbDialect } from './duckdb/sql.js';
import { postgresDialect } from './postgres/sql.js';
import { snowflakeDialect } from './snowflake/sql.js';

export function dialectOf(type: 'duckdb' | 'postgres' | 'snowflake', schema: string): Dialect {
  switch (type) {
    case 'duckdb':
      return duckDbDialect;
    case 'postgres':
      return postgresDialect;
    case 'snowflake':
      return snowflakeDialect(schema);
  }
}
