/** Opens the destination a connection names. The pipeline is the only place that knows every destination. */
import type { DestinationConnection } from '../config/index.js';
import type { Destination } from './types.js';

/**
 * Metadata tables (`_elt_state`, `_elt_loads`) live in the connection's schema, default `intercom`.
 * Each destination's module (and its driver: DuckDB's native addon, pg, snowflake-sdk) loads only
 * when a connection uses it: importing snowflake-sdk alone costs ~1 s of CPU at every start.
 */
export async function openDestination(conn: DestinationConnection, opts: { readOnly?: boolean } = {}): Promise<Destination> {
  switch (conn.type) {
    case 'duckdb':
      // read-only: works in a read-only folder and beside another process that has the file open read-only
      return (await import('./duckdb/index.js')).createDuckDbDestination({ path: conn.path, readOnly: opts.readOnly });
    case 'postgres': {
      const pg = await import('./postgres/index.js');
      return pg.createPostgresDestination(pg.optionsFromConnection(conn));
    }
    case 'snowflake':
      return (await import('./snowflake/index.js')).createSnowflakeDestination(conn);
    default:
      throw new Error(`the ${(conn as { type: string }).type} destination is not available yet`);
  }
}
