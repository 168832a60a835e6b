/** Destination factories (each destination folder wires its dialect and driver). */
export { createDuckDbDestination, duckDbDialect, type DuckDbOptions } from './duckdb/index.js';
export { createSqlDestination, type SqlDestinationOptions } from './shared/destination.js';
export { defineDialect, literal, type Dialect } from './shared/dialect.js';
export type { ExistingColumn, SqlConnector, SqlSession } from './shared/driver.js';
export type * from './types.js';
