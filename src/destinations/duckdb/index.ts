/**
 * The DuckDB destination: the shared SQL loader with DuckDB's dialect and driver.
 * A DuckDB file allows one writer process at a time; runs of one process use separate
 * connections, and one asset is loaded by at most one run at a time (in-process lock).
 */
import type { Destination } from '../types.js';
import { createSqlDestination } from '../shared/destination.js';
import { DEFAULT_SCHEMA } from '../../core/schema.js';
import { type DuckDbOptions } from './config.js';
import { DuckDbConnector } from './driver.js';
import { duckDbDialectFor } from './sql.js';
import { DestinationError } from '../../core/errors.js';

export type { DuckDbOptions } from './config.js';
export { duckDbDialect } from './sql.js';

export async function createDuckDbDestination(opts: DuckDbOptions): Promise<Destination> {
  let connector: DuckDbConnector;
  try {
    connector = await DuckDbConnector.create(opts);
  } catch (err) {
    throw new DestinationError('duckdb', `cannot open ${opts.path}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
      meta: { path: opts.path },
    });
  }
  const dialect = duckDbDialectFor(connector.catalog, opts.upsert);
  return createSqlDestination({ dialect, connector, schema: opts.schema ?? DEFAULT_SCHEMA });
}
