/**
 * The Snowflake destination: the shared SQL loader with Snowflake's dialect and a driver on the
 * official snowflake-sdk. Each run is one Snowflake session; batches reach its staging tables as
 * Parquet through PUT + COPY INTO, and each checkpoint MERGEs them with the state in one transaction.
 */
import { DestinationError } from '../../core/errors.js';
import { createSqlDestination } from '../shared/destination.js';
import type { Destination } from '../types.js';
import { DEFAULT_SCHEMA } from '../../core/schema.js';
import { sdkOptions, type SnowflakeOptions } from './config.js';
import { connectSdk, SnowflakeConnector, type SnowflakeApi } from './driver.js';
import { snowflakeDialect } from './sql.js';

export type { SnowflakeOptions } from './config.js';
export type { SnowflakeApi } from './driver.js';
export { snowflakeDialect } from './sql.js';

/**
 * Open a Snowflake destination. The options are checked now; the first login happens with the
 * first read or run (`connect` replaces the SDK login in tests that bring their own connection).
 */
export async function createSnowflakeDestination(
  opts: SnowflakeOptions,
  connect: (opts: SnowflakeOptions) => Promise<SnowflakeApi> = connectSdk,
): Promise<Destination> {
  try {
    sdkOptions(opts);
  } catch (err) {
    throw new DestinationError('snowflake', `account ${opts.account}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
      meta: { account: opts.account },
    });
  }
  const schema = opts.schema ?? DEFAULT_SCHEMA;
  const dialect = snowflakeDialect(schema);
  return createSqlDestination({ dialect, connector: new SnowflakeConnector(opts, dialect, schema, connect), schema });
}
