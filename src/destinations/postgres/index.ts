/**
 * The Postgres destination: the shared SQL loader with Postgres's dialect and driver.
 * Rows reach session temp tables by binary COPY; each checkpoint merges them and writes the
 * state in one transaction; a run holds an advisory lock on its asset for its whole life.
 */
import type { Destination } from '../types.js';
import { createSqlDestination } from '../shared/destination.js';
import { DEFAULT_SCHEMA } from '../../core/schema.js';
import { type PostgresOptions } from './config.js';
import { PgConnector } from './driver.js';
import { postgresDialect } from './sql.js';

export { optionsFromConnection, type PostgresOptions } from './config.js';
export { postgresDialect } from './sql.js';

export async function createPostgresDestination(opts: PostgresOptions): Promise<Destination> {
  const connector = await PgConnector.create(opts);
  return createSqlDestination({ dialect: postgresDialect, connector, schema: opts.schema ?? DEFAULT_SCHEMA });
}
